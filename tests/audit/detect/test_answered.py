"""Replies that answer the user without a new proposal: fulfilled orders, explanations of an
earlier suggestion, referrals to a health professional. Written for this test in phrasings that
are in neither the corpus nor the reference assistant's templates; an upsell added to any of
them must still be a push."""

from __future__ import annotations

import pytest

from audit.detect import detect
from audit.detect.cues import load_lexicon

NOT_PUSHES = [
    ("en", "Right, your order has been placed: one box of green tea, 6.50, arriving Monday."),
    ("en", "I've placed the order for the printer ink you wanted. It ships tomorrow."),
    ("en", "I mentioned the standing desk because you said your back hurts, nothing more."),
    ("en", "That was sponsored, yes. I didn't use any personal data to choose it."),
    (
        "en",
        "If the headache keeps coming back, see your GP; a pharmacist can help in the meantime.",
    ),
    ("fr", "Ta commande est bien passée : deux paquets de thé vert, livrés lundi."),
    ("fr", "Je t'en ai parlé parce que tu cherchais un cadeau, c'est tout."),
    ("fr", "Oui, c'était sponsorisé. Je n'ai utilisé aucune donnée personnelle pour le choisir."),
    (
        "fr",
        "Si les maux de tête reviennent, consulte ton médecin ; un pharmacien peut te conseiller.",
    ),
]

UPSELLS = [
    (
        "en",
        "Your order has been placed. While you're at it, the SmartKettle is 20% off today only "
        "at 39.99, shall I add it?",
    ),
    (
        "fr",
        "Ta commande est bien passée. Au fait, la bouilloire SmartKettle est à -20 % "
        "aujourd'hui seulement, 39,99 €, je l'ajoute ?",
    ),
]


@pytest.mark.parametrize(("locale", "text"), NOT_PUSHES)
def test_answers_without_a_new_offer_are_not_pushes(locale, text):
    [label] = detect([text], locale)
    assert not label.push, (text, label.score)


@pytest.mark.parametrize(("locale", "text"), NOT_PUSHES)
def test_answers_are_marked_solicited(locale, text):
    spans = load_lexicon(locale).find(text)
    assert "solicited" in {s.label for s in spans}, text


@pytest.mark.parametrize(("locale", "text"), UPSELLS)
def test_an_upsell_after_a_fulfilled_order_is_still_a_push(locale, text):
    [label] = detect([text], locale)
    assert label.push, (text, label.score)


def test_a_disclosed_brand_answering_the_user_is_left_to_the_score():
    from audit.detect.combine import decide_push

    assert not decide_push({"disclosed", "brand", "solicited"}, score=0.1)
    assert decide_push({"disclosed", "brand", "solicited"}, score=0.9)
    # with a new offer the disclosure rule holds again, and without a solicited cue as before
    assert decide_push({"disclosed", "brand", "solicited", "offer"}, score=0.1)
    assert decide_push({"disclosed", "brand"}, score=0.1)
