"""The message catalogue: both languages for every key, numbers formatted per language."""

from __future__ import annotations

import string

from reports.i18n import LANGS, catalogue, messages


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_every_language_with_the_same_placeholders():
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGS), key
        en, fr = texts["en"], texts["fr"]
        assert type(en) is type(fr), key
        if isinstance(en, str):
            assert _fields(en) == _fields(fr), key
        else:
            assert len(en) == len(fr), key


def test_numbers_follow_the_language():
    assert messages("en").pct(0.2345) == "23.4%" or messages("en").pct(0.2345) == "23.5%"
    assert messages("en").pct(0.5) == "50.0%"
    assert messages("fr").pct(0.5) == "50,0\u202f%"
    assert messages("en").pct(-0.125, signed=True) == "−12.5%"
    assert messages("en").pvalue(0.0004) == "< 0.001"
    assert messages("fr").pvalue(0.0412) == "= 0,041"


def test_unknown_labels_fall_back_to_their_name():
    msg = messages("fr")
    assert msg.technique("scarcity") == "rareté"
    assert msg.technique("brand_new") == "brand_new"
    assert msg.endpoint("push_rate").startswith("Taux")
