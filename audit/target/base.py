"""What every target is: a bot that answers one user message with one bot turn.

A target file (YAML) names one assistant. Common keys, for every kind::

    kind: rasa | http | python
    name: reference-commercial
    url: http://127.0.0.1:5005        # rasa and http
    metadata: {policy: commercial}     # merged into the metadata of every message
    timeout_s: 10                      # per attempt of one turn
    retries: 2                         # extra attempts on connection errors, timeouts and 5xx
    max_reply_bytes: 4000000           # a larger reply is an error, not a memory problem

The kinds add their own keys (see ``rasa.py``, ``http.py``, ``python.py``). A target never
raises on its own for a bad reply: it raises ``TransientError`` (worth retrying) or
``TargetError`` (not), and the runner decides.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

from audit.errors import AuditError, Problem, ValidationError

KINDS = ("rasa", "http", "python")
COMMON_KEYS = ("kind", "name", "metadata", "timeout_s", "retries", "max_reply_bytes")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_RETRIES = 2
DEFAULT_MAX_REPLY_BYTES = 4_000_000


class TargetError(Exception):
    """A turn failed in a way that retrying will not fix (bad reply, 4xx, bot exception)."""


class TransientError(TargetError):
    """A turn failed in a way worth retrying (connection error, timeout, 5xx)."""


@dataclass(frozen=True)
class BotTurn:
    """All the messages answering one user message.

    ``text`` joins the messages' texts with a space, in order; ``messages`` are the raw
    messages (JSON-able); ``ground_truth`` is a ``custom.coi`` payload when the bot sends one.
    """

    text: str
    messages: list[Any] = field(default_factory=list)
    ground_truth: dict | None = None
    latency_ms: float | None = None


@dataclass
class Session:
    """Per-conversation state a target keeps between turns (ids, cookies, python state)."""

    conversation_id: str
    data: dict = field(default_factory=dict)


@runtime_checkable
class Target(Protocol):
    kind: str
    name: str
    path: Path | None
    metadata: dict
    timeout_s: float
    retries: int

    async def open(self, client: Any, conversation_id: str) -> Session: ...

    async def send(self, client: Any, session: Session, text: str, metadata: dict) -> BotTurn: ...

    async def close(self, client: Any, session: Session) -> None: ...

    async def version_info(self, client: Any) -> dict | None: ...

    def describe(self) -> dict:
        """What the manifest records about this target: never headers or secrets."""
        ...


@dataclass
class Spec:
    """A target file's data with the positions of its values, for ``path:line:col`` errors."""

    path: str
    data: dict
    positions: Any
    problems: list[Problem] = field(default_factory=list)

    def problem(self, key_path: tuple, message: str, *, at_key: bool = False) -> None:
        where = self.positions.of_key(key_path) if at_key else self.positions.of_value(key_path)
        self.problems.append(Problem(self.path, message, where[0], where[1]))

    def get(self, *key_path, default=None):
        value: Any = self.data
        for key in key_path:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value

    def check_keys(self, at: tuple, allowed: tuple[str, ...]) -> None:
        value = self.get(*at) if at else self.data
        if not isinstance(value, dict):
            return
        for key in value:
            if key not in allowed:
                self.problem(
                    (*at, key), f"unknown key '{key}' (allowed: {', '.join(allowed)})", at_key=True
                )

    def string(self, *at, required: bool = False, default: str | None = None) -> str | None:
        value = self.get(*at)
        if value is None:
            if required:
                self.problem(at[:-1], f"missing required key '{'.'.join(map(str, at))}'")
            return default
        if not isinstance(value, str) or not value.strip():
            self.problem(at, f"'{at[-1]}' must be a non-empty string")
            return default
        return value

    def number(self, *at, default: float, minimum: float, integer: bool = False):
        value = self.get(*at)
        if value is None:
            return default
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and integer and not isinstance(value, int):
            ok = False
        if not ok or not math.isfinite(value) or value < minimum:
            kind = "an integer" if integer else "a number"
            self.problem(at, f"'{at[-1]}' must be {kind} >= {minimum:g}")
            return default
        return value

    def mapping(self, *at) -> dict:
        value = self.get(*at)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(at, f"'{at[-1]}' must be a mapping")
            return {}
        return value

    def url(self, *at, required: bool = True) -> str | None:
        value = self.string(*at, required=required)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.problem(at, f"'{at[-1]}' must be an http(s) URL, got '{value}'")
            return None
        return value.rstrip("/")


def redact_url(url: str | None) -> str | None:
    """Drop credentials and query strings (tokens often hide there) before writing a URL out."""
    if not url:
        return url
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def describe_common(target: Any) -> dict:
    """What every target tells the manifest: never headers, tokens or URL credentials."""
    described = {"kind": target.kind, "name": target.name}
    if getattr(target, "url", None) is not None:
        described["url"] = redact_url(target.url)
    described.update(metadata=target.metadata, timeout_s=target.timeout_s, retries=target.retries)
    return described


def load_spec(path: str | Path) -> Spec:
    from audit.yaml_lines import load_yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AuditError(f"{path}: target file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"{path}: cannot read target file ({exc})") from None
    loaded = load_yaml(text, str(path))
    spec = Spec(str(path), loaded.data, loaded.positions, list(loaded.problems))
    if spec.problems:
        raise ValidationError(f"{path}: invalid target file", spec.problems)
    if not isinstance(loaded.data, dict):
        spec.data = {}
        spec.problems.append(Problem(str(path), "a target file must be a YAML mapping", 1, 1))
    return spec


@dataclass
class Common:
    """The keys every kind shares, validated."""

    kind: str
    name: str
    metadata: dict
    timeout_s: float
    retries: int
    max_reply_bytes: int


def common(spec: Spec) -> Common:
    kind = spec.string("kind", required=True) or ""
    if kind and kind not in KINDS:
        spec.problem(("kind",), f"unknown kind '{kind}' (expected one of: {', '.join(KINDS)})")
    name = spec.string("name", required=True) or ""
    if name and not NAME_RE.match(name):
        spec.problem(("name",), "'name' may only use letters, digits, '_', '.' and '-'")
    return Common(
        kind=kind,
        name=name,
        metadata=spec.mapping("metadata"),
        timeout_s=float(spec.number("timeout_s", default=DEFAULT_TIMEOUT_S, minimum=0.001)),
        retries=int(spec.number("retries", default=DEFAULT_RETRIES, minimum=0, integer=True)),
        max_reply_bytes=int(
            spec.number("max_reply_bytes", default=DEFAULT_MAX_REPLY_BYTES, minimum=1, integer=True)
        ),
    )


def load_target(path: str | Path, *, url: str | None = None) -> Target:
    """Read and validate a target file; ``url`` overrides its ``url`` (the demo's ``--target-url``).

    Every problem is reported at once as ``path:line:col: message`` (``ValidationError``).
    """
    spec = load_spec(path)
    kind = spec.get("kind")
    if kind == "rasa":
        from audit.target.rasa import RasaTarget as cls
    elif kind == "http":
        from audit.target.http import HttpTarget as cls
    elif kind == "python":
        from audit.target.python import PythonTarget as cls
    else:
        common(spec)  # reports the missing or unknown kind with its line
        raise ValidationError(f"{path}: invalid target file", spec.problems)
    target = cls.from_spec(spec, url_override=url)
    if spec.problems:
        raise ValidationError(f"{path}: invalid target file", spec.problems)
    return target


def join_texts(messages: list[Any]) -> str:
    texts = [m["text"] for m in messages if isinstance(m, dict) and isinstance(m.get("text"), str)]
    return " ".join(t.strip() for t in texts if t.strip())


def coi_payload(messages: list[Any]) -> dict | None:
    """The ``custom.coi`` ground truth among ``messages`` (the last one if a bot sends several)."""
    found = None
    for message in messages:
        if not isinstance(message, dict):
            continue
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("coi"), dict):
            found = custom["coi"]
    return found
