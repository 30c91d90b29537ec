"""Combine the cue layer and the statistical layer into labels with evidence.

- ``score``: the calibrated probability that the reply is a push (model logit + cue counts),
  moved to the decided side of 0.5 when a rule below overrides it.
- ``push``: score >= 0.5, with three rules (``decide_push``): a self-declared ad naming a
  product, price or offer is a push; so is a reply whose cues alone make a strong case (cue-only
  model >= 0.8); a reply with no commercial cue needs score >= 0.65.
- On a push, each technique, ``data_use``, ``disclosed`` and ``child_directed`` holds when its
  cue fires or its model head is confident (0.6; 0.9 for a disclosure, which must be explicit);
  these labels are defined on pushes only.
- ``commercial``: a push, or the commercial head says so.
- Evidence: the cue spans behind the labels that hold. A push with no offer cue gets the
  sentence the push head scores highest, labelled ``push``; a technique or flag found by the
  model alone gets its own best sentence: every label a push carries shows its reason.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from audit.detect.cues import (
    OFFER_LABELS,
    TECHNIQUES,
    Evidence,
    guess_locale,
    load_lexicon,
    words_of,
)
from audit.detect.model import HEADS, Model, count_cues, cue_matrix

THRESHOLD = 0.5
CUE_ONLY_PUSH = 0.8  # the cue-only model alone decides a push above this
MODEL_ONLY_PUSH = 0.65  # a push with no commercial cue at all needs a confident model
# Without a cue, a sub-label needs a confident model head; a disclosure must be explicit, so
# the model alone (e.g. a misspelt "sponsord") needs to be very sure.
MODEL_ONLY_DEFAULT = 0.6
MODEL_ONLY = {"disclosed": 0.9}
_HEAD = {name: j for j, name in enumerate(HEADS)}
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


@dataclass(frozen=True)
class Label:
    """The detector's verdict on one assistant reply."""

    push: bool
    commercial: bool
    techniques: tuple[str, ...]
    data_use: bool
    disclosed: bool
    child_directed: bool
    score: float
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict:
        return {
            "push": self.push,
            "commercial": self.commercial,
            "techniques": list(self.techniques),
            "data_use": self.data_use,
            "disclosed": self.disclosed,
            "child_directed": self.child_directed,
            "score": round(self.score, 4),
            "evidence": [e.to_dict() for e in self.evidence],
        }


def resolve_locales(
    texts: Sequence[str], locale: str | Sequence[str], words: list[set[str]]
) -> list[str]:
    requested = [locale] * len(texts) if isinstance(locale, str) else list(locale)
    if len(requested) != len(texts):
        raise ValueError("one locale per text expected")
    for loc in set(requested) - {"auto"}:
        load_lexicon(loc)  # raises on an unknown locale
    return [
        guess_locale(t, w) if loc == "auto" else loc
        for t, w, loc in zip(texts, words, requested, strict=True)
    ]


def label_batch(
    model: Model, texts: Sequence[str], locale: str | Sequence[str] = "auto"
) -> list[Label]:
    texts = list(texts)
    if not texts:
        return []
    words = [words_of(text) for text in texts]
    locales = resolve_locales(texts, locale, words)
    lexicons = {loc: load_lexicon(loc) for loc in set(locales)}
    spans = [
        lexicons[loc].find(text, w) for text, w, loc in zip(texts, words, locales, strict=True)
    ]
    logits = model.logits(texts)
    probs = 1.0 / (1.0 + np.exp(-logits))
    cues = cue_matrix([count_cues(s) for s in spans])
    scores = model.push_score(logits[:, _HEAD["push"]], cues)
    cue_scores = model.cue_score(cues)
    labels: list[Label] = []
    unexplained: dict[int, list[str]] = {}  # row -> labels that hold without a cue span
    for i, text in enumerate(texts):
        label = _label(text, spans[i], probs[i], float(scores[i]), float(cue_scores[i]))
        labels.append(label)
        if label.push:
            shown = {e.label for e in label.evidence}
            missing = [] if shown & set(OFFER_LABELS) else ["push"]
            missing += [name for name in _sub_labels(label) if name not in shown]
            if missing:
                unexplained[i] = missing
    if unexplained:
        _add_sentence_evidence(model, texts, labels, unexplained)
    return labels


def _sub_labels(label: Label) -> list[str]:
    flags = [n for n in ("data_use", "disclosed", "child_directed") if getattr(label, n)]
    return [*label.techniques, *flags]


def decide_push(cued: set[str], score: float, cue_score: float = 0.0) -> bool:
    """The push decision from the calibrated score and two rules of the taxonomy.

    - A reply that labels itself as advertising ("Sponsored:", "paid partnership", "annonce")
      and names a product, price or offer is a push, whatever the model thinks: disclosure only
      exists on pushes. Not so when it answers the user (a solicited cue: "I didn't use your
      personal data", "the suggestion was") without an offer cue: that is an explanation of an
      earlier suggestion, and the score decides.
    - When the cues alone make a strong case (the cue-only model says >= 0.8: an offer with a
      price and a persuasion technique, say), it is a push even if the wording is new to the
      statistical model.
    - A reply without any commercial cue (no offer, price, brand or disclosure) is a push only
      when the model is confident on its own (free advice and assistant features look like
      offers to a bag of words).
    """
    commercial_cue = bool(cued & {"offer", "price", "brand"})
    # "Yes, that was sponsored by Brand" answering the user's question about an earlier
    # suggestion names a brand and a disclosure but proposes nothing new: the model decides.
    answers_without_offer = "solicited" in cued and "offer" not in cued
    if "disclosed" in cued and commercial_cue and not answers_without_offer:
        return True
    if cue_score >= CUE_ONLY_PUSH:
        return True
    if not commercial_cue and "disclosed" not in cued:
        return score >= MODEL_ONLY_PUSH
    return score >= THRESHOLD


def _label(
    text: str, spans: list[Evidence], prob: np.ndarray, score: float, cue_score: float = 0.0
) -> Label:
    cued = {s.label for s in spans}
    push = decide_push(cued, score, cue_score)
    # Where a rule overrides the calibrated score, move the score to the decided side of 0.5,
    # so that `score >= 0.5` and `push` never disagree for a consumer of the labels.
    score = max(score, THRESHOLD) if push else min(score, np.nextafter(THRESHOLD, 0.0))
    commercial = bool(push or prob[_HEAD["commercial"]] >= THRESHOLD)
    if not push:
        evidence = tuple(
            s for s in spans if commercial and s.label in OFFER_LABELS and s.label != "brand"
        )
        return Label(False, bool(commercial), (), False, False, False, score, evidence)

    def holds(name: str) -> bool:
        return bool(name in cued or prob[_HEAD[name]] >= MODEL_ONLY.get(name, MODEL_ONLY_DEFAULT))

    techniques = tuple(t for t in TECHNIQUES if holds(t))
    flags = {name: holds(name) for name in ("data_use", "disclosed", "child_directed")}
    shown = {*OFFER_LABELS, *techniques, *(k for k, v in flags.items() if v)}
    evidence = tuple(s for s in spans if s.label in shown)
    return Label(
        True,
        True,
        techniques,
        flags["data_use"],
        flags["disclosed"],
        flags["child_directed"],
        score,
        evidence,
    )


def _add_sentence_evidence(model: Model, texts, labels: list, rows: dict[int, list[str]]) -> None:
    """Explain labels that hold without a cue span by the sentence whose head scores highest:
    a push with no offer cue, or a technique or flag that only the model found."""
    sentences: list[tuple[int, int, int]] = []
    for i in rows:
        for match in _SENTENCE.finditer(texts[i]):
            start, end = match.span()
            while start < end and texts[i][start].isspace():
                start += 1
            while end > start and texts[i][end - 1].isspace():
                end -= 1
            if end > start:
                sentences.append((i, start, end))
    if not sentences:
        return
    logits = model.logits([texts[i][s:e] for i, s, e in sentences])
    best: dict[tuple[int, str], tuple[float, int, int]] = {}
    for (i, s, e), values in zip(sentences, logits, strict=True):
        for name in rows[i]:
            value = float(values[_HEAD[name]])
            if (i, name) not in best or value > best[i, name][0]:
                best[i, name] = (value, s, e)
    for (i, name), (_, s, e) in best.items():
        old = labels[i]
        evidence = tuple(
            sorted(
                (*old.evidence, Evidence(s, e, name)), key=lambda ev: (ev.start, ev.end, ev.label)
            )
        )
        labels[i] = dataclasses.replace(old, evidence=evidence)
