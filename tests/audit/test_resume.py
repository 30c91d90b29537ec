"""A run killed with SIGKILL mid-way and resumed equals an uninterrupted run with the same seed.

Real processes: ``coi-audit run`` (with the keyword test detector, ``python -m tests.fakebot``)
against a fake Rasa server on loopback whose replies are seeded from the message metadata, as
the reference assistant's are.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audit.demo import REPO_ROOT
from tests.fakebot import FakeRasa, write_battery, write_target

pytestmark = pytest.mark.slow

TURN_COLUMNS = (
    "conversation_id, idx, role, text, source, expect_help, helped, raw_json, "
    "ground_truth_json, prev_hash, hash"
)


def start_run(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fakebot", "run", *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stored(run_dir: Path) -> int:
    db_path = run_dir / "run.sqlite"
    if not db_path.exists():
        return 0
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return db.execute("SELECT COUNT(*) FROM conversations").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def wait_for(run_dir: Path, at_least: int, process: subprocess.Popen, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while stored(run_dir) < at_least:
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.02)


def turns(run_dir: Path) -> list[tuple]:
    db = sqlite3.connect(run_dir / "run.sqlite")
    try:
        return db.execute(
            f"SELECT {TURN_COLUMNS} FROM turns ORDER BY conversation_id, idx"
        ).fetchall()
    finally:
        db.close()


def verify(run_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "audit", "verify", str(run_dir)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def setup(tmp_path):
    battery = write_battery(tmp_path / "battery", repeats=2)
    with FakeRasa(delay_s=0.01) as bot:
        neutral = write_target(tmp_path / "neutral.yml", "rasa", bot.url, policy="neutral")
        commercial = write_target(tmp_path / "commercial.yml", "rasa", bot.url, policy="commercial")
        args = ["--battery", str(battery), "--arm", f"neutral={neutral}"]
        args += ["--arm", f"commercial={commercial}", "--seed", "42", "--concurrency", "2"]
        args += ["--quiet"]
        yield tmp_path, args


def test_sigkill_then_resume_equals_an_uninterrupted_run(setup):
    tmp_path, args = setup
    total = 8 * 2 * 2  # cells x repeats x arms

    process = start_run([*args, "--out", str(tmp_path / "killed")])
    run_dir = Path(process.stdout.readline().strip())
    wait_for(run_dir, 8, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    partial = stored(run_dir)
    assert 8 <= partial < total, partial
    assert json.loads((run_dir / "manifest.json").read_text())["status"] == "running"
    unfinished = verify(run_dir)
    assert unfinished.returncode == 1 and "the run did not finish" in unfinished.stderr

    resumed = start_run(["--resume", str(run_dir), "--quiet"])
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert stored(run_dir) == total

    fresh = start_run([*args, "--out", str(tmp_path / "fresh")])
    out, err = fresh.communicate(timeout=120)
    assert fresh.returncode == 0, err
    fresh_dir = Path(out.splitlines()[0])

    assert turns(run_dir) == turns(fresh_dir)
    manifests = [json.loads((d / "manifest.json").read_text()) for d in (run_dir, fresh_dir)]
    assert manifests[0]["hash_root"] == manifests[1]["hash_root"]
    assert manifests[0]["status"] == "complete" and len(manifests[0]["resumes"]) == 1
    check = verify(run_dir)
    assert check.returncode == 0, check.stderr


def test_sigterm_stops_cleanly_after_finished_conversations(setup):
    tmp_path, args = setup
    process = start_run([*args, "--out", str(tmp_path / "stopped")])
    run_dir = Path(process.stdout.readline().strip())
    wait_for(run_dir, 4, process)
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "interrupted:" in err and f"--resume {run_dir}" in err
    assert "Traceback" not in err
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert manifest["counts"]["conversations"] == stored(run_dir) < 32
    check = verify(run_dir)
    assert check.returncode == 0, check.stderr
