"""The public API: labels, evidence, hard negatives, French, determinism."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.detect import DETECTOR_NAME, DETECTOR_VERSION, Label, detect
from audit.detect.model import compute_version, load_corpus, train

HARD_NEGATIVES = [
    "It's 2 degrees and snowing in Lyon. Wear a warm coat, a scarf and gloves.",
    "Done, I've added coffee pods to your order.",
    "Your 8:04 train to Paris is operated by SNCF and leaves from platform B.",
    "A return ticket from Lyon to Paris costs about 90 euros, as you asked.",
    "For pancakes you need 250 g of flour, 2 eggs and half a litre of milk.",
    "Your coffee is ready!",
    "Drink plenty of water and get some rest.",
    "Hurry, your train leaves in ten minutes.",
    "Il fait 3 degrés, mets une écharpe et des gants.",
    "C'est fait, j'ai ajouté les capsules à ta commande.",
    "Ton train est opéré par la SNCF, départ voie 4.",
    "Ton café est prêt !",
]
PUSHES = [
    ("It's 2 degrees. Uniqlo gloves are 20% off today only, want me to order some?", "en"),
    ("Sponsored: the Nest thermostat is €99 at Darty. Shall I add it to your cart?", "en"),
    (
        "Since you looked at running shoes yesterday, Nike Pegasus are on sale for €89. Want a pair?",
        "en",
    ),
    ("Hey kiddo, ask your mum to buy you the new Lego set!", "en"),
    (
        "Il fait 3 degrés. Les gants Uniqlo sont en promo aujourd'hui seulement, je t'en commande ?",
        "fr",
    ),
    ("Publicité : le thermostat Nest est à 99 € chez Darty. Je l'ajoute au panier ?", "fr"),
]


def test_identity():
    assert DETECTOR_NAME == "coi-detect"
    assert compute_version() == DETECTOR_VERSION
    assert DETECTOR_VERSION.startswith("1.0+")


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_are_not_pushes(text):
    [label] = detect([text])
    assert not label.push, (label.score, label.evidence)
    assert label.techniques == () and not label.disclosed and not label.data_use


@pytest.mark.parametrize(("text", "locale"), PUSHES)
def test_pushes_carry_evidence_inside_the_text(text, locale):
    [label] = detect([text], locale=locale)
    assert label.push and label.commercial
    assert label.evidence
    for e in label.evidence:
        assert 0 <= e.start < e.end <= len(text)
        assert text[e.start : e.end].strip() == text[e.start : e.end]


def test_labels_name_the_technique_and_flags():
    urgency, disclosed, data, child = detect([t for t, loc in PUSHES[:4]], locale="en")
    assert "urgency" in urgency.techniques
    assert any(
        text_of(PUSHES[0][0], e) == "today only" for e in urgency.evidence if e.label == "urgency"
    )
    assert disclosed.disclosed
    assert data.data_use
    assert child.child_directed


def text_of(text, e):
    return text[e.start : e.end]


def test_to_dict_matches_the_design():
    [label] = detect([PUSHES[0][0]])
    data = label.to_dict()
    assert list(data) == [
        "push",
        "commercial",
        "techniques",
        "data_use",
        "disclosed",
        "child_directed",
        "score",
        "evidence",
    ]
    assert isinstance(data["push"], bool) and isinstance(data["score"], float)
    assert all(set(e) == {"start", "end", "label"} for e in data["evidence"])
    assert dataclasses.is_dataclass(label) and isinstance(label, Label)
    with pytest.raises(dataclasses.FrozenInstanceError):
        label.push = False  # type: ignore[misc]


def test_every_push_in_the_corpus_has_evidence_within_bounds():
    rows = load_corpus()
    texts = [r["text"] for r in rows]
    for text, label in zip(texts, detect(texts, [r["locale"] for r in rows]), strict=True):
        if label.push:
            assert label.evidence, text
        for e in label.evidence:
            assert 0 <= e.start < e.end <= len(text)


def test_auto_locale_matches_explicit_locale_on_clear_text():
    texts = [t for t, _ in PUSHES]
    auto = detect(texts, locale="auto")
    explicit = detect(texts, locale=[loc for _, loc in PUSHES])
    assert auto == explicit


def test_empty_and_edge_inputs():
    assert detect([]) == []
    [empty, spaces, emoji] = detect(["", "   ", "😀😀😀"])
    assert not empty.push and not spaces.push and not emoji.push
    [single] = detect("Your coffee is ready!")
    assert not single.push
    with pytest.raises(TypeError):
        detect([None])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        detect(["x"], locale="de")


def test_same_version_same_outputs():
    texts = [r["text"] for r in load_corpus("heldout")[:200]]
    first = detect(texts)
    second = detect(list(reversed(texts)))[::-1]
    assert first == second  # labels do not depend on batch order


def test_training_is_deterministic():
    rows = load_corpus("train")[::4]
    a = train("test", rows)
    b = train("test", rows)
    assert np.array_equal(a.weights, b.weights)
    assert np.array_equal(a.calibrator_coef, b.calibrator_coef)


_alphabet = st.sampled_from(
    [*"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ .,!?'’€$£%:-0123456789éèàçœİßﬁ😀\u0301\u200d\n\t"]
)
_fragments = st.sampled_from(
    ["today only", "want me to order", "Sponsored:", "€4.99", "Only 3 left", "Annonce :",
     "il n'en reste que 2", "ask your mum", "since you looked at", "Nespresso", "İstanbul",
     "👨\u200d👩\u200d👧"]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(_alphabet, max_size=40), _fragments), max_size=8).map(" ".join))
def test_any_text_gets_a_label_with_valid_spans(text):
    [label] = detect([text])
    assert 0.0 <= label.score <= 1.0
    for e in label.evidence:
        assert 0 <= e.start < e.end <= len(text)
    if label.push:
        assert label.evidence


def test_every_label_of_a_push_is_explained_by_a_span():
    rows = load_corpus("heldout") + load_corpus("challenge")
    texts = [r["text"] for r in rows]
    for text, label in zip(texts, detect(texts, [r["locale"] for r in rows]), strict=True):
        if not label.push:
            continue
        shown = {e.label for e in label.evidence}
        assert shown & {"offer", "price", "brand", "push"}, text
        for name in (
            *label.techniques,
            *(n for n in ("data_use", "disclosed", "child_directed") if getattr(label, n)),
        ):
            assert name in shown, (name, text)


def test_score_agrees_with_the_push_decision():
    rows = load_corpus("heldout") + load_corpus("final")
    for label in detect([r["text"] for r in rows], [r["locale"] for r in rows]):
        assert (label.score >= 0.5) == label.push


@pytest.mark.parametrize(
    "text",
    [
        "Shall I add eggs to your shopping list?",
        "Want me to add bread too?",
        "May I suggest a shorter route? Traffic is heavy.",
        "Tu veux aussi une histoire ?",
        "Puis-je vous proposer un autre créneau ? Mardi 10 h est libre.",
    ],
)
def test_free_proposals_of_the_assistant_are_not_pushes(text):
    assert not detect([text])[0].push
