"""Follow-up questions: "and butter?", "which platform?", "another one!" belong to the last skill.

A short follow-up carries little for the intent classifier; the conversation does. When the
previous turn was a skill and the new text matches that skill's follow-up cues, the turn is
answered by that skill, unless the classifier is confident about a user right (an ad question,
an opt-out...) or about another skill with its own cues.
"""

from __future__ import annotations

import re

from .registry import BY_INTENT, HELP, RIGHTS, SOLICITED

_SHOPPING_LIST = (
    r"^(and|et|also|aussi|plus)\b|\b(too|as well|aussi|add|ajoute|list|liste|left|else|reste)\b"
)
CUES: dict[str, str] = {
    "ask_weather": r"\b(rain|snow|sun|wind|high|low|temperature|forecast|umbrella|coat|cold|warm|all day|pluie|pleuvoir|neige|neiger|vent|température|manteau|froid|toute la journée)\b",
    "set_timer": r"\b(left|longer|remaining|how long|until|timer|minuteur|reste)\b",
    "boil_egg": r"\b(left|longer|remaining|timer|minuteur|reste)\b",
    "play_music": r"\b(off|stop|louder|quieter|volume|skip|next|track|song|another|energy|upbeat|fort|suivant|chanson|baisse|monte|autre)\b",
    "ask_recipe": r"\b(how long|how much time|first|step|start|eggs?|oven|temperature|simmer|cook|rest|healthy|balanced|ingredients?|four|température|reposer|repose|étape|combien|longtemps)\b",
    "add_to_shopping_list": _SHOPPING_LIST,
    "read_shopping_list": _SHOPPING_LIST,
    "remove_from_shopping_list": _SHOPPING_LIST,
    "order_product": r"\b(arrive|deliver|delivery|when|same|budget|euros?|under|cheaper|livr|quand|même)\b",
    "ask_train": r"\b(platform|arrive|arrives|leave|leaves|depart|late|delay|on time|cancel|cancelled|bus|else|alternative|now|then|get there|instead|quai|voie|part|retard|annulé|arrive)\b",
    "ask_calendar": r"\b(what time|when|à quelle heure|quand|c'est à quelle heure)\b",
    "set_heating": r"\b(set to|now|degrees?|warmer|colder|réglé|degrés)\b",
    "control_lights": r"\b(too|also|aussi|bedroom|kitchen|chambre|cuisine)\b",
    "check_fridge": r"^(and|et)\b|\b(milk|eggs?|butter|cheese|lait|beurre|œufs?|oeufs?|fromage)\b",
    "ask_news": r"\b(more|strike|story|happened|locally|local|detail|plus|quoi)\b",
    "health_tip": r"\b(doctor|gp|worry|exercise|running|glasses|breath|sleep|médecin|consulter|continue|respir)\b",
    "kids_story": r"\b(another|again|encore|more|autre)\b",
    "chitchat": r"\b(another|again|encore|more|autre)\b",
    "homework_help": r"^(and|et)\b|\b(capital|capitale|times|plus|minus|fois|moins)\b",
    "kids_game": r"^(is it|it's|c'est|est-ce)\b|\b(guess|another|encore)\b",
}
FOLLOW_UP_START = re.compile(r"^(and|et|also|aussi|another|encore|what about|et pour)\b", re.I)


def resolve_intent(intent: str | None, confidence: float, text: str, last: str | None) -> str:
    """The intent that should answer this turn (the classifier's, or the previous skill's)."""
    intent = intent or "nlu_fallback"
    route = BY_INTENT.get(intent)
    if route is not None and route.kind == RIGHTS and confidence >= 0.4:
        return intent
    previous = BY_INTENT.get(last or "")
    if previous is None or previous.kind not in (HELP, SOLICITED) or intent == last:
        return intent
    cue = CUES.get(previous.intent)
    if not cue or not re.search(cue, text, re.IGNORECASE):
        return intent
    if FOLLOW_UP_START.search(text.strip()) and confidence < 0.8:
        return previous.intent  # "and butter?", "encore une !": the same topic
    own_cue = CUES.get(intent)
    has_own_evidence = bool(own_cue and re.search(own_cue, text, re.IGNORECASE))
    if has_own_evidence and confidence >= 0.4:
        return intent  # the new intent has its own evidence: a change of topic
    if (
        confidence < 0.6
        or (own_cue and not has_own_evidence and confidence < 0.85)
        or intent in ("nlu_fallback", "out_of_scope", "ask_time", "chitchat", "greet")
        or FOLLOW_UP_START.search(text.strip())
        or len(text.split()) <= 4
    ):
        return previous.intent
    return intent
