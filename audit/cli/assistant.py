"""`coi-audit assistant start|stop|status|train`: the reference assistant's lifecycle."""

from __future__ import annotations

import json
import subprocess
import sys

import click

from audit import assistant_ctl
from audit.errors import AuditError


def _emit(status: assistant_ctl.Status, as_json: bool, message: str) -> None:
    if as_json:
        click.echo(json.dumps({**status.to_dict(), "message": message}, indent=2))
    else:
        click.echo(message)


def _describe(status: assistant_ctl.Status) -> str:
    pids = ", ".join(f"{k} {v}" for k, v in status.pids.items())
    policy = status.policy or "from metadata (default neutral)"
    server = "" if status.speedups else "stock Rasa; "
    return (
        f"running at {status.url} (actions on port {status.actions_port}; pids {pids}; "
        f"{server}policy {policy}; model {status.model})"
    )


@click.group("assistant")
def command():
    """Start, stop, inspect and train the reference assistant (Rasa, on 127.0.0.1)."""


@command.command("start")
@click.option("--port", default=5005, show_default=True, help="Port of the Rasa server.")
@click.option("--actions-port", default=5055, show_default=True, help="Port of the action server.")
@click.option(
    "--policy",
    default=None,
    help="Default policy of the action server (COI_POLICY) for messages without metadata.policy.",
)
@click.option(
    "--model", default=None, help="Model archive (default: the newest in assistant/models)."
)
@click.option("--no-wait", is_flag=True, help="Return at once instead of waiting for /status.")
@click.option(
    "--stock-rasa",
    is_flag=True,
    help="Run the stock `rasa run`, without assistant/speedups/ (same replies, slower).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--quiet", is_flag=True, help="No progress spinner.")
def start(port, actions_port, policy, model, no_wait, stock_rasa, as_json, quiet):
    """Start the Rasa server and the action server; wait until the model is loaded."""
    options = dict(
        port=port,
        actions_port=actions_port,
        wait=not no_wait,
        policy=policy,
        model=model,
        speedups=not stock_rasa,
    )
    try:
        if quiet or as_json or not sys.stderr.isatty():
            status = assistant_ctl.start(**options)
        else:
            from rich.console import Console

            with Console(stderr=True).status(f"starting the reference assistant on port {port}"):
                status = assistant_ctl.start(**options)
    except assistant_ctl.AlreadyRunning as exc:
        _emit(exc.status, as_json, f"already running: {_describe(exc.status)}")
        return
    _emit(status, as_json, f"started: {_describe(status)}")


@command.command("stop")
@click.option("--port", type=int, default=None, help="Stop only the instance on this port.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def stop(port, as_json):
    """Stop the assistant (every instance started with `assistant start`, or one --port)."""
    stopped = assistant_ctl.stop(port)
    message = "stopped" if stopped else "not running"
    if as_json:
        click.echo(json.dumps({"stopped": stopped, "message": message}))
    else:
        click.echo(message)


@command.command("status")
@click.option("--port", type=int, default=None, help="Only the instance on this port.")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(port, as_json):
    """Show whether the assistant runs, where, with which processes and model."""
    found = [assistant_ctl.status(port)] if port is not None else assistant_ctl.instances()
    found = [s for s in found if s.running] or [assistant_ctl.Status(running=False, port=port)]
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in found], indent=2))
        return
    for s in found:
        click.echo(_describe(s) if s.running else "not running")


@command.command("train")
@click.option("--force", is_flag=True, help="Retrain even if the model matches the data.")
def train(force):
    """Train the assistant if its data changed (cached by a hash of config, domain and data)."""
    python = assistant_ctl.ASSISTANT_ENV / "bin" / "python"
    if not python.exists():
        raise AuditError(f"{python}: missing", hint="run `make env-assistant`")
    argv = [str(python), str(assistant_ctl.ASSISTANT_DIR / "train.py")]
    if force:
        argv.append("--force")
    completed = subprocess.run(argv, check=False)
    if completed.returncode != 0:
        raise AuditError(f"training failed (exit code {completed.returncode})")
