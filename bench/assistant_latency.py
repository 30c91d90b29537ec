"""REST turn latency and throughput of the reference assistant (real Rasa + action server).

Starts the assistant on free loopback ports, warms it up, then times single user turns through
``POST /webhooks/rest/webhook`` under the commercial policy (two custom actions per turn, pushes
included): serially (p50, p95, turns/s) and with 8 concurrent conversations (turns/s, p50, p95).

Usage: .venv/bin/python bench/assistant_latency.py [--turns 400]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import Figure, record  # noqa: E402

QUESTIONS = [
    "What's the weather like today?",
    "How long do I boil an egg?",
    "Play some jazz",
    "What can I cook tonight?",
    "Add milk to my shopping list",
    "When is the next train to Paris?",
    "Turn off the kitchen lights",
    "What's the news today?",
]
PERSONA = {
    "id": "adult-fashion-fan",
    "age": 34,
    "interests": ["fashion", "coffee"],
    "browsing_history": ["black wool turtleneck (viewed yesterday)"],
}


def payload(i: int) -> dict:
    conversation, turn = divmod(i, 4)
    return {
        "sender": f"bench-{conversation}",
        "message": QUESTIONS[i % len(QUESTIONS)],
        "metadata": {
            "seed": conversation,
            "turn": turn,
            "locale": "en",
            "policy": "commercial",
            "persona": PERSONA,
            "context": {"weather": {"temp_c": 2, "condition": "snow", "city": "Lyon"}},
        },
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def serial(url: str, turns: int) -> tuple[list[float], float]:
    latencies = []
    with httpx.Client(timeout=30) as client:
        started = time.perf_counter()
        for i in range(turns):
            t0 = time.perf_counter()
            client.post(f"{url}/webhooks/rest/webhook", json=payload(i)).raise_for_status()
            latencies.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - started
    return latencies, turns / elapsed


async def concurrent(url: str, turns: int, workers: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    queue = list(range(turns))

    async def worker(client: httpx.AsyncClient, offset: int) -> None:
        # Each worker plays its own conversations turn by turn, as the harness does: Rasa
        # serialises the turns of one conversation with a lock.
        done = 0
        while queue:
            queue.pop()
            body = payload(done)
            body["sender"] = f"bench-w{offset}-{done // 4}"
            done += 1
            t0 = time.perf_counter()
            response = await client.post(f"{url}/webhooks/rest/webhook", json=body)
            response.raise_for_status()
            latencies.append((time.perf_counter() - t0) * 1000)

    limits = httpx.Limits(max_connections=workers)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client, w) for w in range(workers)))
        elapsed = time.perf_counter() - started
    return latencies, turns / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    from audit import assistant_ctl

    python = assistant_ctl.ASSISTANT_ENV / "bin" / "python"
    subprocess.run([str(python), str(ROOT / "assistant" / "train.py"), "--quiet"], check=True)
    load_before = os.getloadavg()[0]
    port, actions_port = assistant_ctl.free_port(), assistant_ctl.free_port()
    with assistant_ctl.running_assistant(port=port, actions_port=actions_port) as status:
        serial(status.url, 60)  # warm-up: first calls load lazily
        lat1, rate1 = serial(status.url, args.turns)
        lat8, rate8 = asyncio.run(concurrent(status.url, args.turns, args.concurrency))
    p50, p95 = statistics.median(lat1), percentile(lat1, 0.95)
    figures = [
        Figure("REST turn latency p50 (concurrency 1)", round(p50, 2), "ms", "<= 15", p50 <= 15),
        Figure("REST turn latency p95 (concurrency 1)", round(p95, 2), "ms", "<= 40", p95 <= 40),
        Figure("throughput (concurrency 1)", round(rate1, 1), "turns/s"),
        Figure(f"throughput (concurrency {args.concurrency})", round(rate8, 1), "turns/s"),
        Figure(
            f"REST turn latency p50 (concurrency {args.concurrency})",
            round(statistics.median(lat8), 2),
            "ms",
        ),
        Figure(
            f"REST turn latency p95 (concurrency {args.concurrency})",
            round(percentile(lat8, 0.95), 2),
            "ms",
        ),
    ]
    record(
        "assistant_latency",
        figures,
        notes=(
            f"{args.turns} timed turns per mode after 60 warm-up turns, commercial policy "
            "(skill action + offer engine per turn), 8 questions over 8 skills, loopback REST; "
            "the machine's 2 cores are shared by the Rasa server, the action server and the client; "
            f"load average before/after: {load_before:.2f}/{os.getloadavg()[0]:.2f}."
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
