"""Charts: inline SVG with text kept as text, untrusted labels escaped, nothing external."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from reports.charts import all_charts
from reports.i18n import messages
from reports.model import build_report

HOSTILE_ARM = "<script>alert(1)</script> $x^2$ {{ 7*7 }}"


@pytest.fixture(scope="module")
def report(synthetic_run):
    return build_report(synthetic_run)


def test_every_chart_is_a_bare_svg_with_its_labels(report):
    charts = all_charts(report, messages("en"))
    assert set(charts) == {"push_rate", "domain", "techniques", "km"}
    for name, svg in charts.items():
        assert svg.lstrip().startswith("<svg"), name
        assert "<?xml" not in svg and "<!DOCTYPE" not in svg
        ET.fromstring(svg)  # well-formed
        assert not re.search(r'(xlink:)?href="(https?:)?//', svg), name
        assert "<image" not in svg
    for arm in report.results.arms:
        assert f">{arm.arm}<" in charts["push_rate"]
    assert "scarcity" in charts["techniques"]


def test_hostile_labels_are_escaped_text(report):
    arms = [
        a.model_copy(update={"arm": HOSTILE_ARM}) if i == 0 else a
        for i, a in enumerate(report.results.arms)
    ]
    hostile = report.model_copy(
        update={"results": report.results.model_copy(update={"arms": arms})}
    )
    svg = all_charts(hostile, messages("fr"))["push_rate"]
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; $x^2$ {{ 7*7 }}" in svg  # no TeX, no template
    root = ET.fromstring(svg)
    texts = "".join(root.itertext())
    assert HOSTILE_ARM in texts
