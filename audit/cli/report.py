"""`coi-audit report`: the regulatory-style report of a run (HTML, Markdown, JSON, PDF)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from audit.errors import AuditError


@click.command("report")
@click.argument("run", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "formats",
    default="html,md,json,pdf",
    show_default=True,
    help="Comma-separated formats to write: html, md, json, pdf.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default="en",
    show_default=True,
    help="Language of the report's text.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing; only write the files.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the opinion and written files as JSON."
)
def command(run: Path, formats: str, lang: str, quiet: bool, as_json: bool):
    """Write RUN/report.{html,md,json,pdf}: opinion, scope, methodology, findings with evidence,
    results with charts, coverage, limitations and a reproducibility appendix.

    Runs the analysis first (RUN/analysis.json) when it is missing. The HTML is one
    self-contained file (no network); the PDF is printed from it with WeasyPrint.
    """
    from audit.store import run_db_path
    from reports.render import parse_formats

    chosen = parse_formats(formats)
    run_db_path(run)  # a clear error before any work when RUN is not a run directory
    if quiet or as_json:
        paths, report = _make(run, chosen, lang, lambda message: None)
    else:
        from rich.console import Console

        console = Console(stderr=True)
        with console.status("report...") as status:
            paths, report = _make(
                run, chosen, lang, lambda message: status.update(f"report: {message}...")
            )
    if as_json:
        payload = {
            "run": str(run),
            "run_id": report.run_id,
            "opinion": report.opinion.kind,
            "arms": {a.arm: a.kind for a in report.opinion.arms},
            "findings": len(report.findings),
            "files": {fmt: str(path) for fmt, path in paths.items()},
        }
        click.echo(json.dumps(payload, indent=2))
    elif not quiet:
        click.echo(f"opinion: {report.opinion.label} ({len(report.findings)} finding(s))")
        for arm in report.opinion.arms:
            click.echo(f"  {arm.arm} ({arm.role}): {arm.label}")
        for path in paths.values():
            click.echo(f"wrote {path}")


def _make(run: Path, formats, lang: str, progress):
    from audit.analysis_model import ANALYSIS_NAME
    from reports.model import build_report
    from reports.render import write_report

    if not (run / ANALYSIS_NAME).exists():
        progress("analysing the run (no analysis.json yet)")
        try:
            from audit.analysis import analyze_run
        except ImportError as exc:  # pragma: no cover - the analysis ships with the toolkit
            raise AuditError(f"cannot run the analysis: {exc}") from None
        analyze_run(run)
    progress("building the report")
    report = build_report(run, lang=lang)
    paths = write_report(report, run, formats, progress=progress)
    return paths, report
