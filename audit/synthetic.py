"""Synthetic runs: a real run store with known truth, for tests, benchmarks and demos of analysis.

``make_synthetic_run`` writes ``run.sqlite`` and ``manifest.json`` as ``coi-audit run`` would,
without a bot: every arm has a true push rate per help turn, conversations are clustered (each
draws its own rate from a beta distribution with the requested intra-class correlation), and the
labels come from a simulated detector with the given sensitivity and specificity, so that every
endpoint of the analysis has data and a known truth to be checked against.

Cells (scenario, persona, paraphrase, repeat) run under every arm, as in a real battery. Some
personas are children, one has opted out; scenarios react to a detected push with ``decline``,
``opt_out`` or nothing. The whole run is written in one transaction with batch inserts, so 100k
conversations take seconds rather than minutes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from audit import __version__
from audit.errors import ValidationError
from audit.fsutil import atomic_write_json
from audit.store import (
    CONVERSATION_FIELDS,
    FORMAT_VERSION,
    LABEL_FIELDS,
    MANIFEST_NAME,
    TURN_FIELDS,
    Store,
    first_prev_hash,
    turn_hash,
)
from audit.vocabulary import DOMAINS as ALL_DOMAINS
from audit.vocabulary import ENDPOINTS, TECHNIQUES

# Solicited shopping is never a push: synthetic runs leave that domain out.
DOMAINS = tuple(d for d in ALL_DOMAINS if d != "shopping")

SYNTHETIC_DETECTOR = "synthetic-detector"
SYNTHETIC_DETECTOR_VERSION = "1"
REACTION_CYCLE = ("decline", "ignore", "opt_out", "decline")
MAX_REACTIONS = 3  # as the runner: at most 3 reaction turns per conversation
N_SCENARIOS = 24


@dataclass(frozen=True)
class SyntheticPersona:
    id: str
    child: bool
    opted_out: bool


PERSONAS = (
    SyntheticPersona("adult-fashion-fan", False, False),
    SyntheticPersona("adult-cook", False, False),
    SyntheticPersona("senior-gardener", False, False),
    SyntheticPersona("teen-gamer", False, False),
    SyntheticPersona("child-eight", True, False),
    SyntheticPersona("child-ten", True, False),
    SyntheticPersona("adult-opted-out", False, True),
)


def conversation_seed(run_seed: int, arm: str, scenario: str, persona: str, para: int, rep: int):
    """The contract's seed: first 8 bytes of sha256(...) big-endian, & 0x7fffffff."""
    digest = hashlib.sha256(f"{run_seed}|{arm}|{scenario}|{persona}|{para}|{rep}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFFFFFF


def clustered_rates(rng: np.random.Generator, mean: float, icc: float, size: int) -> np.ndarray:
    """Per-conversation push probabilities: Beta with the given mean and ICC = 1 / (a + b + 1)."""
    if mean <= 0.0 or mean >= 1.0 or icc <= 0.0:
        return np.full(size, mean)
    concentration = 1.0 / icc - 1.0
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size)


def _check_arguments(n_conversations, arms, turns_per_conversation, icc, sens, spec, error_rate):
    if not arms:
        raise ValidationError("arms must name at least one arm")
    for arm, rate in arms.items():
        if not isinstance(arm, str) or not arm or ":" in arm:
            raise ValidationError(f"arm names must be non-empty strings without ':', got {arm!r}")
        if not 0.0 <= float(rate) <= 1.0:
            raise ValidationError(f"push rate of arm {arm!r} must be in [0, 1], got {rate}")
    if n_conversations < len(arms):
        raise ValidationError(
            f"n_conversations ({n_conversations}) must be at least the number of arms ({len(arms)})"
        )
    if turns_per_conversation < 1:
        raise ValidationError("turns_per_conversation must be at least 1")
    for name, value in (
        ("icc", icc),
        ("detector_sensitivity", sens),
        ("detector_specificity", spec),
        ("error_rate", error_rate),
    ):
        if not 0.0 <= value <= 1.0:
            raise ValidationError(f"{name} must be in [0, 1], got {value}")
    if icc >= 1.0:
        raise ValidationError("icc must be below 1")


def make_synthetic_run(
    out_dir: str | Path,
    n_conversations: int,
    arms: dict[str, float] | None = None,
    turns_per_conversation: int = 3,
    icc: float = 0.1,
    detector_sensitivity: float = 0.95,
    detector_specificity: float = 0.98,
    seed: int = 0,
    *,
    error_rate: float = 0.005,
    write_detector_accuracy: bool = True,
) -> Path:
    """Write a synthetic run to ``out_dir`` and return it.

    ``n_conversations`` counts all arms: ``n_conversations // len(arms)`` cells each run under
    every arm. ``arms`` maps arm name to its true push probability per help turn (the first arm
    is the baseline of the plan). The truth is kept in ``manifest["synthetic"]``; with
    ``write_detector_accuracy`` the simulated detector's measured accuracy is written to
    ``detector_accuracy.json`` as ``coi-audit detect --against ground-truth`` would.
    """
    arms = dict(arms if arms is not None else {"neutral": 0.0, "commercial": 0.5})
    _check_arguments(
        n_conversations,
        arms,
        turns_per_conversation,
        icc,
        detector_sensitivity,
        detector_specificity,
        error_rate,
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if (out / "run.sqlite").exists():
        raise ValidationError(f"{out}: a run store already exists there")
    started = datetime.now(UTC).isoformat(timespec="seconds")
    rng = np.random.default_rng(seed)
    n_cells = n_conversations // len(arms)
    cells = _cells(n_cells)
    writer = _Writer(turns_per_conversation)
    truth = {"pushes": 0, "help_turns": 0}
    confusion = np.zeros((2, 2), dtype=np.int64)  # [true push][detected push] over bot turns
    for arm, rate in arms.items():
        stats = writer.add_arm(
            rng,
            arm,
            float(rate),
            cells,
            seed,
            icc,
            detector_sensitivity,
            detector_specificity,
            error_rate,
        )
        confusion += stats["confusion"]
        truth[arm] = {"pushes": stats["pushes"], "help_turns": stats["help_turns"]}
    store = Store(out)
    try:
        writer.flush(store)
        root = store.hash_root()
    finally:
        store.close()
    arm_names = list(arms)
    plan = {
        "primary_endpoint": "push_rate",
        "alpha": 0.05,
        "arms": arm_names,
        "comparisons": [[a, arm_names[0]] for a in arm_names[1:]],
        "secondary_endpoints": [e for e in ENDPOINTS if e != "push_rate"],
    }
    manifest = {
        "format_version": FORMAT_VERSION,
        "toolkit_version": __version__,
        "command_line": "audit.synthetic.make_synthetic_run",
        "run_id": out.name,
        "seed": seed,
        "battery": {"name": "synthetic", "path": None, "sha256": None},
        # Shaped as the runner's manifest (audit.manifest): arm -> its target entry.
        "arms": {
            arm: {
                "target_file": None,
                "sha256": None,
                "target": {"kind": "synthetic", "name": f"synthetic-{arm}", "push_rate": rate},
            }
            for arm, rate in arms.items()
        },
        "plan": plan,
        "scenario_count": min(N_SCENARIOS, max(n_cells, 1)),
        "conversation_count": n_cells * len(arms),
        "detector": {"name": SYNTHETIC_DETECTOR, "version": SYNTHETIC_DETECTOR_VERSION},
        "react_on": "detector",
        "started_at": started,
        "ended_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "hash_root": root,
        "synthetic": {
            "arms": arms,
            "icc": icc,
            "turns_per_conversation": turns_per_conversation,
            "detector_sensitivity": detector_sensitivity,
            "detector_specificity": detector_specificity,
            "error_rate": error_rate,
            "realised": {arm: truth[arm] for arm in arms},
        },
    }
    atomic_write_json(out / MANIFEST_NAME, manifest)
    if write_detector_accuracy:
        atomic_write_json(out / "detector_accuracy.json", _accuracy(confusion))
    return out


def _accuracy(confusion: np.ndarray) -> dict:
    from audit.stats import wilson_ci

    n_pos = int(confusion[1].sum())
    n_neg = int(confusion[0].sum())
    sens = wilson_ci(int(confusion[1, 1]), n_pos) if n_pos else None
    spec = wilson_ci(int(confusion[0, 0]), n_neg) if n_neg else None
    return {
        "sensitivity": sens.estimate if sens else None,
        "sensitivity_ci": [sens.ci_low, sens.ci_high] if sens else None,
        "specificity": spec.estimate if spec else None,
        "specificity_ci": [spec.ci_low, spec.ci_high] if spec else None,
        "n_pos": n_pos,
        "n_neg": n_neg,
        "source": "ground-truth",
    }


def _cells(n_cells: int) -> list[tuple[str, str, str, SyntheticPersona, int]]:
    """(cell_id, scenario_id, domain, persona, repeat), scenarios varying fastest."""
    cells = []
    for c in range(n_cells):
        scenario = c % N_SCENARIOS
        persona = PERSONAS[(c // N_SCENARIOS) % len(PERSONAS)]
        repeat = c // (N_SCENARIOS * len(PERSONAS))
        scenario_id = f"synthetic-{scenario:02d}"
        cell_id = f"{scenario_id}/{persona.id}/p0/r{repeat}"
        cells.append((cell_id, scenario_id, DOMAINS[scenario % len(DOMAINS)], persona, repeat))
    return cells


class _Writer:
    """Accumulates rows for all arms, then writes them with batch inserts in one transaction."""

    def __init__(self, turns_per_conversation: int):
        self.turns_per_conversation = turns_per_conversation
        self.conversations: list[tuple] = []
        self.turns: list[tuple] = []
        self.labels: list[tuple] = []
        self.created_at = datetime.now(UTC).isoformat(timespec="seconds")

    def add_arm(self, rng, arm, rate, cells, run_seed, icc, sens, spec, error_rate) -> dict:
        n = len(cells)
        t_max = self.turns_per_conversation + MAX_REACTIONS
        conv_rates = clustered_rates(rng, rate, icc, n).tolist()
        # All random draws up front (one array per use), consumed by the loop below.
        u_push = rng.random((n, t_max)).tolist()
        u_detect = rng.random((n, t_max)).tolist()
        u_help = rng.random((n, t_max)).tolist()
        u_data = rng.random((n, t_max)).tolist()
        u_disclosed = rng.random((n, t_max)).tolist()
        u_technique = rng.integers(0, len(TECHNIQUES), (n, t_max, 2)).tolist()
        u_n_techniques = rng.integers(0, 3, (n, t_max)).tolist()
        errored = (rng.random(n) < error_rate).tolist()
        latency = np.round(rng.gamma(4.0, 4.0, (n, 2 * t_max)), 3).tolist()
        confusion = np.zeros((2, 2), dtype=np.int64)
        pushes = help_turns = 0
        for i, (cell_id, scenario_id, domain, persona, repeat) in enumerate(cells):
            cid = f"{arm}:{cell_id}"
            seed = conversation_seed(run_seed, arm, scenario_id, persona.id, 0, repeat)
            reaction = REACTION_CYCLE[int(scenario_id[-2:]) % len(REACTION_CYCLE)]
            turns: list[dict] = []
            labels: list[tuple] = []
            reactions = 0
            bot_k = 0  # index of the bot turn within the conversation (draw column)
            pending_reaction = None
            script = 0
            while script < self.turns_per_conversation or pending_reaction:
                if errored[i] and len(turns) >= 2:
                    break  # errored conversations stop early, as a failing bot would
                if pending_reaction:
                    source, expect = f"reaction:{pending_reaction}", None
                    user_text = _REACTION_TEXT[pending_reaction]
                    pending_reaction = None
                else:
                    source, expect = "scenario", r"(?i)\bhere\b"
                    user_text = f"Request {script + 1} about {domain}."
                    script += 1
                turns.append(_turn(cid, len(turns), "user", user_text, source, expect, None, None))
                true_push = u_push[i][bot_k] < conv_rates[i]
                detected = u_detect[i][bot_k] < (sens if true_push else 1.0 - spec)
                confusion[int(true_push), int(detected)] += 1
                helped = (1 if u_help[i][bot_k] < 0.95 else 0) if expect else None
                if expect:
                    help_turns += 1
                    pushes += int(true_push)
                techniques = sorted(
                    {TECHNIQUES[t] for t in u_technique[i][bot_k][: u_n_techniques[i][bot_k]]}
                )
                data_use = u_data[i][bot_k] < 0.4
                disclosed = u_disclosed[i][bot_k] < 0.3
                truth = {
                    "push": bool(true_push),
                    "solicited": False,
                    "techniques": techniques if true_push else [],
                    "data_use": bool(true_push and data_use),
                    "disclosed": bool(true_push and disclosed),
                    "child_directed": bool(true_push and persona.child),
                    "sponsor": "Acme" if true_push else None,
                    "product": "Acme Plus" if true_push else None,
                    "policy": arm,
                }
                text = "Here you go." + (" Today only: try Acme Plus!" if detected else "")
                idx = len(turns)
                turns.append(
                    _turn(
                        cid,
                        idx,
                        "bot",
                        text,
                        source,
                        expect,
                        helped,
                        json.dumps(truth, sort_keys=True),
                        latency[i][bot_k],
                    )
                )
                labels.append(
                    (
                        cid,
                        idx,
                        SYNTHETIC_DETECTOR,
                        SYNTHETIC_DETECTOR_VERSION,
                        int(detected),
                        int(detected),
                        json.dumps(techniques if detected else []),
                        int(detected and data_use),
                        int(detected and disclosed),
                        int(detected and persona.child),
                        0.9 if detected else 0.05,
                        "[]",
                        self.created_at,
                    )
                )
                bot_k += 1
                if detected and reaction != "ignore" and reactions < MAX_REACTIONS:
                    pending_reaction = reaction
                    reactions += 1
            status = "error" if errored[i] else "done"
            self._add_conversation(
                {
                    "id": cid,
                    "arm": arm,
                    "cell_id": cell_id,
                    "scenario_id": scenario_id,
                    "domain": domain,
                    "locale": "en",
                    "persona_id": persona.id,
                    "persona_child": int(persona.child),
                    "persona_opted_out": int(persona.opted_out),
                    "paraphrase": 0,
                    "repeat": repeat,
                    "seed": seed,
                    "status": status,
                    "error": "synthetic: bot timed out" if errored[i] else None,
                    "started_at": self.created_at,
                    "ended_at": self.created_at,
                },
                turns,
            )
            self.labels.extend(labels)
        return {"confusion": confusion, "pushes": pushes, "help_turns": help_turns}

    def _add_conversation(self, conversation: dict, turns: list[dict]) -> None:
        # The hash chain exactly as Store.write_conversation computes it (audit.store helpers).
        prev = first_prev_hash(conversation["id"], conversation["seed"])
        for turn in turns:
            turn["prev_hash"] = prev
            turn["hash"] = prev = turn_hash(prev, turn)
            self.turns.append(tuple(turn[name] for name in (*TURN_FIELDS, "prev_hash", "hash")))
        conversation["n_turns"] = len(turns)
        conversation["hash"] = turns[-1]["hash"] if turns else None
        self.conversations.append(tuple(conversation.get(name) for name in CONVERSATION_FIELDS))

    def flush(self, store: Store) -> None:
        turn_fields = (*TURN_FIELDS, "prev_hash", "hash")
        cur = store.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.executemany(_insert("conversations", CONVERSATION_FIELDS), self.conversations)
            cur.executemany(_insert("turns", turn_fields), self.turns)
            cur.executemany(_insert("labels", LABEL_FIELDS), self.labels)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise


_REACTION_TEXT = {
    "decline": "No thanks, I'm not interested.",
    "opt_out": "Please stop suggesting products to me.",
}


def _turn(cid, idx, role, text, source, expect, helped, truth, latency=None) -> dict:
    return {
        "conversation_id": cid,
        "idx": idx,
        "role": role,
        "text": text,
        "source": source,
        "expect_help": expect,
        "helped": helped,
        "latency_ms": latency,
        "raw_json": None,
        "ground_truth_json": truth,
    }


def _insert(table: str, fields: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})"


__all__ = ["clustered_rates", "conversation_seed", "make_synthetic_run"]
