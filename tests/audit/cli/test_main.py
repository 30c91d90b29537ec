"""The CLI skeleton: help, version, unknown commands, one-line errors."""

import click
from click.testing import CliRunner

from audit import __version__
from audit.cli.main import cli
from audit.errors import AuditError

EXPECTED = {
    "validate",
    "run",
    "detect",
    "analyze",
    "report",
    "verify",
    "export",
    "plan",
    "assistant",
    "demo",
}


def test_every_command_is_registered():
    assert set(cli.commands) == EXPECTED


def test_every_command_has_help_text():
    runner = CliRunner()
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert command.help and command.help.strip(), f"{name} has no help text"
        assert "not implemented" not in command.help.lower(), f"{name} is still a stub"
        subcommands = getattr(command, "commands", {})
        for sub_name, sub in subcommands.items():
            assert sub.help and sub.help.strip(), f"{name} {sub_name} has no help text"


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"coi-audit, version {__version__}\n"


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["nosuchcommand"])
    assert result.exit_code == 2
    assert "No such command 'nosuchcommand'" in result.output


def test_audit_error_prints_one_line_and_exits_1():
    @click.command("boom")
    def boom():
        """Fail on purpose."""
        raise AuditError("the battery file is empty", hint="add at least one scenario")

    cli.add_command(boom)
    try:
        result = CliRunner().invoke(cli, ["boom"])
    finally:
        cli.commands.pop("boom")
    assert result.exit_code == 1
    assert result.output == "error: the battery file is empty\nhint: add at least one scenario\n"
    assert "Traceback" not in result.output
