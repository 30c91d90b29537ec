"""Fixtures for end-to-end tests: the real reference assistant on free loopback ports."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import pytest

from audit import assistant_ctl


@dataclass(frozen=True)
class RunningAssistant:
    url: str
    port: int
    actions_port: int
    status: assistant_ctl.Status


def train_if_needed() -> None:
    python = assistant_ctl.ASSISTANT_ENV / "bin" / "python"
    if not python.exists():
        pytest.fail(f"{python} is missing: run `make env-assistant` (or `make test`)")
    completed = subprocess.run(
        [str(python), str(assistant_ctl.ASSISTANT_DIR / "train.py"), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(f"training the assistant failed:\n{completed.stdout}\n{completed.stderr}")


@pytest.fixture(scope="session")
def reference_assistant():
    """Train if stale, start Rasa + actions on free ports, yield their URL, always stop."""
    train_if_needed()
    port, actions_port = assistant_ctl.free_port(), assistant_ctl.free_port()
    with assistant_ctl.running_assistant(port=port, actions_port=actions_port) as status:
        yield RunningAssistant(url=status.url, port=port, actions_port=actions_port, status=status)
