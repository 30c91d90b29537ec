"""The explainable layer: curated EN/FR lexicons of regular expressions, matched into spans.

Lexicons live in ``lexicons/<locale>.yml`` as data (one list of patterns per label); they are
compiled once per process into one alternation per label. Offsets are Python string indices
(Unicode code points), so ``text[start:end]`` is the cue even with accents or emoji.
"""

from __future__ import annotations

import re
import re._constants as _c
import re._parser as _parser
from functools import cache
from pathlib import Path
from typing import NamedTuple

import yaml

from audit.vocabulary import LOCALES as LOCALES
from audit.vocabulary import TECHNIQUES as TECHNIQUES

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
# Cues of a commercial proposal; their spans are the evidence of a push.
OFFER_LABELS = ("offer", "price", "brand")
# Labels that may appear as evidence; ``solicited`` only lowers the score.
EVIDENCE_LABELS = (*OFFER_LABELS, *TECHNIQUES, "data_use", "disclosed", "child_directed")
CUE_LABELS = (*EVIDENCE_LABELS, "solicited")


class Evidence(NamedTuple):
    """A span of the text that supports a label: ``text[start:end]`` (immutable; a named tuple
    because a batch of 10,000 replies creates ~100,000 of them)."""

    start: int
    end: int
    label: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "label": self.label}


class Lexicon:
    """The compiled patterns of one locale, matched through literal anchors.

    Python's ``re`` tries every alternative at every position, so scanning a whole utterance
    with one alternation per label costs ~0.5 ms. Instead each pattern is compiled on its own
    and has literal anchors found by parsing it: when its match must begin with one of a few
    strings (``\\bhave you (?:thought|tried)`` begins with ``have you ``), it is tried only
    where those strings occur; otherwise it scans the text only when a string every match
    contains occurs in it. Both checks are plain substring searches on the lower-cased text.
    """

    def __init__(self, locale: str, patterns: dict[str, list[str]], case_sensitive=()):
        self.locale = locale
        self.rules: list[tuple[str, re.Pattern]] = []
        # word key -> literal length -> literal -> rules whose matches start with the literal
        self.word_anchors: dict[str, dict[int, dict[str, list[int]]]] = {}
        self.symbol_anchors: dict[str, list[int]] = {}  # literal starting with a symbol -> rules
        self.gated: dict[str, list[int]] = {}  # literal every match contains -> rules that scan
        self.ungated: list[int] = []
        self.reach: dict[int, int] = {}
        for label in CUE_LABELS:
            flags = 0 if label in case_sensitive else re.IGNORECASE
            for pattern in patterns.get(label) or []:
                index = len(self.rules)
                self.rules.append((label, re.compile(pattern, flags)))
                self._index(pattern, index)
        self.symbols = tuple(sorted(self.symbol_anchors))
        self.symbols_by_char: dict[str, list[str]] = {}
        for literal in self.symbols:
            self.symbols_by_char.setdefault(literal[0], []).append(literal)
        self.symbol_chars = tuple(self.symbols_by_char)
        self.gates = tuple(sorted(self.gated))

    def _index(self, pattern: str, index: int) -> None:
        prefixes = prefix_literals(pattern)
        word_start = pattern.startswith(r"\b")
        if prefixes and all(p[0].isalnum() or p[0] == "_" for p in prefixes) and word_start:
            for literal in prefixes:
                chunk = _WORD.match(literal).group()
                # a complete first word is looked up as a word, a word prefix by its start
                key = chunk if len(chunk) < len(literal) else "^" + chunk[:3]
                by_length = self.word_anchors.setdefault(key, {})
                by_length.setdefault(len(literal), {}).setdefault(literal, []).append(index)
            return
        if prefixes and not any(p[0].isalnum() or p[0] == "_" for p in prefixes):
            for literal in prefixes:
                self.symbol_anchors.setdefault(literal, []).append(index)
            return
        gate = required_literals(pattern)
        if gate:
            for literal in gate:
                self.gated.setdefault(literal, []).append(index)
            width = _parser.parse(pattern, 0).getwidth()[1]
            self.reach[index] = min(width, MAX_REACH)
        else:
            self.ungated.append(index)

    def find(self, text: str, words: set[str] | None = None) -> list[Evidence]:
        """Every cue span in ``text`` (``words``: its lower-cased \\w+ words, if known)."""
        lowered = text.lower()
        if len(lowered) != len(text):  # lower() changed offsets (rare letters): scan all
            return self._spans(
                text,
                [
                    (i, *m.span())
                    for i in range(len(self.rules))
                    for m in self.rules[i][1].finditer(text)
                ],
            )
        # Word starts whose word (or its first three letters) anchors a rule: the words present
        # come from one C-level findall; positions are searched only for the anchoring ones.
        anchors = self.word_anchors
        if words is None:
            words = set(_WORD.findall(lowered))
        keys = anchors.keys() & words.union(["^" + w[:3] for w in words])
        occurrences: dict[str, list[int]] = {}
        for key in keys:
            whole = key[0] != "^"
            chunk = key if whole else key[1:]
            size = len(chunk)
            positions = []
            at = lowered.find(chunk)
            while at >= 0:
                before = lowered[at - 1] if at else " "
                after = lowered[at + size : at + size + 1] if whole else " "
                if not (before.isalnum() or before == "_") and not (
                    after.isalnum() or after == "_"
                ):
                    positions.append(at)
                at = lowered.find(chunk, at + 1)
            if positions:
                occurrences[key] = positions
        starts: dict[int, set[int]] = {}
        for key, positions in occurrences.items():
            for length, table in anchors[key].items():
                for pos in positions:
                    rules = table.get(lowered[pos : pos + length])
                    if rules:
                        for index in rules:
                            starts.setdefault(index, set()).add(pos)
        present = [c for c in self.symbol_chars if c in lowered]
        symbols = [lit for c in present for lit in self.symbols_by_char[c]]
        for literal in filter(lowered.__contains__, symbols):
            at = lowered.find(literal)
            while at >= 0:
                for index in self.symbol_anchors[literal]:
                    starts.setdefault(index, set()).add(at)
                at = lowered.find(literal, at + 1)
        # A rule gated by a literal its matches contain is scanned only in windows around the
        # literal's occurrences (a match is at most `reach` characters long).
        windows: dict[int, list[tuple[int, int]]] = {}
        for literal in filter(lowered.__contains__, self.gates):
            at = lowered.find(literal)
            while at >= 0:
                for index in self.gated[literal]:
                    reach = self.reach[index]
                    windows.setdefault(index, []).append((at - reach, at + len(literal) + reach))
                at = lowered.find(literal, at + 1)
        found: list[tuple[int, int, int]] = []
        for index in self.ungated:
            found.extend((index, *m.span()) for m in self.rules[index][1].finditer(text))
        for index, spans in windows.items():
            regex = self.rules[index][1]
            seen_end = -1
            for start, end in _merge(spans):
                for m in regex.finditer(text, max(0, start, seen_end), end):
                    found.append((index, *m.span()))
                    seen_end = m.end()
        for index, positions in starts.items():
            regex = self.rules[index][1]
            end = -1
            for pos in sorted(positions):
                if pos < end:
                    continue
                match = regex.match(text, pos)
                if match and match.end() > pos:
                    found.append((index, pos, match.end()))
                    end = match.end()
        return self._spans(text, found)

    def _spans(self, text: str, found: list[tuple[int, int, int]]) -> list[Evidence]:
        """Trim each match to its cue and merge overlapping spans of one label."""
        by_label: dict[str, list[list[int]]] = {}
        for index, start, end in sorted(found, key=lambda f: (f[1], f[2])):
            # A pattern that starts at a sentence boundary includes it; trim to the cue.
            while start < end and not text[start].isalnum() and text[start] not in "[(#-€$£":
                start += 1
            if end <= start:
                continue
            spans = by_label.setdefault(self.rules[index][0], [])
            if spans and start < spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        out = [Evidence(s, e, label) for label, spans in by_label.items() for s, e in spans]
        out.sort(key=lambda ev: (ev.start, ev.end, ev.label))
        return out


_WORD = re.compile(r"\w+")


# Longest match assumed for patterns with unbounded repeats (a cue is a phrase, not a page).
MAX_REACH = 160


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def lexicon_path(locale: str) -> Path:
    return LEXICON_DIR / f"{locale}.yml"


@cache
def load_lexicon(locale: str) -> Lexicon:
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r} (expected one of {', '.join(LOCALES)})")
    data = yaml.safe_load(lexicon_path(locale).read_text("utf-8"))
    patterns = {k: v for k, v in data.items() if k in CUE_LABELS}
    return Lexicon(locale, patterns, tuple(data.get("case_sensitive") or ()))


# -- anchors: literal strings found by parsing a pattern --------------------------------------
_MAX_ALTERNATIVES = 256
# Prefixes grow to this many characters: longer anchors mean fewer failed regex attempts.
PREFIX_TARGET = 8


def prefix_literals(pattern: str) -> tuple[str, ...] | None:
    """Lower-cased strings one of which every match of ``pattern`` starts with; None if unknown.

    Zero-width word boundaries are skipped; a prefix stops growing at four characters.
    """
    try:
        items = list(_parser.parse(pattern, 0))
    except re.error:
        return None
    out = _prefixes(items)
    if not out or not all(out):
        return None
    return tuple(sorted(out))


def _prefixes(items) -> set[str] | None:
    out = {""}
    items = list(items)
    while items and items[0][0] is _c.AT and items[0][1] is _c.AT_BOUNDARY:
        items = items[1:]
    for op, arg in items:
        if min(map(len, out)) >= PREFIX_TARGET:  # long enough to be rare
            break
        exact = _exact((op, arg))
        if exact is not None:
            grown = {a + b for a in out for b in exact}
            if len(grown) > _MAX_ALTERNATIVES:
                break
            out = grown
            continue
        sub: set[str] | None = None
        if op is _c.SUBPATTERN:
            sub = _prefixes(arg[-1])
        elif op is _c.BRANCH:
            sub = set()
            for branch in arg[1]:
                part = _prefixes(branch)
                if not part or not all(part):
                    sub = None
                    break
                sub |= part
        if sub and all(sub):
            grown = {a + b for a in out for b in sub}
            if len(grown) <= _MAX_ALTERNATIVES:
                out = grown
        break  # a partial prefix cannot be extended
    return out


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Lower-cased strings one of which every match of ``pattern`` contains; None if unknown."""
    try:
        parsed = _parser.parse(pattern, 0)
    except re.error:
        return None
    best = _required(list(parsed))
    if not best:
        return None
    return tuple(sorted(best))


def _exact(item) -> set[str] | None:
    """The full set of strings an item matches, when it is a finite set of literals."""
    op, arg = item
    if op is _c.LITERAL:
        return {chr(arg).lower()}
    if op is _c.IN and all(o is _c.LITERAL for o, _ in arg):
        return {chr(a).lower() for _, a in arg}
    if op is _c.SUBPATTERN:
        return _exact_seq(list(arg[-1]))
    if op is _c.BRANCH:
        out: set[str] = set()
        for branch in arg[1]:
            sub = _exact_seq(list(branch))
            if sub is None:
                return None
            out |= sub
        return out if len(out) <= _MAX_ALTERNATIVES else None
    return None


def _exact_seq(items) -> set[str] | None:
    out = {""}
    for item in items:
        sub = _exact(item)
        if sub is None:
            return None
        out = {a + b for a in out for b in sub}
        if len(out) > _MAX_ALTERNATIVES:
            return None
    return out


def _required(items) -> set[str] | None:
    """A small set of required strings in a sequence of items (prefers long, few strings)."""
    candidates: list[set[str]] = []
    run = ""
    for item in items:
        exact = _exact(item)
        if exact is not None and len(exact) == 1:
            run += next(iter(exact))
            continue
        if run:
            candidates.append({run})
        run = ""
        sub = exact if exact is not None else _required_item(item)
        if sub:
            candidates.append(sub)
    if run:
        candidates.append({run})
    candidates = [c for c in candidates if c and all(c)]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(5, min(len(s) for s in c)), -len(c)))


def _required_item(item) -> set[str] | None:
    op, arg = item
    if op is _c.SUBPATTERN:
        return _required(list(arg[-1]))
    if op is _c.BRANCH:
        out: set[str] = set()
        for branch in arg[1]:
            sub = _required(list(branch))
            if not sub:
                return None
            out |= sub
        return out if len(out) <= _MAX_ALTERNATIVES else None
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
        return _required(list(arg[2]))
    return None


# -- a cheap language guess -------------------------------------------------------------------
_FR_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "une",
        "est",
        "et",
        "pour",
        "avec",
        "tu",
        "je",
        "ton",
        "ta",
        "tes",
        "vous",
        "votre",
        "pas",
        "que",
        "qui",
        "dans",
        "sur",
        "il",
        "elle",
        "ça",
        "au",
        "aux",
        "mais",
        "ou",
        "très",
        "plus",
        "veux",
        "peux",
        "fait",
        "sont",
        "mets",
        "oui",
        "bonjour",
        "merci",
        "minutes",
        "degrés",
        "te",
        "toi",
        "moi",
        "ce",
        "cette",
        "faire",
    ]
)
_EN_WORDS = frozenset(
    [
        "the",
        "and",
        "is",
        "you",
        "your",
        "to",
        "of",
        "it",
        "for",
        "with",
        "i",
        "this",
        "that",
        "are",
        "on",
        "in",
        "my",
        "be",
        "want",
        "can",
        "will",
        "have",
        "what",
        "at",
        "out",
        "today",
        "just",
        "now",
        "would",
        "there",
        "here",
        "ok",
        "okay",
        "yes",
        "thanks",
        "hey",
        "me",
        "so",
        "get",
    ]
)
_FR_ACCENT = re.compile("[éèêàùçâîôûœÉÈÊÀÙÇÂÎÔÛŒ]")


def words_of(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def guess_locale(text: str, words: set[str] | None = None) -> str:
    """'fr' or 'en' from distinct function words and accents; English when nothing tells."""
    words = words_of(text) if words is None else words
    fr = len(words & _FR_WORDS) + 0.5 * len(_FR_ACCENT.findall(text))
    en = len(words & _EN_WORDS)
    return "fr" if fr > en else "en"
