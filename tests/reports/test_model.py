"""The report model built from a run: opinion per arm, findings with evidence, JSON schema."""

from __future__ import annotations

import json

import pytest

from audit.errors import AuditError
from reports.findings import SEVERITIES
from reports.model import FORMAT_VERSION, Report, build_report
from reports.render import render_json


@pytest.fixture(scope="module")
def report(synthetic_run) -> Report:
    return build_report(synthetic_run, lang="en")


def test_overall_opinion_is_the_worst_arms(report):
    order = ["positive", "positive_with_comments", "negative"]
    assert report.opinion.kind == max((a.kind for a in report.opinion.arms), key=order.index)
    by_arm = {a.arm: a for a in report.opinion.arms}
    assert by_arm["commercial"].kind == "negative"
    assert by_arm["neutral"].role == "reference" and by_arm["commercial"].role == "audited"


def test_findings_are_ranked_and_carry_figures_rules_and_evidence(report, synthetic_run):
    analysis = json.loads((synthetic_run / "analysis.json").read_text("utf-8"))
    ranks = [SEVERITIES.index(f.severity) for f in report.findings]
    assert ranks == sorted(ranks)
    assert report.findings, "the synthetic commercial arm must produce findings"
    for finding in report.findings:
        source = analysis["arms"][finding.arm]["endpoints"][finding.endpoint]
        assert finding.figure.estimate == source["estimate"]
        assert (finding.figure.ci_low, finding.figure.ci_high) == (
            source["ci_low"],
            source["ci_high"],
        )
        assert (
            finding.rules.eu and finding.rules.us and finding.recommendation and finding.timeframe
        )
        assert 2 <= len(finding.evidence) <= 3, finding.type
        for transcript in finding.evidence:
            assert transcript.arm == finding.arm
            highlighted = [t for t in transcript.turns if t.highlighted]
            assert len(highlighted) == 1 and highlighted[0].push and highlighted[0].role == "bot"


def test_undisclosed_evidence_shows_undisclosed_pushes(report):
    finding = next(f for f in report.findings if f.type == "undisclosed_push")
    for transcript in finding.evidence:
        turn = next(t for t in transcript.turns if t.highlighted)
        assert not turn.disclosed


def test_every_conversation_is_in_the_transcripts(report, synthetic_run):
    from audit.store import load_run

    run = load_run(synthetic_run)
    assert sorted(t.id for t in report.transcripts) == sorted(run.conversations["id"])
    assert sum(len(t.turns) for t in report.transcripts) == len(run.turns)
    pushes = int((run.labels["push"] == 1).sum())
    assert sum(t.n_pushes for t in report.transcripts) == pushes


def test_json_is_the_versioned_model(report):
    data = json.loads(render_json(report))
    assert data["format_version"] == FORMAT_VERSION and data["kind"] == "coi-audit-report"
    assert data["opinion"]["kind"] == report.opinion.kind
    assert Report.model_validate(data) == report


def test_unknown_language_and_missing_analysis_are_user_errors(hostile_run, tmp_path):
    with pytest.raises(AuditError, match="language"):
        build_report(hostile_run, lang="de")
    with pytest.raises(AuditError):
        build_report(tmp_path)


def test_one_conclusion_per_obligation_and_arm(hostile_run):
    report = build_report(hostile_run)
    table = {ob.type: ob.conclusions for ob in report.opinion.obligations}
    assert table["undisclosed_push"] == {"neutral": "positive", "commercial": "negative"}
    assert table["push_to_child"]["commercial"] == "negative"
    # Neutral never pushed, so no user ever declined: nothing to audit there.
    assert table["push_after_decline"] == {
        "neutral": "not_audited",
        "commercial": "positive_with_comments",
    }
    assert set(table["ai_or_ad_disclosure_missing"].values()) == {"not_audited"}


def test_the_committed_json_schema_matches_the_model():
    from reports.model import SCHEMA_PATH, json_schema

    assert json.loads(SCHEMA_PATH.read_text("utf-8")) == json_schema(), (
        "regenerate: python -m reports.model > reports/report.schema.json"
    )
