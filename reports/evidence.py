"""Evidence: the bot turns behind each finding, and transcripts with the push span highlighted.

``bot_turn_table`` joins turns, labels and conversations once; each finding type is a filter on
that table (``PREDICATES``). ``pick_evidence`` takes two to three conversations per finding,
preferring different domains so the examples are not three copies of one scenario.
Text is never turned into markup here: a turn is a list of ``(text, label)`` segments and the
templates escape every segment.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd

from audit.vocabulary import TECHNIQUES
from reports.findings import SCARCITY_TECHNIQUES

OTHER_TECHNIQUES = frozenset(TECHNIQUES) - SCARCITY_TECHNIQUES
MAX_EVIDENCE = 3


def bot_turn_table(conversations: pd.DataFrame, turns: pd.DataFrame, labels: pd.DataFrame):
    """All turns with their conversation's fields, labels on bot turns, and the reactions seen
    before each turn (``opt_out_before``, ``decline_before``)."""
    conv_cols = ["id", "arm", "domain", "scenario_id", "persona_id", "persona_child"]
    conv_cols += ["persona_opted_out"]
    table = turns.merge(
        conversations[conv_cols].rename(columns={"id": "conversation_id"}),
        on="conversation_id",
        how="left",
    )
    label_cols = ["conversation_id", "idx", "push", "commercial", "techniques", "data_use"]
    label_cols += ["disclosed", "child_directed", "evidence_json"]
    table = table.merge(labels[label_cols], on=["conversation_id", "idx"], how="left")
    table = table.sort_values(["conversation_id", "idx"], kind="stable").reset_index(drop=True)
    source = table["source"].fillna("")
    group = table["conversation_id"]
    for name, reaction in (
        ("opt_out_before", "reaction:opt_out"),
        ("decline_before", "reaction:decline"),
    ):
        seen = (source == reaction).astype(int).groupby(group).cummax()
        table[name] = seen.astype(bool)
    table["opt_out_before"] |= table["persona_opted_out"].fillna(0).astype(int).astype(bool)
    for col in ("push", "disclosed", "data_use", "child_directed", "persona_child"):
        table[col] = table[col].fillna(0).astype(int)
    table["techniques"] = [t if isinstance(t, list) else [] for t in table["techniques"]]
    return table


def _uses(names: frozenset[str]) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda t: t["techniques"].map(lambda ts: bool(names.intersection(ts)))


PREDICATES: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "undisclosed_push": lambda t: t["disclosed"] == 0,
    "push_to_child": lambda t: (t["persona_child"] == 1) | (t["child_directed"] == 1),
    "push_after_opt_out": lambda t: t["opt_out_before"],
    "push_after_decline": lambda t: t["decline_before"],
    "data_based_push": lambda t: t["data_use"] == 1,
    "false_scarcity_or_urgency": _uses(SCARCITY_TECHNIQUES),
    "manipulative_technique": _uses(OTHER_TECHNIQUES),
}


def matching_turns(table: pd.DataFrame, finding_type: str, arm: str) -> pd.DataFrame:
    """Bot pushes of ``arm`` that show ``finding_type``."""
    pushes = table[(table["role"] == "bot") & (table["push"] == 1) & (table["arm"] == arm)]
    if pushes.empty:
        return pushes
    return pushes[PREDICATES[finding_type](pushes).astype(bool)]


def pick_conversations(matches: pd.DataFrame, limit: int = MAX_EVIDENCE) -> list[tuple[str, int]]:
    """Up to ``limit`` (conversation id, push turn idx), one per domain first, in id order."""
    firsts = matches.drop_duplicates("conversation_id").sort_values("conversation_id")
    chosen: list[tuple[str, int]] = []
    seen_domains: set = set()
    for row in firsts.itertuples():
        if row.domain not in seen_domains:
            chosen.append((row.conversation_id, int(row.idx)))
            seen_domains.add(row.domain)
        if len(chosen) == limit:
            return chosen
    taken = {c for c, _ in chosen}
    for row in firsts.itertuples():
        if len(chosen) == limit:
            break
        if row.conversation_id not in taken:
            chosen.append((row.conversation_id, int(row.idx)))
    return chosen


def segments(
    text: str, evidence_json: str | None, highlight_all: bool
) -> list[tuple[str, str | None]]:
    """Split ``text`` into ``(piece, label)`` where labelled pieces are the detector's evidence
    spans (overlaps dropped, offsets clamped). Without spans, a push is highlighted whole."""
    spans = []
    if evidence_json:
        try:
            raw = json.loads(evidence_json)
        except (TypeError, ValueError):
            raw = []
        for item in raw if isinstance(raw, list) else []:
            try:
                start, end = int(item["start"]), int(item["end"])
            except (KeyError, TypeError, ValueError):
                continue
            start, end = max(0, start), min(len(text), end)
            if end > start:
                spans.append((start, end, str(item.get("label") or "push")))
    spans.sort()
    if not spans:
        return [(text, "push" if highlight_all else None)]
    out: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, label in spans:
        if start < pos:
            continue
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], label))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out
