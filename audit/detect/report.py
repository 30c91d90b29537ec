"""`coi-audit detect --evaluate`: metrics on a labelled file, as a table or JSON, with thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import click

from audit.detect.cues import TECHNIQUES
from audit.detect.evaluate import BINARY, Evaluation, evaluate
from audit.detect.io import read_labelled
from audit.errors import AuditError

MACRO = "technique_macro"


def parse_thresholds(values) -> dict[str, float]:
    """'0.9' -> push >= 0.9; 'disclosed=0.9'; 'technique_macro=0.8'."""
    known = (*BINARY, *TECHNIQUES, MACRO)
    out: dict[str, float] = {}
    for value in values:
        name, _, number = value.rpartition("=")
        name = name or "push"
        if name not in known:
            raise AuditError(
                f"--min-f1 {value}: unknown label {name!r}", hint=f"labels: {', '.join(known)}"
            )
        try:
            threshold = float(number)
        except ValueError:
            raise AuditError(
                f"--min-f1 {value}: {number!r} is not a number between 0 and 1"
            ) from None
        if not 0.0 <= threshold <= 1.0:
            raise AuditError(f"--min-f1 {value}: {threshold} is not between 0 and 1")
        out[name] = threshold
    return out


def shown_labels(present: set[str]) -> list[str]:
    names = [b for b in BINARY if b in present]
    if "techniques" in present:
        names += list(TECHNIQUES)
    return names


def format_table(result: Evaluation, names: list[str]) -> str:
    lines = [
        f"{'label':<16}{'precision':>10}{'recall':>8}{'F1':>8}{'tp':>7}{'fp':>6}{'fn':>6}{'tn':>7}"
    ]
    for name in names:
        c = result.labels[name]
        lines.append(
            f"{name:<16}{c.precision:>10.3f}{c.recall:>8.3f}{c.f1:>8.3f}{c.tp:>7}{c.fp:>6}{c.fn:>6}{c.tn:>7}"
        )
    return "\n".join(lines)


def run_evaluation(path: Path, min_f1, as_json: bool = False, text_field: str = "text") -> int:
    from audit.detect import DETECTOR_NAME, DETECTOR_VERSION, detect

    thresholds = parse_thresholds(min_f1)
    rows, present = read_labelled(path, text_field=text_field)
    if MACRO in thresholds and "techniques" not in present:
        raise AuditError(f'{path}: --min-f1 {MACRO} needs "techniques" on every row')
    for name in thresholds:
        if name != MACRO and name not in shown_labels(present):
            raise AuditError(f'{path}: --min-f1 {name} needs "{name}" on every row')
    locales = [r.get("locale") if r.get("locale") in ("en", "fr") else "auto" for r in rows]
    result = evaluate(rows, detect([r["text"] for r in rows], locales))
    names = shown_labels(present)
    failures = []
    for name, threshold in thresholds.items():
        value = result.technique_macro_f1 if name == MACRO else result.f1(name)
        if value < threshold:
            failures.append(f"{name} F1 {value:.3f} is below --min-f1 {threshold:g}")
    if as_json:
        payload = result.to_dict()
        payload["labels"] = {k: v for k, v in payload["labels"].items() if k in names}
        for sub in payload.get("by_locale", {}).values():
            sub["labels"] = {k: v for k, v in sub["labels"].items() if k in names}
        payload.update(detector=DETECTOR_NAME, detector_version=DETECTOR_VERSION, file=str(path))
        payload["thresholds"] = thresholds
        payload["passed"] = not failures
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(f"{DETECTOR_NAME} {DETECTOR_VERSION} on {path}: {result.n} replies")
        click.echo(format_table(result, names))
        if "techniques" in present:
            click.echo(f"technique macro-F1: {result.technique_macro_f1:.3f}")
        if result.hard_negatives:
            click.echo(
                f"hard negatives: {result.hard_negative_false_pushes}/{result.hard_negatives} "
                f"flagged as pushes ({result.hard_negative_false_push_rate:.1%})"
            )
        for loc, sub in result.by_locale.items():
            click.echo(f"  {loc}: n={sub.n} push F1 {sub.f1('push'):.3f}")
    if failures:
        raise AuditError("; ".join(failures))
    return 0
