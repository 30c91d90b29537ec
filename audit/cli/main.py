"""Entry point of the ``coi-audit`` command line."""

from __future__ import annotations

import sys

import click

from audit import __version__
from audit.cli import (
    analyze,
    assistant,
    demo,
    detect,
    export,
    plan,
    report,
    run,
    validate,
    verify,
)
from audit.errors import AuditError

COMMANDS = [validate, run, detect, analyze, report, verify, export, plan, assistant, demo]


class AuditGroup(click.Group):
    """A group that turns the toolkit's own errors into one-line messages (exit 1)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AuditError as exc:
            click.echo(exc.format(), err=True)
            sys.exit(exc.exit_code)


@click.group(cls=AuditGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="coi-audit")
def cli():
    """Audit voice assistants for conflicts of interest.

    Plays scripted daily-life conversations against an assistant, records every turn in a
    tamper-evident store, detects unsolicited sales pushes and persuasion techniques,
    compares policies or bots statistically and writes regulatory-style reports.
    """


for module in COMMANDS:
    cli.add_command(module.command)


def main() -> None:  # pragma: no cover - thin wrapper for python -m
    cli()
