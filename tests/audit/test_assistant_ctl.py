"""assistant_ctl's lifecycle with a stand-in ``rasa`` executable (fast, no Rasa needed).

The stand-in serves ``/status`` (with a model file) or ``/health`` on the port it is given, like
``rasa run`` and ``rasa run actions``; FAKE_RASA_MODE=crash makes it exit at once with a message.
The real servers are covered by tests/e2e/test_assistant_e2e.py.
"""

from __future__ import annotations

import os
import socket
import sys
import textwrap

import pytest

from audit import assistant_ctl
from audit.errors import AuditError

FAKE_RASA = textwrap.dedent(
    """\
    #!{python}
    import http.server, json, os, sys
    args = sys.argv[1:]
    if os.environ.get("FAKE_RASA_MODE") == "crash":
        print("boom: the model archive is corrupt", flush=True)
        sys.exit(3)
    port = int(args[args.index("--port") + 1])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = {{"model_file": "fake.tar.gz"}} if self.path == "/status" else {{"ok": True}}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """
)


@pytest.fixture
def fake_env(tmp_path, monkeypatch):
    env = tmp_path / "venv"
    (env / "bin").mkdir(parents=True)
    rasa = env / "bin" / "rasa"
    rasa.write_text(FAKE_RASA.format(python=sys.executable))
    rasa.chmod(0o755)
    # The Rasa server runs as `<env>/bin/python <assistant>/rasa_run.py run ...`.
    (env / "bin" / "python").symlink_to(sys.executable)
    (tmp_path / "rasa_run.py").write_text(FAKE_RASA.format(python=sys.executable))
    models = tmp_path / "models"
    models.mkdir()
    (models / "coi-abc.tar.gz").write_bytes(b"model")
    monkeypatch.setattr(assistant_ctl, "ASSISTANT_ENV", env)
    monkeypatch.setattr(assistant_ctl, "MODELS_DIR", models)
    monkeypatch.setattr(assistant_ctl, "STATE_DIR", tmp_path / "state")
    monkeypatch.setattr(assistant_ctl, "ASSISTANT_DIR", tmp_path)
    monkeypatch.setattr(assistant_ctl, "_children", {})
    yield tmp_path
    assistant_ctl.stop()


def ports():
    return assistant_ctl.free_port(), assistant_ctl.free_port()


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_start_status_stop(fake_env):
    port, actions_port = ports()
    status = assistant_ctl.start(port=port, actions_port=actions_port, timeout=20)
    assert status.running
    assert status.url == f"http://127.0.0.1:{port}"
    assert status.model.endswith("coi-abc.tar.gz")
    assert set(status.pids) == {"rasa", "actions"}
    assert assistant_ctl.status(port).running
    endpoints = (fake_env / "state" / f"endpoints-{port}.yml").read_text()
    assert f"127.0.0.1:{actions_port}/webhook" in endpoints

    assert assistant_ctl.stop() is True
    assert not any(pid_alive(pid) for pid in status.pids.values())
    assert not assistant_ctl.status(port).running
    assert assistant_ctl.stop() is False  # idempotent


def test_starting_twice_reports_already_running(fake_env):
    port, actions_port = ports()
    assistant_ctl.start(port=port, actions_port=actions_port, timeout=20)
    with pytest.raises(assistant_ctl.AlreadyRunning, match="already running at"):
        assistant_ctl.start(port=port, actions_port=actions_port)


def test_a_port_in_use_is_a_clear_error(fake_env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(AuditError, match=f"port {port} is already in use"):
            assistant_ctl.start(port=port, actions_port=assistant_ctl.free_port())
    assert assistant_ctl.instances() == []


def test_a_crash_while_starting_shows_the_log_and_leaves_nothing(fake_env, monkeypatch):
    monkeypatch.setenv("FAKE_RASA_MODE", "crash")
    port, actions_port = ports()
    with pytest.raises(AuditError, match="boom: the model archive is corrupt"):
        assistant_ctl.start(port=port, actions_port=actions_port, timeout=20)
    assert assistant_ctl.instances() == []


def test_missing_model_and_environment(fake_env, monkeypatch):
    for model in (fake_env / "models").iterdir():
        model.unlink()
    with pytest.raises(AuditError, match="no trained model"):
        assistant_ctl.start(*ports())
    monkeypatch.setattr(assistant_ctl, "ASSISTANT_ENV", fake_env / "nowhere")
    with pytest.raises(AuditError, match="assistant environment"):
        assistant_ctl.start(*ports())


def test_running_assistant_stops_even_on_error(fake_env):
    port, actions_port = ports()
    with pytest.raises(RuntimeError), assistant_ctl.running_assistant(port, actions_port) as status:
        pids = list(status.pids.values())
        raise RuntimeError("the test failed")
    assert not any(pid_alive(pid) for pid in pids)
    assert not assistant_ctl.status(port).running


def test_stop_from_a_fresh_process_stops_every_recorded_instance(fake_env, monkeypatch):
    a = assistant_ctl.start(*ports(), timeout=20)
    b = assistant_ctl.start(*ports(), timeout=20)
    monkeypatch.setattr(assistant_ctl, "_children", {})  # as if the CLI ran `stop` later
    assert {s.port for s in assistant_ctl.instances() if s.running} == {a.port, b.port}
    assert assistant_ctl.stop() is True
    assert assistant_ctl.instances() == []
    assert not any(pid_alive(p) for s in (a, b) for p in s.pids.values())


def test_cli_start_twice_status_stop(fake_env):
    import json

    from click.testing import CliRunner

    from audit.cli.main import cli

    runner = CliRunner()
    port, actions_port = ports()
    args = ["assistant", "start", "--port", str(port), "--actions-port", str(actions_port)]
    first = runner.invoke(cli, [*args, "--quiet"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("started: running at")
    second = runner.invoke(cli, [*args, "--json"])
    assert second.exit_code == 0
    assert json.loads(second.output)["message"].startswith("already running")
    status = runner.invoke(cli, ["assistant", "status", "--json"])
    assert json.loads(status.output)[0]["port"] == port
    stopped = runner.invoke(cli, ["assistant", "stop"])
    assert stopped.output.strip() == "stopped"
    assert runner.invoke(cli, ["assistant", "status"]).output.strip() == "not running"


def test_cli_busy_port_exits_1_with_one_line(fake_env):
    from click.testing import CliRunner

    from audit.cli.main import cli

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["assistant", "start", "--port", str(port), "--quiet"])
    assert result.exit_code == 1
    assert f"error: port {port} is already in use" in result.output
    assert "Traceback" not in result.output


def test_unknown_policy_is_refused(fake_env):
    (fake_env / "policies").mkdir()
    (fake_env / "policies" / "neutral.yml").write_text("name: neutral\n")
    with pytest.raises(AuditError, match="unknown policy 'greedy'"):
        assistant_ctl.start(*ports(), policy="greedy")


def _command_line(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().decode().split("\0")[:3]


def test_the_server_runs_with_the_speed_ups_unless_stock_rasa_is_asked(fake_env):
    from click.testing import CliRunner

    from audit.cli.main import cli

    env = fake_env / "venv" / "bin"
    port, actions_port = ports()
    status = assistant_ctl.start(port=port, actions_port=actions_port, timeout=20)
    assert status.speedups is True
    assert _command_line(status.pids["rasa"])[1:] == [str(fake_env / "rasa_run.py"), "run"]
    assistant_ctl.stop(port)

    port, actions_port = ports()
    args = ["assistant", "start", "--port", str(port), "--actions-port", str(actions_port)]
    result = CliRunner().invoke(cli, [*args, "--stock-rasa", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "stock Rasa; policy" in result.output
    stock = assistant_ctl.status(port)
    assert stock.speedups is False
    assert _command_line(stock.pids["rasa"])[1:] == [str(env / "rasa"), "run"]
