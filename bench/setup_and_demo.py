"""Wall time of the README's commands on a fresh clone: `make demo` cold, then warm.

Clones the repository (HEAD) into a temporary directory and runs, there:
1. `make demo` with no environments and no trained model (cold; pip's cache disabled so packages
   are fetched as on a new machine); the environment-creation times are read from its log;
2. `make demo` again (warm: environments and model reused).
Usage: python bench/setup_and_demo.py [--keep]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import Figure, record

ROOT = Path(__file__).resolve().parent.parent


def timed_make(clone: Path, target: str, env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        ["make", target], cwd=clone, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        print(log[-4000:], file=sys.stderr)
        raise SystemExit(f"make {target} failed in {clone} (exit {proc.returncode})")
    return elapsed, log


def main() -> int:
    keep = "--keep" in sys.argv
    tmp = Path(tempfile.mkdtemp(prefix="coi-bench-"))
    clone = tmp / "coi-audit"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = {**os.environ, "PIP_NO_CACHE_DIR": "1"}
    try:
        cold, cold_log = timed_make(clone, "demo", env)
        warm, warm_log = timed_make(clone, "demo", env)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    envs = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r"env (\S+): created in (\d+) s", cold_log)
    }
    reused = warm_log.count("up to date, reused")
    figures = [
        Figure(
            "make setup from scratch (both envs)",
            sum(envs.values()),
            "s",
            "< 300",
            sum(envs.values()) < 300,
        ),
        Figure("  of which .venv (toolkit)", envs.get(".venv", float("nan")), "s"),
        Figure("  of which .venv-assistant (Rasa)", envs.get(".venv-assistant", float("nan")), "s"),
        Figure("make demo, fresh clone (cold)", cold, "s", "<= 480", cold <= 480),
        Figure("make demo, second time (warm)", warm, "s", "<= 90", warm <= 90),
        Figure("environments reused on the second run", reused, "of 2", "2", reused == 2),
    ]
    record(
        "setup_and_demo",
        figures,
        notes="Cold run with PIP_NO_CACHE_DIR=1 (packages fetched from the registry).",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
