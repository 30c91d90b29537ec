"""REST turn latency and throughput of the reference assistant (real Rasa + action server).

Starts the assistant on free loopback ports, warms it up, then times single user turns through
``POST /webhooks/rest/webhook`` under the commercial policy (two custom actions per turn, pushes
included), in 100 fresh four-turn conversations: serially (p50, p95, turns/s) and with 8
concurrent conversations (turns/s, p50, p95). Then the same with the stock ``rasa run`` (without
``assistant/speedups/``), so that the gain is a ratio measured in one run on this shared machine:
its speed varies through the day, and stock Rasa's latency shows how fast it was during the run.

Usage: .venv/bin/python bench/assistant_latency.py [--turns 400] [--no-stock]
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


def payload(i: int, prefix: str = "bench") -> dict:
    conversation, turn = divmod(i, 4)
    return {
        "sender": f"{prefix}-{conversation}",
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


def serial(url: str, turns: int, prefix: str = "bench") -> tuple[list[float], float]:
    latencies = []
    with httpx.Client(timeout=30) as client:
        started = time.perf_counter()
        for i in range(turns):
            body = payload(i, prefix)
            t0 = time.perf_counter()
            client.post(f"{url}/webhooks/rest/webhook", json=body).raise_for_status()
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


def measure(turns: int, concurrency: int, speedups: bool) -> dict[str, float]:
    """Latency and throughput of one assistant: with assistant/speedups/, or stock Rasa."""
    from audit import assistant_ctl

    port, actions_port = assistant_ctl.free_port(), assistant_ctl.free_port()
    with assistant_ctl.running_assistant(
        port=port, actions_port=actions_port, speedups=speedups
    ) as status:
        serial(status.url, 60, prefix="warm-up")  # first calls load lazily
        lat1, rate1 = serial(status.url, turns)
        lat8, rate8 = asyncio.run(concurrent(status.url, turns, concurrency))
    return {
        "p50": statistics.median(lat1),
        "p95": percentile(lat1, 0.95),
        "rate1": rate1,
        "rate8": rate8,
        "p50_8": statistics.median(lat8),
        "p95_8": percentile(lat8, 0.95),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-stock", action="store_true", help="Skip the stock Rasa comparison.")
    args = parser.parse_args()

    from audit import assistant_ctl

    python = assistant_ctl.ASSISTANT_ENV / "bin" / "python"
    subprocess.run([str(python), str(ROOT / "assistant" / "train.py"), "--quiet"], check=True)
    load_before = os.getloadavg()[0]
    fast = measure(args.turns, args.concurrency, speedups=True)
    c = args.concurrency
    figures = [
        Figure("REST turn latency p50 (concurrency 1)", round(fast["p50"], 2), "ms", "<= 15", fast["p50"] <= 15),
        Figure("REST turn latency p95 (concurrency 1)", round(fast["p95"], 2), "ms", "<= 40", fast["p95"] <= 40),
        Figure("throughput (concurrency 1)", round(fast["rate1"], 1), "turns/s"),
        Figure(f"throughput (concurrency {c})", round(fast["rate8"], 1), "turns/s"),
        Figure(f"REST turn latency p50 (concurrency {c})", round(fast["p50_8"], 2), "ms"),
        Figure(f"REST turn latency p95 (concurrency {c})", round(fast["p95_8"], 2), "ms"),
    ]  # fmt: skip
    if not args.no_stock:
        stock = measure(args.turns, args.concurrency, speedups=False)
        figures += [
            Figure("stock Rasa: REST turn latency p50 (concurrency 1)", round(stock["p50"], 2), "ms"),
            Figure(f"stock Rasa: throughput (concurrency {c})", round(stock["rate8"], 1), "turns/s"),
            Figure("p50 latency, stock / with speed-ups", round(stock["p50"] / fast["p50"], 2), "ratio"),
            Figure(f"throughput (concurrency {c}), with speed-ups / stock", round(fast["rate8"] / stock["rate8"], 2), "ratio"),
        ]  # fmt: skip
    record(
        "assistant_latency",
        figures,
        notes=(
            f"{args.turns} timed turns per mode ({args.turns // 4} fresh four-turn conversations) after 60 "
            "warm-up turns, commercial policy (skill action + offer engine per turn), 8 questions "
            "over 8 skills, loopback REST; the machine's 2 cores are shared by the Rasa server, "
            "the action server and the client. 'Stock Rasa' is `rasa run` on the same model and "
            "action server, without assistant/speedups/; its latency in the same run shows how "
            "fast this shared machine was at the time. "
            f"Load average before/after: {load_before:.2f}/{os.getloadavg()[0]:.2f}."
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
