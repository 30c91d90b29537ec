"""`coi-audit plan`."""

import click

from audit.errors import AuditError


@click.command("plan")
def command():
    """(Not implemented yet.)"""
    raise AuditError("'plan' is not implemented yet")
