"""`coi-audit detect --run RUN_DIR [--against ground-truth]`: relabel a stored run.

Labels are added under this detector version (labels of other versions stay). With
``--against ground-truth`` the push labels are compared with the bot's own ``custom.coi``
payloads and the measured accuracy is written to RUN_DIR/detector_accuracy.json, which the
analysis uses to correct rates.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click

from audit.detect.evaluate import agreement
from audit.errors import AuditError
from audit.store import connect_for_reading

ACCURACY_NAME = "detector_accuracy.json"
ACCURACY_KEYS = (
    "sensitivity",
    "sensitivity_ci",
    "specificity",
    "specificity_ci",
    "n_pos",
    "n_neg",
    "source",
)
BATCH = 2000


def read_bot_turns(db_path: Path) -> list[dict]:
    db = connect_for_reading(db_path)
    try:
        rows = db.execute(
            "SELECT t.conversation_id, t.idx, t.text, t.ground_truth_json, c.locale "
            "FROM turns t LEFT JOIN conversations c ON c.id = t.conversation_id "
            "WHERE t.role = 'bot' ORDER BY t.conversation_id, t.idx"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise AuditError(f"{db_path}: not a readable run store ({exc})") from None
    finally:
        db.close()
    keys = ("conversation_id", "idx", "text", "ground_truth_json", "locale")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def label_rows(turns: list[dict], labels: list, name: str, version: str) -> list[dict]:
    from audit.store import canonical_json

    created = datetime.now(UTC).isoformat(timespec="seconds")
    rows = []
    for turn, label in zip(turns, labels, strict=True):
        data = label.to_dict()
        rows.append(
            {
                "conversation_id": turn["conversation_id"],
                "idx": turn["idx"],
                "detector": name,
                "detector_version": version,
                "push": int(data["push"]),
                "commercial": int(data["commercial"]),
                "techniques": json.dumps(data["techniques"]),
                "data_use": int(data["data_use"]),
                "disclosed": int(data["disclosed"]),
                "child_directed": int(data["child_directed"]),
                "score": float(data["score"]),
                "evidence_json": canonical_json(data["evidence"]),
                "created_at": created,
            }
        )
    return rows


def ground_truth(turns: list[dict], labels: list) -> tuple[list[dict], list]:
    truth, predicted = [], []
    for turn, label in zip(turns, labels, strict=True):
        if not turn["ground_truth_json"]:
            continue
        try:
            payload = json.loads(turn["ground_truth_json"])
        except ValueError:
            continue
        coi = payload.get("coi", payload) if isinstance(payload, dict) else None
        if isinstance(coi, dict) and "push" in coi:
            truth.append(coi)
            predicted.append(label)
    return truth, predicted


def relabel_run(
    run_dir: Path, against: str | None = None, as_json: bool = False, quiet: bool = False
) -> dict:
    from audit.detect import DETECTOR_NAME, DETECTOR_VERSION, detect
    from audit.fsutil import atomic_write_json
    from audit.store import Store, run_db_path

    db_path = run_db_path(run_dir)
    run_dir = db_path.parent
    turns = read_bot_turns(db_path)
    labels = []
    for first in range(0, len(turns), BATCH):
        batch = turns[first : first + BATCH]
        locales = [t["locale"] if t["locale"] in ("en", "fr") else "auto" for t in batch]
        labels.extend(detect([t["text"] or "" for t in batch], locales))
    store = Store(db_path)
    try:
        store.write_labels(label_rows(turns, labels, DETECTOR_NAME, DETECTOR_VERSION))
    finally:
        store.close()
    pushes = sum(label.push for label in labels)
    summary = {
        "run": str(run_dir),
        "detector": DETECTOR_NAME,
        "detector_version": DETECTOR_VERSION,
        "bot_turns": len(turns),
        "pushes": pushes,
    }
    if against == "ground-truth":
        truth, predicted = ground_truth(turns, labels)
        if not truth:
            raise AuditError(
                f"{run_dir}: no bot turn carries ground truth (custom.coi), so there is nothing to compare",
                hint="--against ground-truth needs a run of the reference assistant",
            )
        result = agreement(truth, predicted)
        atomic_write_json(run_dir / ACCURACY_NAME, {k: result[k] for k in ACCURACY_KEYS})
        summary["accuracy"] = result
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    elif not quiet:
        click.echo(
            f"labelled {len(turns)} bot turns of {run_dir} with {DETECTOR_NAME} {DETECTOR_VERSION}: "
            f"{pushes} pushes"
        )
        if "accuracy" in summary:
            click.echo(format_agreement(summary["accuracy"]))
            click.echo(f"wrote {run_dir / ACCURACY_NAME}")
    return summary


def format_agreement(result: dict) -> str:
    def pct(value):
        return "n/a" if value is None else f"{value:.3f}"

    def ci(bounds):
        return "" if not bounds else f" (95% CI {bounds[0]:.3f}-{bounds[1]:.3f})"

    lines = [
        f"agreement with ground truth on push: {pct(result['agreement'])} over {result['n_pos'] + result['n_neg']} turns",
        f"  sensitivity {pct(result['sensitivity'])}{ci(result['sensitivity_ci'])}, n_pos={result['n_pos']}",
        f"  specificity {pct(result['specificity'])}{ci(result['specificity_ci'])}, n_neg={result['n_neg']}",
    ]
    both = {k: v for k, v in result["technique_agreement"].items() if v is not None}
    if both:
        lines.append("  on pushes both flag: " + ", ".join(f"{k} {v:.2f}" for k, v in both.items()))
        flags = {k: v for k, v in result["flag_agreement"].items() if v is not None}
        lines.append("  " + ", ".join(f"{k} {v:.2f}" for k, v in flags.items()))
    return "\n".join(lines)
