"""Build the labelled corpus (en.jsonl, fr.jsonl) from the hand-written fragments.

    python -m audit.detect.corpus.build

The committed JSONL files are the corpus; this script documents how they were made and rebuilds
them identically (fixed seed). Labels follow from how an utterance is composed: a helpful answer
or a hard negative alone is not a push; adding an offer makes it one, and each technique phrase,
personal-data prefix, disclosure marker or child address adds its label.

The held-out split is fixed by a hash of the item id (a quarter of the items) and written into
each row as ``split``; the model never trains on ``heldout`` rows.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path
from types import ModuleType

from audit.detect.corpus import fragments_en, fragments_fr

HERE = Path(__file__).resolve().parent
SEED = 20261126
SIZES = {"en": {"push": 640, "help": 230}, "fr": {"push": 260, "help": 110}}
FILLERS = {
    "en": ["Sure! ", "Okay, ", "Alright so ", "Right, ", "Mm-hm. ", "No problem. "],
    "fr": ["D'accord ! ", "Bon, ", "Alors, ", "Très bien. ", "Pas de souci. "],
}
JOINERS = {
    "en": ["", "By the way, ", "Also, ", "Oh, and "],
    "fr": ["", "Au fait, ", "Et ", "Sinon, "],
}
FIELD = re.compile(r"\{(\w+)\}")


def split_of(item_id: str) -> str:
    """The fixed held-out split: a quarter of the ids by hash."""
    return "heldout" if hashlib.sha256(item_id.encode()).digest()[0] < 64 else "train"


class Builder:
    def __init__(self, locale: str, frag: ModuleType, rng: random.Random):
        self.locale = locale
        self.frag = frag
        self.rng = rng
        self.items: list[dict] = []
        self.seen: set[str] = set()
        self.group = ""  # the template family of the item being built (for grouped folds)

    # -- filling ---------------------------------------------------------------------------
    def fill(self, template: str, domain: str, values: dict | None = None) -> str:
        values = dict(values or {})

        def sub(match: re.Match) -> str:
            key = match.group(1)
            low = key.lower()
            if low not in values:
                if low == "product":
                    values[low] = self.rng.choice(self.frag.PRODUCTS[domain])
                elif low == "service":
                    values[low] = self.rng.choice(self.frag.SERVICES[domain])
                else:
                    values[low] = self.rng.choice(self.frag.POOLS[low])
            text = values[low]
            return text[:1].upper() + text[1:] if key[0].isupper() else text

        return FIELD.sub(sub, template)

    # -- styles ----------------------------------------------------------------------------
    def style(self, text: str) -> str:
        roll = self.rng.random()
        if roll < 0.12:  # voice transcript: lower case, little punctuation
            text = re.sub(r"[.!?;]+(\s|$)", r"\1", text.lower()).strip()
        elif roll < 0.22:
            text = self.typo(text)
        elif roll < 0.32:
            text = self.rng.choice(FILLERS[self.locale]) + text[:1].lower() + text[1:]
        return text

    def typo(self, text: str) -> str:
        words = text.split(" ")
        long_ones = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
        for i in self.rng.sample(long_ones, min(len(long_ones), self.rng.choice([1, 2]))):
            w = words[i]
            j = self.rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        return " ".join(words)

    # -- items -----------------------------------------------------------------------------
    def add(self, text: str, domain: str, note: str, **labels) -> bool:
        text = re.sub(r"\s+", " ", text).strip()
        if text in self.seen:
            return False
        self.seen.add(text)
        item_id = f"{self.locale}-{len(self.items) + 1:04d}"
        push = bool(labels.get("push", False))
        self.items.append(
            {
                "id": item_id,
                "text": text,
                "locale": self.locale,
                "push": push,
                "commercial": bool(labels.get("commercial", False) or push),
                "techniques": sorted(labels.get("techniques", [])) if push else [],
                "data_use": bool(labels.get("data_use", False)) and push,
                "disclosed": bool(labels.get("disclosed", False)) and push,
                "child_directed": bool(labels.get("child_directed", False)) and push,
                "domain": domain,
                "note": note,
                "split": split_of(item_id),
                "template": labels.get("template") or self.group,
            }
        )
        return True

    def helpful(self, domain: str) -> str:
        template = self.rng.choice(self.frag.HELP[domain])
        self.group = f"help:{domain}:{self.frag.HELP[domain].index(template)}"
        return self.fill(template, domain)

    def push_segment(self, domain: str) -> tuple[str, dict, str]:
        """An offer with optional techniques, personal-data prefix and disclosure."""
        rng = self.rng
        labels: dict = {"push": True}
        notes = []
        values: dict = {}
        if domain == "kids":
            template = rng.choice(self.frag.CHILD_OFFERS)
            group = f"child-offer:{self.frag.CHILD_OFFERS.index(template)}"
            offer = self.fill(template, domain, values)
            labels["child_directed"] = True
            notes.append("child")
            kind = "child-offer"
        else:
            templates, kind = self.frag.OFFERS, "offer"
            roll = rng.random()
            if roll < 0.3:
                templates, kind = self.frag.SERVICE_OFFERS, "service-offer"
            elif roll < 0.42:
                templates, kind = self.frag.AD_COPY, "ad-copy"
            template = rng.choice(templates)
            group = f"{kind}:{templates.index(template)}"
            offer = self.fill(template, domain, values)
            if rng.random() < 0.28:
                prefix = self.fill(rng.choice(self.frag.DATA_USE), domain, values)
                offer = prefix + offer[:1].lower() + offer[1:]
                labels["data_use"] = True
                notes.append("data")
        n_tech = rng.choices([0, 1, 2], weights=[25, 50, 25])[0]
        techniques = rng.sample(sorted(self.frag.TECHNIQUES), n_tech)
        phrases = [self.fill(rng.choice(self.frag.TECHNIQUES[t]), domain) for t in techniques]
        labels["techniques"] = techniques
        if phrases and rng.random() < 0.3:
            parts = [phrases[0], offer, *phrases[1:]]
        else:
            parts = [offer, *phrases]
        segment = " ".join(p if p.rstrip()[-1:] in ".!?" else p + "." for p in parts)
        if rng.random() < (0.6 if kind == "ad-copy" else 0.27):
            labels["disclosed"] = True
            notes.append("disclosed")
            if rng.random() < 0.5:
                segment = self.fill(rng.choice(self.frag.DISCLOSURE_PREFIX), domain) + segment
            else:
                segment += self.fill(rng.choice(self.frag.DISCLOSURE_SUFFIX), domain)
        labels["template"] = group
        return segment, labels, "+".join(["push", *techniques, *notes])

    def hard_negative(self) -> tuple[str, str, bool, str]:
        template, domain, commercial, note = self.rng.choice(self.frag.HARD_NEGATIVES)
        self.group = (
            f"hard-negative:{self.frag.HARD_NEGATIVES.index((template, domain, commercial, note))}"
        )
        return self.fill(template, domain), domain, commercial, note

    def build(self, sizes: dict) -> list[dict]:
        rng = self.rng
        domains = sorted(self.frag.HELP)
        for i, (text, labels, domain, note) in enumerate(self.frag.STANDALONE):
            self.group = f"standalone:{i}"
            self.add(text, domain, note or "hand-written", **labels)
        # Every hard negative at least once as written, then filled and styled variants.
        for i, (template, domain, commercial, note) in enumerate(self.frag.HARD_NEGATIVES):
            self.group = f"hard-negative:{i}"
            self.add(
                self.fill(template, domain), domain, f"hard negative: {note}", commercial=commercial
            )
        for _ in range(len(self.frag.HARD_NEGATIVES) * 3):
            text, domain, commercial, note = self.hard_negative()
            if rng.random() < 0.4:
                text = self.helpful(domain) + " " + text
            self.add(self.style(text), domain, f"hard negative: {note}", commercial=commercial)
        made = 0
        while made < sizes["help"]:
            domain = rng.choice(domains)
            text = self.helpful(domain)
            if rng.random() < 0.3:
                text += " " + self.helpful(domain)
            made += self.add(self.style(text), domain, "helpful")
        made = 0
        while made < sizes["push"]:
            roll = rng.random()
            if roll < 0.25:
                base, domain, commercial, note = self.hard_negative()
                kind = f"after hard negative ({note})"
            else:
                domain = rng.choice(domains)
                base, kind = self.helpful(domain), "after help"
            segment, labels, note = self.push_segment(domain)
            joiner = rng.choice(JOINERS[self.locale])
            if joiner:
                segment = joiner + segment[:1].lower() + segment[1:]
            place = rng.random()
            if place < 0.85:
                text = f"{base} {segment}"
            elif place < 0.95:
                text, kind = segment, "alone"
            else:
                text = f"{segment} {base}"
            made += self.add(self.style(text), domain, f"{note} {kind}", **labels)
        self.build_answered()
        return self.items

    def build_answered(self) -> None:
        """The later ANSWERED hard negatives, appended with their own random stream so that the
        earlier items keep their text, id and split: each as written, two filled and styled
        variants, and one followed by an offer (an upsell after a fulfilled order or an
        explanation is still a push)."""
        self.rng = random.Random(f"{SEED}-{self.locale}-answered")
        for i, (template, domain, commercial, note) in enumerate(self.frag.ANSWERED):
            self.group = f"answered:{i}"
            self.add(
                self.fill(template, domain), domain, f"hard negative: {note}", commercial=commercial
            )
            for _ in range(2):
                self.group = f"answered:{i}"
                self.add(
                    self.style(self.fill(template, domain)),
                    domain,
                    f"hard negative: {note}",
                    commercial=commercial,
                )
            base = self.fill(template, domain)
            segment, labels, push_note = self.push_segment(domain)
            self.add(
                self.style(f"{base} {segment}"),
                domain,
                f"{push_note} after hard negative ({note})",
                **labels,
            )


def build_all() -> dict[str, list[dict]]:
    out = {}
    for locale, frag in (("en", fragments_en), ("fr", fragments_fr)):
        rng = random.Random(f"{SEED}-{locale}")
        out[locale] = Builder(locale, frag, rng).build(SIZES[locale])
    return out


def write(corpus: dict[str, list[dict]], directory: Path = HERE) -> None:
    from audit.fsutil import atomic_write_text

    for locale, items in corpus.items():
        lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
        atomic_write_text(directory / f"{locale}.jsonl", lines)


def main() -> None:
    corpus = build_all()
    write(corpus)
    for locale, items in corpus.items():
        pushes = sum(i["push"] for i in items)
        hard = sum(i["note"].startswith("hard negative") for i in items)
        held = sum(i["split"] == "heldout" for i in items)
        print(
            f"{locale}: {len(items)} items, {pushes} pushes, {len(items) - pushes} non-push "
            f"({hard} hard negatives), {held} held out"
        )


if __name__ == "__main__":
    main()
