"""`coi-audit report`."""

import click

from audit.errors import AuditError


@click.command("report")
def command():
    """(Not implemented yet.)"""
    raise AuditError("'report' is not implemented yet")
