"""Regulatory-style reports: one report model, rendered as HTML, Markdown, JSON and PDF.

- ``build_report(run_dir, lang="en") -> Report``: the model (``reports.model``).
- ``render(run_dir, formats=("html", "md", "json", "pdf"), lang="en") -> dict[str, Path]``:
  writes ``report.<fmt>`` into the run directory atomically (``reports.render``).
"""

from __future__ import annotations


def build_report(run_dir, lang: str = "en"):
    from reports.model import build_report as _build

    return _build(run_dir, lang=lang)


def render(run_dir, formats=("html", "md", "json", "pdf"), lang: str = "en"):
    from reports.render import render as _render

    return _render(run_dir, formats=formats, lang=lang)


__all__ = ["build_report", "render"]
