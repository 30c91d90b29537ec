"""The run store: one SQLite file per run, hash-chained turns, labels kept per detector version.

A conversation is written in one transaction when it ends, so a crash never leaves half of one;
``done_ids`` tells a resumed run what to skip. Every turn's hash covers the previous hash and the
turn's stored fields (see docs/contracts.md), so editing any stored turn breaks its chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.errors import AuditError

FORMAT_VERSION = 1
DB_NAME = "run.sqlite"
MANIFEST_NAME = "manifest.json"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    arm TEXT NOT NULL,
    cell_id TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    domain TEXT,
    locale TEXT,
    persona_id TEXT,
    persona_child INTEGER,
    persona_opted_out INTEGER,
    paraphrase INTEGER,
    repeat INTEGER,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'error')),
    error TEXT,
    n_turns INTEGER NOT NULL,
    started_at TEXT,
    ended_at TEXT,
    hash TEXT
);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    idx INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'bot')),
    text TEXT NOT NULL,
    source TEXT,
    expect_help TEXT,
    helped INTEGER,
    latency_ms REAL,
    raw_json TEXT,
    ground_truth_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (conversation_id, idx)
);
CREATE TABLE IF NOT EXISTS labels (
    conversation_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    detector TEXT NOT NULL,
    detector_version TEXT NOT NULL,
    push INTEGER NOT NULL,
    commercial INTEGER NOT NULL,
    techniques TEXT NOT NULL,
    data_use INTEGER NOT NULL,
    disclosed INTEGER NOT NULL,
    child_directed INTEGER NOT NULL,
    score REAL,
    evidence_json TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (conversation_id, idx, detector, detector_version)
);
CREATE INDEX IF NOT EXISTS turns_by_role ON turns(role);
CREATE INDEX IF NOT EXISTS labels_by_version ON labels(detector, detector_version);
"""

CONVERSATION_FIELDS = (
    "id",
    "arm",
    "cell_id",
    "scenario_id",
    "domain",
    "locale",
    "persona_id",
    "persona_child",
    "persona_opted_out",
    "paraphrase",
    "repeat",
    "seed",
    "status",
    "error",
    "n_turns",
    "started_at",
    "ended_at",
    "hash",
)
# The stored fields of a turn; all but the chain itself and ``latency_ms`` are hashed. Latency
# is a measurement, not content: leaving it out lets a resumed or replayed run, which sees the
# same replies at other speeds, reproduce the same hashes.
TURN_FIELDS = (
    "conversation_id",
    "idx",
    "role",
    "text",
    "source",
    "expect_help",
    "helped",
    "latency_ms",
    "raw_json",
    "ground_truth_json",
)
LABEL_FIELDS = (
    "conversation_id",
    "idx",
    "detector",
    "detector_version",
    "push",
    "commercial",
    "techniques",
    "data_use",
    "disclosed",
    "child_directed",
    "score",
    "evidence_json",
    "created_at",
)


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_prev_hash(conversation_id: str, seed: int) -> str:
    return sha256_hex(canonical_json({"conversation": conversation_id, "seed": seed}))


HASHED_TURN_FIELDS = tuple(name for name in TURN_FIELDS if name != "latency_ms")


def turn_hash(prev_hash: str, turn: dict) -> str:
    hashed = {name: turn.get(name) for name in HASHED_TURN_FIELDS}
    return sha256_hex(prev_hash + canonical_json(hashed))


def hash_root(heads: Iterable[tuple[str, str | None]]) -> str:
    """Root over conversations: sha256 of ``"<id> <head>\\n"`` lines in conversation id order."""
    lines = "".join(f"{cid} {head or ''}\n" for cid, head in sorted(heads))
    return sha256_hex(lines)


def chain(conversation_id: str, seed: int, turns: Sequence[dict]) -> list[dict]:
    """Return copies of ``turns`` with ``prev_hash`` and ``hash`` filled in, in order."""
    prev = first_prev_hash(conversation_id, seed)
    chained = []
    for turn in turns:
        row = {name: turn.get(name) for name in TURN_FIELDS}
        row["conversation_id"] = conversation_id
        row["prev_hash"] = prev
        row["hash"] = turn_hash(prev, row)
        prev = row["hash"]
        chained.append(row)
    return chained


@dataclass(frozen=True)
class ChainProblem:
    conversation_id: str
    idx: int | None
    message: str

    def __str__(self) -> str:
        where = self.conversation_id if self.idx is None else f"{self.conversation_id}#{self.idx}"
        return f"{where}: {self.message}"


class Store:
    """A run's SQLite database. Safe to open again on an existing run (resume)."""

    def __init__(self, path: str | Path, *, read_only: bool = False):
        path = Path(path)
        if path.is_dir():
            path = path / DB_NAME
        self.path = path
        if read_only:
            # verify and export must not change what they check: a query-only connection to the
            # existing file (see connect_for_reading).
            self.db = connect_for_reading(run_db_path(path))
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.db.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('format_version', ?)",
            (str(FORMAT_VERSION),),
        )

    # -- writing ---------------------------------------------------------------------------
    def write_conversation(
        self, conversation: dict, turns: Sequence[dict], labels: Sequence[dict] = ()
    ) -> str | None:
        """Store one finished (or failed) conversation atomically; return its chain head."""
        cid = conversation["id"]
        chained = chain(cid, int(conversation["seed"]), turns)
        head = chained[-1]["hash"] if chained else None
        row = {name: conversation.get(name) for name in CONVERSATION_FIELDS}
        row["n_turns"] = len(chained)
        row["hash"] = head
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            # A conversation that failed earlier is replaced when a resumed run retries it.
            cur.execute("DELETE FROM labels WHERE conversation_id = ?", (cid,))
            cur.execute("DELETE FROM turns WHERE conversation_id = ?", (cid,))
            cur.execute("DELETE FROM conversations WHERE id = ?", (cid,))
            cur.execute(
                _insert_sql("conversations", CONVERSATION_FIELDS), _values(row, CONVERSATION_FIELDS)
            )
            fields = (*TURN_FIELDS, "prev_hash", "hash")
            cur.executemany(_insert_sql("turns", fields), [_values(t, fields) for t in chained])
            cur.executemany(
                _insert_sql("labels", LABEL_FIELDS, replace=True),
                [_values(label, LABEL_FIELDS) for label in labels],
            )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return head

    def write_labels(self, labels: Iterable[dict]) -> int:
        """Add labels (a new detector version never overwrites an older one)."""
        rows = [_values(label, LABEL_FIELDS) for label in labels]
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.executemany(_insert_sql("labels", LABEL_FIELDS, replace=True), rows)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return len(rows)

    # -- reading ---------------------------------------------------------------------------
    def done_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT id FROM conversations WHERE status = 'done'")}

    def chain_heads(self) -> list[tuple[str, str | None]]:
        return list(self.db.execute("SELECT id, hash FROM conversations ORDER BY id"))

    def hash_root(self) -> str:
        return hash_root(self.chain_heads())

    def verify_chains(self) -> list[ChainProblem]:
        """Recompute every chain; return one problem per broken conversation or turn."""
        problems: list[ChainProblem] = []
        conversations = self.db.execute("SELECT id, seed, n_turns, hash FROM conversations")
        turns_by_conv: dict[str, list[dict]] = {}
        columns = (*TURN_FIELDS, "prev_hash", "hash")
        query = f"SELECT {', '.join(columns)} FROM turns ORDER BY conversation_id, idx"
        for values in self.db.execute(query):
            turn = dict(zip(columns, values, strict=True))
            turns_by_conv.setdefault(turn["conversation_id"], []).append(turn)
        for cid, seed, n_turns, head in conversations.fetchall():
            turns = turns_by_conv.pop(cid, [])
            prev = first_prev_hash(cid, seed)
            for turn in turns:
                if turn["prev_hash"] != prev:
                    problems.append(ChainProblem(cid, turn["idx"], "prev_hash does not match"))
                    break
                expected = turn_hash(prev, turn)
                if turn["hash"] != expected:
                    problems.append(
                        ChainProblem(cid, turn["idx"], "turn content does not match its hash")
                    )
                    break
                prev = expected
            else:
                if len(turns) != n_turns:
                    problems.append(
                        ChainProblem(cid, None, f"{len(turns)} turns stored, {n_turns} expected")
                    )
                elif (head or None) != (turns[-1]["hash"] if turns else None):
                    problems.append(ChainProblem(cid, None, "chain head does not match"))
        for cid in turns_by_conv:
            problems.append(ChainProblem(cid, None, "turns without a conversation"))
        return problems

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _insert_sql(table: str, fields: Sequence[str], replace: bool = False) -> str:
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    return f"{verb} INTO {table} ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})"


def _values(row: dict, fields: Sequence[str]) -> tuple:
    return tuple(row.get(name) for name in fields)


# -- the Python API: a run as DataFrames -----------------------------------------------------
@dataclass
class Run:
    """A stored run: manifest plus conversations, turns and labels as pandas DataFrames."""

    path: Path
    manifest: dict
    conversations: Any
    turns: Any
    labels: Any
    detector_version: str | None = None
    detector_versions: list[tuple[str, str]] = field(default_factory=list)


def connect_for_reading(db_path: str | Path) -> sqlite3.Connection:
    """A connection that cannot write. Query-only rather than ``mode=ro`` where the files are
    writable: a ``mode=ro`` connection cannot remove the WAL files when it closes, and would
    leave ``-wal``/``-shm`` files beside every run it read."""
    db_path = Path(db_path)
    if os.access(db_path, os.W_OK) and os.access(db_path.parent, os.W_OK):
        db = sqlite3.connect(db_path)
        db.execute("PRAGMA query_only = ON")
        return db
    return sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)


def run_db_path(path: str | Path) -> Path:
    path = Path(path)
    db = path / DB_NAME if path.is_dir() else path
    if not db.exists():
        raise AuditError(
            f"{path}: no run store found (expected {DB_NAME} in a run directory)",
            hint="pass a directory created by `coi-audit run`, e.g. runs/<id>",
        )
    return db


def load_run(path: str | Path, detector_version: str | None = None) -> Run:
    """Load ``runs/<id>/`` (or its run.sqlite); labels of the newest detector version by default."""
    import pandas as pd

    db_path = run_db_path(path)
    run_dir = db_path.parent
    manifest_path = run_dir / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.exists() else {}
    db = connect_for_reading(db_path)
    try:
        conversations = pd.read_sql_query("SELECT * FROM conversations ORDER BY id", db)
        turns = pd.read_sql_query("SELECT * FROM turns ORDER BY conversation_id, idx", db)
        versions = list(
            db.execute(
                "SELECT detector, detector_version FROM labels GROUP BY detector, detector_version "
                "ORDER BY MAX(created_at), detector_version"
            )
        )
        chosen = None
        if detector_version is not None:
            if detector_version not in {v for _, v in versions}:
                known = ", ".join(v for _, v in versions) or "none"
                raise AuditError(
                    f"{run_dir}: no labels from detector version {detector_version} (known: {known})"
                )
            chosen = detector_version
        elif versions:
            chosen = versions[-1][1]
        labels = pd.read_sql_query(
            "SELECT * FROM labels WHERE detector_version = ? ORDER BY conversation_id, idx",
            db,
            params=(chosen or "",),
        )
    finally:
        db.close()
    labels["techniques"] = [json.loads(t) if t else [] for t in labels["techniques"]]
    return Run(
        path=run_dir,
        manifest=manifest,
        conversations=conversations,
        turns=turns,
        labels=labels,
        detector_version=chosen,
        detector_versions=versions,
    )
