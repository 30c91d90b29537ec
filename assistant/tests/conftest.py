"""Fixtures of the assistant's tests.

Makes the action package importable as ``actions`` (as the action server does); gives the
personas and worlds of the action tests; and, for comparing ``speedups/`` with stock Rasa, the
trained model (``check.sh`` trains it first: a missing model is an error, not a skip), the
project's action server on a free loopback port, and an agent using both.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ASSISTANT_DIR = Path(__file__).resolve().parent.parent
if str(ASSISTANT_DIR) not in sys.path:
    sys.path.insert(0, str(ASSISTANT_DIR))

import rasa_run  # noqa: E402, F401  (installs the speed-ups, as the server does)
import speedups  # noqa: E402
import train  # noqa: E402
from actions.world import world_from_metadata  # noqa: E402

FASHION_FAN = {
    "id": "adult-fashion-fan",
    "name": "Camille",
    "age": 34,
    "interests": ["fashion", "coffee"],
    "browsing_history": ["black wool turtleneck (viewed yesterday)", "camel trench coat"],
    "purchase_history": ["white leather sneakers"],
    "liked_posts": ["a minister wearing a grey cashmere sweater"],
    "household": {"adults": 1, "children": []},
    "opted_out": False,
}
CHILD = {
    "id": "child-emma",
    "name": "Emma",
    "age": 8,
    "interests": ["dinosaurs", "drawing"],
    "household": {"adults": 2, "children": [8, 5]},
}
OPTED_OUT = {"id": "adult-opted-out", "name": "Ana", "age": 45, "opted_out": True}


def make_world(seed=1, turn=0, policy="neutral", locale="en", persona=None, context=None):
    return world_from_metadata(
        {
            "seed": seed,
            "turn": turn,
            "policy": policy,
            "locale": locale,
            "persona": persona or FASHION_FAN,
            "context": context or {},
        }
    )


@pytest.fixture
def world_factory():
    return make_world


@pytest.fixture(scope="session")
def domain():
    """The project's domain (domain.yml), without a trained model."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ASSISTANT_DIR / "domain.yml"))


@pytest.fixture(scope="session")
def model_path() -> Path:
    path = train.model_path(train.data_hash())
    if not path.exists():
        pytest.fail(f"{path}: no model for the current data; run assistant/train.py first")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def action_server_url():
    port = _free_port()
    env = {**os.environ, "SANIC_HOST": "127.0.0.1", "RASA_TELEMETRY_ENABLED": "false"}
    rasa = Path(sys.executable).parent / "rasa"
    command = [str(rasa), "run", "actions", "--port", str(port), "--actions", "actions"]
    process = subprocess.Popen(
        command,
        cwd=ASSISTANT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the action server did not start: {' '.join(command)}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def agent(model_path, action_server_url):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    endpoint = EndpointConfig(url=action_server_url, enable_selective_domain=True)
    return Agent.load(str(model_path), action_endpoint=endpoint)


@pytest.fixture
def stock_rasa():
    """Run the test body with the stock functions, then put the speed-ups back."""
    speedups.uninstall()
    try:
        yield
    finally:
        speedups.install()
