"""`coi-audit analyze`."""

import click

from audit.errors import AuditError


@click.command("analyze")
def command():
    """(Not implemented yet.)"""
    raise AuditError("'analyze' is not implemented yet")
