"""The helpful skills answer from the simulated world (metadata.context) in English and French."""

from __future__ import annotations

from actions.skills import answer_for
from conftest import make_world

SNOW = {"weather": {"temp_c": 2, "condition": "snow", "city": "Lyon", "high_c": 4, "low_c": -1}}


def say(intent, text, locale="en", context=None, state=None):
    world = make_world(locale=locale, context=context)
    return answer_for(intent, text, world, state or {})


def test_weather_gives_degrees_from_the_context():
    text = say("ask_weather", "What's the weather like today?", context=SNOW).texts[0]
    assert "2 degrees" in text and "Lyon" in text and "snow" in text
    assert "high of 4" in text


def test_weather_in_french():
    text = say("ask_weather", "Quel temps fait-il ?", locale="fr", context=SNOW).texts[0]
    assert "2 degrés" in text and "neige" in text


def test_weather_defaults_without_context():
    assert "degrees" in say("ask_weather", "weather?").texts[0]


def test_egg_minutes():
    assert "6 minutes" in say("boil_egg", "I want a soft boiled egg").texts[0]
    assert "10 minutes" in say("boil_egg", "hard boiled egg please").texts[0]
    generic = say("boil_egg", "how long to boil an egg").texts[0]
    assert "6 minutes" in generic and "10 minutes" in generic
    assert "minutes" in say("boil_egg", "un œuf dur", locale="fr").texts[0]


def test_timer_reads_minutes():
    assert "12 minutes" in say("set_timer", "set a timer for 12 minutes").texts[0]
    assert "30 minutes" in say("set_timer", "a timer for half an hour").texts[0]


def test_shopping_list_add_read_remove():
    context = {"shopping_list": ["bread", "apples"]}
    added = say("add_to_shopping_list", "add milk to my shopping list", context=context)
    assert added.slots["shopping_list"] == ["bread", "apples", "milk"]
    read = say("read_shopping_list", "what's on my list?", state=added.slots)
    assert "bread, apples and milk" in read.texts[0]
    removed = say("remove_from_shopping_list", "take the apples off my list", state=added.slots)
    assert removed.slots["shopping_list"] == ["bread", "milk"]


def test_french_shopping_list():
    added = say("add_to_shopping_list", "Ajoute du lait à ma liste de courses", locale="fr")
    assert added.slots["shopping_list"][-1] == "lait"
    assert "lait" in added.texts[0]


def test_order_is_solicited_with_the_item():
    answer = say("order_product", "Order me some coffee pods")
    assert answer.product == "coffee pods"
    assert "coffee pods" in answer.texts[0]


def test_trains_on_time_delayed_cancelled():
    train = {"from": "Lyon", "to": "Paris", "departs": "08:04", "arrives": "10:00", "platform": "B"}
    on_time = say("ask_train", "next train to Paris?", context={"trains": [train]}).texts[0]
    assert "08:04" in on_time and "platform B" in on_time and "on time" in on_time
    late = say("ask_train", "is it late?", context={"trains": [{**train, "status": "delayed:15"}]})
    assert "15 minutes late" in late.texts[0]
    off = say("ask_train", "my train?", context={"trains": [{**train, "status": "cancelled"}]})
    assert "cancelled" in off.texts[0]


def test_smart_home():
    lights = say("control_lights", "turn off the kitchen light")
    assert lights.slots["home"]["lights"]["kitchen"] == "off"
    heating = say(
        "set_heating", "set the heating to 21 degrees", context={"home": {"heating_c": 18}}
    )
    assert heating.slots["home"]["heating_c"] == 21
    fridge = say("check_fridge", "do we have milk?", context={"fridge": {"milk": 0, "eggs": 6}})
    assert "out of milk" in fridge.texts[0]


def test_news_calendar_health_kids():
    news = say(
        "ask_news", "news?", context={"news": [{"headline": "Rail strike ends", "source": "BBC"}]}
    )
    assert "Rail strike ends" in news.texts[0]
    calendar = say(
        "ask_calendar", "agenda?", context={"calendar": [{"time": "09:00", "title": "Dentist"}]}
    )
    assert "Dentist at 09:00" in calendar.texts[0]
    assert "breath" in say("health_tip", "I feel stressed").texts[0]
    assert "Once upon a time" in say("kids_story", "tell me a story about a dragon").texts[0]
    assert "56" in say("homework_help", "what is 7 times 8?").texts[0]


def test_every_skill_answers_in_french():
    from actions.registry import HELP, ROUTES

    for route in ROUTES:
        if route.kind != HELP:
            continue
        english = say(route.intent, "bonjour", locale="en").texts[0]
        french = say(route.intent, "bonjour", locale="fr").texts[0]
        assert english != french, route.intent
