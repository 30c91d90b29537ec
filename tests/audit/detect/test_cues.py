"""The cue layer: spans, both languages, non-ASCII offsets, and the literal anchors."""

from __future__ import annotations

import json
import re

import pytest

from audit.detect.cues import (
    TECHNIQUES,
    guess_locale,
    load_lexicon,
    prefix_literals,
    required_literals,
)
from audit.detect.model import corpus_files


def spans(text: str, locale: str = "en") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in load_lexicon(locale).find(text):
        out.setdefault(e.label, []).append(text[e.start : e.end])
    return out


@pytest.mark.parametrize(
    ("text", "label", "cue"),
    [
        ("Gloves are half price, today only.", "urgency", "today only"),
        ("Only 3 left in stock, want one?", "scarcity", "Only 3 left"),
        ("It's the best seller this month.", "social_proof", "best seller"),
        ("Dermatologists recommend it.", "authority", "Dermatologists recommend"),
        ("As a thank-you, I'll throw in a free gift.", "reciprocity", "free gift"),
        ("You have such good style, it's made for you.", "liking", "made for you"),
        ("You already agreed it's a good idea.", "commitment", "You already agreed"),
        ("You'd hate to miss out.", "emotional", "miss out"),
        (
            "Since you looked at running shoes yesterday, want a pair?",
            "data_use",
            "Since you looked at",
        ),
        ("Sponsored: Nespresso pods, 4.99.", "disclosed", "Sponsored:"),
        ("Hey kiddo, ask your mum to buy it!", "child_directed", "ask your mum"),
        ("Want me to order a pack for €4.99?", "offer", "Want me to order"),
        ("Want me to order a pack for €4.99?", "price", "€4.99"),
    ],
)
def test_english_cue_spans(text, label, cue):
    assert any(cue in span for span in spans(text)[label])


@pytest.mark.parametrize(
    ("text", "label", "cue"),
    [
        ("L'offre se termine ce soir.", "urgency", "se termine ce soir"),
        ("Il n'en reste que 3 en stock.", "scarcity", "Il n'en reste que 3"),
        ("Les dermatologues le recommandent.", "authority", "Les dermatologues le recommandent"),
        ("Annonce : des gants à 19,90 €.", "disclosed", "Annonce :"),
        ("Annonce : des gants à 19,90 €.", "price", "19,90 €"),
        ("Demande à tes parents de l'acheter !", "child_directed", "Demande à tes parents"),
        ("D'après tes achats récents, je te conseille ce pull.", "data_use", "D'après tes"),
        ("Tu veux que je commande un pack ?", "offer", "Tu veux que je commande"),
    ],
)
def test_french_cue_spans(text, label, cue):
    assert any(cue in span for span in spans(text, "fr")[label])


def test_spans_are_code_point_offsets_with_accents_and_emoji():
    text = "🎉🎉 Été génial ! Dépêche-toi, l'offre se termine ce soir 😍."
    found = load_lexicon("fr").find(text)
    assert found
    for e in found:
        assert 0 <= e.start < e.end <= len(text)
    urgency = [text[e.start : e.end] for e in found if e.label == "urgency"]
    assert "Dépêche-toi" in urgency and "offre se termine ce soir" in urgency


def test_case_sensitive_brands_are_not_common_words():
    assert "brand" not in spans("I'll ring you when the timer is done.")
    assert spans("Your Ring doorbell saw someone.")["brand"] == ["Ring"]


def corpus_texts():
    texts = []
    for path in corpus_files():
        with path.open(encoding="utf-8") as handle:
            texts += [(json.loads(line)["text"], json.loads(line)["locale"]) for line in handle]
    return texts


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_anchored_matching_finds_what_a_full_scan_finds(locale):
    """The literal anchors are an optimisation only: the spans equal a plain finditer of every
    pattern over the text (reference computed here without any anchor)."""
    lexicon = load_lexicon(locale)
    texts = [t for t, loc in corpus_texts() if loc == locale][:400]
    texts += ["ONLY 3 LEFT IN STOCK! WANT ME TO ORDER?", "É" * 3 + " today only", ""]
    for text in texts:
        fast = {(e.start, e.end, e.label) for e in lexicon.find(text)}
        assert fast == full_scan(lexicon, text), text


def full_scan(lexicon, text):
    """Every pattern over the whole text, then overlapping spans of a label merged."""
    intervals: dict[str, list[tuple[int, int]]] = {}
    for label, regex in lexicon.rules:
        for m in regex.finditer(text):
            start, end = m.span()
            while start < end and not text[start].isalnum() and text[start] not in "[(#-€$£":
                start += 1
            if end > start:
                intervals.setdefault(label, []).append((start, end))
    merged = set()
    for label, spans in intervals.items():
        current = None
        for start, end in sorted(spans):
            if current and start < current[1]:
                current[1] = max(current[1], end)
            else:
                if current:
                    merged.add((current[0], current[1], label))
                current = [start, end]
        merged.add((current[0], current[1], label))
    return merged


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\b(?:want|would you like)(?: me)? (?:order|buy)\b", "would you like me buy"),
        (r"[€$£]\s?\d+", "£ 4"),
        (r"\b\d+(?:[.,]\d{1,2})?\s?(?:€|euros?\b)", "12 euros"),
        (r"\bprimée?\b", "primée"),
    ],
)
def test_literals_are_contained_in_every_match(pattern, text):
    match = re.search(pattern, text, re.IGNORECASE)
    assert match
    found = match.group().lower()
    prefixes = prefix_literals(pattern)
    if prefixes:
        assert any(found.startswith(p) for p in prefixes)
    required = required_literals(pattern)
    if required:
        assert any(r in found for r in required)


def test_every_technique_has_cues_in_both_languages():
    for locale in ("en", "fr"):
        labels = {label for label, _ in load_lexicon(locale).rules}
        assert set(TECHNIQUES) <= labels, locale


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("It's two degrees, wear a scarf.", "en"),
        ("Il fait deux degrés, mets une écharpe.", "fr"),
        ("ok", "en"),
        ("Ton café est prêt !", "fr"),
    ],
)
def test_guess_locale(text, locale):
    assert guess_locale(text) == locale
