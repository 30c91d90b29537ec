"""Rewrite docs/benchmarks.md from the figures the benchmark scripts recorded in bench/results/."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET = ROOT / "docs" / "benchmarks.md"

# Order and titles of the sections; results without an entry here come last under their name.
SECTIONS = {
    "setup_and_demo": "Setup and demo wall time (fresh clone)",
    "training_time": "Reference assistant: training time",
    "assistant_latency": "Reference assistant: latency and throughput",
    "harness_overhead": "Harness overhead (harness vs bare httpx loop, same bot, same run)",
    "detector_speed": "Detector speed",
    "analysis_scaling": "Analysis scaling",
    "report_scaling": "Report rendering speed",
    "ci_coverage": "Confidence-interval coverage (simulation)",
    "policy_ground_truth": "Reference assistant policies, ground truth over the default battery",
}


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB memory"
    except OSError:
        pass
    rasa = "not installed"
    rasa_bin = ROOT / ".venv-assistant" / "bin" / "python"
    if rasa_bin.exists():
        out = subprocess.run(
            [str(rasa_bin), "-c", "import importlib.metadata as m; print(m.version('rasa'))"],
            capture_output=True,
            text=True,
        )
        rasa = out.stdout.strip() or rasa
    return (
        f"{os.cpu_count()} cores, {mem}, {platform.platform()}, "
        f"Python {platform.python_version()} (toolkit), Rasa {rasa} (assistant, Python 3.10)"
    )


def fmt(value: float) -> str:
    if value == int(value) and abs(value) < 1e12:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.3g}"


def section(result: dict) -> list[str]:
    title = SECTIONS.get(result["name"], result["name"])
    lines = [f"## {title}", ""]
    lines.append(f"`{result['command']}`, {result['date']}")
    lines.append("")
    lines += ["| figure | value | goal | met |", "|---|---|---|---|"]
    for f in result["figures"]:
        met = {True: "yes", False: "**no**", None: ""}[f.get("ok")]
        lines.append(
            f"| {f['label']} | {fmt(f['value'])} {f['unit']} | {f.get('goal') or ''} | {met} |"
        )
    if result.get("notes"):
        lines += ["", result["notes"]]
    lines.append("")
    return lines


def main() -> int:
    results = {}
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text())
        results[data["name"]] = data
    if not results:
        print(
            "no results in bench/results/: run the benchmarks first (make bench)", file=sys.stderr
        )
        return 1
    order = [n for n in SECTIONS if n in results] + sorted(set(results) - set(SECTIONS))
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/write_benchmarks.py`) from the figures each script in",
        "`bench/` recorded in `bench/results/`. Ratios are measured within one run, because the",
        "machines are shared and noisy; absolute times vary from run to run.",
        "",
        f"- Written: {datetime.now(UTC).date().isoformat()}",
        f"- Machine: {machine()}",
        "",
    ]
    for name in order:
        lines += section(results[name])
    TARGET.parent.mkdir(exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=TARGET.parent, delete=False, suffix=".tmp") as tmp:
        tmp.write("\n".join(lines))
    os.replace(tmp.name, TARGET)
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(order)} benchmarks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
