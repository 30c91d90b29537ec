"""A misbehaving bot on loopback: every fault is recorded as designed and the run finishes.

Each arm points at the same fake Rasa server and asks it (through its target metadata) for one
kind of misbehaviour: slow replies, 500s, 500 once then fine, invalid JSON, connection resets,
1 MB replies (accepted, and refused above a target's ``max_reply_bytes``).
"""

from __future__ import annotations

import json

import pytest

import audit
from tests.audit.cli.harness_fixtures import invoke
from tests.fakebot import BIG_REPLY_BYTES, FakeRasa, patch_detector, write_battery

ARMS = {
    # arm: (fault, extra target keys)
    "ok": (None, {}),
    "slow": ("slow", {"timeout_s": 0.3, "retries": 1}),
    "http500": ("http500", {"retries": 2}),
    "flaky500": ("flaky500", {"retries": 2}),
    "badjson": ("badjson", {"retries": 2}),
    "reset": ("reset", {"retries": 1}),
    "big": ("big", {}),
    "toobig": ("big", {"max_reply_bytes": 500_000}),
}


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("faults")
    mp = pytest.MonkeyPatch()
    patch_detector(mp)
    battery = write_battery(tmp_path / "battery")
    try:
        with FakeRasa(slow_s=1.0) as bot:
            args = ["run", "--battery", str(battery), "--out", str(tmp_path / "runs")]
            for arm, (fault, extra) in ARMS.items():
                metadata = {"policy": "commercial", **({"fault": fault} if fault else {})}
                keys = {"timeout_s": 2, "retries": 0, **extra}
                lines = ["kind: rasa", f"name: {arm}", f"url: {bot.url}"]
                lines += [f"{k}: {v}" for k, v in keys.items()]
                lines.append(f"metadata: {json.dumps(metadata)}")
                path = tmp_path / f"{arm}.yml"
                path.write_text("\n".join(lines) + "\n")
                args += ["--arm", f"{arm}={path}"]
            args += ["--limit", "1", "--max-error-share", "1", "--json", "--concurrency", "8"]
            result = invoke(args)
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    return report, audit.load_run(report["run_dir"])


def conversation(run, arm):
    rows = run.conversations[run.conversations.arm == arm].to_dict("records")
    assert len(rows) == 1
    return rows[0]


def test_the_run_finishes_with_every_conversation_stored(faulty_run):
    report, _ = faulty_run
    assert report["status"] == "complete"
    assert report["counts"]["conversations"] == len(ARMS)
    assert report["counts"]["errors"] == 5


@pytest.mark.parametrize(
    ("arm", "message"),
    [
        ("slow", "no reply within 0.3 s (after 2 attempts)"),
        ("http500", "HTTP 500 (after 3 attempts)"),
        ("badjson", "invalid JSON in reply: '<html>not json</html>'"),
        ("reset", "connection error"),
        ("toobig", "reply larger than 500000 bytes"),
    ],
)
def test_failures_are_stored_with_their_message(faulty_run, arm, message):
    _, run = faulty_run
    row = conversation(run, arm)
    assert row["status"] == "error"
    assert message in row["error"]
    assert row["n_turns"] == 1  # the user turn that got no answer is kept


def test_invalid_json_is_not_retried_but_500_is(faulty_run):
    _, run = faulty_run
    # A bot that answers garbage will answer garbage again: one attempt, no retry claimed.
    assert "attempts" not in conversation(run, "badjson")["error"]
    assert "(after 3 attempts)" in conversation(run, "http500")["error"]


def test_a_500_that_clears_on_retry_completes(faulty_run):
    _, run = faulty_run
    assert conversation(run, "flaky500")["status"] == "done"
    assert conversation(run, "ok")["status"] == "done"


def test_a_one_megabyte_reply_is_stored_whole(faulty_run):
    _, run = faulty_run
    assert conversation(run, "big")["status"] == "done"
    turns = run.turns[run.turns.conversation_id == conversation(run, "big")["id"]]
    bot = turns[turns.role == "bot"]
    assert (bot.text.str.len() > BIG_REPLY_BYTES).all()


def test_the_faulty_run_still_verifies(faulty_run):
    report, _ = faulty_run
    result = invoke(["verify", report["run_dir"]])
    assert result.exit_code == 0, result.output
