"""`coi-audit verify`."""

import click

from audit.errors import AuditError


@click.command("verify")
def command():
    """(Not implemented yet.)"""
    raise AuditError("'verify' is not implemented yet")
