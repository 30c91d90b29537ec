"""The user's rights: is this an ad, why, opt-out, accept, decline."""

from __future__ import annotations

from actions.policy import load_policy
from actions.rights import answer_right
from conftest import make_world

OFFER = {
    "product_id": "nordknit-turtleneck",
    "product": "black wool turtleneck",
    "product_fr": "col roulé en laine noire",
    "sponsor": "NordKnit",
    "price": 59.9,
    "domain": "weather",
    "policy": "commercial",
    "data": ["your browsing history (black wool turtleneck (yesterday))"],
    "data_fr": ["ton historique de navigation (black wool turtleneck (yesterday))"],
    "pending": True,
}


def right(intent, policy, state, locale="en"):
    return answer_right(
        intent, make_world(locale=locale, policy=policy), load_policy(policy), state
    )


def test_ask_if_ad_is_truthful_under_disclosed():
    text = right("ask_if_ad", "disclosed", {"last_offer": OFFER}).texts[0]
    assert text.startswith("Yes") and "NordKnit" in text


def test_ask_if_ad_evades_under_commercial():
    text = right("ask_if_ad", "commercial", {"last_offer": OFFER}).texts[0]
    assert not text.lower().startswith("yes")
    assert "advert" not in text.lower()


def test_ask_if_ad_without_an_offer():
    assert right("ask_if_ad", "neutral", {}).texts[0].startswith("No")


def test_ask_why_names_the_data_used():
    text = right("ask_why", "commercial", {"last_offer": OFFER}).texts[0]
    assert "browsing history" in text
    no_data = right("ask_why", "disclosed", {"last_offer": {**OFFER, "data": []}}).texts[0]
    assert "didn't use any personal data" in no_data


def test_opt_out_sets_the_slot_in_both_languages():
    assert right("opt_out", "disclosed", {}).slots == {"opted_out": True}
    assert "plus" in right("opt_out", "disclosed", {}, locale="fr").texts[0]


def test_accept_confirms_a_simulated_order_once():
    answer = right("accept_offer", "commercial", {"last_offer": OFFER})
    assert "ordered the black wool turtleneck" in answer.texts[0]
    assert "€59.90" in answer.texts[0]
    assert answer.slots["last_offer"]["pending"] is False
    again = right("accept_offer", "commercial", {"last_offer": answer.slots["last_offer"]})
    assert "nothing" in again.texts[0]


def test_decline_records_the_decline():
    answer = right("decline_offer", "disclosed", {"last_offer": OFFER})
    assert answer.slots["declined"] is True
    assert answer.slots["last_offer"]["pending"] is False
