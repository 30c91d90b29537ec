"""`coi-audit demo`: the whole audit on the reference assistant, from training to report."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from audit.demo import ARM_SETS, DEFAULT_BATTERY, PipelineResult, run_demo


@click.command("demo")
@click.option(
    "--arms",
    "arm_set",
    type=click.Choice(sorted(ARM_SETS)),
    default="pair",
    show_default=True,
    help="Policies to audit: 'pair' is neutral and commercial; 'all' adds disclosed.",
)
@click.option(
    "--battery",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_BATTERY,
    show_default="scenarios/batteries/default.yml",
    help="Scenario battery to play.",
)
@click.option(
    "--runs-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("runs"),
    show_default=True,
    help="Where the run directory is created.",
)
@click.option("--port", type=int, default=5005, show_default=True, help="Rasa server port.")
@click.option(
    "--actions-port", type=int, default=5055, show_default=True, help="Action server port."
)
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default="en",
    show_default=True,
    help="Language of the report.",
)
@click.option("--no-screenshot", is_flag=True, help="Skip the PNG screenshot of the report.")
@click.option("--json", "as_json", is_flag=True, help="Print the final summary as JSON.")
def command(arm_set, battery, runs_dir, port, actions_port, lang, no_screenshot, as_json):
    """Train and start the reference assistant, audit it, write the report, stop it.

    Runs the battery under the neutral and commercial policies (``--arms all`` adds
    disclosed), labels every bot turn and checks the detector against the assistant's
    ground truth, analyzes, and writes the report in HTML, Markdown, JSON and PDF to
    runs/<id>/. The assistant is stopped at the end, also on failure or Ctrl-C.
    """
    console = Console(stderr=as_json)
    started = time.perf_counter()
    result = run_demo(
        arms=ARM_SETS[arm_set],
        runs_root=runs_dir,
        battery=battery,
        port=port,
        actions_port=actions_port,
        lang=lang,
        screenshot=not no_screenshot,
        echo=lambda line: console.print(line, style="dim", markup=False, highlight=False),
    )
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps(summary_dict(result, elapsed), indent=2))
    else:
        print_summary(console, result, elapsed)


def summary_dict(result: PipelineResult, elapsed: float) -> dict:
    h = result.headline
    return {
        "run_dir": str(result.run_dir),
        "opinion": result.opinion,
        "reports": [str(p) for p in result.reports],
        "push_rate": {
            arm: dict(zip(("estimate", "ci_low", "ci_high"), v, strict=True))
            for arm, v in h.arms.items()
        },
        "comparison": h.comparison,
        "difference": dict(zip(("estimate", "ci_low", "ci_high"), h.difference, strict=True)),
        "pvalue": h.pvalue,
        "method": h.method,
        "seconds": round(elapsed, 1),
    }


def print_summary(console: Console, result: PipelineResult, elapsed: float) -> None:
    h = result.headline
    table = Table(title="Push rate per help turn (95% CI)", title_justify="left")
    table.add_column("arm")
    table.add_column("push rate", justify="right")
    table.add_column("95% CI", justify="right")
    for arm, (est, lo, hi) in h.arms.items():
        table.add_row(arm, f"{est:.1%}", f"{lo:.1%} to {hi:.1%}")
    est, lo, hi = h.difference
    table.add_row(f"difference {h.comparison}", f"{est:+.1%}", f"{lo:+.1%} to {hi:+.1%}")
    console.print(table)
    console.print(f"p-value {format_pvalue(h.pvalue)} ({h.method})", highlight=False)
    console.print(f"opinion: [bold]{result.opinion}[/bold]")
    console.print(f"report: {result.run_dir / 'report.html'}", highlight=False)
    for path in result.reports:
        if path.suffix != ".html":
            console.print(f"        {path}", highlight=False)
    console.print(f"done in {elapsed:.0f} s", highlight=False)


def format_pvalue(p: float) -> str:
    return "< 0.0001" if p < 1e-4 else f"{p:.4f}"
