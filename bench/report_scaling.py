"""Report time for a synthetic run of 10,000 conversations (goal: HTML + MD + JSON <= 15 s).

Builds a synthetic run (``audit.synthetic.make_synthetic_run``) and its analysis outside the
timing, then times ``coi-audit report``'s work: loading the run and the analysis, deciding the
findings, picking evidence, the charts and the three text formats (the HTML includes the
browsable page of every conversation). The PDF, printed from the HTML without the transcript
page, is timed separately for information.

Usage: .venv/bin/python bench/report_scaling.py [--conversations 10000] [--no-pdf]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import Figure, record  # noqa: E402

GOAL_S = 15.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--no-pdf", action="store_true", help="skip the (informative) PDF timing")
    args = parser.parse_args()

    from audit.analysis import analyze_run
    from audit.synthetic import make_synthetic_run
    from reports.model import build_report
    from reports.render import write_report

    with tempfile.TemporaryDirectory(prefix="coi-bench-report-") as tmp:
        run = make_synthetic_run(Path(tmp) / "run", args.conversations, seed=1)
        analyze_run(run, n_boot=2000, seed=0)

        started = time.perf_counter()
        report = build_report(run, lang="en")
        built = time.perf_counter()
        paths = write_report(report, run, ("html", "md", "json"))
        done = time.perf_counter()
        sizes = {fmt: path.stat().st_size / 1e6 for fmt, path in paths.items()}
        total = done - started
        figures = [
            Figure(
                f"report HTML+MD+JSON, {args.conversations:,} conversations",
                total,
                "s",
                goal=f"<= {GOAL_S:g}",
                ok=total <= GOAL_S,
            ),
            Figure("  of which building the report model", built - started, "s"),
            Figure("  of which rendering HTML+MD+JSON", done - built, "s"),
            Figure("report.html size", sizes["html"], "MB"),
            Figure("report.json size", sizes["json"], "MB"),
        ]
        if not args.no_pdf:
            pdf_start = time.perf_counter()
            pdf = write_report(report, run, ("pdf",))["pdf"]
            figures.append(
                Figure("report PDF (no transcript page)", time.perf_counter() - pdf_start, "s")
            )
            from pypdf import PdfReader

            figures.append(Figure("report.pdf pages", len(PdfReader(str(pdf)).pages), "pages"))
    record(
        "report_scaling",
        figures,
        notes=(
            f"synthetic run of {args.conversations:,} conversations (2 arms), analysis done "
            "beforehand; timed: build_report + write_report(html, md, json). Machine shared with "
            "other jobs while measured: figures are upper bounds."
        ),
    )


if __name__ == "__main__":
    main()
