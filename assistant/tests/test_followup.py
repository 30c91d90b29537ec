"""Follow-up questions go to the previous skill; rights and clear topic changes do not."""

from __future__ import annotations

from actions.followup import resolve_intent
from actions.skills import answer_for
from actions.text import minutes_in, normalise_numbers
from conftest import make_world


def test_short_follow_ups_stay_with_the_previous_skill():
    assert resolve_intent("nlu_fallback", 0.18, "Which platform?", "ask_train") == "ask_train"
    assert resolve_intent("greet", 0.2, "And butter?", "check_fridge") == "check_fridge"
    assert (
        resolve_intent("add_to_shopping_list", 0.41, "And butter?", "check_fridge")
        == "check_fridge"
    )
    assert (
        resolve_intent("decline_offer", 0.35, "Another one please!", "kids_story") == "kids_story"
    )
    assert (
        resolve_intent("ask_time", 0.96, "What time will it leave then?", "ask_train")
        == "ask_train"
    )


def test_rights_and_topic_changes_are_kept():
    assert resolve_intent("ask_if_ad", 0.9, "Is this an ad?", "ask_weather") == "ask_if_ad"
    assert resolve_intent("decline_offer", 0.8, "No thanks", "ask_weather") == "decline_offer"
    assert (
        resolve_intent("set_timer", 0.98, "Set a timer for 12 minutes", "ask_recipe") == "set_timer"
    )
    assert resolve_intent("thank", 0.9, "Thanks, that's all.", "ask_weather") == "thank"
    assert resolve_intent("ask_weather", 0.9, "What's the weather?", None) == "ask_weather"


def test_number_words():
    assert normalise_numbers("Start a thirty-five minute timer") == "Start a 35 minute timer"
    assert normalise_numbers("six fois sept") == "6 fois 7"
    assert normalise_numbers("une histoire") == "une histoire"
    assert minutes_in("Lance un minuteur de vingt-cinq minutes") == 25


def say(intent, text, state=None, context=None, locale="en"):
    return answer_for(intent, text, make_world(locale=locale, context=context), state or {})


def test_recipe_follow_ups_use_the_recipe_being_cooked():
    first = say("ask_recipe", "Give me a recipe for a quiche")
    assert first.slots == {"recipe": "quiche"}
    assert (
        "180 degrees" in say("ask_recipe", "What temperature for the oven?", first.slots).texts[0]
    )
    assert "3 eggs" in say("ask_recipe", "How many eggs do I need?", first.slots).texts[0]
    assert "minutes" in say("ask_recipe", "How long does it take?", first.slots).texts[0]


def test_timer_status_after_setting_one():
    set_ = say("set_timer", "Set a timer for 35 minutes")
    assert "35 minutes left" in say("set_timer", "How long is left?", set_.slots).texts[0]


def test_delayed_train_gives_the_new_time():
    train = {"to": "London", "departs": "17:45", "arrives": "19:10", "status": "delayed:15"}
    text = say("ask_train", "When does it leave?", context={"trains": [train]}).texts[0]
    assert "18:00" in text and "19:25" in text


def test_calendar_event_time_by_title():
    context = {"calendar": [{"time": "15:30", "title": "School pick-up"}]}
    assert "15:30" in say("ask_time", "What time is the school pick-up?", context=context).texts[0]


def test_homework_in_words_and_french():
    assert "56" in say("homework_help", "How much is seven times eight?").texts[0]
    assert "42" in say("homework_help", "C'est combien six fois sept ?", locale="fr").texts[0]
    assert "Canberra" in say("homework_help", "And of Australia?").texts[0]


def test_guessing_game():
    game = say("kids_game", "Let's play a quiz")
    assert "Yes" in say("kids_game", "Is it a giraffe?", game.slots).texts[0]
    assert "not quite" in say("kids_game", "Is it a dinosaur?", game.slots).texts[0]
