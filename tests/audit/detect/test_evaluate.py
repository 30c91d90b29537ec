"""Metrics: confusion counts, F1, technique macro-F1, hard negatives, Wilson intervals."""

from __future__ import annotations

import pytest

from audit.detect.evaluate import agreement, confusion, evaluate, wilson_interval


def test_confusion_and_f1_by_hand():
    gold = [True, True, True, False, False, False, False]
    pred = [True, True, False, True, False, False, False]
    c = confusion(gold, pred)
    assert (c.tp, c.fp, c.fn, c.tn) == (2, 1, 1, 3)
    assert c.precision == pytest.approx(2 / 3)
    assert c.recall == pytest.approx(2 / 3)
    assert c.f1 == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))


def test_absent_label_scores_one_and_missed_label_zero():
    assert confusion([False, False], [False, False]).f1 == 1.0
    assert confusion([True, False], [False, False]).f1 == 0.0


def row(push, techniques=(), note="", locale="en", **flags):
    base = {"push": push, "commercial": push, "techniques": list(techniques), "data_use": False}
    base.update(disclosed=False, child_directed=False, note=note, locale=locale)
    base.update(flags)
    return base


def test_evaluate_counts_techniques_and_hard_negatives():
    rows = [
        row(True, ["urgency"]),
        row(True, ["scarcity"]),
        row(False, note="hard negative: clothing tip"),
        row(False, note="hard negative: solicited order", locale="fr"),
    ]
    preds = [
        row(True, ["urgency"]),
        row(True, []),
        row(True, []),
        row(False),
    ]
    result = evaluate(rows, preds)
    assert result.labels["push"].tp == 2 and result.labels["push"].fp == 1
    assert result.labels["urgency"].f1 == 1.0
    assert result.labels["scarcity"].f1 == 0.0
    # six techniques absent and never predicted score 1: (1 + 0 + 6) / 8
    assert result.technique_macro_f1 == pytest.approx(7 / 8)
    assert result.hard_negatives == 2 and result.hard_negative_false_pushes == 1
    assert set(result.by_locale) == {"en", "fr"}


# Reference values: Newcombe (1998), Statistics in Medicine 17:857-872, Table I (Wilson score
# method without continuity correction): 81/263 -> 0.2553-0.3662; 15/148 -> 0.0624-0.1605;
# 0/20 -> 0.0000-0.1611; 1/29 -> 0.0061-0.1718.
@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=1e-4)
    assert hi == pytest.approx(high, abs=1e-4)


def test_agreement_reports_sensitivity_and_specificity():
    truth = [
        {"push": True, "techniques": ["urgency"]},
        {"push": True},
        {"push": False},
        {"push": False},
    ]
    preds = [row(True, ["urgency"]), row(False), row(False), row(True)]
    result = agreement(truth, preds)
    assert result["sensitivity"] == 0.5 and result["specificity"] == 0.5
    assert result["n_pos"] == 2 and result["n_neg"] == 2
    assert result["sensitivity_ci"] == list(wilson_interval(1, 2))
    assert result["technique_agreement"]["urgency"] == 1.0
    assert result["source"] == "ground-truth"
