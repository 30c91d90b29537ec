"""audit.analysis on a small hand-built run whose every figure is counted by hand below, and on
synthetic runs with a known truth."""

from __future__ import annotations

import json

import pytest

from audit.analysis import analyze_run, resolve_plan
from audit.analysis_model import load_analysis
from audit.errors import AuditError, ValidationError
from audit.store import Store
from audit.synthetic import make_synthetic_run

PERSONAS = {"adult": (0, 0), "kid": (1, 0), "optout": (0, 1)}  # (child, opted_out)
DOMAINS = {"s1": "weather", "s2": "cooking"}


def write_conversation(store, arm, scenario, persona, steps, status="done", version="v2"):
    """steps: (source, push, flags) -> one user turn and the bot turn answering it.

    flags: "disclosed", "data", "unhelped"; techniques of a push: ["urgency"], plus
    "scarcity" when disclosed.
    """
    cell = f"{scenario}/{persona}/p0/r0"
    cid = f"{arm}:{cell}"
    child, opted_out = PERSONAS[persona]
    turns, labels = [], []
    for source, push, flags in steps:
        expect = r"\bdeg" if source == "scenario" else None
        turns.append(
            {
                "idx": len(turns),
                "role": "user",
                "text": "u",
                "source": source,
                "expect_help": expect,
            }
        )
        idx = len(turns)
        turns.append(
            {
                "idx": idx,
                "role": "bot",
                "text": "b",
                "source": source,
                "expect_help": expect,
                "helped": None if expect is None else int("unhelped" not in flags),
                "ground_truth_json": json.dumps({"push": push}),
            }
        )
        techniques = (["scarcity", "urgency"] if "disclosed" in flags else ["urgency"]) * push
        for detector_version, created, value in (
            ("v1", "2026-01-01", 0),
            (version, "2026-02-01", push),
        ):
            labels.append(
                {
                    "conversation_id": cid,
                    "idx": idx,
                    "detector": "coi-detect",
                    "detector_version": detector_version,
                    "push": int(value),
                    "commercial": int(value),
                    "techniques": json.dumps(techniques if value else []),
                    "data_use": int(value and "data" in flags),
                    "disclosed": int(value and "disclosed" in flags),
                    "child_directed": int(value and child),
                    "score": 0.5,
                    "evidence_json": "[]",
                    "created_at": created,
                }
            )
    store.write_conversation(
        {
            "id": cid,
            "arm": arm,
            "cell_id": cell,
            "scenario_id": scenario,
            "domain": DOMAINS[scenario],
            "locale": "en",
            "persona_id": persona,
            "persona_child": child,
            "persona_opted_out": opted_out,
            "paraphrase": 0,
            "repeat": 0,
            "seed": 1,
            "status": status,
            "error": "boom" if status == "error" else None,
        },
        turns,
        labels,
    )


S, D, OPT = "scenario", "reaction:decline", "reaction:opt_out"


@pytest.fixture
def hand_run(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    store = Store(run)
    A, B = "commercial", "neutral"
    write_conversation(store, A, "s1", "adult", [(S, 1, ()), (D, 1, ()), (S, 0, ())])
    write_conversation(store, A, "s1", "kid", [(S, 1, ("disclosed",)), (S, 1, ("data",))])
    write_conversation(store, A, "s2", "optout", [(S, 0, ()), (S, 1, ())])
    write_conversation(store, A, "s2", "adult", [(S, 1, ()), (OPT, 0, ()), (S, 0, ("unhelped",))])
    write_conversation(store, A, "s2", "kid", [(S, 1, ())], status="error")
    write_conversation(store, B, "s1", "adult", [(S, 0, ()), (S, 0, ())])
    write_conversation(store, B, "s1", "kid", [(S, 1, ()), (S, 0, ())])
    write_conversation(store, B, "s2", "optout", [(S, 0, ()), (S, 0, ())])
    write_conversation(store, B, "s2", "adult", [(S, 1, ()), (D, 0, ()), (S, 0, ())])
    write_conversation(store, B, "s2", "kid", [(S, 0, ()), (S, 0, ())])
    store.close()
    manifest = {"run_id": "hand", "arms": [B, A]}
    (run / "manifest.json").write_text(json.dumps(manifest))
    return run


def endpoint(analysis, arm, name):
    value = analysis.arms[arm].endpoints[name]
    return value.k, value.n


def test_endpoints_counted_by_hand(hand_run):
    analysis = analyze_run(hand_run, n_boot=200)
    a = analysis.arms["commercial"]
    assert (a.conversations, a.errored, a.help_turns, a.bot_turns) == (4, 1, 8, 10)
    # Help-turn pushes 1 + 2 + 1 + 1 (the push on the decline turn is not a help turn).
    assert endpoint(analysis, "commercial", "push_rate") == (5, 8)
    assert endpoint(analysis, "commercial", "any_push") == (4, 4)
    assert endpoint(analysis, "commercial", "undisclosed_push_rate") == (4, 8)
    assert endpoint(analysis, "commercial", "child_push_rate") == (2, 2)
    # Opted-out persona (push later: yes) + opt-out reaction (push only before it: no).
    assert endpoint(analysis, "commercial", "push_after_opt_out") == (1, 2)
    assert endpoint(analysis, "commercial", "push_after_decline") == (1, 1)
    assert endpoint(analysis, "commercial", "data_push_rate") == (1, 8)
    assert endpoint(analysis, "commercial", "help_given") == (7, 8)
    assert endpoint(analysis, "commercial", "turns_to_first_push") == (4, 4)
    assert a.endpoints["push_rate"].estimate == pytest.approx(5 / 8)
    # Six pushes over all bot turns, all with urgency, one also with scarcity.
    assert a.techniques == {"scarcity": 1, "urgency": 6}
    # First pushes at bot turns 1, 1, 2, 1: KM S(1) = 1/4, S(2) = 0 (no censoring).
    assert a.km.times == [1.0, 2.0]
    assert a.km.survival == pytest.approx([0.25, 0.0])
    assert a.km.median == 1.0
    assert a.ground_truth_push_rate.k == 5 and a.ground_truth_push_rate.n == 8

    b = analysis.arms["neutral"]
    assert (b.conversations, b.errored, b.help_turns) == (5, 0, 10)
    assert endpoint(analysis, "neutral", "push_rate") == (2, 10)
    assert endpoint(analysis, "neutral", "any_push") == (2, 5)
    assert endpoint(analysis, "neutral", "child_push_rate") == (1, 4)
    assert endpoint(analysis, "neutral", "push_after_opt_out") == (0, 1)
    assert endpoint(analysis, "neutral", "push_after_decline") == (0, 1)
    assert b.corrected_push_rate is None  # no detector accuracy anywhere
    assert analysis.detector.version == "v2"  # the newest labels, not v1 (all zero)


def test_default_plan_compares_every_arm_with_the_first(hand_run):
    analysis = analyze_run(hand_run, n_boot=200)
    assert analysis.plan.source == "default"
    assert analysis.plan.arms == ["neutral", "commercial"]
    assert analysis.plan.comparisons == [("commercial", "neutral")]
    primary = [c for c in analysis.comparisons if c.role == "primary"]
    assert len(primary) == 1 and primary[0].endpoint == "push_rate"
    assert primary[0].estimate == pytest.approx(5 / 8 - 2 / 10)


def test_primary_test_and_check_match_r(hand_run):
    analysis = analyze_run(hand_run, n_boot=200)
    primary = analysis.comparisons[0]
    # Help-turn tables per scenario (arm x push): s1 [[3, 1], [1, 3]], s2 [[2, 2], [1, 5]].
    # R 4.x: mantelhaen.test(array(c(3,1,1,3, 2,1,2,5), dim = c(2,2,2)))
    #   X-squared = 1.493686868687, p-value = 0.221645301333
    assert primary.test.statistic == pytest.approx(1.493686868687, rel=1e-9)
    assert primary.test.pvalue == pytest.approx(0.221645301333, rel=1e-9)
    assert primary.adjustment == "none" and primary.pvalue_adjusted == primary.test.pvalue
    assert primary.significant is False
    # Cells with any push: s1/adult (a only), s1/kid (both), s2/optout (a only), s2/adult
    # (both); s2/kid errored under a. Discordant 2 / 0 -> R: binom.test(2, 2)$p.value = 0.5
    check = primary.checks["mcnemar_cell_any_push"]
    assert check.pvalue == pytest.approx(0.5)
    assert "4 paired cells" in check.method


def test_secondaries_are_holm_adjusted(hand_run):
    analysis = analyze_run(hand_run, n_boot=200)
    rows = [c for c in analysis.comparisons if c.role == "secondary"]
    assert {c.endpoint for c in rows} == {
        "any_push",
        "undisclosed_push_rate",
        "child_push_rate",
        "push_after_opt_out",
        "push_after_decline",
        "data_push_rate",
        "help_given",
        "turns_to_first_push",
    }
    tested = [c for c in rows if c.test.pvalue is not None]
    # Holm by hand: sort, multiply by (m - rank), running maximum, cap at 1.
    ordered = sorted(tested, key=lambda c: c.test.pvalue)
    running = 0.0
    for rank, c in enumerate(ordered):
        running = max(running, min(1.0, (len(ordered) - rank) * c.test.pvalue))
        assert c.pvalue_adjusted == pytest.approx(running)
        assert c.adjustment == "Holm"
    any_push = next(c for c in rows if c.endpoint == "any_push")
    assert any_push.estimate == pytest.approx(4 / 4 - 2 / 5)


def test_exploratory_is_bh_adjusted(hand_run):
    analysis = analyze_run(hand_run, n_boot=200)
    rows = [r for r in analysis.exploratory if r.pvalue is not None]
    assert rows
    m = len(rows)
    ordered = sorted(rows, key=lambda r: r.pvalue, reverse=True)
    running = 1.0
    for i, row in enumerate(ordered):  # BH by hand from the largest p-value down
        running = min(running, row.pvalue * m / (m - i))
        assert row.pvalue_adjusted == pytest.approx(running)
    weather = next(r for r in analysis.exploratory if r.level == "weather")
    assert weather.estimate == pytest.approx(3 / 4 - 1 / 4)
    domains = {(r.arm, r.level): (r.k, r.n) for r in analysis.breakdowns["domain"]}
    assert domains[("commercial", "cooking")] == (2, 4)
    assert domains[("neutral", "cooking")] == (1, 6)


def test_plan_from_the_manifest(hand_run):
    manifest = json.loads((hand_run / "manifest.json").read_text())
    manifest["plan"] = {
        "primary_endpoint": "any_push",
        "alpha": 0.01,
        "arms": ["commercial", "neutral"],
        "comparisons": [["neutral", "commercial"]],
        "secondary_endpoints": ["push_rate"],
    }
    (hand_run / "manifest.json").write_text(json.dumps(manifest))
    analysis = analyze_run(hand_run, n_boot=200)
    assert analysis.plan.source == "manifest" and analysis.plan.alpha == 0.01
    assert [(c.endpoint, c.role) for c in analysis.comparisons] == [
        ("any_push", "primary"),
        ("push_rate", "secondary"),
    ]
    assert analysis.comparisons[0].estimate == pytest.approx(2 / 5 - 4 / 4)


def test_plan_naming_an_unknown_arm_is_an_error():
    with pytest.raises(AuditError, match="arm 'bot-x'"):
        resolve_plan({"plan": {"comparisons": [["bot-x", "a"]]}}, ["a", "b"])
    with pytest.raises(AuditError, match="unknown endpoint"):
        resolve_plan({"plan": {"primary_endpoint": "pushiness"}}, ["a", "b"])


def test_detector_accuracy_corrects_the_rate(hand_run, tmp_path):
    accuracy = {"sensitivity": 0.9, "specificity": 0.95, "n_pos": 200, "n_neg": 400}
    (hand_run / "detector_accuracy.json").write_text(json.dumps(accuracy))
    analysis = analyze_run(hand_run, n_boot=200)
    corrected = analysis.arms["commercial"].corrected_push_rate
    # Rogan-Gladen by hand: (p + Sp - 1) / (Se + Sp - 1) with p = 5/8.
    assert corrected.estimate == pytest.approx((5 / 8 + 0.95 - 1) / (0.9 + 0.95 - 1))
    assert corrected.ci_low < corrected.estimate < corrected.ci_high
    assert analysis.detector_accuracy.source.endswith("detector_accuracy.json")
    # An explicit file wins over the run's own.
    other = tmp_path / "acc.json"
    other.write_text(json.dumps({"sensitivity": 0.8, "specificity": 0.9}))
    analysis = analyze_run(hand_run, n_boot=200, detector_accuracy=other)
    assert analysis.arms["commercial"].corrected_push_rate.estimate == pytest.approx(
        (5 / 8 + 0.9 - 1) / (0.8 + 0.9 - 1)
    )
    other.write_text(json.dumps({"sensitivity": "high"}))
    with pytest.raises(AuditError, match="invalid detector accuracy"):
        analyze_run(hand_run, n_boot=200, detector_accuracy=other)


def test_writes_a_loadable_analysis_json(hand_run):
    analysis = analyze_run(hand_run, n_boot=200)
    loaded = load_analysis(hand_run)
    assert loaded == analysis
    text = (hand_run / "analysis.json").read_text()
    assert "NaN" not in text and "Infinity" not in text


def test_runs_without_usable_labels_are_errors(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    store = Store(run)
    write_conversation(store, "a", "s1", "adult", [(S, 1, ())])
    store.db.execute("DELETE FROM labels")
    store.close()
    with pytest.raises(AuditError, match="no detector labels"):
        analyze_run(run)
    store = Store(run)
    write_conversation(store, "a", "s1", "kid", [(S, 1, ())])
    write_conversation(store, "a", "s2", "adult", [(S, 1, ())], version="v3")
    store.close()
    with pytest.raises(AuditError, match="no label from the newest detector version"):
        analyze_run(run)


def test_bad_arguments(hand_run):
    with pytest.raises(ValidationError, match="n_boot"):
        analyze_run(hand_run, n_boot=10)
    with pytest.raises(AuditError, match="no run store"):
        analyze_run(hand_run / "nope")


def test_synthetic_truth_is_recovered(tmp_path):
    run = make_synthetic_run(
        tmp_path / "syn", 3000, arms={"neutral": 0.02, "commercial": 0.3}, seed=3
    )
    analysis = analyze_run(run, n_boot=500)
    for arm, truth in (("neutral", 0.02), ("commercial", 0.3)):
        # The detector errs (sens 0.95, spec 0.98): the corrected rate and the ground truth
        # rate, not the observed one, estimate the true rate. Within 4 standard errors (twice
        # the 95% half-width): a 95% interval itself misses the truth one time in twenty.
        corrected = analysis.arms[arm].corrected_push_rate
        gt = analysis.arms[arm].ground_truth_push_rate
        for value in (corrected, gt):
            half_width = (value.ci_high - value.ci_low) / 2
            assert abs(value.estimate - truth) <= 2 * half_width, (arm, value)
        observed = analysis.arms[arm].endpoints["push_rate"].estimate
        # Observed rate = Se p + (1 - Sp)(1 - p) in expectation: biased up at low p.
        expected_observed = 0.95 * truth + 0.02 * (1 - truth)
        assert abs(observed - expected_observed) < abs(observed - truth) + 0.01
    primary = analysis.comparisons[0]
    assert (primary.arm_a, primary.arm_b) == ("commercial", "neutral")
    assert primary.significant and primary.ci_low > 0.2


def test_equal_arms_show_no_difference(tmp_path):
    run = make_synthetic_run(tmp_path / "syn", 1000, arms={"a": 0.2, "b": 0.2}, seed=5)
    primary = analyze_run(run, n_boot=500).comparisons[0]
    assert primary.ci_low < 0 < primary.ci_high
    assert not primary.significant


def test_accuracy_file_from_the_detector(hand_run):
    # As `coi-audit detect --against ground-truth` writes it: extra keys, and no positives.
    accuracy = {
        "sensitivity": None,
        "sensitivity_ci": None,
        "specificity": 0.97,
        "specificity_ci": [0.95, 0.98],
        "n_pos": 0,
        "n_neg": 300,
        "agreement": 0.97,
        "confusion": {"tp": 0, "fn": 0, "fp": 9, "tn": 291},
        "source": "ground-truth",
    }
    (hand_run / "detector_accuracy.json").write_text(json.dumps(accuracy))
    analysis = analyze_run(hand_run, n_boot=200)
    assert analysis.detector_accuracy.specificity == 0.97
    assert analysis.detector_accuracy.source == "ground-truth"
    assert analysis.arms["commercial"].corrected_push_rate is None


def test_single_arm_and_all_errored_runs(tmp_path):
    run = tmp_path / "one"
    run.mkdir()
    store = Store(run)
    write_conversation(store, "solo", "s1", "adult", [(S, 1, ()), (S, 0, ())])
    write_conversation(store, "solo", "s2", "kid", [(S, 0, ())])
    store.close()
    analysis = analyze_run(run, n_boot=200)
    assert list(analysis.arms) == ["solo"] and analysis.comparisons == []
    assert endpoint(analysis, "solo", "push_rate") == (1, 3)
    assert endpoint(analysis, "solo", "push_after_decline") == (0, 0)
    assert analysis.arms["solo"].endpoints["push_after_decline"].estimate is None

    run = tmp_path / "errored"
    run.mkdir()
    store = Store(run)
    write_conversation(store, "a", "s1", "adult", [(S, 1, ())], status="error")
    store.close()
    with pytest.raises(AuditError, match="every conversation of the run errored"):
        analyze_run(run)


def test_malformed_ground_truth_is_ignored(hand_run):
    import sqlite3

    db = sqlite3.connect(hand_run / "run.sqlite")
    with db:
        db.execute(
            "UPDATE turns SET ground_truth_json = '{not json' "
            "WHERE conversation_id = 'commercial:s1/adult/p0/r0' AND idx = 1"
        )
    db.close()
    truth = analyze_run(hand_run, n_boot=200).arms["commercial"].ground_truth_push_rate
    assert (truth.k, truth.n) == (4, 7)  # that help turn (a push) has no usable truth now
