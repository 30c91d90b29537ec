"""Headless Chromium: the hostile run's HTML runs no injected script; the screenshot is written.

The page's own transcript filter sets ``data-script="ran"`` on <html>: seeing it proves that
this Chromium runs scripts, so the absence of the injected scripts' ``data-pwned`` marker
means they did not run (not that scripts were off).
"""

from __future__ import annotations

import struct

import pytest

from reports.screenshot import HEIGHT, WIDTH, dump_dom, find_chromium, screenshot

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless chromium not installed (make system-deps)"
)


def _html_tag(dom: str) -> str:
    start = dom.find("<html")
    return dom[start : dom.find(">", start) + 1]


def test_injected_scripts_do_not_run_but_the_page_script_does(hostile_reports):
    dom = dump_dom(hostile_reports["html"], CHROMIUM)
    root = _html_tag(dom)
    assert 'data-script="ran"' in root, root
    assert "data-pwned" not in root, root
    assert "&lt;script&gt;document.documentElement" in dom  # shown as text


def test_screenshot_of_the_first_screen(hostile_reports, tmp_path):
    png = screenshot(hostile_reports["html"], tmp_path / "report.png", CHROMIUM)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (WIDTH, HEIGHT)
