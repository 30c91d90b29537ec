"""Report text in English and French from one message catalogue (``messages.yml``).

Templates are written once; every heading and fixed sentence comes from the catalogue through
``Messages.text(key, **values)`` (``str.format`` placeholders). Numbers are formatted for the
language here too (``23.4%`` in English, ``23,4 %`` in French).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

LANGS = ("en", "fr")
CATALOGUE_PATH = Path(__file__).resolve().parent / "messages.yml"


def _flatten(tree: dict, prefix: str = "") -> dict[str, dict]:
    """``{a: {b: {en: .., fr: ..}}}`` -> ``{"a.b": {en: .., fr: ..}}``."""
    out: dict[str, dict] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not set(value) <= set(LANGS):
            out.update(_flatten(value, name + "."))
        elif isinstance(value, dict):
            out[name] = value
        else:
            raise ValueError(f"{CATALOGUE_PATH}: {name}: expected en/fr texts")
    return out


@cache
def catalogue() -> dict[str, dict]:
    with CATALOGUE_PATH.open(encoding="utf-8") as handle:
        return _flatten(yaml.safe_load(handle))


class Messages:
    """The catalogue in one language."""

    def __init__(self, lang: str):
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}")
        self.lang = lang
        self._entries = {key: texts[lang] for key, texts in catalogue().items()}

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def keys(self) -> set[str]:
        return set(self._entries)

    def text(self, key: str, **values) -> str:
        entry = self._entries[key]
        if isinstance(entry, list):
            raise TypeError(f"{key} is a list; use Messages.list")
        return entry.format(**values) if values else entry

    def list(self, key: str) -> list[str]:
        entry = self._entries[key]
        return list(entry) if isinstance(entry, list) else [entry]

    def _label(self, group: str, name: str) -> str:
        key = f"{group}.{name}"
        return self._entries.get(key, name)

    def endpoint(self, key: str) -> str:
        return self._label("endpoint", key)

    def technique(self, name: str) -> str:
        return self._label("technique", name)

    def reaction(self, name: str) -> str:
        return self._label("reaction", name)

    # -- numbers ---------------------------------------------------------------------------
    def pct(self, x: float | None, signed: bool = False, digits: int = 1) -> str:
        """A proportion as a percentage: 0.2345 -> '23.5%' (en) / '23,5 %' (fr)."""
        if x is None:
            return "–"
        text = f"{x * 100:+.{digits}f}" if signed else f"{x * 100:.{digits}f}"
        if signed:
            text = text.replace("-", "−")
        if self.lang == "fr":
            return text.replace(".", ",") + "\u202f%"
        return text + "%"

    def pvalue(self, p: float | None) -> str:
        if p is None:
            return "–"
        text = "< 0.001" if p < 0.001 else f"= {p:.3f}"
        return text.replace(".", ",") if self.lang == "fr" else text

    def number(self, x: float | None, digits: int = 2) -> str:
        if x is None:
            return "–"
        text = f"{x:.{digits}f}"
        return text.replace(".", ",") if self.lang == "fr" else text


@cache
def messages(lang: str) -> Messages:
    return Messages(lang)
