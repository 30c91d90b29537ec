"""How `coi-audit analyze` scales: 1k, 10k and 100k conversations (issue 8).

For each size, writes a synthetic run (audit.synthetic, two arms, 3 help turns per
conversation, about 6.5 turns per conversation with reactions; not timed as part of the
analysis), then runs `coi-audit analyze RUN --quiet` (2,000 bootstrap replicates) in a
subprocess and measures its wall time and peak resident memory (the child's ru_maxrss from
wait4). Goals at 100k conversations: <= 20 s and <= 2 GB.

Usage: .venv/bin/python bench/analysis_scaling.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audit.synthetic import make_synthetic_run  # noqa: E402
from bench._common import Figure, record  # noqa: E402

COI = Path(sys.executable).parent / "coi-audit"


def analyze(run: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `coi-audit analyze` subprocess."""
    started = time.perf_counter()
    process = subprocess.Popen([str(COI), "analyze", str(run), "--quiet"])
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"coi-audit analyze failed with exit status {process.returncode}")
    return seconds, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def startup() -> float:
    """Seconds for `coi-audit --help`: the part of every command's time spent importing."""
    started = time.perf_counter()
    subprocess.run([str(COI), "--help"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    figures = []
    notes = []
    workdir = Path(tempfile.mkdtemp(prefix="coi-analysis-scaling-"))
    try:
        for size in sizes:
            started = time.perf_counter()
            run = make_synthetic_run(
                workdir / f"run-{size}", size, arms={"neutral": 0.02, "commercial": 0.4}
            )
            written = time.perf_counter() - started
            seconds, megabytes = analyze(run)
            big = size >= 100_000
            figures.append(
                Figure(
                    f"analyze {size:,} conversations: wall time",
                    round(seconds, 2),
                    "s",
                    goal="<= 20" if big else None,
                    ok=seconds <= 20 if big else None,
                )
            )
            figures.append(
                Figure(
                    f"analyze {size:,} conversations: peak memory",
                    round(megabytes),
                    "MB",
                    goal="<= 2048" if big else None,
                    ok=megabytes <= 2048 if big else None,
                )
            )
            notes.append(f"{size:,} conversations written by audit.synthetic in {written:.1f} s")
            shutil.rmtree(run)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    figures.append(
        Figure("coi-audit --help (CLI start-up, included above)", round(startup(), 2), "s")
    )
    notes.append(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    record("analysis_scaling", figures, "; ".join(notes))


if __name__ == "__main__":
    main()
