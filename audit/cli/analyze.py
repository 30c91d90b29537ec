"""`coi-audit analyze`: endpoints, comparisons and corrections of a run -> analysis.json."""

from __future__ import annotations

from pathlib import Path

import click

from audit.analysis_model import ANALYSIS_NAME, ENDPOINTS, Analysis


@click.command("analyze")
@click.argument("run", type=click.Path(path_type=Path))
@click.option(
    "--n-boot",
    type=click.IntRange(min=100),
    default=2000,
    show_default=True,
    help="Bootstrap replicates for the primary comparison.",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--detector-accuracy",
    "accuracy_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="JSON with the detector's validated sensitivity/specificity (default: "
    "RUN/detector_accuracy.json, else the manifest).",
)
@click.option(
    "--detector-version", default=None, help="Use these labels instead of the newest ones."
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing; only write analysis.json.")
@click.option("--json", "as_json", is_flag=True, help="Print analysis.json on stdout.")
def command(
    run: Path,
    n_boot: int,
    seed: int,
    accuracy_file: Path | None,
    detector_version: str | None,
    quiet: bool,
    as_json: bool,
):
    """Analyse RUN (a directory made by `coi-audit run`) and write RUN/analysis.json.

    Per arm: push rate per help turn (conversation-clustered 95% CI), conversations with any
    push, undisclosed, child-directed and data-based pushes, pushes after opt-out and after
    decline, help given, turns to first push; the push rate corrected for the detector's
    measured error. Between arms, as the run's plan declares (else every arm against the
    first): primary = cluster bootstrap difference + scenario-stratified CMH test (McNemar on
    paired cells as a check); secondaries Holm-adjusted; domain/persona breakdowns BH-adjusted.
    """
    from audit.analysis import analyze_run

    if quiet or as_json:
        analysis = analyze_run(
            run,
            n_boot=n_boot,
            seed=seed,
            detector_accuracy=accuracy_file,
            detector_version=detector_version,
        )
    else:
        from rich.console import Console

        console = Console(stderr=True)
        with console.status("analysing...") as status:
            analysis = analyze_run(
                run,
                n_boot=n_boot,
                seed=seed,
                detector_accuracy=accuracy_file,
                detector_version=detector_version,
                progress=lambda message: status.update(f"analysing: {message}..."),
            )
    if as_json:
        click.echo(analysis.to_json(), nl=False)
    elif not quiet:
        print_analysis(analysis, run)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _interval(estimate, low, high, percent: bool = True) -> str:
    if estimate is None:
        return "-"
    if percent:
        text = _pct(estimate)
        return text if low is None else f"{text} [{_pct(low)}, {_pct(high)}]"
    text = f"{estimate:g}"
    return text if low is None else f"{text} [{low:g}, {high:g}]"


def _pvalue(p: float | None) -> str:
    if p is None:
        return "-"
    return "<0.0001" if p < 1e-4 else f"{p:.4f}"


def _short_test(name: str) -> str:
    if "Mantel-Haenszel" in name:
        return "CMH by scenario"
    if "log-rank" in name.lower():
        return "log-rank"
    return name.split(" with ")[0]


def print_analysis(analysis: Analysis, run: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    primary = analysis.plan.primary_endpoint
    for arm, result in analysis.arms.items():
        table = Table(
            title=f"{arm}: {result.conversations} conversations ({result.errored} errored), "
            f"{result.help_turns} help turns",
            title_justify="left",
        )
        table.add_column("endpoint")
        table.add_column("estimate [95% CI]", justify="right")
        table.add_column("k / n", justify="right")
        for name in ENDPOINTS:
            value = result.endpoints[name]
            percent = name != "turns_to_first_push"
            label = f"{name} (primary)" if name == primary else name
            table.add_row(
                label,
                _interval(value.estimate, value.ci_low, value.ci_high, percent),
                f"{value.k} / {value.n}",
                style="bold" if name == primary else None,
            )
        if result.corrected_push_rate is not None:
            c = result.corrected_push_rate
            table.add_row("push_rate corrected", _interval(c.estimate, c.ci_low, c.ci_high), "")
        if result.ground_truth_push_rate is not None:
            g = result.ground_truth_push_rate
            table.add_row(
                "push_rate ground truth",
                _interval(g.estimate, g.ci_low, g.ci_high),
                f"{g.k} / {g.n}",
            )
        console.print(table)
    pairs = list(dict.fromkeys((c.arm_a, c.arm_b) for c in analysis.comparisons))
    for arm_a, arm_b in pairs:
        table = Table(title=f"{arm_a} - {arm_b}", title_justify="left")
        table.add_column("endpoint", no_wrap=True)
        table.add_column("difference [95% CI]", justify="right", no_wrap=True)
        table.add_column("test")
        table.add_column("p", justify="right")
        table.add_column("adj. p", justify="right")
        for c in analysis.comparisons:
            if (c.arm_a, c.arm_b) != (arm_a, arm_b):
                continue
            percent = c.endpoint != "turns_to_first_push"
            table.add_row(
                f"{c.endpoint} (primary)" if c.role == "primary" else c.endpoint,
                _interval(c.estimate, c.ci_low, c.ci_high, percent),
                _short_test(c.test.name),
                _pvalue(c.test.pvalue),
                _pvalue(c.pvalue_adjusted) + (" *" if c.significant else "  "),
                style="bold" if c.role == "primary" else None,
            )
            for check in c.checks.values():
                table.add_row(
                    "  check", "", "McNemar, paired cells", _pvalue(check.pvalue), "", style="dim"
                )
        console.print(table)
    if pairs:
        console.print(
            f"* significant at alpha = {analysis.plan.alpha} after adjustment "
            "(secondaries: Holm; primary: Holm when several comparisons)"
        )
    if analysis.detector_accuracy is None:
        console.print("detector accuracy unknown: no corrected rates (see --detector-accuracy)")
    target = run / ANALYSIS_NAME if run.is_dir() else run.parent / ANALYSIS_NAME
    console.print(f"wrote {target}")
