"""Start, stop and inspect the reference assistant (Rasa server + action server) on loopback.

Runs in the toolkit env and never imports Rasa: it spawns ``.venv-assistant/bin/rasa run``
and ``rasa run actions`` in their own process groups, bound to 127.0.0.1, logs to
``runs/.assistant/*.log`` and records the instances in ``runs/.assistant/state.json`` (one
entry per Rasa port, so tests on free ports can run beside a demo on 5005). ``stop()`` without a
port stops the instances this process started, or every recorded instance from a fresh process
(the CLI): SIGTERM to each process group, SIGKILL after 10 s; nothing is left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from audit.errors import AuditError

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSISTANT_DIR = REPO_ROOT / "assistant"
ASSISTANT_ENV = REPO_ROOT / ".venv-assistant"
MODELS_DIR = ASSISTANT_DIR / "models"
STATE_DIR = REPO_ROOT / "runs" / ".assistant"
HOST = "127.0.0.1"
READY_TIMEOUT_S = 120.0
STOP_GRACE_S = 10.0

# Popen objects of the instances started by this process, by Rasa port: lets stop() reap them.
_children: dict[int, list[subprocess.Popen]] = {}


@dataclass(frozen=True)
class Status:
    running: bool
    url: str | None = None
    pids: dict[str, int] = field(default_factory=dict)
    model: str | None = None
    port: int | None = None
    actions_port: int | None = None
    policy: str | None = None
    speedups: bool = True  # False: the stock `rasa run`

    def to_dict(self) -> dict:
        return asdict(self)


class AlreadyRunning(AuditError):
    """``start`` on a port where this assistant is already running."""

    def __init__(self, status: Status):
        super().__init__(
            f"the reference assistant is already running at {status.url} "
            f"(pids {status.pids.get('rasa')}, {status.pids.get('actions')})",
            hint="stop it first with `coi-audit assistant stop`",
        )
        self.status = status


# --- state file ------------------------------------------------------------------------------


def _state_path() -> Path:
    return STATE_DIR / "state.json"


def _read_state() -> dict[str, dict]:
    try:
        data = json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("instances", {}) if isinstance(data, dict) else {}


def _write_state(instances: dict[str, dict]) -> None:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=STATE_DIR, delete=False, suffix=".tmp", encoding="utf-8"
    ) as tmp:
        json.dump({"instances": instances}, tmp, indent=2)
    os.replace(tmp.name, _state_path())


@contextlib.contextmanager
def _state_lock() -> Iterator[None]:
    """Serialise read-modify-write of the state file between processes (tests run in parallel)."""
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    with (STATE_DIR / "state.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _update_state(port: int, entry: dict | None) -> None:
    with _state_lock():
        instances = _read_state()
        if entry is None:
            instances.pop(str(port), None)
        else:
            instances[str(port)] = entry
        _write_state(instances)


# --- processes -------------------------------------------------------------------------------


def _alive(pid: int | None) -> bool:
    """True if the process exists, is not a zombie and still looks like ours (pid reuse)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path(f"/proc/{pid}")
    if proc.exists():
        try:
            stat = (proc / "stat").read_text()
            if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                return False
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            return False
        return b"rasa" in cmdline
    return True


def _terminate_group(pid: int) -> None:
    """SIGTERM the process group led by pid; SIGKILL whatever is left after the grace period."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    while time.monotonic() < deadline:
        _reap(pid)
        if not _group_alive(pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    for _ in range(50):
        _reap(pid)
        if not _group_alive(pid):
            return
        time.sleep(0.1)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    # killpg(…, 0) also succeeds while only zombies remain: look for a live member.
    proc = Path("/proc")
    if not proc.exists():
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def _reap(pid: int) -> None:
    for procs in _children.values():
        for p in procs:
            if p.pid == pid:
                p.poll()
                return


def port_in_use(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # Like the servers themselves: a port held only by TIME_WAIT connections is free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.strip().splitlines()[-lines:])


# --- public API -------------------------------------------------------------------------------


def latest_model() -> Path | None:
    models = sorted(MODELS_DIR.glob("coi-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def _status_of(port: str, entry: dict) -> Status:
    pids = {"rasa": entry.get("rasa_pid"), "actions": entry.get("actions_pid")}
    running = _alive(pids["rasa"]) and _alive(pids["actions"])
    return Status(
        running=running,
        url=entry.get("url"),
        pids={k: v for k, v in pids.items() if v},
        model=entry.get("model"),
        port=int(port),
        actions_port=entry.get("actions_port"),
        policy=entry.get("policy"),
        speedups=entry.get("speedups", True),
    )


def status(port: int | None = None) -> Status:
    """The instance on ``port``; without a port, this process's instance or the first recorded."""
    instances = _read_state()
    if port is None:
        mine = [str(p) for p in _children if str(p) in instances]
        candidates = mine or sorted(instances)
        if not candidates:
            return Status(running=False)
        port_key = candidates[0]
    else:
        port_key = str(port)
        if port_key not in instances:
            return Status(running=False, port=port)
    return _status_of(port_key, instances[port_key])


def instances() -> list[Status]:
    return [_status_of(p, e) for p, e in sorted(_read_state().items())]


def start(
    port: int = 5005,
    actions_port: int = 5055,
    wait: bool = True,
    policy: str | None = None,
    model: str | Path | None = None,
    timeout: float = READY_TIMEOUT_S,
    speedups: bool = True,
) -> Status:
    """Spawn the action server and the Rasa server on loopback; wait until the model is loaded.

    ``speedups=False`` runs the stock ``rasa run`` instead of ``assistant/rasa_run.py``: the same
    replies and events, more slowly (for comparisons such as ``bench/assistant_latency.py``).
    """
    current = status(port)
    if current.running:
        raise AlreadyRunning(current)
    if current.pids:  # a stale entry: its processes died; clear whatever is left
        stop(port)
    rasa = ASSISTANT_ENV / "bin" / "rasa"
    if not rasa.exists():
        raise AuditError(
            f"{rasa}: missing; the assistant environment has not been created",
            hint="run `make env-assistant`",
        )
    model_path = Path(model) if model else latest_model()
    if model_path is None or not model_path.exists():
        raise AuditError(
            f"no trained model in {MODELS_DIR}" if model is None else f"{model}: no such model",
            hint="run `make assistant-train`",
        )
    if policy is not None:
        known = sorted(p.stem for p in (ASSISTANT_DIR / "policies").glob("*.yml"))
        if policy not in known:
            raise AuditError(
                f"unknown policy '{policy}'",
                hint=f"choose one of: {', '.join(known) or 'none found'}",
            )
    if port == actions_port:
        raise AuditError(f"the Rasa port and the actions port are both {port}")
    for p in (port, actions_port):
        if port_in_use(p):
            raise AuditError(
                f"port {p} is already in use on {HOST}",
                hint="stop what uses it or pick another with --port / --actions-port",
            )

    STATE_DIR.mkdir(parents=True, exist_ok=True)
    endpoints = STATE_DIR / f"endpoints-{port}.yml"
    # Selective domain: the actions never read the domain, so Rasa need not serialise it into
    # every action call.
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://{HOST}:{actions_port}/webhook"\n'
        "  enable_selective_domain: true\n"
    )
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "SANIC_HOST": HOST,  # rasa-sdk binds to this interface
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONUNBUFFERED": "1",
    }
    if policy:
        env["COI_POLICY"] = policy
    actions_log = STATE_DIR / f"actions-{port}.log"
    rasa_log = STATE_DIR / f"rasa-{port}.log"
    actions_cmd = [str(rasa), "run", "actions", "--port", str(actions_port), "--actions", "actions"]
    # assistant/rasa_run.py is the stock `rasa` CLI with the speed-ups of assistant/speedups/
    # installed (same replies and events, a fraction of the time); see its docstring.
    server = [str(ASSISTANT_ENV / "bin" / "python"), str(ASSISTANT_DIR / "rasa_run.py")]
    rasa_cmd = [
        *(server if speedups else [str(rasa)]), "run", "--enable-api", "-m", str(model_path.resolve()),
        "-i", HOST, "--port", str(port), "--endpoints", str(endpoints),
        "--credentials", str(ASSISTANT_DIR / "credentials.yml"),
    ]  # fmt: skip
    procs: list[subprocess.Popen] = []
    try:
        for command, log in ((actions_cmd, actions_log), (rasa_cmd, rasa_log)):
            with log.open("w", encoding="utf-8") as out:
                procs.append(
                    subprocess.Popen(
                        command,
                        cwd=ASSISTANT_DIR,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,  # own process group: stop() kills it whole
                    )
                )
    except OSError as exc:
        for p in procs:
            _terminate_group(p.pid)
        raise AuditError(f"could not start the assistant: {exc}") from exc
    _children[port] = procs
    url = f"http://{HOST}:{port}"
    entry = {
        "url": url,
        "actions_port": actions_port,
        "actions_pid": procs[0].pid,
        "rasa_pid": procs[1].pid,
        "model": str(model_path),
        "policy": policy,
        "speedups": speedups,
        "started_at": time.time(),
        "logs": {"actions": str(actions_log), "rasa": str(rasa_log)},
    }
    _update_state(port, entry)
    if wait:
        try:
            _wait_ready(url, actions_port, procs, (actions_log, rasa_log), timeout)
        except BaseException:
            stop(port)
            raise
    return status(port)


def _wait_ready(
    url: str,
    actions_port: int,
    procs: list[subprocess.Popen],
    logs: tuple[Path, Path],
    timeout: float,
) -> None:
    """Poll GET /status until a model is loaded and the action server answers /health."""
    deadline = time.monotonic() + timeout
    model_ready = actions_ready = False
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            for proc, log, name in zip(procs, logs, ("action server", "Rasa server"), strict=True):
                if proc.poll() is not None:
                    raise AuditError(
                        f"the {name} exited with code {proc.returncode} while starting; "
                        f"last lines of {log}:\n{_tail(log)}"
                    )
            with contextlib.suppress(httpx.HTTPError, ValueError):
                if not actions_ready:
                    actions_ready = (
                        client.get(f"http://{HOST}:{actions_port}/health").status_code == 200
                    )
                if not model_ready:
                    response = client.get(f"{url}/status")
                    model_ready = response.status_code == 200 and bool(
                        response.json().get("model_file")
                    )
            if model_ready and actions_ready:
                return
            time.sleep(0.25)
    raise AuditError(
        f"the assistant did not become ready within {timeout:.0f} s; last lines of {logs[1]}:\n"
        f"{_tail(logs[1])}\n--- {logs[0]}:\n{_tail(logs[0])}"
    )


def stop(port: int | None = None) -> bool:
    """Stop one instance (or, without a port, this process's instances or else all of them).

    Idempotent: returns True if a process was stopped, False if nothing was running.
    """
    recorded = _read_state()
    if port is not None:
        ports = [str(port)]
    else:
        mine = [str(p) for p in _children]
        ports = mine or list(recorded)
    stopped = False
    for key in ports:
        entry = recorded.get(key, {})
        for pid_key in ("rasa_pid", "actions_pid"):
            pid = entry.get(pid_key)
            if pid and _alive(pid):
                _terminate_group(pid)
                stopped = True
        for proc in _children.pop(int(key), []):
            if proc.poll() is None:
                _terminate_group(proc.pid)
                stopped = True
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=1)
        _update_state(int(key), None)
    return stopped


@contextlib.contextmanager
def running_assistant(
    port: int = 5005,
    actions_port: int = 5055,
    policy: str | None = None,
    model: str | Path | None = None,
    speedups: bool = True,
) -> Iterator[Status]:
    """Start the assistant for the duration of the block; always stop it, even on error."""
    try:
        yield start(
            port=port,
            actions_port=actions_port,
            wait=True,
            policy=policy,
            model=model,
            speedups=speedups,
        )
    finally:
        stop(port)


def free_port() -> int:
    """A free TCP port on loopback (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]
