"""`coi-audit detect`."""

import click

from audit.errors import AuditError


@click.command("detect")
def command():
    """(Not implemented yet.)"""
    raise AuditError("'detect' is not implemented yet")
