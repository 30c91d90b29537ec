"""Evidence spans and the choice of transcripts per finding."""

from __future__ import annotations

import json

import pandas as pd

from reports.evidence import pick_conversations, segments


def test_segments_mark_the_evidence_spans_and_keep_all_text():
    text = "Sunny, 20 degrees. Buy SunCream now, only today!"
    buy, only = text.index("Buy"), text.index("only")
    spans = [
        {"start": only, "end": only + 10, "label": "urgency"},
        {"start": buy, "end": buy + 12, "label": "push"},
    ]
    pieces = segments(text, json.dumps(spans), highlight_all=True)
    assert "".join(p for p, _ in pieces) == text
    assert [(p, label) for p, label in pieces if label] == [
        ("Buy SunCream", "push"),
        ("only today", "urgency"),
    ]


def test_bad_or_overlapping_spans_are_dropped_or_clamped():
    text = "abcdef"
    spans = [
        {"start": 2, "end": 99, "label": "push"},
        {"start": 3, "end": 4},
        {"start": "x"},
        {"end": 2},
    ]
    pieces = segments(text, json.dumps(spans), highlight_all=False)
    assert pieces == [("ab", None), ("cdef", "push")]
    assert segments(text, "not json", highlight_all=True) == [(text, "push")]
    assert segments(text, None, highlight_all=False) == [(text, None)]


def test_pick_prefers_different_domains_then_fills_up():
    matches = pd.DataFrame(
        {
            "conversation_id": ["a1", "a1", "a2", "b1", "a3"],
            "idx": [1, 3, 1, 5, 1],
            "domain": ["weather", "weather", "weather", "kids", "weather"],
        }
    )
    assert pick_conversations(matches) == [("a1", 1), ("b1", 5), ("a2", 1)]
    assert pick_conversations(matches, limit=2) == [("a1", 1), ("b1", 5)]
    assert pick_conversations(matches.iloc[:0]) == []
