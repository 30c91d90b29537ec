from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from audit.errors import AuditError
from audit.store import Store, canonical_json, first_prev_hash, hash_root, load_run, turn_hash


def conversation(cid="neutral:s/p/p0/r0", status="done", seed=7):
    return {
        "id": cid,
        "arm": cid.split(":")[0],
        "cell_id": cid.split(":")[1],
        "scenario_id": "s",
        "domain": "weather",
        "locale": "en",
        "persona_id": "p",
        "persona_child": 0,
        "persona_opted_out": 0,
        "paraphrase": 0,
        "repeat": 0,
        "seed": seed,
        "status": status,
        "error": None,
        "started_at": "t0",
        "ended_at": "t1",
    }


def turns():
    return [
        {"idx": 0, "role": "user", "text": "Weather?", "source": "scenario", "expect_help": "deg"},
        {
            "idx": 1,
            "role": "bot",
            "text": "2 degrees",
            "source": "scenario",
            "expect_help": "deg",
            "helped": 1,
            "latency_ms": 12.5,
            "raw_json": "[]",
            "ground_truth_json": '{"push": false}',
        },
    ]


def label(version, created_at, push=1):
    return {
        "conversation_id": "neutral:s/p/p0/r0",
        "idx": 1,
        "detector": "coi-detect",
        "detector_version": version,
        "push": push,
        "commercial": push,
        "techniques": json.dumps(["urgency"]),
        "data_use": 0,
        "disclosed": 0,
        "child_directed": 0,
        "score": 0.9,
        "evidence_json": "[]",
        "created_at": created_at,
    }


def test_chain_matches_the_contract_formula(tmp_path):
    store = Store(tmp_path)
    head = store.write_conversation(conversation(), turns())
    # Recompute by hand from docs/contracts.md, independently of Store.
    prev = hashlib.sha256(
        json.dumps(
            {"conversation": "neutral:s/p/p0/r0", "seed": 7}, sort_keys=True, separators=(",", ":")
        ).encode()
    ).hexdigest()
    for t in turns():
        fields = {
            "conversation_id": "neutral:s/p/p0/r0",
            "source": None,
            "expect_help": None,
            "helped": None,
            "latency_ms": None,
            "raw_json": None,
            "ground_truth_json": None,
        }
        fields.update(t)
        fields.pop("latency_ms", None)  # a measurement, not hashed
        prev = hashlib.sha256((prev + canonical_json(fields)).encode()).hexdigest()
    assert head == prev
    assert store.verify_chains() == []
    assert store.hash_root() == hash_root([("neutral:s/p/p0/r0", head)])


def test_tampering_with_a_turn_is_detected(tmp_path):
    store = Store(tmp_path)
    store.write_conversation(conversation(), turns())
    store.db.execute("UPDATE turns SET text = '3 degrees' WHERE idx = 1")
    problems = store.verify_chains()
    assert [(p.conversation_id, p.idx) for p in problems] == [("neutral:s/p/p0/r0", 1)]


def test_deleting_the_last_turn_is_detected(tmp_path):
    store = Store(tmp_path)
    store.write_conversation(conversation(), turns())
    store.db.execute("DELETE FROM turns WHERE idx = 1")
    assert "1 turns stored, 2 expected" in str(store.verify_chains()[0])


def test_failed_conversation_is_replaced_on_retry_and_only_done_ones_are_skipped(tmp_path):
    store = Store(tmp_path)
    store.write_conversation(conversation(status="error"), turns()[:1])
    assert store.done_ids() == set()
    store.write_conversation(conversation(), turns())
    assert store.done_ids() == {"neutral:s/p/p0/r0"}
    assert store.db.execute("SELECT COUNT(*) FROM turns").fetchone() == (2,)


def test_hash_root_does_not_depend_on_order():
    heads = [("b", "2"), ("a", "1")]
    assert hash_root(heads) == hash_root(list(reversed(heads)))
    assert hash_root(heads) == hashlib.sha256(b"a 1\nb 2\n").hexdigest()


def test_first_prev_hash_depends_on_seed():
    assert first_prev_hash("x", 1) != first_prev_hash("x", 2)
    assert turn_hash("a", {"text": "x"}) != turn_hash("b", {"text": "x"})


def test_load_run_returns_newest_labels_and_keeps_old_ones(tmp_path):
    store = Store(tmp_path)
    store.write_conversation(conversation(), turns(), [label("v1", "2026-01-01", push=0)])
    store.write_labels([label("v2", "2026-02-01", push=1)])
    store.close()
    run = load_run(tmp_path)
    assert run.detector_version == "v2"
    assert run.labels["push"].tolist() == [1]
    assert run.labels["techniques"].tolist() == [["urgency"]]
    assert load_run(tmp_path, detector_version="v1").labels["push"].tolist() == [0]
    assert len(run.turns) == 2 and run.conversations["status"].tolist() == ["done"]
    with pytest.raises(AuditError, match="no labels from detector version v9"):
        load_run(tmp_path, detector_version="v9")


def test_load_run_on_a_directory_without_a_store(tmp_path):
    with pytest.raises(AuditError, match="no run store found"):
        load_run(tmp_path)


def test_text_is_stored_as_data_not_sql(tmp_path):
    store = Store(tmp_path)
    evil = turns()
    evil[1]["text"] = "'); DROP TABLE turns; --"
    store.write_conversation(conversation(), evil)
    db = sqlite3.connect(tmp_path / "run.sqlite")
    assert db.execute("SELECT text FROM turns WHERE idx = 1").fetchone()[0] == evil[1]["text"]


def test_reading_a_run_leaves_no_wal_files_behind(tmp_path):
    store = Store(tmp_path)
    store.write_conversation(conversation(), turns())
    store.close()
    load_run(tmp_path)
    Store(tmp_path, read_only=True).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.sqlite"]


def test_a_read_only_store_cannot_write(tmp_path):
    store = Store(tmp_path)
    store.write_conversation(conversation(), turns())
    store.close()
    reader = Store(tmp_path, read_only=True)
    with pytest.raises(sqlite3.OperationalError):
        reader.db.execute("DELETE FROM turns")
    reader.close()
    assert len(load_run(tmp_path).turns) == 2
