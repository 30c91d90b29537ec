"""`coi-audit validate`."""

import click

from audit.errors import AuditError


@click.command("validate")
def command():
    """(Not implemented yet.)"""
    raise AuditError("'validate' is not implemented yet")
