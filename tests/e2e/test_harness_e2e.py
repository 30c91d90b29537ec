"""The harness on the real reference assistant: smoke battery, two arms, verify, export.

The run uses the keyword test detector (``python -m tests.fakebot``) and reacts on the bot's
ground truth, so that this test checks the harness alone; the detector is covered by its own
tests and by the pipeline end-to-end test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import audit
from audit.demo import REPO_ROOT

pytestmark = pytest.mark.e2e

SMOKE = REPO_ROOT / "scenarios" / "batteries" / "smoke.yml"
TARGETS = REPO_ROOT / "targets"


def coi(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tests.fakebot", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def run_smoke(url: str, out: Path, *extra: str) -> dict:
    completed = coi(
        "run",
        "--battery",
        str(SMOKE),
        "--arm",
        f"neutral={TARGETS / 'neutral.yml'}",
        "--arm",
        f"commercial={TARGETS / 'commercial.yml'}",
        "--target-url",
        url,
        "--react-on",
        "ground-truth",
        "--concurrency",
        "8",
        "--out",
        str(out),
        "--json",
        *extra,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def smoke_run(reference_assistant, tmp_path_factory):
    return run_smoke(reference_assistant.url, tmp_path_factory.mktemp("runs"))


def test_the_smoke_battery_completes_on_two_arms(smoke_run):
    assert smoke_run["status"] == "complete"
    assert smoke_run["counts"]["errors"] == 0
    run = audit.load_run(smoke_run["run_dir"])
    assert set(run.conversations.arm) == {"neutral", "commercial"}
    assert len(run.conversations) == smoke_run["counts"]["conversations"] == 144
    # The reference bot sends its ground truth with every reply.
    bot = run.turns[run.turns.role == "bot"]
    assert bot.ground_truth_json.notna().all()
    assert smoke_run["arms"]["neutral"]["true_pushes"] == 0
    assert smoke_run["arms"]["commercial"]["true_pushes"] > 0
    # Reactions were inserted after true pushes (react on ground truth).
    reactions = run.turns[run.turns.source.str.startswith("reaction:")]
    assert len(reactions) > 0
    assert set(
        reactions.merge(run.conversations, left_on="conversation_id", right_on="id").arm
    ) == {"commercial"}
    manifest = run.manifest
    assert manifest["bot_versions"]["neutral"]["version"]["version"].startswith("3.6")
    assert manifest["bot_versions"]["neutral"]["status"]["model_id"]


def test_the_smoke_run_verifies(smoke_run):
    completed = coi("verify", smoke_run["run_dir"], "--json")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert json.loads(completed.stdout)["ok"] is True


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_export_round_trips(smoke_run, tmp_path, fmt):
    completed = coi("export", smoke_run["run_dir"], "--format", fmt, "--out", str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    run = audit.load_run(smoke_run["run_dir"])
    for table in ("conversations", "turns", "labels"):
        original = getattr(run, table)
        path = tmp_path / f"{table}.{fmt}"
        if fmt == "csv":
            back = pd.read_csv(path, keep_default_na=False, na_values=[""])
        elif fmt == "parquet":
            back = pd.read_parquet(path)
        else:
            back = pd.DataFrame([json.loads(line) for line in path.read_text().splitlines()])
        assert len(back) == len(original)
        assert list(back.columns) == list(original.columns)
        for column in ("text", "hash", "id", "conversation_id", "push", "idx"):
            if column in original:
                assert back[column].tolist() == original[column].tolist(), (table, column)


def test_the_reference_bot_replays_identically(reference_assistant, smoke_run, tmp_path):
    # Same seed, same cells: the same stored turns and hashes (what --resume relies on).
    again = run_smoke(reference_assistant.url, tmp_path, "--limit", "6")
    replay = audit.load_run(again["run_dir"]).turns
    first = audit.load_run(smoke_run["run_dir"]).turns
    first = first[first.conversation_id.isin(set(replay.conversation_id))]
    columns = ["conversation_id", "idx", "text", "ground_truth_json", "hash"]
    assert replay[columns].reset_index(drop=True).equals(first[columns].reset_index(drop=True))
