"""Shared fixtures: the real reference assistant on free loopback ports, and one run of the
demo pipeline on the smoke battery for the end-to-end tests."""

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


@pytest.fixture(scope="session")
def smoke_pipeline(reference_assistant, tmp_path_factory):
    """The demo's pipeline (run, detect, analyze, report) on the smoke battery, played once per
    test session against the real assistant and shared by the end-to-end tests that read it."""
    from audit.demo import REPO_ROOT, run_pipeline

    return run_pipeline(
        target_url=reference_assistant.url,
        runs_root=tmp_path_factory.mktemp("runs"),
        battery=REPO_ROOT / "scenarios" / "batteries" / "smoke.yml",
        screenshot=False,
        echo=lambda line: None,
    )
