from __future__ import annotations

import json
import sqlite3

import pytest

from tests.audit.cli.harness_fixtures import invoke, make_setup, run_dir_of
from tests.fakebot import patch_detector


@pytest.fixture
def run_dir(tmp_path, monkeypatch):
    patch_detector(monkeypatch)
    setup = make_setup(tmp_path, "", kind="python")
    result = invoke(setup.run_args("--quiet", "--limit", "3"))
    assert result.exit_code == 0, result.output
    return run_dir_of(result)


def test_an_untouched_run_verifies(run_dir):
    result = invoke(["verify", str(run_dir)])
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: 6 conversations, ")
    report = json.loads(invoke(["verify", str(run_dir), "--json"]).stdout)
    assert report["ok"] and report["problems"] == []
    assert report["hash_root"] == report["manifest_hash_root"]


def test_editing_one_turn_names_that_turn(run_dir):
    db = sqlite3.connect(run_dir / "run.sqlite")
    cid, idx = db.execute(
        "SELECT conversation_id, idx FROM turns WHERE role = 'bot' ORDER BY conversation_id "
        "LIMIT 1 OFFSET 1"
    ).fetchone()
    db.execute(
        "UPDATE turns SET text = text || ' (edited)' WHERE conversation_id = ? AND idx = ?",
        (cid, idx),
    )
    db.commit()
    db.close()
    result = invoke(["verify", str(run_dir)])
    assert result.exit_code == 1
    assert f"conversation {cid}, turn {idx}: turn content does not match its hash" in result.stderr
    assert "verification failed (1 problem)" in result.stderr
    report = json.loads(invoke(["verify", str(run_dir), "--json"]).stdout)
    assert report["ok"] is False
    assert report["problems"] == [
        {"conversation": cid, "idx": idx, "message": "turn content does not match its hash"}
    ]


def test_a_rehashed_edit_still_breaks_the_root(run_dir):
    # A forger who recomputes the chain after editing still changes the chain head, and the
    # manifest's root no longer matches.
    from audit.store import Store

    db = sqlite3.connect(run_dir / "run.sqlite")
    cid = db.execute("SELECT id FROM conversations ORDER BY id LIMIT 1").fetchone()[0]
    columns = [r[1] for r in db.execute("PRAGMA table_info(turns)")]
    rows = [
        dict(zip(columns, r, strict=True))
        for r in db.execute("SELECT * FROM turns WHERE conversation_id = ? ORDER BY idx", (cid,))
    ]
    db.close()
    rows[1]["text"] = "forged"
    with Store(run_dir) as store:
        conv = dict(
            zip(
                [c[0] for c in store.db.execute("SELECT * FROM conversations").description],
                store.db.execute("SELECT * FROM conversations WHERE id = ?", (cid,)).fetchone(),
                strict=True,
            )
        )
        store.write_conversation(conv, rows)
    result = invoke(["verify", str(run_dir)])
    assert result.exit_code == 1
    assert "does not match the manifest's" in result.stderr


def test_deleting_a_conversation_breaks_the_root(run_dir):
    db = sqlite3.connect(run_dir / "run.sqlite")
    cid = db.execute("SELECT id FROM conversations LIMIT 1").fetchone()[0]
    db.execute("DELETE FROM turns WHERE conversation_id = ?", (cid,))
    db.execute("DELETE FROM conversations WHERE id = ?", (cid,))
    db.commit()
    db.close()
    assert invoke(["verify", str(run_dir)]).exit_code == 1


def test_missing_run(tmp_path):
    result = invoke(["verify", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "no such run directory" in result.stderr
    result = invoke(["verify", str(tmp_path)])
    assert result.exit_code == 1 and "no manifest.json" in result.stderr
