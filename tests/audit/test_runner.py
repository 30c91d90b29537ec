from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import sqlite3

import pytest

from audit.runner import MAX_REACTIONS, Arm, Runner, conversation_seed, plan_work
from audit.scenario import REACTION_TEXTS, expand_cells, load_battery
from audit.store import Store
from audit.target import TransientError, load_target
from tests.fakebot import FakeRasa, decide, keyword_detector, write_battery, write_target


@pytest.fixture
def cells(tmp_path):
    return expand_cells(load_battery(write_battery(tmp_path / "battery")))


def python_arm(tmp_path, name, **metadata):
    return Arm(name, load_target(write_target(tmp_path / f"{name}.yml", "python", **metadata)))


def run(store, work, **options):
    runner = Runner(store, detector=keyword_detector(), backoff_s=0.01, **options)
    return asyncio.run(runner.run(work))


def test_conversation_seed_follows_the_contract():
    # docs/contracts.md: first 8 bytes big-endian of sha256("seed|arm|scenario|persona|p|r"),
    # then & 0x7fffffff; recomputed here by hand.
    digest = hashlib.sha256(b"7|commercial|cold-morning|adult|1|2").digest()
    expected = int.from_bytes(digest[:8], "big") & 0x7FFFFFFF
    assert conversation_seed(7, "commercial", "cold-morning", "adult", 1, 2) == expected


def test_seeds_agree_with_the_scenario_module(tmp_path, cells):
    from audit.scenario import conversation_seed as scenario_seed

    arm = python_arm(tmp_path, "commercial", policy="commercial")
    for item in plan_work(cells, [arm], seed=9):
        assert item.seed == scenario_seed(9, "commercial", item.cell)


def test_plan_interleaves_arms_reproducibly(tmp_path, cells):
    arms = [python_arm(tmp_path, "neutral"), python_arm(tmp_path, "commercial")]
    first = [w.conversation_id for w in plan_work(cells, arms, seed=1)]
    assert first == [w.conversation_id for w in plan_work(cells, arms, seed=1)]
    assert first != [w.conversation_id for w in plan_work(cells, arms, seed=2)]
    expected = {f"{a}:{c.cell_id}" for a in ("neutral", "commercial") for c in cells}
    assert set(first) == expected and len(first) == len(expected)
    # Interleaved: the arm sequence is not one block per arm.
    arm_sequence = [cid.split(":")[0] for cid in first]
    switches = sum(a != b for a, b in itertools.pairwise(arm_sequence))
    assert switches > 1


def test_conversation_flow_metadata_reactions_and_labels(tmp_path, cells):
    arm = python_arm(tmp_path, "commercial", policy="commercial")
    store = Store(tmp_path / "run")
    outcome = run(store, plan_work(cells, [arm], seed=4))
    assert outcome.written == len(cells) and outcome.errors == 0
    store.db.row_factory = sqlite3.Row
    by_cell = {c.cell_id: c for c in cells}
    for conv in store.db.execute("SELECT * FROM conversations").fetchall():
        cid = conv["id"]
        cell = by_cell[cid.split(":", 1)[1]]
        rows = [
            dict(r)
            for r in store.db.execute(
                "SELECT * FROM turns WHERE conversation_id = ? ORDER BY idx", (cid,)
            )
        ]
        assert [r["role"] for r in rows] == ["user", "bot"] * (len(rows) // 2)
        scripted = [r for r in rows if r["role"] == "user" and r["source"] == "scenario"]
        assert [r["text"] for r in scripted] == cell.user_texts()
        reaction = cell.scenario.reactions.on_push
        reactions = [r for r in rows if r["role"] == "user" and r["source"] != "scenario"]
        assert len(reactions) <= MAX_REACTIONS
        for message_index, user in enumerate(r for r in rows if r["role"] == "user"):
            sent = json.loads(user["raw_json"])["metadata"]
            assert sent["turn"] == message_index and sent["seed"] == conv["seed"]
            assert sent["policy"] == "commercial" and sent["locale"] == cell.scenario.locale
            assert sent["persona"] == cell.persona.to_metadata()
            assert sent["context"] == cell.scenario.context
        # Expected reactions, recomputed from the fake bot's seeded decisions.
        expected, scripted_left, i = 0, list(cell.user_texts()), 0
        pending = []
        for _ in scripted_left:
            pushed = decide({"seed": conv["seed"], "turn": i, "policy": "commercial"})
            i += 1
            if pushed and reaction != "ignore" and expected < MAX_REACTIONS:
                expected += 1
                pending.append(REACTION_TEXTS[reaction][cell.scenario.locale])
                i += 1  # the reaction is a user message too
        assert [r["text"] for r in reactions] == pending
        for user, bot in zip(rows[::2], rows[1::2], strict=True):
            assert bot["source"] == user["source"]
            assert bot["expect_help"] == user["expect_help"]
            if user["expect_help"]:
                # The fake bot always gives degrees and never says sunny.
                assert bot["helped"] == {"(?i)degrees": 1, "(?i)sunny": 0}[user["expect_help"]]
            else:
                assert bot["helped"] is None
    store.close()
    import audit

    loaded = audit.load_run(tmp_path / "run")
    bot_turns = loaded.turns[loaded.turns.role == "bot"]
    assert len(loaded.labels) == len(bot_turns)
    assert set(loaded.labels.detector_version) == {"test-1"}
    labelled = loaded.labels.merge(bot_turns, on=["conversation_id", "idx"])
    assert (labelled.push == labelled.text.str.contains("offer")).all()


def test_ground_truth_reactions(tmp_path, cells):
    arm = python_arm(tmp_path, "commercial", policy="commercial")
    store = Store(tmp_path / "run")
    runner = Runner(store, detector=keyword_detector(), react_on="ground-truth")
    work = plan_work(cells, [arm], seed=4)
    _conversation, turns, labels = asyncio.run(runner.converse(None, work[0]))
    for bot in turns[1::2]:
        truth = json.loads(bot["ground_truth_json"])
        assert truth["push"] == ("offer" in bot["text"].lower())
    assert len(labels) == len(turns) // 2


def test_concurrency_is_bounded(tmp_path, cells, monkeypatch):
    import tests.fakebot as fakebot

    state = {"now": 0, "max": 0}

    async def slow_reply(text, conv_state):
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        await asyncio.sleep(0.005)
        state["now"] -= 1
        return "ok"

    monkeypatch.setattr(fakebot, "slow_reply", slow_reply, raising=False)
    path = tmp_path / "slow.yml"
    path.write_text("kind: python\nname: slow\nfunction: tests.fakebot:slow_reply\n")
    arm = Arm("slow", load_target(path))
    outcome = run(Store(tmp_path / "run"), plan_work(cells, [arm], 0), concurrency=3)
    assert outcome.written == len(cells)
    assert state["max"] == 3


def test_retries_then_error_is_stored_and_run_goes_on(tmp_path, cells, monkeypatch):
    import tests.fakebot as fakebot

    calls = {"n": 0}

    def sometimes(text, conv_state):
        calls["n"] += 1
        if (
            conv_state["conversation_id"].endswith("r0")
            and "adult" in conv_state["conversation_id"]
        ):
            raise TransientError("connection reset")
        return "fine"

    monkeypatch.setattr(fakebot, "sometimes", sometimes, raising=False)
    path = tmp_path / "flaky.yml"
    path.write_text("kind: python\nname: f\nfunction: tests.fakebot:sometimes\nretries: 2\n")
    arm = Arm("flaky", load_target(path))
    store = Store(tmp_path / "run")
    outcome = run(store, plan_work(cells, [arm], 0))
    rows = dict(store.db.execute("SELECT id, error FROM conversations WHERE status = 'error'"))
    failing = {f"flaky:{c.cell_id}" for c in cells if c.persona.id == "adult"}
    assert set(rows) == failing and outcome.errors == len(failing)
    assert all("connection reset (after 3 attempts)" in e for e in rows.values())
    done = store.db.execute("SELECT COUNT(*) FROM conversations WHERE status='done'").fetchone()
    assert done[0] == len(cells) - len(failing)
    # 3 attempts for the first turn of each failing conversation, 3 turns for the others.
    assert calls["n"] == 3 * len(failing) + 3 * (len(cells) - len(failing))


def test_timeout_per_turn(tmp_path, cells, monkeypatch):
    import tests.fakebot as fakebot

    async def hangs(text, conv_state):
        await asyncio.sleep(5)

    monkeypatch.setattr(fakebot, "hangs", hangs, raising=False)
    path = tmp_path / "hang.yml"
    path.write_text(
        "kind: python\nname: h\nfunction: tests.fakebot:hangs\ntimeout_s: 0.05\nretries: 1\n"
    )
    store = Store(tmp_path / "run")
    work = plan_work(cells[:1], [Arm("hang", load_target(path))], 0)
    outcome = run(store, work)
    assert outcome.errors == 1
    (error,) = next(iter(store.db.execute("SELECT error FROM conversations")))
    assert "no reply within 0.05 s (after 2 attempts)" in error


def test_stop_keeps_only_finished_conversations(tmp_path, cells):
    with FakeRasa(delay_s=0.02) as bot:
        arm = Arm("n", load_target(write_target(tmp_path / "n.yml", url=bot.url)))
        store = Store(tmp_path / "run")
        runner = Runner(store, detector=keyword_detector(), concurrency=2)

        async def main():
            stop = asyncio.Event()
            asyncio.get_running_loop().call_later(0.25, stop.set)
            return await runner.run(plan_work(cells, [arm], 0), stop)

        outcome = asyncio.run(main())
    assert outcome.interrupted
    assert 0 < outcome.written < len(cells)
    stored = store.db.execute("SELECT COUNT(*), SUM(n_turns) FROM conversations").fetchone()
    assert stored[0] == outcome.written
    assert stored[1] == store.db.execute("SELECT COUNT(*) FROM turns").fetchone()[0]
    assert store.verify_chains() == []


def test_resume_skips_done_conversations(tmp_path, cells):
    arm = python_arm(tmp_path, "c", policy="commercial")
    store = Store(tmp_path / "run")
    work = plan_work(cells, [arm], 0)
    run(store, work[:3])
    outcome = run(store, work)
    assert outcome.skipped == 3 and outcome.written == len(work) - 3


def test_detection_is_batched_across_conversations(tmp_path, cells):
    from audit.runner import Detector

    base = keyword_detector()
    calls = []

    def counting(texts, locale):
        calls.append(len(texts))
        return base.detect(texts, locale)

    detector = Detector(base.name, base.version, counting)
    arm = python_arm(tmp_path, "commercial", policy="commercial")
    store = Store(tmp_path / "run")
    runner = Runner(store, detector=detector, concurrency=8)
    outcome = asyncio.run(runner.run(plan_work(cells, [arm], seed=4)))
    assert sum(calls) == outcome.turns  # every bot turn labelled exactly once
    assert len(calls) < outcome.turns  # ... in fewer calls than turns
    # Same labels as the one-text-at-a-time path (the batch does not change a label).
    rows = store.db.execute(
        "SELECT t.text, l.push FROM labels l JOIN turns t USING (conversation_id, idx)"
    ).fetchall()
    assert all(bool(push) == ("offer" in text.lower()) for text, push in rows)
