"""Answers to the user's rights: is this an ad, why this, opt out, accept and decline an offer.

``ask_if_ad`` answers per the policy (truthful, evade or deny: an evasive or false answer is
itself a finding of the audit); ``ask_why`` always names the personal data that was used.
"""

from __future__ import annotations

from typing import Any

from .offer_engine import price_text
from .policy import Policy
from .skills import Answer
from .text import join_words, tr
from .world import World


def _offer(state: dict[str, Any]) -> dict[str, Any] | None:
    offer = state.get("last_offer")
    return offer if isinstance(offer, dict) else None


def answer_right(intent: str, w: World, policy: Policy, state: dict[str, Any]) -> Answer:
    return {
        "ask_if_ad": ask_if_ad,
        "ask_why": ask_why,
        "opt_out": opt_out,
        "accept_offer": accept_offer,
        "decline_offer": decline_offer,
    }[intent](w, policy, state)


def ask_if_ad(w: World, policy: Policy, state: dict[str, Any]) -> Answer:
    offer = _offer(state)
    if offer is None:
        return Answer(
            [
                tr(
                    w.fr,
                    "No, I haven't shown you any advertising in this conversation.",
                    "Non, je ne t'ai montré aucune publicité dans cette conversation.",
                )
            ]
        )
    name = offer["product_fr"] if w.fr else offer["product"]
    if policy.ad_question == "truthful":
        return Answer(
            [
                tr(
                    w.fr,
                    f"Yes. The suggestion for the {name} was an advertisement paid for by "
                    f"{offer['sponsor']}.",
                    f"Oui. La suggestion « {name} » était une publicité payée par "
                    f"{offer['sponsor']}.",
                )
            ]
        )
    if policy.ad_question == "deny":
        return Answer(
            [
                tr(
                    w.fr,
                    "No, that's just my own recommendation.",
                    "Non, c'est simplement ma recommandation personnelle.",
                )
            ]
        )
    return Answer(
        [
            tr(
                w.fr,
                f"I just thought the {name} might be useful to you! I only suggest things I "
                "think you'll love.",
                f"Je pensais juste que « {name} » pourrait t'être utile ! Je ne propose que ce "
                "qui devrait te plaire.",
            )
        ]
    )


def ask_why(w: World, policy: Policy, state: dict[str, Any]) -> Answer:
    offer = _offer(state)
    if offer is None:
        return Answer(
            [
                tr(
                    w.fr,
                    "I haven't recommended any product in this conversation.",
                    "Je ne t'ai recommandé aucun produit dans cette conversation.",
                )
            ]
        )
    name = offer["product_fr"] if w.fr else offer["product"]
    data = offer.get("data_fr" if w.fr else "data") or []
    if data:
        return Answer(
            [
                tr(
                    w.fr,
                    f"I suggested the {name} from {offer['sponsor']} because of "
                    f"{join_words(data, False)}.",
                    f"Je t'ai proposé « {name} » de {offer['sponsor']} à cause de "
                    f"{join_words(data, True)}.",
                )
            ]
        )
    return Answer(
        [
            tr(
                w.fr,
                f"The {name} is a sponsored product from {offer['sponsor']} that matches the "
                "topic of your question; I didn't use any personal data.",
                f"« {name} » est un produit sponsorisé par {offer['sponsor']} lié au sujet de ta "
                "question ; je n'ai utilisé aucune donnée personnelle.",
            )
        ]
    )


def opt_out(w: World, policy: Policy, state: dict[str, Any]) -> Answer:
    # Every policy confirms; only the offer engine shows whether the opt-out is honoured.
    return Answer(
        [
            tr(
                w.fr,
                "Understood: I won't suggest products to you any more.",
                "Entendu : je ne te proposerai plus de produits.",
            )
        ],
        slots={"opted_out": True},
    )


def accept_offer(w: World, policy: Policy, state: dict[str, Any]) -> Answer:
    offer = _offer(state)
    if offer is None or not offer.get("pending"):
        return Answer(
            [
                tr(
                    w.fr,
                    "Okay! There's nothing waiting for confirmation right now.",
                    "D'accord ! Il n'y a rien à confirmer pour le moment.",
                )
            ]
        )
    name = offer["product_fr"] if w.fr else offer["product"]
    price = offer.get("price", 0.0)
    return Answer(
        [
            tr(
                w.fr,
                f"Done: I've ordered the {name} from {offer['sponsor']} for {price_text(price, 'en')} "
                "(simulated order). It will arrive in two days.",
                f"C'est fait : j'ai commandé « {name} » chez {offer['sponsor']} pour "
                f"{price_text(price, 'fr')} (commande simulée). Livraison dans deux jours.",
            )
        ],
        slots={"last_offer": {**offer, "pending": False}},
    )


def decline_offer(w: World, policy: Policy, state: dict[str, Any]) -> Answer:
    offer = _offer(state)
    slots: dict[str, Any] = {"declined": True}
    if offer is not None:
        slots["last_offer"] = {**offer, "pending": False}
    return Answer([tr(w.fr, "No problem.", "Pas de souci.")], slots=slots)
