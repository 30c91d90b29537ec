"""Play every cell of a battery against every arm, concurrently, into the run store.

One shared ``httpx.AsyncClient`` (its connection pool sized to the concurrency) serves every
conversation; ``concurrency`` workers take conversations from one queue, so at most that many
are in flight. The queue holds (cell, arm) pairs in a seeded random order, so that drift in the
bot or the machine over the run does not line up with an arm.

A conversation (docs/contracts.md, "Reactions" and "Store"): the scripted user turns of its cell,
each stored with the bot turn that answers it; after a bot turn flagged as a push (by the
detector, or by the bot's ground truth with ``react_on="ground-truth"``) the scenario's reaction
turn is inserted, at most ``MAX_REACTIONS`` times, and the reply to a reaction never triggers
another. Every attempt of a turn has a timeout; connection errors, timeouts and 5xx are retried
with exponential backoff; a conversation that still fails is stored with status ``error`` and its
message, and the run goes on. A conversation is written in one transaction when it ends;
cancelling the run (``stop``) abandons only unfinished ones, which a resumed run replays.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import random
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from audit.store import Store, canonical_json
from audit.target.base import BotTurn, Session, Target, TargetError, TransientError

REACT_ON = ("detector", "ground-truth")
MAX_REACTIONS = 3
DEFAULT_BACKOFF_S = 0.25


def conversation_seed(
    run_seed: int, arm: str, scenario: str, persona: str, paraphrase: int, repeat: int
) -> int:
    """First 8 bytes (big-endian) of sha256("seed|arm|scenario|persona|paraphrase|repeat") & 0x7fffffff."""
    key = f"{run_seed}|{arm}|{scenario}|{persona}|{paraphrase}|{repeat}"
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFFFFFF


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Arm:
    name: str
    target: Target


@dataclass(frozen=True)
class WorkItem:
    arm: Arm
    cell: Any  # audit.scenario.Cell
    conversation_id: str
    seed: int


def plan_work(cells: Sequence[Any], arms: Sequence[Arm], seed: int) -> list[WorkItem]:
    """Every cell under every arm, shuffled with the run seed (arms interleaved, reproducibly)."""
    items = []
    for cell in cells:
        for arm in arms:
            items.append(
                WorkItem(
                    arm=arm,
                    cell=cell,
                    conversation_id=f"{arm.name}:{cell.cell_id}",
                    seed=conversation_seed(
                        seed,
                        arm.name,
                        cell.scenario.id,
                        cell.persona.id,
                        cell.paraphrase,
                        cell.repeat,
                    ),
                )
            )
    random.Random(seed).shuffle(items)
    return items


@dataclass(frozen=True)
class Detector:
    """Labels bot texts: ``detect(texts, locale) -> list[Label]`` plus its name and version."""

    name: str
    version: str
    detect: Callable[[list[str], str], list[Any]]


def default_detector() -> Detector:
    from audit import detect as detect_module

    return Detector(
        detect_module.DETECTOR_NAME,
        str(detect_module.DETECTOR_VERSION),
        lambda texts, locale: detect_module.detect(texts, locale=locale),
    )


def default_reaction_texts() -> dict:
    from audit.scenario import REACTION_TEXTS

    return REACTION_TEXTS


@dataclass
class ArmCounts:
    conversations: int = 0
    errors: int = 0
    bot_turns: int = 0
    pushes: int = 0  # flagged by the detector
    true_pushes: int = 0  # according to the bot's ground truth, when it sends one


@dataclass
class Outcome:
    """What this invocation did (a resumed run counts only what it played itself)."""

    arms: dict[str, ArmCounts] = field(default_factory=dict)
    planned: int = 0
    skipped: int = 0
    written: int = 0
    errors: int = 0
    turns: int = 0
    interrupted: bool = False
    seconds: float = 0.0


@dataclass(frozen=True)
class Finished:
    """One conversation as written; handed to the progress callback."""

    item: WorkItem
    status: str
    error: str | None
    bot_turns: int
    pushes: int
    true_pushes: int


class BatchingDetector:
    """Labels texts for all conversations in flight together, off the event loop.

    A detector call has a fixed cost well above its cost per text (vectorising, one model
    product), and a pure-Python call would stall every other conversation's I/O. Requests made
    while a batch runs wait for the next one; each batch runs in a worker thread, one at a time.
    Labels do not depend on what else is in the batch, so results are the same as one by one.
    """

    def __init__(self, detector: Detector):
        self.detector = detector
        self._pending: list[tuple[list[str], str, asyncio.Future]] = []
        self._drainer: asyncio.Task | None = None

    async def detect(self, texts: list[str], locale: str) -> list[Any]:
        if not texts:
            return []
        future = asyncio.get_running_loop().create_future()
        self._pending.append((list(texts), locale, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            await asyncio.sleep(0)  # let the conversations that are ready queue their texts
            batch, self._pending = self._pending, []
            by_locale: dict[str, list[tuple[list[str], asyncio.Future]]] = {}
            for texts, locale, future in batch:
                by_locale.setdefault(locale, []).append((texts, future))
            for locale, items in by_locale.items():
                flat = [text for texts, _ in items for text in texts]
                try:
                    labels = await asyncio.to_thread(self.detector.detect, flat, locale)
                except Exception as exc:
                    for _, future in items:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                start = 0
                for texts, future in items:
                    if not future.done():
                        future.set_result(labels[start : start + len(texts)])
                    start += len(texts)


class Runner:
    def __init__(
        self,
        store: Store,
        *,
        concurrency: int = 4,
        react_on: str = "detector",
        detector: Detector | None = None,
        reaction_texts: dict | None = None,
        backoff_s: float = DEFAULT_BACKOFF_S,
        on_finished: Callable[[Finished], None] | None = None,
    ):
        if react_on not in REACT_ON:
            raise ValueError(f"react_on must be one of {REACT_ON}")
        self.store = store
        self.concurrency = max(1, int(concurrency))
        self.react_on = react_on
        self.detector = detector or default_detector()
        self.reaction_texts = (
            reaction_texts if reaction_texts is not None else default_reaction_texts()
        )
        self.backoff_s = backoff_s
        self.on_finished = on_finished
        self._batcher = BatchingDetector(self.detector)

    # -- the run ---------------------------------------------------------------------------
    async def run(self, work: Iterable[WorkItem], stop: asyncio.Event | None = None) -> Outcome:
        work = list(work)
        done = self.store.done_ids()
        queue = deque(item for item in work if item.conversation_id not in done)
        outcome = Outcome(planned=len(work), skipped=len(work) - len(queue))
        started = time.perf_counter()
        limits = httpx.Limits(
            max_connections=self.concurrency, max_keepalive_connections=self.concurrency
        )
        async with httpx.AsyncClient(limits=limits, trust_env=False) as client:
            workers = [
                asyncio.create_task(self._worker(client, queue, outcome))
                for _ in range(min(self.concurrency, len(queue)) or 1)
            ]
            stopper = asyncio.create_task(stop.wait()) if stop is not None else None
            try:
                pending = set(workers) | ({stopper} if stopper else set())
                while pending:
                    finished, pending = await asyncio.wait(
                        pending, return_when=asyncio.FIRST_COMPLETED
                    )
                    if stopper in finished:
                        outcome.interrupted = True
                        break
                    for task in finished:
                        task.result()  # a bug in the runner itself must not pass silently
                    if not (pending - {stopper}):
                        break
            finally:
                for task in [*workers, *([stopper] if stopper else [])]:
                    task.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                if stopper:
                    await asyncio.gather(stopper, return_exceptions=True)
        outcome.seconds = time.perf_counter() - started
        return outcome

    async def _worker(self, client: httpx.AsyncClient, queue: deque, outcome: Outcome) -> None:
        while queue:
            item = queue.popleft()
            conversation, turns, labels = await self.converse(client, item)
            self.store.write_conversation(conversation, turns, labels)
            bot = [t for t in turns if t["role"] == "bot"]
            pushes = sum(1 for label in labels if label["push"])
            true_pushes = sum(1 for t in bot if _truth_push(t.get("ground_truth_json")))
            counts = outcome.arms.setdefault(item.arm.name, ArmCounts())
            counts.conversations += 1
            counts.bot_turns += len(bot)
            counts.pushes += pushes
            counts.true_pushes += true_pushes
            outcome.written += 1
            outcome.turns += len(bot)
            if conversation["status"] == "error":
                counts.errors += 1
                outcome.errors += 1
            if self.on_finished:
                self.on_finished(
                    Finished(
                        item,
                        conversation["status"],
                        conversation["error"],
                        len(bot),
                        pushes,
                        true_pushes,
                    )
                )

    # -- one conversation ------------------------------------------------------------------
    async def converse(
        self, client: httpx.AsyncClient, item: WorkItem
    ) -> tuple[dict, list[dict], list[dict]]:
        cell, target = item.cell, item.arm.target
        scenario, persona = cell.scenario, cell.persona
        locale = scenario.locale
        reaction = getattr(scenario.reactions, "on_push", "ignore") or "ignore"
        conversation = {
            "id": item.conversation_id,
            "arm": item.arm.name,
            "cell_id": cell.cell_id,
            "scenario_id": scenario.id,
            "domain": scenario.domain,
            "locale": locale,
            "persona_id": persona.id,
            "persona_child": int(bool(persona.is_child)),
            "persona_opted_out": int(bool(persona.opted_out)),
            "paraphrase": cell.paraphrase,
            "repeat": cell.repeat,
            "seed": item.seed,
            "status": "done",
            "error": None,
            "started_at": now_iso(),
        }
        base_metadata = {
            **target.metadata,
            "seed": item.seed,
            "locale": locale,
            "context": scenario.context or {},
            "persona": persona.to_metadata(),
        }
        turns: list[dict] = []
        labels: dict[int, Any] = {}
        session: Session | None = None
        message_index = 0  # the contract's metadata.turn: index of the user message

        async def exchange(text: str, source: str, expect_help: str | None) -> dict:
            nonlocal message_index
            metadata = {**base_metadata, "turn": message_index}
            message_index += 1
            turns.append(
                {
                    "idx": len(turns),
                    "role": "user",
                    "text": text,
                    "source": source,
                    "expect_help": expect_help,
                    "helped": None,
                    "latency_ms": None,
                    "raw_json": canonical_json({"message": text, "metadata": metadata}),
                    "ground_truth_json": None,
                }
            )
            reply = await self._attempt(
                target, lambda: target.send(client, session, text, metadata)
            )
            helped = None
            if expect_help:
                helped = int(bool(re.search(expect_help, reply.text)))
            bot = {
                "idx": len(turns),
                "role": "bot",
                "text": reply.text,
                "source": source,
                "expect_help": expect_help,
                "helped": helped,
                "latency_ms": reply.latency_ms,
                "raw_json": canonical_json(reply.messages),
                "ground_truth_json": (
                    None if reply.ground_truth is None else canonical_json(reply.ground_truth)
                ),
            }
            turns.append(bot)
            if self.react_on == "detector":
                labels[bot["idx"]] = (await self._batcher.detect([reply.text], locale))[0]
            return bot

        try:
            session = await self._attempt(target, lambda: target.open(client, item.conversation_id))
            reactions = 0
            scripted = cell.user_texts()
            for i, text in enumerate(scripted):
                expect_help = scenario.turns[i].expect_help
                bot = await exchange(text, "scenario", expect_help)
                if reaction == "ignore" or reactions >= MAX_REACTIONS:
                    continue
                if self._is_push(bot, labels.get(bot["idx"])):
                    reactions += 1
                    reaction_text = self.reaction_texts[reaction][locale]
                    await exchange(reaction_text, f"reaction:{reaction}", None)
        except TargetError as exc:
            conversation["status"] = "error"
            conversation["error"] = str(exc)
        finally:
            if session is not None:
                # Ending a session is a courtesy; the conversation is already over.
                with contextlib.suppress(TargetError, TimeoutError):
                    await asyncio.wait_for(target.close(client, session), target.timeout_s)
        conversation["ended_at"] = now_iso()
        bot_turns = [t for t in turns if t["role"] == "bot"]
        missing = [t for t in bot_turns if t["idx"] not in labels]
        if missing:
            found = await self._batcher.detect([t["text"] for t in missing], locale)
            labels.update(zip((t["idx"] for t in missing), found, strict=True))
        created = now_iso()
        label_rows = [
            self._label_row(item.conversation_id, t["idx"], labels[t["idx"]], created)
            for t in bot_turns
        ]
        return conversation, turns, label_rows

    def _is_push(self, bot: dict, label: Any) -> bool:
        if self.react_on == "ground-truth":
            return _truth_push(bot["ground_truth_json"])
        return bool(label is not None and label.push)

    async def _attempt(self, target: Target, call: Callable[[], Any]) -> Any:
        """Run ``call`` with the target's timeout, retrying transient failures with backoff."""
        attempts = target.retries + 1
        for attempt in range(attempts):
            started = time.perf_counter()
            try:
                async with asyncio.timeout(target.timeout_s):
                    result = await call()
            except TimeoutError:
                error: TargetError = TransientError(f"no reply within {target.timeout_s:g} s")
            except TransientError as exc:
                error = exc
            else:
                if isinstance(result, BotTurn):
                    latency = (time.perf_counter() - started) * 1000
                    result = BotTurn(result.text, result.messages, result.ground_truth, latency)
                return result
            if attempt + 1 < attempts:
                await asyncio.sleep(self.backoff_s * 2**attempt)
        raise TargetError(f"{error} (after {attempts} attempt{'s' if attempts > 1 else ''})")

    def _label_row(self, conversation_id: str, idx: int, label: Any, created: str) -> dict:
        data = label.to_dict() if hasattr(label, "to_dict") else dict(label)
        return {
            "conversation_id": conversation_id,
            "idx": idx,
            "detector": self.detector.name,
            "detector_version": self.detector.version,
            "push": int(bool(data.get("push"))),
            "commercial": int(bool(data.get("commercial"))),
            "techniques": json.dumps(list(data.get("techniques") or [])),
            "data_use": int(bool(data.get("data_use"))),
            "disclosed": int(bool(data.get("disclosed"))),
            "child_directed": int(bool(data.get("child_directed"))),
            "score": None if data.get("score") is None else float(data["score"]),
            "evidence_json": canonical_json(list(data.get("evidence") or [])),
            "created_at": created,
        }


def _truth_push(ground_truth_json: str | None) -> bool:
    if not ground_truth_json:
        return False
    try:
        truth = json.loads(ground_truth_json)
    except ValueError:
        return False
    return bool(isinstance(truth, dict) and truth.get("push"))
