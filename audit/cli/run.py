"""`coi-audit run`."""

import click

from audit.errors import AuditError


@click.command("run")
def command():
    """(Not implemented yet.)"""
    raise AuditError("'run' is not implemented yet")
