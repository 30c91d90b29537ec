"""`coi-audit export`."""

import click

from audit.errors import AuditError


@click.command("export")
def command():
    """(Not implemented yet.)"""
    raise AuditError("'export' is not implemented yet")
