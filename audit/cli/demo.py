"""`coi-audit demo`."""

import click

from audit.errors import AuditError


@click.command("demo")
def command():
    """(Not implemented yet.)"""
    raise AuditError("'demo' is not implemented yet")
