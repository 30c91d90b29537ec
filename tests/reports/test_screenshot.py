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
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless chromium not installed (make system-deps)"
)


def _html_tag(dom: str) -> str:
    start = dom.find("<html")
    return dom[start : dom.find(">", start) + 1]


@needs_chromium
def test_injected_scripts_do_not_run_but_the_page_script_does(hostile_reports):
    dom = dump_dom(hostile_reports["html"], CHROMIUM)
    root = _html_tag(dom)
    assert 'data-script="ran"' in root, root
    assert "data-pwned" not in root, root
    assert "&lt;script&gt;document.documentElement" in dom  # shown as text


@needs_chromium
def test_screenshot_of_the_first_screen(hostile_reports, tmp_path):
    png = screenshot(hostile_reports["html"], tmp_path / "report.png", CHROMIUM)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (WIDTH, HEIGHT)


def test_without_chromium_the_screenshot_is_skipped_with_a_message(hostile_reports, monkeypatch):
    from click.testing import CliRunner

    import reports.screenshot as shot

    monkeypatch.setattr(shot, "find_chromium", lambda: None)
    run = hostile_reports["html"].parent
    result = CliRunner().invoke(shot.main, [str(run)])
    assert result.exit_code == 0
    assert "skipped: no headless chromium" in result.output
    assert CliRunner().invoke(shot.main, [str(run), "--strict"]).exit_code == 1
