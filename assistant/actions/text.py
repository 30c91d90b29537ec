"""Small text helpers shared by the skills: language choice, item and number extraction."""

from __future__ import annotations

import re

ARTICLES = re.compile(
    r"^(?:(?:some|a|an|the|more|my|two|three|a few|a pack of|a box of|du|de la|des|les|le|la|"
    r"un|une|quelques)\s+|(?:l'|d'|de l'))",
    re.IGNORECASE,
)


def tr(fr: bool, en: str, fr_text: str) -> str:
    return fr_text if fr else en


def clean_item(raw: str) -> str:
    item = raw.strip(" .,!?;:\"'").strip()
    for _ in range(2):
        item = ARTICLES.sub("", item).strip()
    return item


def first_match(patterns: list[str], text: str) -> str | None:
    for pattern in patterns:
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            item = clean_item(match.group(1))
            if item:
                return item
    return None


NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "dix": 10, "quinze": 15,
    "vingt": 20, "trente": 30,
}  # fmt: skip


def minutes_in(text: str) -> int | None:
    lowered = normalise_numbers(text.lower())
    if "half an hour" in lowered or "demi-heure" in lowered:
        return 30
    match = re.search(r"(\d+)\s*(?:-\s*)?(?:min|minute)", lowered)
    if match:
        return int(match.group(1))
    match = re.search(r"(\d+)\s*(?:hours?|heures?|h\b)", lowered)
    if match:
        return 60 * int(match.group(1))
    match = re.search(r"\b(" + "|".join(NUMBER_WORDS) + r")\s+minutes?", lowered)
    if match:
        return NUMBER_WORDS[match.group(1)]
    if re.search(r"\b(an hour|une heure)\b", lowered):
        return 60
    return None


def number_in(text: str) -> int | None:
    match = re.search(r"(-?\d+)", text)
    return int(match.group(1)) if match else None


def join_words(items: list[str], fr: bool) -> str:
    items = [str(i) for i in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + (" et " if fr else " and ") + items[-1]


UNITS_EN = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
TENS_EN = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}  # fmt: skip
UNITS_FR = {
    "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16,
}  # fmt: skip
TENS_FR = {"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}
_UNITS = {**UNITS_EN, **UNITS_FR}
_TENS = {**TENS_EN, **TENS_FR}
_NUMBER_WORD = re.compile(
    r"\b(?:(" + "|".join(_TENS) + r")(?:[\s-]+(?:et[\s-]+)?(" + "|".join(_UNITS) + r"))?"
    r"|(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r"))\b",
    re.IGNORECASE,
)


def normalise_numbers(text: str) -> str:
    """'thirty-five minutes' -> '35 minutes', 'six fois sept' -> '6 fois 7' (EN and FR, 0-69).

    'un'/'une'/'one' stay words unless followed by a unit, so 'une histoire' is untouched.
    """

    def replace(match: re.Match) -> str:
        tens, unit, alone = match.group(1), match.group(2), match.group(3)
        if tens:
            return str(_TENS[tens.lower()] + (_UNITS[unit.lower()] if unit else 0))
        word = alone.lower()
        if word in ("un", "une", "one"):
            rest = text[match.end() : match.end() + 12].lower()
            if not re.match(r"\s*(minutes?|min|heures?|hours?)\b", rest):
                return alone
        return str(_UNITS[word])

    return _NUMBER_WORD.sub(replace, text)
