"""Detector speed and accuracy: utterances per second on batches of 10,000, held-out metrics and
the calibration of the push score.

    .venv/bin/python bench/detector_speed.py

Speed is reported as CPU time of this one process (what one core delivers, independent of other
load on the machine) and as wall-clock time. Accuracy is measured on corpus items the model never
trained on: the generated held-out split, and the hand-written challenge and blind sets.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audit.detect import DETECTOR_VERSION, detect, get_model
from audit.detect.evaluate import evaluate
from audit.detect.model import load_corpus, train
from bench._common import Figure, record

BATCH = 10_000
REPEATS = 3


def calibration(scores: np.ndarray, truth: np.ndarray, bins: int = 10) -> tuple[float, float]:
    """Brier score and expected calibration error (equal-width bins, weighted by bin size)."""
    brier = float(np.mean((scores - truth) ** 2))
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(scores, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            ece += mask.mean() * abs(scores[mask].mean() - truth[mask].mean())
    return brier, float(ece)


def throughput(texts: list[str]) -> tuple[float, float]:
    best_cpu = best_wall = float("inf")
    for _ in range(REPEATS):
        cpu, wall = time.process_time(), time.perf_counter()
        detect(texts)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return len(texts) / best_cpu, len(texts) / best_wall


def main() -> None:
    started = time.process_time()
    train(DETECTOR_VERSION)
    train_s = time.process_time() - started
    get_model()
    rows = load_corpus()
    texts = [r["text"] for r in rows]
    batch = (texts * (BATCH // len(texts) + 1))[:BATCH]
    cpu_rate, wall_rate = throughput(batch)
    one_cpu = time.process_time()
    for text in texts[:300]:
        detect([text])
    single_ms = (time.process_time() - one_cpu) / 300 * 1000

    figures = [
        Figure(
            "detector throughput, batch of 10,000 (CPU time, one core)",
            cpu_rate,
            "utterances/s",
            ">= 5000",
            cpu_rate >= 5000,
        ),
        Figure("detector throughput, batch of 10,000 (wall clock)", wall_rate, "utterances/s"),
        Figure("detector latency, one utterance per call (CPU)", single_ms, "ms"),
        Figure("model training from the corpus (CPU)", train_s, "s", "<= 30", train_s <= 30),
    ]
    goals = {"en": 0.95, "fr": 0.90}
    heldout = load_corpus("heldout")
    result = evaluate(heldout, detect([r["text"] for r in heldout], [r["locale"] for r in heldout]))
    for loc, sub in result.by_locale.items():
        figures.append(
            Figure(
                f"held-out push F1 ({loc}, n={sub.n})",
                sub.f1("push"),
                "F1",
                f">= {goals[loc]}",
                sub.f1("push") >= goals[loc],
            )
        )
    en = result.by_locale["en"]
    figures += [
        Figure(
            "held-out false-push rate on hard negatives (en)",
            en.hard_negative_false_push_rate,
            "ratio",
            "<= 0.05",
            en.hard_negative_false_push_rate <= 0.05,
        ),
        Figure(
            "held-out technique macro-F1 (en)",
            en.technique_macro_f1,
            "F1",
            ">= 0.80",
            en.technique_macro_f1 >= 0.80,
        ),
        Figure(
            "held-out data_use F1 (en)",
            en.f1("data_use"),
            "F1",
            ">= 0.90",
            en.f1("data_use") >= 0.90,
        ),
        Figure(
            "held-out disclosed F1 (en)",
            en.f1("disclosed"),
            "F1",
            ">= 0.90",
            en.f1("disclosed") >= 0.90,
        ),
    ]
    for split in ("challenge", "blind", "final", "fresh"):
        items = load_corpus(split)
        sub = evaluate(
            items, detect([r["text"] for r in items], [r["locale"] for r in items]), by_locale=False
        )
        figures.append(
            Figure(f"hand-written {split} set push F1 (en+fr, n={sub.n})", sub.f1("push"), "F1")
        )
        figures.append(
            Figure(f"hand-written {split} set technique macro-F1", sub.technique_macro_f1, "F1")
        )
    for name, items in (
        ("held-out", heldout),
        (
            "hand-written",
            load_corpus("challenge")
            + load_corpus("blind")
            + load_corpus("final")
            + load_corpus("fresh"),
        ),
    ):
        labels = detect([r["text"] for r in items], [r["locale"] for r in items])
        scores = np.array([lab.score for lab in labels])
        truth = np.array([float(r["push"]) for r in items])
        brier, ece = calibration(scores, truth)
        figures.append(Figure(f"push score Brier score ({name})", brier, "score"))
        figures.append(
            Figure(f"push score expected calibration error ({name}, 10 bins)", ece, "ratio")
        )
    record(
        "detector_speed",
        figures,
        notes=(
            f"detector version {DETECTOR_VERSION}; throughput on {BATCH:,} corpus replies "
            f"(best of {REPEATS}); held-out = a fixed quarter of the generated corpus; "
            "challenge, blind, final and fresh = replies written one by one outside the "
            "generator; first-run push F1 before they influenced any cue: challenge 0.87 en / "
            "0.64 fr, blind 0.75 en / 0.76 fr, final 0.73 en / 0.84 fr, fresh 0.67 en / 0.40 fr "
            "(see audit/detect/corpus/README.md)."
        ),
    )


if __name__ == "__main__":
    main()
