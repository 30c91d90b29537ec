"""Rendered reports: sections, numbers from analysis.json, no external resources, escaping, PDF."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from reports.model import Report
from reports.render import SECTIONS, md_code, md_escape, parse_formats
from tests.reports.conftest import IMG_PAYLOAD, SCRIPT_PAYLOAD, TEMPLATE_PAYLOAD


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.urls: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_script = tag == "script"
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            if name in ("src", "href", "xlink:href", "action", "poster", "data") and value:
                self.urls.append((tag, name, value))

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            self.text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_every_section_id_is_present(synthetic_reports):
    ids = parse(synthetic_reports["html"].read_text("utf-8")).ids
    for section in SECTIONS:
        assert section in ids
    assert "transcripts" in ids
    md = synthetic_reports["md"].read_text("utf-8")
    for section in SECTIONS:
        assert f'<a id="{section}"></a>' in md


def test_the_html_loads_nothing_from_outside(synthetic_reports, hostile_reports):
    for reports in (synthetic_reports, hostile_reports):
        html = reports["html"].read_text("utf-8")
        page = parse(html)
        external = [u for u in page.urls if re.match(r"\s*(https?:)?//", u[2], re.I)]
        assert external == []
        assert not [u for u in page.urls if u[1] == "src"]  # nothing is loaded at all
        assert "@import" not in html and "url(http" not in html
        # Scripts: only our own inline one, allowed by hash in the Content-Security-Policy.
        assert page.tags.count("script") == 1
        assert "script-src 'sha256-" in html


def _cell(html: str, endpoint: str, arm: str) -> float:
    row = re.search(rf'<tr data-endpoint="{endpoint}">(.*?)</tr>', html, re.S).group(1)
    cell = re.search(rf'<td data-arm="{arm}">(.*?)</td>', row, re.S).group(1)
    return [float(v) for v in re.findall(r'data-value="([^"]+)"', cell)]


def test_numbers_in_the_html_equal_analysis_json(synthetic_run, synthetic_reports):
    analysis = json.loads((synthetic_run / "analysis.json").read_text("utf-8"))
    html = synthetic_reports["html"].read_text("utf-8")
    checked = 0
    for arm, figures in analysis["arms"].items():
        for endpoint, fig in figures["endpoints"].items():
            if fig["estimate"] is None:
                continue
            values = _cell(html, endpoint, arm)
            assert values == [fig["estimate"], fig["ci_low"], fig["ci_high"]], (arm, endpoint)
            checked += 1
    assert checked >= 10
    for comp in analysis["comparisons"]:
        for value in (comp["estimate"], comp["ci_low"], comp["ci_high"], comp["test"]["pvalue"]):
            if value is not None:
                assert f'data-value="{value}"' in html


def test_the_opinion_is_negative_for_the_pushing_arm(hostile_reports):
    report = Report.model_validate_json(hostile_reports["json"].read_text("utf-8"))
    assert report.opinion.kind == "negative"
    by_arm = {a.arm: a for a in report.opinion.arms}
    assert by_arm["commercial"].kind == "negative" and by_arm["commercial"].role == "audited"
    assert by_arm["neutral"].kind == "positive" and by_arm["neutral"].role == "reference"
    html = hostile_reports["html"].read_text("utf-8")
    assert 'data-opinion="negative"' in html


def test_hostile_bot_text_is_literal_in_html(hostile_reports):
    html = hostile_reports["html"].read_text("utf-8")
    page = parse(html)
    text = "".join(page.text)
    assert SCRIPT_PAYLOAD in text and IMG_PAYLOAD in text and TEMPLATE_PAYLOAD in text
    assert "<script>document" not in html and "<img src=x" not in html
    assert "onerror=" not in re.sub(r"&[a-z#0-9]+;", "", "".join(f"<{t}>" for t in page.tags))
    assert page.tags.count("img") == 0
    # The target name from the manifest is data too.
    assert "neutral &lt;b&gt;bot&lt;/b&gt;" in html


def _md_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_hostile_bot_text_is_literal_in_markdown(hostile_reports):
    md = hostile_reports["md"].read_text("utf-8")
    # No raw tag and no template braces survive: each is backslash-escaped (CommonMark shows the
    # character literally).
    assert not re.search(r"(?<!\\)<(script|img|/script)", md)
    assert "{{" not in md
    lines = [line for line in md.splitlines() if "Deluxe" in line]
    assert lines
    plain = _md_unescape(lines[0])
    for payload in (SCRIPT_PAYLOAD, IMG_PAYLOAD, TEMPLATE_PAYLOAD):
        assert payload in plain


def test_markdown_escaping_units():
    assert (
        md_escape("<b>*x*</b> [a](b) {{ 7*7 }} | `c`")
        == r"\<b\>\*x\*\</b\> \[a\](b) \{\{ 7\*7 \}\} \| \`c\`"
    )
    assert md_escape("# title") == r"\# title"
    assert md_escape("1. item") == r"1\. item"
    assert md_escape("line\nbreak") == "line break"
    assert md_code("a`b") == "``a`b``"


def test_pdf_has_pages_opinion_run_id_and_literal_payloads(hostile_reports, hostile_run):
    reader = PdfReader(str(hostile_reports["pdf"]))
    assert len(reader.pages) >= 5
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    assert "Overall opinion: negative" in flat
    assert hostile_run.name in flat
    # Running header with the run id on every page, page numbers in the footer.
    assert all(hostile_run.name in (page.extract_text() or "") for page in reader.pages)
    assert f"2 / {len(reader.pages)}" in flat
    assert "<script>document" in flat.replace(" ", "") or "<script>" in flat


def test_french_report_uses_the_catalogue(hostile_run, tmp_path):
    from reports.model import build_report
    from reports.render import render_html, render_markdown

    report = build_report(hostile_run, lang="fr")
    html = render_html(report)
    assert 'lang="fr"' in html
    assert "Opinion globale" in html and "négative" in html
    assert "Overall opinion" not in html
    assert "Constats" in render_markdown(report)


def test_format_parsing():
    assert parse_formats("html, MD,json,html") == ("html", "md", "json")
    from audit.errors import AuditError

    with pytest.raises(AuditError):
        parse_formats("html,docx")
    with pytest.raises(AuditError):
        parse_formats("")
