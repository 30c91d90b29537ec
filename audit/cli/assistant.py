"""`coi-audit assistant`."""

import click

from audit.errors import AuditError


@click.command("assistant")
def command():
    """(Not implemented yet.)"""
    raise AuditError("'assistant' is not implemented yet")
