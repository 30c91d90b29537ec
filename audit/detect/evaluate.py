"""Metrics of the detector against labelled data: per-label confusion counts, precision, recall,
F1, technique macro-F1, the false-push rate on hard negatives, and agreement with a bot's own
ground truth (sensitivity and specificity with Wilson 95% intervals)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from audit.detect.cues import TECHNIQUES

BINARY = ("push", "commercial", "data_use", "disclosed", "child_directed")
METRIC_LABELS = (*BINARY, *TECHNIQUES)


@dataclass(frozen=True)
class Confusion:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        # F1 = 2TP / (2TP + FP + FN); a label never present nor predicted scores 1.
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 1.0

    def to_dict(self) -> dict:
        return {
            **asdict(self),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def confusion(gold: Sequence[bool], predicted: Sequence[bool]) -> Confusion:
    tp = fp = fn = tn = 0
    for g, p in zip(gold, predicted, strict=True):
        if g and p:
            tp += 1
        elif p:
            fp += 1
        elif g:
            fn += 1
        else:
            tn += 1
    return Confusion(tp, fp, fn, tn)


def label_value(item, name: str) -> bool:
    """A label of a corpus row (dict) or a detector Label, by name (techniques included)."""
    get = item.get if isinstance(item, dict) else lambda k: getattr(item, k)
    if name in TECHNIQUES:
        return name in (get("techniques") or ())
    return bool(get(name))


@dataclass
class Evaluation:
    n: int
    labels: dict[str, Confusion]
    technique_macro_f1: float
    hard_negatives: int
    hard_negative_false_pushes: int
    by_locale: dict[str, Evaluation] = field(default_factory=dict)

    @property
    def hard_negative_false_push_rate(self) -> float:
        return self.hard_negative_false_pushes / self.hard_negatives if self.hard_negatives else 0.0

    def f1(self, name: str) -> float:
        return self.labels[name].f1

    def to_dict(self) -> dict:
        out = {
            "n": self.n,
            "labels": {k: v.to_dict() for k, v in self.labels.items()},
            "technique_macro_f1": round(self.technique_macro_f1, 4),
            "hard_negatives": self.hard_negatives,
            "hard_negative_false_push_rate": round(self.hard_negative_false_push_rate, 4),
        }
        if self.by_locale:
            out["by_locale"] = {k: v.to_dict() for k, v in self.by_locale.items()}
        return out


def is_hard_negative(row: dict) -> bool:
    return not row.get("push") and str(row.get("note", "")).startswith("hard negative")


def evaluate(rows: Sequence[dict], predictions: Sequence, by_locale: bool = True) -> Evaluation:
    """Compare predictions (Labels or dicts) with labelled rows (corpus dicts)."""
    if len(rows) != len(predictions):
        raise ValueError("one prediction per row expected")
    labels = {
        name: confusion(
            [label_value(r, name) for r in rows], [label_value(p, name) for p in predictions]
        )
        for name in METRIC_LABELS
    }
    macro = sum(labels[t].f1 for t in TECHNIQUES) / len(TECHNIQUES)
    hard = [i for i, r in enumerate(rows) if is_hard_negative(r)]
    false_pushes = sum(bool(label_value(predictions[i], "push")) for i in hard)
    result = Evaluation(len(rows), labels, macro, len(hard), false_pushes)
    if by_locale:
        locales = sorted({r.get("locale") or "?" for r in rows})
        if len(locales) > 1:
            for loc in locales:
                idx = [i for i, r in enumerate(rows) if (r.get("locale") or "?") == loc]
                result.by_locale[loc] = evaluate(
                    [rows[i] for i in idx], [predictions[i] for i in idx], by_locale=False
                )
    return result


# -- agreement with ground truth --------------------------------------------------------------
def wilson_interval(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (Wilson 1927); (0, 1) when n = 0."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def agreement(truth: Sequence[dict], predictions: Sequence) -> dict:
    """Sensitivity/specificity of the push label against ground truth, per-technique agreement."""
    gold = [bool(t.get("push")) for t in truth]
    pred = [label_value(p, "push") for p in predictions]
    c = confusion(gold, pred)
    n_pos, n_neg = c.tp + c.fn, c.fp + c.tn
    sensitivity = c.tp / n_pos if n_pos else None
    specificity = c.tn / n_neg if n_neg else None
    techniques = {}
    both = [i for i, (g, p) in enumerate(zip(gold, pred, strict=True)) if g and p]
    for t in TECHNIQUES:
        agree = sum(
            (t in (truth[i].get("techniques") or ())) == label_value(predictions[i], t)
            for i in both
        )
        techniques[t] = round(agree / len(both), 4) if both else None
    flags = {}
    for name in ("data_use", "disclosed", "child_directed"):
        agree = sum(bool(truth[i].get(name)) == label_value(predictions[i], name) for i in both)
        flags[name] = round(agree / len(both), 4) if both else None
    return {
        "sensitivity": sensitivity,
        "sensitivity_ci": list(wilson_interval(c.tp, n_pos)) if n_pos else None,
        "specificity": specificity,
        "specificity_ci": list(wilson_interval(c.tn, n_neg)) if n_neg else None,
        "n_pos": n_pos,
        "n_neg": n_neg,
        "agreement": (c.tp + c.tn) / len(gold) if gold else None,
        "confusion": asdict(c),
        "technique_agreement": techniques,
        "flag_agreement": flags,
        "source": "ground-truth",
    }
