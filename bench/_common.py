"""Shared helpers for benchmark scripts: record figures for docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Figure:
    label: str  # what was measured, e.g. "REST turn latency p50 (concurrency 1)"
    value: float
    unit: str  # "ms", "turns/s", "s", "ratio", ...
    goal: str | None = None  # e.g. "<= 15"; None when informative only
    ok: bool | None = None  # whether the goal is met; None without a goal


def record(name: str, figures: list[Figure], notes: str = "") -> Path:
    """Print the figures and write bench/results/<name>.json atomically."""
    RESULTS.mkdir(exist_ok=True)
    command = " ".join([Path(sys.executable).name, *sys.argv])
    payload = {
        "name": name,
        "command": command,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "figures": [asdict(f) for f in figures],
        "notes": notes,
    }
    for f in figures:
        status = "" if f.ok is None else ("  ok" if f.ok else "  MISSED")
        goal = f"  (goal {f.goal})" if f.goal else ""
        print(f"{f.label}: {f.value:,.4g} {f.unit}{goal}{status}")
    target = RESULTS / f"{name}.json"
    with tempfile.NamedTemporaryFile("w", dir=RESULTS, delete=False, suffix=".tmp") as tmp:
        json.dump(payload, tmp, indent=2)
    os.replace(tmp.name, target)
    return target
