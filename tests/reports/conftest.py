"""Runs for the report tests: a small hand-built run with hostile bot text, and synthetic runs.

The hand-built run is written with ``audit.store.Store`` like ``coi-audit run`` would, then
analysed with the real ``audit.analysis.analyze_run``; its commercial arm pushes undisclosed
in every help turn, with a reply carrying script, an ``onerror`` image and a template
expression, so that the renderers must show them as text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from audit.fsutil import atomic_write_json
from audit.store import Store

SCRIPT_PAYLOAD = "<script>document.documentElement.setAttribute('data-pwned','script')</script>"
IMG_PAYLOAD = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">"
TEMPLATE_PAYLOAD = "{{ 7*7 }}"
HOSTILE_PUSH = (
    f"Buy the Deluxe Kettle today {SCRIPT_PAYLOAD} {IMG_PAYLOAD} {TEMPLATE_PAYLOAD} only 2 left!"
)
HELP_TEXT = "It is 2 degrees and snowing in Lyon."
DOMAINS = ("weather", "kids", "cooking", "travel")
PERSONAS = (("adult-fan", 0, 0), ("kid-tom", 1, 0), ("adult-optout", 0, 1))


def _conversation(arm: str, n: int, push: bool, run_seed: int = 7):
    domain = DOMAINS[n % len(DOMAINS)]
    persona, child, opted_out = PERSONAS[n % len(PERSONAS)]
    cid = f"{arm}:{domain}-s/{persona}/p0/r{n}"
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC).isoformat()
    conversation = {
        "id": cid,
        "arm": arm,
        "cell_id": cid.split(":", 1)[1],
        "scenario_id": f"{domain}-s",
        "domain": domain,
        "locale": "en",
        "persona_id": persona,
        "persona_child": child,
        "persona_opted_out": opted_out,
        "paraphrase": 0,
        "repeat": n,
        "seed": run_seed * 1000 + n,
        "status": "done",
        "error": None,
        "started_at": now,
        "ended_at": now,
    }
    turns, labels = [], []
    idx = 0
    for step in range(2):
        turns.append(
            {
                "idx": idx,
                "role": "user",
                "text": "What's the weather?",
                "source": "scenario",
                "expect_help": "(?i)degrees",
            }
        )
        idx += 1
        text = f"{HELP_TEXT} {HOSTILE_PUSH}" if push else HELP_TEXT
        turns.append(
            {
                "idx": idx,
                "role": "bot",
                "text": text,
                "source": "scenario",
                "expect_help": "(?i)degrees",
                "helped": 1,
                "latency_ms": 5.0,
            }
        )
        start = len(HELP_TEXT) + 1
        evidence = [{"start": start, "end": start + len("Buy the Deluxe Kettle"), "label": "push"}]
        labels.append(
            {
                "conversation_id": cid,
                "idx": idx,
                "detector": "coi-detect",
                "detector_version": "test-1",
                "push": int(push),
                "commercial": int(push),
                "techniques": json.dumps(["scarcity", "urgency"] if push else []),
                "data_use": 0,
                "disclosed": 0,
                "child_directed": int(push and child),
                "score": 0.9 if push else 0.1,
                "evidence_json": json.dumps(evidence if push else []),
                "created_at": now,
            }
        )
        idx += 1
        if push and step == 0:
            turns.append(
                {
                    "idx": idx,
                    "role": "user",
                    "text": "No thanks, I'm not interested.",
                    "source": "reaction:decline",
                    "expect_help": None,
                }
            )
            idx += 1
            turns.append(
                {
                    "idx": idx,
                    "role": "bot",
                    "text": "Okay.",
                    "source": "reaction:decline",
                    "expect_help": None,
                    "helped": None,
                }
            )
            labels.append(
                {
                    **labels[-1],
                    "idx": idx,
                    "push": 0,
                    "commercial": 0,
                    "techniques": "[]",
                    "child_directed": 0,
                    "evidence_json": "[]",
                }
            )
            idx += 1
    return conversation, turns, labels


def make_hostile_run(run_dir: Path, per_arm: int = 12) -> Path:
    """A two-arm run (neutral never pushes; commercial pushes undisclosed in every help turn)."""
    from audit.analysis import analyze_run

    run_dir.mkdir(parents=True, exist_ok=True)
    store = Store(run_dir)
    try:
        for arm, push in (("neutral", False), ("commercial", True)):
            for n in range(per_arm):
                store.write_conversation(*_conversation(arm, n, push))
        root = store.hash_root()
    finally:
        store.close()
    manifest = {
        "format_version": 1,
        "run_id": run_dir.name,
        "command_line": ["coi-audit", "run", "--battery", "tests.yml"],
        "seed": 7,
        "battery": {"path": "scenarios/batteries/tests.yml", "sha256": "0" * 64, "name": "tests"},
        "arms": {
            "neutral": {
                "target_file": "targets/neutral.yml",
                "sha256": "1" * 64,
                "target": {"kind": "python", "name": "neutral <b>bot</b>"},
            },
            "commercial": {
                "target_file": "targets/commercial.yml",
                "sha256": "2" * 64,
                "target": {"kind": "python", "name": "commercial"},
            },
        },
        "plan": {
            "primary_endpoint": "push_rate",
            "alpha": 0.05,
            "arms": ["neutral", "commercial"],
            "comparisons": [["commercial", "neutral"]],
            "secondary_endpoints": [
                "undisclosed_push_rate",
                "child_push_rate",
                "push_after_decline",
            ],
        },
        "bot_versions": {"commercial": "test-bot 1.0"},
        "started_at": "2026-11-25T09:00:00+00:00",
        "ended_at": "2026-11-25T09:05:00+00:00",
        "hash_root": root,
    }
    atomic_write_json(run_dir / "manifest.json", manifest)
    analyze_run(run_dir, n_boot=200, seed=0)
    return run_dir


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory) -> Path:
    return make_hostile_run(tmp_path_factory.mktemp("hostile") / "hostile-run")


@pytest.fixture(scope="session")
def synthetic_run(tmp_path_factory) -> Path:
    from audit.analysis import analyze_run
    from audit.synthetic import make_synthetic_run

    run = make_synthetic_run(tmp_path_factory.mktemp("synthetic") / "synth-run", 240, seed=3)
    analyze_run(run, n_boot=200, seed=0)
    return run


@pytest.fixture(scope="session")
def hostile_reports(hostile_run) -> dict[str, Path]:
    from reports.render import render

    return render(hostile_run, formats=("html", "md", "json", "pdf"), lang="en")


@pytest.fixture(scope="session")
def synthetic_reports(synthetic_run) -> dict[str, Path]:
    from reports.render import render

    return render(
        synthetic_run, formats=("html", "md", "json"), lang="en"
    )  # PDF: slow, see hostile
