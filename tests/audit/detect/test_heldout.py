"""Accuracy on corpus items the model never trained on (printed at the end of `make test`).

- ``heldout``: a fixed quarter of the generated corpus, chosen by a hash of the id.
- ``challenge``, ``blind``, ``final`` and ``fresh``: utterances written one by one, outside the
  generator, in that order. Each was scored once before it influenced any cue (first-run figures in
  audit/detect/corpus/README.md); they are reported with looser bars than the generated
  held-out split.
"""

from __future__ import annotations

import pytest

from audit.detect import detect
from audit.detect.evaluate import evaluate
from audit.detect.model import load_corpus
from tests.audit.detect.conftest import FIGURES


def run(split: str):
    rows = load_corpus(split)
    result = evaluate(rows, detect([r["text"] for r in rows], [r["locale"] for r in rows]))
    lines = []
    for loc, sub in result.by_locale.items():
        lines.append(
            f"{split} {loc}: n={sub.n} push F1 {sub.f1('push'):.3f}, technique macro-F1 "
            f"{sub.technique_macro_f1:.3f}, data_use F1 {sub.f1('data_use'):.3f}, disclosed F1 "
            f"{sub.f1('disclosed'):.3f}, hard negatives flagged {sub.hard_negative_false_pushes}/"
            f"{sub.hard_negatives}"
        )
    FIGURES[f"split {split}"] = lines
    return result


@pytest.fixture(scope="module")
def heldout():
    return run("heldout")


def test_heldout_split_is_never_trained_on(model):
    assert model.info["n_train"] == len(load_corpus("train"))
    ids = {r["id"] for r in load_corpus("train")}
    assert not ids & {r["id"] for r in load_corpus("heldout")}


def test_corpus_size_and_balance():
    rows = load_corpus()
    generated = [r for r in rows if r["split"] in ("train", "heldout")]
    for loc, minimum in (("en", 800), ("fr", 300)):
        items = [r for r in generated if r["locale"] == loc]
        assert len(items) >= minimum
        non_push = [r for r in items if not r["push"]]
        assert len(non_push) / len(items) >= 0.40
        assert sum(r["note"].startswith("hard negative") for r in non_push) >= len(non_push) / 3


def test_english_heldout_meets_the_acceptance_bars(heldout):
    en = heldout.by_locale["en"]
    assert en.f1("push") >= 0.95
    assert en.hard_negative_false_push_rate <= 0.05
    assert en.technique_macro_f1 >= 0.80
    assert en.f1("data_use") >= 0.90
    assert en.f1("disclosed") >= 0.90


def test_french_heldout_push_f1(heldout):
    assert heldout.by_locale["fr"].f1("push") >= 0.90


@pytest.mark.parametrize("split", ["challenge", "blind", "final"])
def test_hand_written_sets(split):
    # A regression guard, not a target: these sets hold 60-95 replies, so one reply moves F1
    # by ~0.03; their first runs scored 0.64-0.87 (audit/detect/corpus/README.md).
    result = run(split)
    assert result.f1("push") >= 0.80
    assert result.hard_negative_false_push_rate <= 0.05


def test_fresh_set_is_conservative():
    """The last hand-written set (formal, slang, upsells after solicited orders) is where
    recall is weakest; what is asserted is that the detector stays precise there."""
    result = run("fresh")
    assert result.labels["push"].precision >= 0.9
    assert result.hard_negative_false_push_rate <= 0.05
