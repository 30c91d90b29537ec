"""The legal map (``legal_map.yml``): finding types and the rules they may touch, as data."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

LEGAL_MAP_PATH = Path(__file__).resolve().parent / "legal_map.yml"


@cache
def legal_map() -> dict:
    with LEGAL_MAP_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def finding_types() -> list[str]:
    """The keys of the legal map that can be findings (``solicited_commerce`` is not one)."""
    return [k for k, v in legal_map()["findings"].items() if not v.get("not_a_finding")]


def _pick(texts: dict | str, lang: str) -> str:
    if isinstance(texts, str):
        return texts
    return texts.get(lang) or texts["en"]


def rules_for(finding_type: str, lang: str = "en") -> dict:
    """Rules, paraphrase and scope caveats of one finding type, in ``lang``.

    Returns ``{"paraphrase", "eu": [{"ref", "note", "to_confirm", "scope"}], "us": [...],
    "caveats": [text, ...]}``; rules still to confirm carry ``to_confirm: True``.
    """
    data = legal_map()
    entry = data["findings"][finding_type]
    notes = data["scope_notes"]

    def rules(items: list[dict]) -> list[dict]:
        return [
            {
                "ref": item["ref"],
                "note": _pick(item.get("note", ""), lang),
                "to_confirm": bool(item.get("to_confirm", False)),
                "scope": list(item.get("scope", [])),
            }
            for item in items
        ]

    return {
        "paraphrase": _pick(entry["paraphrase"], lang),
        "eu": rules(entry.get("eu", [])),
        "us": rules(entry.get("us", [])),
        "caveats": [_pick(notes[key], lang) for key in entry.get("scope", [])],
    }


def notice(lang: str = "en") -> str:
    return _pick(legal_map()["notice"], lang)


def anchors() -> list[str]:
    return list(legal_map().get("anchors", []))
