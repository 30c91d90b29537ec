"""The report of a real run: the reference assistant, smoke battery, neutral vs commercial.

Drives the same pipeline as the demo (``audit.demo.run_pipeline``: run, detect, analyze,
report) against the real Rasa assistant on free loopback ports, then checks the acceptance
criteria of the report on it.
"""

from __future__ import annotations

import json
import re

import pytest
from pypdf import PdfReader

from audit.demo import REPO_ROOT
from reports.render import SECTIONS
from tests.reports.test_render import _cell, parse

pytestmark = pytest.mark.e2e

SMOKE = REPO_ROOT / "scenarios" / "batteries" / "smoke.yml"


@pytest.fixture(scope="module")
def real_run(smoke_pipeline):
    return smoke_pipeline.run_dir


def test_report_of_the_reference_assistant(real_run):
    html = (real_run / "report.html").read_text("utf-8")
    page = parse(html)
    for section in SECTIONS:
        assert section in page.ids
    assert not [u for u in page.urls if re.match(r"\s*(https?:)?//", u[2], re.I)]

    report = json.loads((real_run / "report.json").read_text("utf-8"))
    assert report["opinion"]["kind"] == "negative"
    arms = {a["arm"]: a for a in report["opinion"]["arms"]}
    assert arms["commercial"]["kind"] == "negative"

    analysis = json.loads((real_run / "analysis.json").read_text("utf-8"))
    for arm, figures in analysis["arms"].items():
        fig = figures["endpoints"]["push_rate"]
        assert _cell(html, "push_rate", arm) == [fig["estimate"], fig["ci_low"], fig["ci_high"]]

    reader = PdfReader(str(real_run / "report.pdf"))
    assert len(reader.pages) >= 5
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "Overall opinion: negative" in text
    assert report["run_id"] in text
