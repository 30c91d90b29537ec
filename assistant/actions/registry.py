"""Which action answers which intent, in which domain, and whether the answer is help.

One table so that domain.yml, data/rules.yml, the skill actions and the offer engine agree
(tests/test_registry.py checks the YAML files against it).
"""

from __future__ import annotations

from dataclasses import dataclass

HELP = "help"  # a skill answer: the offer engine may push after it
SOCIAL = "social"  # greeting, thanks, goodbye, out of scope: never a push
RIGHTS = "rights"  # the user's rights (ad?, why?, opt-out, accept, decline)
SOLICITED = "solicited"  # the user's own shopping request: commerce, never a push


@dataclass(frozen=True)
class IntentRoute:
    intent: str
    action: str
    domain: str
    kind: str


ROUTES: tuple[IntentRoute, ...] = (
    IntentRoute("greet", "action_greet_user", "smalltalk", SOCIAL),
    IntentRoute("goodbye", "action_say_goodbye", "smalltalk", SOCIAL),
    IntentRoute("thank", "action_answer_thanks", "smalltalk", SOCIAL),
    IntentRoute("out_of_scope", "action_answer_out_of_scope", "smalltalk", SOCIAL),
    IntentRoute("nlu_fallback", "action_answer_out_of_scope", "smalltalk", SOCIAL),
    IntentRoute("chitchat", "action_answer_smalltalk", "smalltalk", HELP),
    IntentRoute("ask_time", "action_tell_time", "calendar", HELP),
    IntentRoute("ask_weather", "action_tell_weather", "weather", HELP),
    IntentRoute("boil_egg", "action_start_egg_timer", "timer", HELP),
    IntentRoute("set_timer", "action_start_timer", "timer", HELP),
    IntentRoute("play_music", "action_play_music", "music", HELP),
    IntentRoute("ask_recipe", "action_suggest_recipe", "cooking", HELP),
    IntentRoute("add_to_shopping_list", "action_add_shopping_item", "shopping_list", HELP),
    IntentRoute("read_shopping_list", "action_read_shopping_list", "shopping_list", HELP),
    IntentRoute("remove_from_shopping_list", "action_remove_shopping_item", "shopping_list", HELP),
    IntentRoute("order_product", "action_place_order", "shopping", SOLICITED),
    IntentRoute("ask_train", "action_find_trains", "travel", HELP),
    IntentRoute("set_reminder", "action_set_reminder", "calendar", HELP),
    IntentRoute("ask_calendar", "action_read_calendar", "calendar", HELP),
    IntentRoute("control_lights", "action_switch_lights", "smart_home", HELP),
    IntentRoute("set_heating", "action_set_heating", "smart_home", HELP),
    IntentRoute("check_fridge", "action_check_fridge", "smart_home", HELP),
    IntentRoute("ask_news", "action_read_news", "news", HELP),
    IntentRoute("health_tip", "action_give_health_tip", "health", HELP),
    IntentRoute("kids_story", "action_tell_story", "kids", HELP),
    IntentRoute("homework_help", "action_help_homework", "kids", HELP),
    IntentRoute("kids_game", "action_start_game", "kids", HELP),
    IntentRoute("ask_if_ad", "action_answer_ad_question", "rights", RIGHTS),
    IntentRoute("ask_why", "action_explain_offer", "rights", RIGHTS),
    IntentRoute("opt_out", "action_record_opt_out", "rights", RIGHTS),
    IntentRoute("accept_offer", "action_confirm_order", "rights", RIGHTS),
    IntentRoute("decline_offer", "action_record_decline", "rights", RIGHTS),
)

BY_INTENT: dict[str, IntentRoute] = {r.intent: r for r in ROUTES}
OFFER_ACTION = "action_offer_product"
FALLBACK = BY_INTENT["nlu_fallback"]


def route_for(intent: str | None) -> IntentRoute:
    return BY_INTENT.get(intent or "", FALLBACK)
