"""Small fake bots for the harness tests: deterministic, local, fast.

- ``reply(text, state)``: a python target. It pushes an offer with a probability fixed by its
  policy and decided from ``metadata.seed`` and ``metadata.turn`` (like the reference bot), and
  sends the truth as a ``custom.coi`` payload.
- ``FakeRasa``: an HTTP server on loopback that speaks Rasa's REST webhook (plus ``/version``
  and ``/status``) with the same replies, and can misbehave on demand (``metadata.fault``).
- ``keyword_detector()``: a stand-in detector (push = the word "offer"), so the harness tests
  do not depend on the real detector's lexicons.
- ``write_battery(dir)``: a small battery on disk, loaded through ``audit.scenario``.
"""

from __future__ import annotations

import json
import random
import socket
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from audit.runner import Detector

PUSH_PROBABILITY = {"neutral": 0.0, "commercial": 0.6}
OFFER = "Special offer: Acme boots are 20% off today."
BIG_REPLY_BYTES = 1_000_000


class QuietHTTPServer(ThreadingHTTPServer):
    """A client that gives up on a slow or failing reply resets the connection; the standard
    server prints that as a traceback on stderr, which tests would mistake for the CLI's."""

    def handle_error(self, request, client_address):
        pass


def decide(metadata: dict) -> bool:
    """Whether this turn pushes: seeded by conversation seed and turn index only."""
    policy = metadata.get("policy", "neutral")
    rng = random.Random(int(metadata.get("seed", 0)) * 1009 + int(metadata.get("turn", 0)))
    return rng.random() < PUSH_PROBABILITY.get(policy, 0.0)


def messages_for(text: str, metadata: dict, history: int) -> list[dict]:
    push = decide(metadata)
    answer = f"It is 2 degrees in Lyon (you said: {text}; message {history})."
    out = [{"text": answer}]
    if push:
        out.append({"text": OFFER})
    truth = {"push": push, "policy": metadata.get("policy", "neutral"), "techniques": []}
    out.append({"custom": {"coi": truth}})
    return out


def reply(text: str, state: dict) -> list[dict]:
    """The python target: ``(text, state) -> replies``."""
    state["history"] = state.get("history", 0) + 1
    return messages_for(text, state["metadata"], state["history"])


async def async_reply(text: str, state: dict) -> list[dict]:
    return reply(text, state)


def failing_reply(text: str, state: dict):
    raise RuntimeError("the bot crashed")


def keyword_detector(version: str = "test-1") -> Detector:
    class Label:
        def __init__(self, text: str):
            self.push = "offer" in text.lower()

        def to_dict(self) -> dict:
            return {
                "push": self.push,
                "commercial": self.push,
                "techniques": ["urgency"] if self.push else [],
                "data_use": False,
                "disclosed": False,
                "child_directed": False,
                "score": 1.0 if self.push else 0.0,
                "evidence": [],
            }

    return Detector("keyword-detector", version, lambda texts, locale: [Label(t) for t in texts])


# -- a fake Rasa server ------------------------------------------------------------------------
class FakeRasa:
    """``with FakeRasa() as bot: bot.url`` serves the REST webhook on a free loopback port.

    ``delay_s`` slows every reply; per message, ``metadata.fault`` selects a misbehaviour:
    ``slow`` (sleeps ``slow_s``), ``http500`` (always 500), ``flaky500`` (500 on the first
    attempt of each message), ``badjson``, ``reset`` (closes the connection without a reply),
    ``big`` (a 1 MB text reply).
    """

    def __init__(self, delay_s: float = 0.0, slow_s: float = 2.0):
        self.delay_s = delay_s
        self.slow_s = slow_s
        self.histories: dict[str, int] = {}
        self.requests = 0
        self.seen: set[tuple] = set()
        self.lock = threading.Lock()
        self.server = QuietHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeRasa:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        bot = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def setup(self):
                super().setup()
                # Headers and body go out in two writes: without this, Nagle's algorithm and
                # delayed ACKs add ~40 ms to every keep-alive reply.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/version":
                    self._send(200, b'{"version": "3.6.21-fake"}')
                elif self.path == "/status":
                    self._send(200, b'{"model_id": "fake-model", "model_file": "fake.tar.gz"}')
                else:
                    self._send(404, b"{}")

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                if self.path != "/webhooks/rest/webhook":
                    self._send(404, b"{}")
                    return
                sender, metadata = payload["sender"], payload.get("metadata") or {}
                fault = metadata.get("fault")
                key = (sender, metadata.get("turn"))
                with bot.lock:
                    bot.requests += 1
                    first_attempt = key not in bot.seen
                    bot.seen.add(key)
                if bot.delay_s:
                    time.sleep(bot.delay_s)
                if fault == "slow":
                    time.sleep(bot.slow_s)
                elif fault == "http500" or (fault == "flaky500" and first_attempt):
                    self._send(500, b'{"error": "internal"}')
                    return
                elif fault == "badjson":
                    self._send(200, b"<html>not json</html>")
                    return
                elif fault == "reset":
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    self.close_connection = True
                    self.connection.close()
                    return
                with bot.lock:
                    bot.histories[sender] = bot.histories.get(sender, 0) + 1
                    history = bot.histories[sender]
                messages = messages_for(payload["message"], metadata, history)
                if fault == "big":
                    messages.insert(0, {"text": "x" * BIG_REPLY_BYTES})
                body = [{"recipient_id": sender, **m} for m in messages]
                self._send(200, json.dumps(body).encode())

        return Handler


# -- a small battery on disk -------------------------------------------------------------------
def write_battery(directory: Path, *, repeats: int = 1, n_scenarios: int = 2) -> Path:
    """Scenarios with two turns (one with a paraphrase), two personas, reactions on push."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "personas.yml").write_text(
        textwrap.dedent(
            """\
            version: 1
            personas:
              - id: adult
                name: Camille
                age: 34
                interests: [fashion]
              - id: child
                name: Leo
                age: 9
            """
        )
    )
    reactions = ["decline", "ask_if_ad", "ignore", "opt_out"]
    for i in range(n_scenarios):
        (directory / f"s{i}.yml").write_text(
            textwrap.dedent(
                f"""\
                version: 1
                id: weather-{i}
                domain: weather
                title: Weather {i}
                persona: [adult, child]
                locale: {"fr" if i % 2 else "en"}
                context: {{weather: {{temp_c: 2, condition: snow, city: Lyon}}}}
                turns:
                  - user: What's the weather like today?
                    paraphrases: ["Is it cold outside?"]
                    expect_help: "(?i)degrees"
                  - user: And tomorrow?
                    expect_help: "(?i)sunny"
                  - user: Thanks, that's all.
                reactions: {{on_push: {reactions[i % len(reactions)]}}}
                """
            )
        )
    battery = directory / "battery.yml"
    battery.write_text(
        textwrap.dedent(
            f"""\
            version: 1
            name: test-battery
            scenarios: ["s*.yml"]
            personas: personas.yml
            repeats: {repeats}
            plan:
              arms: [neutral, commercial]
            """
        )
    )
    return battery


def write_target(path: Path, kind: str = "rasa", url: str = "", **metadata) -> Path:
    lines = [f"kind: {kind}", f"name: {path.stem}"]
    if kind == "python":
        lines.append("function: tests.fakebot:reply")
    else:
        lines.append(f"url: {url}")
    lines += ["timeout_s: 2", "retries: 2", f"metadata: {json.dumps(metadata)}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def patch_detector(monkeypatch=None) -> None:
    """Make ``coi-audit run`` label with ``keyword_detector`` (in-process or in a subprocess)."""
    import audit.cli.run

    if monkeypatch is not None:
        monkeypatch.setattr(audit.cli.run, "default_detector", keyword_detector)
    else:
        audit.cli.run.default_detector = keyword_detector


if __name__ == "__main__":  # `python -m tests.fakebot run ...`: the CLI with the test detector
    from audit.cli.main import cli

    patch_detector()
    cli(prog_name="coi-audit")
