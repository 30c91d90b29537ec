"""Harness overhead: the runner's turns/s over a bare httpx loop's, on the real assistant.

Starts the reference assistant on free loopback ports, then at concurrency 1 and 8 plays the
same workload twice over, alternating: (a) the harness (``audit.runner.Runner``: shared
client, seeded interleaving, timeouts, retries, hash-chained SQLite writes, labels) on the
smoke battery under the neutral and commercial arms, reacting on the bot's ground truth; (b) a
bare loop of ``httpx.AsyncClient.post`` calls with the very same messages and metadata (read
back from the harness's own store), one task per concurrent conversation, nothing stored. The
figure is harness turns/s divided by bare turns/s, each the best of ``--reps`` alternated
rounds (the machine is shared, so the best round is the least disturbed one); goal >= 0.90.

The detector is replaced by a constant no-push labeller: detection cost is the detector's own
figure (its benchmark), not the harness's.

Usage: .venv/bin/python bench/harness_overhead.py [--reps 3] [--battery FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import Figure, record  # noqa: E402

GOAL = 0.90
CONCURRENCIES = (1, 8)


def no_push_detector():
    from audit.runner import Detector

    class Label:
        push = False

        def to_dict(self) -> dict:
            return {"push": False, "commercial": False, "techniques": [], "score": 0.0}

    label = Label()
    return Detector("no-push", "0", lambda texts, locale: [label for _ in texts])


def harness_round(
    url: str, battery: Path, concurrency: int, run_dir: Path
) -> tuple[int, float, float]:
    from audit.runner import Arm, Runner, plan_work
    from audit.runplan import Settings, build_plan
    from audit.store import Store

    settings = Settings(
        battery=battery,
        arm_files={n: ROOT / "targets" / f"{n}.yml" for n in ("neutral", "commercial")},
        react_on="ground-truth",
        target_url=url,
    )
    plan = build_plan(settings)
    work = plan_work(plan.cells, [Arm(a.name, a.target) for a in plan.arms], seed=0)
    store = Store(run_dir)
    runner = Runner(
        store, concurrency=concurrency, react_on="ground-truth", detector=no_push_detector()
    )
    cpu = time.process_time()
    outcome = asyncio.run(runner.run(work))
    cpu = time.process_time() - cpu
    store.close()
    assert outcome.errors == 0, f"{outcome.errors} conversations failed"
    return outcome.turns, outcome.seconds, cpu


def recorded_conversations(run_dir: Path) -> list[list[dict]]:
    """The user messages the harness sent, per conversation, in the order it played them."""
    db = sqlite3.connect(run_dir / "run.sqlite")
    rows = db.execute(
        "SELECT t.conversation_id, t.raw_json FROM turns t "
        "JOIN conversations c ON c.id = t.conversation_id "
        "WHERE t.role = 'user' ORDER BY c.started_at, t.conversation_id, t.idx"
    ).fetchall()
    db.close()
    conversations: dict[str, list[dict]] = {}
    for cid, raw in rows:
        conversations.setdefault(cid, []).append(json.loads(raw))
    return list(conversations.values())


async def bare_loop(url: str, conversations: list[list[dict]], concurrency: int) -> float:
    import httpx

    queue = list(reversed(conversations))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def worker():
            while queue:
                messages = queue.pop()
                sender = uuid.uuid4().hex
                for m in messages:
                    reply = await client.post(
                        url + "/webhooks/rest/webhook",
                        json={"sender": sender, "message": m["message"], "metadata": m["metadata"]},
                    )
                    reply.raise_for_status()
                    reply.json()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--battery", type=Path, default=ROOT / "scenarios/batteries/smoke.yml")
    args = parser.parse_args()

    from audit import assistant_ctl

    figures: list[Figure] = []
    notes = []
    port, actions_port = assistant_ctl.free_port(), assistant_ctl.free_port()
    with (
        assistant_ctl.running_assistant(port=port, actions_port=actions_port) as status,
        tempfile.TemporaryDirectory() as tmp,
    ):
        url = status.url
        for concurrency in CONCURRENCIES:
            harness_rates, bare_rates, harness_cpu, bare_cpu = [], [], [], []
            for rep in range(args.reps):
                run_dir = Path(tmp) / f"c{concurrency}-r{rep}"
                run_dir.mkdir()
                turns, seconds, cpu = harness_round(url, args.battery, concurrency, run_dir)
                harness_rates.append(turns / seconds)
                harness_cpu.append(cpu / turns * 1000)
                conversations = recorded_conversations(run_dir)
                sent = sum(len(c) for c in conversations)
                assert sent == turns, (sent, turns)
                cpu = time.process_time()
                bare_seconds = asyncio.run(bare_loop(url, conversations, concurrency))
                bare_cpu.append((time.process_time() - cpu) / sent * 1000)
                bare_rates.append(sent / bare_seconds)
                print(
                    f"c={concurrency} round {rep + 1}: harness {harness_rates[-1]:.1f} turns/s, "
                    f"bare {bare_rates[-1]:.1f} turns/s ({turns} turns)",
                    flush=True,
                )
            harness, bare = max(harness_rates), max(bare_rates)
            ratio = harness / bare
            figures += [
                Figure(f"harness turns/s (concurrency {concurrency})", harness, "turns/s"),
                Figure(f"bare httpx loop turns/s (concurrency {concurrency})", bare, "turns/s"),
                Figure(
                    f"harness / bare throughput (concurrency {concurrency})",
                    ratio,
                    "ratio",
                    goal=f">= {GOAL}",
                    ok=ratio >= GOAL,
                ),
                Figure(
                    f"median per-round harness / bare ratio (concurrency {concurrency})",
                    statistics.median(
                        h / b for h, b in zip(harness_rates, bare_rates, strict=True)
                    ),
                    "ratio",
                ),
                # Client CPU per turn is steadier than throughput on a shared machine: the
                # harness's own cost per turn is the difference.
                Figure(
                    f"harness client CPU per turn (concurrency {concurrency})",
                    min(harness_cpu),
                    "ms",
                ),
                Figure(
                    f"bare loop client CPU per turn (concurrency {concurrency})",
                    min(bare_cpu),
                    "ms",
                ),
            ]
            notes.append(
                f"c={concurrency}: harness {[round(r, 1) for r in harness_rates]}, "
                f"bare {[round(r, 1) for r in bare_rates]}"
            )
    record(
        "harness_overhead",
        figures,
        notes=f"smoke battery, arms neutral+commercial, best of {args.reps} alternated rounds; "
        "detector replaced by a constant labeller; " + "; ".join(notes),
    )


if __name__ == "__main__":
    main()
