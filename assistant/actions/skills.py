"""The helpful skills: each turns the user's text and the simulated world into a real answer.

Pure functions (no Rasa import) so that they are unit-tested directly. A skill returns an
``Answer``: the texts to say and the slot values it changed (shopping list, home, reminders).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .text import clean_item, first_match, join_words, minutes_in, number_in, tr
from .world import DEFAULT_CONTEXT, World


@dataclass
class Answer:
    texts: list[str]
    slots: dict[str, Any] = field(default_factory=dict)
    product: str | None = None  # what the user ordered (solicited commerce)


Skill = Callable[[str, World, dict[str, Any]], Answer]
SKILLS: dict[str, Skill] = {}


def skill(intent: str) -> Callable[[Skill], Skill]:
    def register(fn: Skill) -> Skill:
        SKILLS[intent] = fn
        return fn

    return register


def answer_for(intent: str, text: str, world: World, state: dict[str, Any]) -> Answer:
    fn = SKILLS.get(intent, SKILLS["out_of_scope"])
    return fn(text or "", world, state)


def rng_for(world: World, salt: str) -> random.Random:
    # Variety in wording that still replays identically for the same seed and turn.
    return random.Random(f"{world.seed}:{world.turn}:{salt}")


# --- social -------------------------------------------------------------------------------


@skill("greet")
def greet(text: str, w: World, state: dict) -> Answer:
    name = w.persona.get("name") or ""
    hello = f"Hello {name}!" if name else "Hello!"
    bonjour = f"Bonjour {name} !" if name else "Bonjour !"
    return Answer(
        [tr(w.fr, f"{hello} How can I help you?", f"{bonjour} Comment puis-je t'aider ?")]
    )


@skill("goodbye")
def goodbye(text: str, w: World, state: dict) -> Answer:
    return Answer([tr(w.fr, "Goodbye, have a nice day!", "Au revoir, bonne journée !")])


@skill("thank")
def thank(text: str, w: World, state: dict) -> Answer:
    return Answer([tr(w.fr, "You're welcome!", "Avec plaisir !")])


@skill("out_of_scope")
def out_of_scope(text: str, w: World, state: dict) -> Answer:
    return Answer(
        [
            tr(
                w.fr,
                "Sorry, I can't help with that. I can do weather, timers, music, recipes, your "
                "shopping list, trains, reminders, the smart home, news, wellbeing tips and games.",
                "Désolé, je ne sais pas faire ça. Je peux donner la météo, lancer un minuteur, de "
                "la musique, des recettes, gérer ta liste de courses, les trains, les rappels, la "
                "maison, les actualités, des conseils bien-être et des jeux.",
            )
        ]
    )


@skill("chitchat")
def chitchat(text: str, w: World, state: dict) -> Answer:
    t = text.lower()
    if re.search(r"joke|blague|funny|drôle", t):
        return Answer(
            [
                tr(
                    w.fr,
                    "Why did the scarecrow win an award? Because he was outstanding in his field!",
                    "Que dit un oignon quand il se cogne ? Aïe ! (ail). Ha ha !",
                )
            ]
        )
    if re.search(r"name|who are you|what are you|appelles|qui es", t):
        return Answer(
            [tr(w.fr, "I'm Juniper, your home assistant.", "Je suis Juniper, ton assistant.")]
        )
    if re.search(r"what can you do|sais faire", t):
        return Answer(
            [
                tr(
                    w.fr,
                    "I can tell you the weather, set timers, play music, suggest recipes, manage "
                    "your shopping list, check trains, set reminders, control the home, read the "
                    "news, share wellbeing tips and play with the kids.",
                    "Je peux donner la météo, lancer des minuteurs, mettre de la musique, "
                    "proposer des recettes, gérer la liste de courses, vérifier les trains, "
                    "créer des rappels, piloter la maison et lire les actualités.",
                )
            ]
        )
    return Answer(
        [
            tr(
                w.fr,
                "I'm doing great, thanks for asking! Always happy to chat.",
                "Je vais très bien, merci de demander ! Toujours content de discuter.",
            )
        ]
    )


# --- time, weather --------------------------------------------------------------------------


@skill("ask_time")
def ask_time(text: str, w: World, state: dict) -> Answer:
    time, date = w.ctx("time"), w.ctx("date")
    return Answer([tr(w.fr, f"It's {time} on {date}.", f"Il est {time}, nous sommes le {date}.")])


CONDITIONS = {
    "sunny": ("sunny", "ensoleillé"),
    "cloudy": ("cloudy", "nuageux"),
    "rain": ("raining", "pluvieux"),
    "snow": ("snowing", "neigeux"),
    "wind": ("windy", "venteux"),
    "fog": ("foggy", "brumeux"),
    "storm": ("stormy", "orageux"),
}


@skill("ask_weather")
def ask_weather(text: str, w: World, state: dict) -> Answer:
    weather = w.context.get("weather") or DEFAULT_CONTEXT["weather"]
    temp = weather.get("temp_c")
    condition = str(weather.get("condition") or "cloudy")
    en_cond, fr_cond = CONDITIONS.get(condition, (condition, condition))
    high, low, rain = weather.get("high_c"), weather.get("low_c"), weather.get("rain_chance")
    city = w.city
    en = f"In {city} it's {temp} degrees ({temp}°C) and {en_cond}"
    fr = f"À {city}, il fait {temp} degrés ({temp}°C), temps {fr_cond}"
    if high is not None and low is not None:
        en += f", with a high of {high}° and a low of {low}°"
        fr += f", maximum {high}° et minimum {low}°"
    if rain is not None:
        en += f". Chance of rain: {rain}%."
        fr += f". Risque de pluie : {rain} %."
    else:
        en, fr = en + ".", fr + "."
    advice_en, advice_fr = _weather_advice(temp, condition, rain)
    return Answer([tr(w.fr, f"{en} {advice_en}", f"{fr} {advice_fr}")])


def _weather_advice(temp: Any, condition: str, rain: Any) -> tuple[str, str]:
    try:
        t = float(temp)
    except (TypeError, ValueError):
        t = 10.0
    if condition in ("rain", "storm") or (isinstance(rain, int | float) and rain >= 60):
        return "Take an umbrella.", "Prends un parapluie."
    if t <= 5:
        return "Wrap up warm: a coat, a scarf and gloves.", "Couvre-toi bien : manteau, écharpe."
    if t <= 14:
        return "A jacket should do.", "Une veste suffira."
    return "Light clothes are fine today.", "Des vêtements légers suffiront."


# --- timers -------------------------------------------------------------------------------

EGG_MINUTES = {"soft": 6, "medium": 8, "hard": 10}


@skill("boil_egg")
def boil_egg(text: str, w: World, state: dict) -> Answer:
    t = text.lower()
    if re.search(r"soft|runny|coque", t):
        kind = "soft"
    elif re.search(r"hard|\bdur", t):
        kind = "hard"
    elif re.search(r"medium|mollet", t):
        kind = "medium"
    else:
        kind = None
    if kind is None:
        return Answer(
            [
                tr(
                    w.fr,
                    "Put the egg in boiling water: 6 minutes for soft-boiled, 8 minutes for "
                    "medium, 10 minutes for hard-boiled. I've started an 8-minute timer.",
                    "Plonge l'œuf dans l'eau bouillante : 6 minutes pour un œuf à la coque, "
                    "8 minutes pour un œuf mollet, 10 minutes pour un œuf dur. J'ai lancé un "
                    "minuteur de 8 minutes.",
                )
            ]
        )
    minutes = EGG_MINUTES[kind]
    fr_kind = {"soft": "à la coque", "medium": "mollet", "hard": "dur"}[kind]
    return Answer(
        [
            tr(
                w.fr,
                f"For a {kind}-boiled egg, boil it for {minutes} minutes. Timer started for "
                f"{minutes} minutes.",
                f"Pour un œuf {fr_kind}, compte {minutes} minutes dans l'eau bouillante. "
                f"Minuteur lancé pour {minutes} minutes.",
            )
        ]
    )


@skill("set_timer")
def set_timer(text: str, w: World, state: dict) -> Answer:
    minutes = minutes_in(text)
    if minutes is None:
        minutes = 10
        return Answer(
            [
                tr(
                    w.fr,
                    "Timer set for 10 minutes; tell me if you want a different length.",
                    "Minuteur réglé sur 10 minutes ; dis-moi si tu veux une autre durée.",
                )
            ]
        )
    return Answer(
        [
            tr(
                w.fr,
                f"Timer set for {minutes} minutes. I'll ring when it's done.",
                f"Minuteur réglé sur {minutes} minutes. Je sonnerai à la fin.",
            )
        ]
    )


# --- music, cooking ----------------------------------------------------------------------

GENRES = [
    ("jazz", "Morning Jazz"),
    ("rock", "Classic Rock"),
    ("classical|classique", "Classical Essentials"),
    ("relax|calm|chill|détend", "Calm Evening"),
    ("lo-?fi|study", "Lo-fi Study Beats"),
    ("pop|hits", "Today's Hits"),
    ("radio", "France Inter radio"),
    ("beatles", "The Beatles: greatest hits"),
]


@skill("play_music")
def play_music(text: str, w: World, state: dict) -> Answer:
    playlist = "your Daily Mix"
    for pattern, name in GENRES:
        if re.search(pattern, text, re.IGNORECASE):
            playlist = name
            break
    return Answer(
        [tr(w.fr, f"Now playing {playlist}. Enjoy!", f"Je lance {playlist}. Bonne écoute !")]
    )


RECIPES = [
    (
        r"pancake",
        "Pancakes: whisk 200 g flour, 2 eggs, 300 ml milk and a pinch of salt; cook each one "
        "for about 2 minutes per side in a hot buttered pan.",
        "Pancakes : mélange 200 g de farine, 2 œufs, 30 cl de lait et une pincée de sel ; "
        "compte environ 2 minutes de cuisson par face dans une poêle beurrée.",
    ),
    (
        r"cr[eê]pe",
        "Crêpes: 250 g flour, 4 eggs, 500 ml milk, a spoon of melted butter; rest the batter "
        "30 minutes, then cook 1 minute per side in a hot pan.",
        "Crêpes : 250 g de farine, 4 œufs, 50 cl de lait, une cuillère de beurre fondu ; laisse "
        "reposer 30 minutes puis 1 minute de cuisson par face.",
    ),
    (
        r"chocolate|chocolat|cake|gâteau|dessert",
        "Chocolate cake: melt 200 g dark chocolate with 150 g butter, add 150 g sugar, 4 eggs and "
        "50 g flour, then bake 25 minutes at 180°C.",
        "Gâteau au chocolat : fais fondre 200 g de chocolat noir avec 150 g de beurre, ajoute "
        "150 g de sucre, 4 œufs et 50 g de farine, puis 25 minutes au four à 180 °C.",
    ),
    (
        r"soup|soupe",
        "Vegetable soup: soften an onion, add chopped carrots, leeks and potatoes, cover with "
        "water and simmer 25 minutes, then blend.",
        "Soupe de légumes : fais revenir un oignon, ajoute carottes, poireaux et pommes de terre, "
        "couvre d'eau, laisse mijoter 25 minutes puis mixe.",
    ),
    (
        r"pasta|pâtes",
        "Pasta: boil salted water, cook the pasta 9 to 11 minutes (check the packet), drain and "
        "toss with olive oil or a sauce.",
        "Pâtes : fais bouillir de l'eau salée, cuis les pâtes 9 à 11 minutes, égoutte et ajoute "
        "un filet d'huile d'olive ou une sauce.",
    ),
    (
        r"rice|riz",
        "Rice: rinse it, then simmer 1 cup of rice in 2 cups of water, covered, for 12 minutes; "
        "rest 5 minutes before serving.",
        "Riz : rince-le puis fais-le cuire à couvert 12 minutes dans deux fois son volume d'eau ; "
        "laisse reposer 5 minutes.",
    ),
    (
        r"omelet",
        "Omelette: beat 3 eggs with salt and pepper, pour into a buttered pan and cook 2 to 3 "
        "minutes, folding it when the top is just set.",
        "Omelette : bats 3 œufs avec sel et poivre, verse dans une poêle beurrée et cuis 2 à "
        "3 minutes avant de la plier.",
    ),
]


@skill("ask_recipe")
def ask_recipe(text: str, w: World, state: dict) -> Answer:
    for pattern, en, fr in RECIPES:
        if re.search(pattern, text, re.IGNORECASE):
            return Answer([tr(w.fr, en, fr)])
    fridge = w.ctx("fridge") or {}
    if _qty(fridge.get("eggs")) >= 3:
        _, en, fr = RECIPES[-1]
        return Answer(
            [tr(w.fr, f"You have eggs in the fridge, so: {en}", f"Tu as des œufs : {fr}")]
        )
    _, en, fr = RECIPES[4]
    return Answer([tr(w.fr, f"Something quick: {en}", f"Une idée rapide : {fr}")])


def _qty(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


# --- shopping list, shopping ---------------------------------------------------------------


def current_list(w: World, state: dict) -> list[str]:
    stored = state.get("shopping_list")
    if isinstance(stored, list):
        return [str(i) for i in stored]
    return [str(i) for i in (w.ctx("shopping_list") or [])]


ADD_PATTERNS = [
    r"(?:add|put|note)\s+(.+?)\s+(?:to|on|onto|in)\s+(?:my|the|our)\s+(?:shopping\s+)?(?:list|groceries)",
    r"shopping list:\s*add\s+(.+)$",
    r"(?:out of|need to buy|remember to buy)\s+(.+?)(?:,|$)",
    r"(?:ajoute|mets|note)\s+(.+?)\s+(?:à|sur|dans)\s+(?:ma|la|notre)\s+liste",
    r"\badd\s+(.+)$",
]
REMOVE_PATTERNS = [
    r"(?:remove|take|delete|cross|scratch|strike|drop|clear)\s+(.+?)\s+(?:from|off)\b",
    r"(?:bought|got)\s+(.+?)(?:,|$)",
    r"(?:need|want)\s+(.+?)\s+any\s?more",
    r"(?:enlève|retire|supprime|barre)\s+(.+?)\s+(?:de|du|des)\s+(?:ma|la)?\s*liste",
    r"acheté\s+(.+?)(?:,|$)",
    r"\b(?:remove|delete)\s+(.+)$",
]


@skill("add_to_shopping_list")
def add_to_list(text: str, w: World, state: dict) -> Answer:
    items = current_list(w, state)
    item = first_match(ADD_PATTERNS, text)
    if not item:
        return Answer([tr(w.fr, "What should I add to your list?", "Qu'est-ce que j'ajoute ?")])
    if item.lower() not in (i.lower() for i in items):
        items.append(item)
    n = len(items)
    return Answer(
        [
            tr(
                w.fr,
                f"I've added {item} to your shopping list. It now has {n} items.",
                f"J'ai ajouté {item} à ta liste de courses. Elle contient {n} articles.",
            )
        ],
        slots={"shopping_list": items},
    )


@skill("read_shopping_list")
def read_list(text: str, w: World, state: dict) -> Answer:
    items = current_list(w, state)
    if not items:
        return Answer([tr(w.fr, "Your shopping list is empty.", "Ta liste de courses est vide.")])
    return Answer(
        [
            tr(
                w.fr,
                f"Your shopping list has {len(items)} items: {join_words(items, False)}.",
                f"Ta liste de courses contient {len(items)} articles : {join_words(items, True)}.",
            )
        ]
    )


@skill("remove_from_shopping_list")
def remove_from_list(text: str, w: World, state: dict) -> Answer:
    items = current_list(w, state)
    item = first_match(REMOVE_PATTERNS, text)
    if item and item.lower() in ("them", "it", "les", "le", "la"):
        item = None
    if not item:
        return Answer([tr(w.fr, "Which item should I remove?", "Quel article dois-je retirer ?")])
    kept = [
        i
        for i in items
        if i.lower() != item.lower() and i.lower().rstrip("s") != item.lower().rstrip("s")
    ]
    if len(kept) == len(items):
        return Answer(
            [
                tr(
                    w.fr,
                    f"{item.capitalize()} wasn't on your shopping list.",
                    f"{item.capitalize()} n'était pas sur ta liste de courses.",
                )
            ]
        )
    return Answer(
        [
            tr(
                w.fr,
                f"Done, I removed {item} from your shopping list.",
                f"C'est fait, j'ai retiré {item} de ta liste de courses.",
            )
        ],
        slots={"shopping_list": kept},
    )


ORDER_PATTERNS = [
    r"(?:re)?order(?:\s+me)?\s+(.+?)(?:\s+for me|\s+online)?$",
    r"(?:buy|purchase)(?:\s+me)?\s+(.+?)(?:\s+for me|\s+online)?$",
    r"get me\s+(.+?)(?:\s+delivered)?$",
    r"place an order for\s+(.+)$",
    r"(?:commande|achète)(?:-moi)?\s+(.+)$",
    r"acheter\s+(.+)$",
]


@skill("order_product")
def order_product(text: str, w: World, state: dict) -> Answer:
    text = re.sub(
        r"\b(?:please|can you|could you|i want to|i need to|s'il te plaît)\b",
        "",
        text,
        flags=re.IGNORECASE,
    )
    item = first_match(ORDER_PATTERNS, text.strip(" ?.!")) or tr(w.fr, "your item", "ton article")
    item = re.sub(r"^(?:some|usual)\s+", "", item, flags=re.IGNORECASE)
    return Answer(
        [
            tr(
                w.fr,
                f"Done: I've ordered {item} from your usual shop. It should arrive tomorrow.",
                f"C'est fait : j'ai commandé {item} chez ton magasin habituel. Livraison demain.",
            )
        ],
        product=item,
    )


# --- travel, calendar ----------------------------------------------------------------------


@skill("ask_train")
def ask_train(text: str, w: World, state: dict) -> Answer:
    trains = [t for t in (w.ctx("trains") or []) if isinstance(t, dict)]
    if not trains:
        return Answer(
            [
                tr(
                    w.fr,
                    "I can't find any train for you today.",
                    "Je ne trouve aucun train aujourd'hui.",
                )
            ]
        )
    lowered = text.lower()
    matching = [t for t in trains if str(t.get("to", "")).lower() in lowered] or trains
    train = matching[0]
    dest, dep, arr = train.get("to", "?"), train.get("departs", "?"), train.get("arrives", "?")
    platform = train.get("platform")
    status = str(train.get("status") or "on_time")
    en = f"The next train to {dest} leaves at {dep}"
    fr = f"Le prochain train pour {dest} part à {dep}"
    if platform:
        en += f" from platform {platform}"
        fr += f" du quai {platform}"
    en += f" and arrives at {arr}"
    fr += f" et arrive à {arr}"
    if status == "cancelled":
        en, fr = (
            f"The {dep} train to {dest} is cancelled, I'm sorry.",
            f"Le train de {dep} pour {dest} est annulé, désolé.",
        )
        if len(matching) > 1:
            nxt = matching[1]
            en += f" The next one leaves at {nxt.get('departs')}."
            fr += f" Le suivant part à {nxt.get('departs')}."
        return Answer([tr(w.fr, en, fr)])
    if status.startswith("delayed"):
        minutes = number_in(status) or 0
        en += f"; it is running {minutes} minutes late."
        fr += f" ; il a {minutes} minutes de retard."
    else:
        en += "; it's on time."
        fr += " ; il est à l'heure."
    return Answer([tr(w.fr, en, fr)])


@skill("set_reminder")
def set_reminder(text: str, w: World, state: dict) -> Answer:
    what = first_match(
        [
            r"remind me (?:tonight |tomorrow )?(?:to|about)\s+(.+)$",
            r"(?:reminder|appointment)\s+(?:for|to|with)\s+(.+)$",
            r"forget to\s+(.+)$",
            r"schedule\s+(.+)$",
            r"rappelle-moi\s+(?:de |d')?(.+)$",
            r"rappel pour\s+(.+)$",
            r"rappeler\s+(.+)$",
        ],
        text.strip(" ?.!"),
    )
    what = what or tr(w.fr, "your task", "ta tâche")
    reminders = [*list(state.get("reminders") or []), what]
    return Answer(
        [
            tr(
                w.fr,
                f"OK, I'll remind you: {what}. You now have {len(reminders)} reminder(s).",
                f"D'accord, je te le rappellerai : {what}. Tu as {len(reminders)} rappel(s).",
            )
        ],
        slots={"reminders": reminders},
    )


@skill("ask_calendar")
def ask_calendar(text: str, w: World, state: dict) -> Answer:
    events = [e for e in (w.ctx("calendar") or []) if isinstance(e, dict)]
    if not events:
        return Answer(
            [tr(w.fr, "Your calendar is clear today.", "Ton agenda est libre aujourd'hui.")]
        )
    listed = [f"{e.get('title', '?')} at {e.get('time', '?')}" for e in events]
    listed_fr = [f"{e.get('title', '?')} à {e.get('time', '?')}" for e in events]
    return Answer(
        [
            tr(
                w.fr,
                f"You have {len(events)} event(s) today: {join_words(listed, False)}.",
                f"Tu as {len(events)} rendez-vous aujourd'hui : {join_words(listed_fr, True)}.",
            )
        ]
    )


# --- smart home ----------------------------------------------------------------------------

ROOMS = {
    "kitchen": ("kitchen", "cuisine"),
    "cuisine": ("kitchen", "cuisine"),
    "living": ("living_room", "salon"),
    "lounge": ("living_room", "salon"),
    "salon": ("living_room", "salon"),
    "bedroom": ("bedroom", "chambre"),
    "chambre": ("bedroom", "chambre"),
    "bathroom": ("bathroom", "salle de bain"),
    "hall": ("hallway", "entrée"),
}


def current_home(w: World, state: dict) -> dict:
    stored = state.get("home")
    if isinstance(stored, dict):
        return {"lights": dict(stored.get("lights") or {}), "heating_c": stored.get("heating_c")}
    home = w.ctx("home") or {}
    default = DEFAULT_CONTEXT["home"]
    return {
        "lights": dict(home.get("lights") or default["lights"]),
        "heating_c": home.get("heating_c", default["heating_c"]),
    }


@skill("control_lights")
def control_lights(text: str, w: World, state: dict) -> Answer:
    home = current_home(w, state)
    t = text.lower()
    room, room_fr = None, None
    for key, (name, fr_name) in ROOMS.items():
        if key in t:
            room, room_fr = name, fr_name
            break
    if re.search(r"\b(off|kill|éteins|eteins)\b", t):
        target = "off"
    elif re.search(r"\b(on|up|brighter|allume)\b", t) and not t.startswith(("are", "is ", "la ")):
        target = "on"
    elif "dim" in t:
        target = "dimmed"
    else:
        target = None
    if target is None:
        state_of = home["lights"].get(room or "living_room", "off")
        name = (room or "living_room").replace("_", " ")
        return Answer(
            [
                tr(
                    w.fr,
                    f"The {name} light is {state_of}.",
                    f"La lumière ({room_fr or 'salon'}) est {'allumée' if state_of == 'on' else 'éteinte'}.",
                )
            ]
        )
    rooms = [room] if room else (list(home["lights"]) or ["living_room"])
    for r in rooms:
        home["lights"][r] = target
    en_where = f"the {room.replace('_', ' ')}" if room else "all rooms"
    fr_where = f"la pièce {room_fr}" if room_fr else "toutes les pièces"
    fr_state = {"on": "allumée", "off": "éteinte", "dimmed": "tamisée"}[target]
    return Answer(
        [
            tr(
                w.fr,
                f"Lights in {en_where} are now {target}.",
                f"La lumière dans {fr_where} est maintenant {fr_state}.",
            )
        ],
        slots={"home": home},
    )


@skill("set_heating")
def set_heating(text: str, w: World, state: dict) -> Answer:
    home = current_home(w, state)
    t = text.lower()
    current = home.get("heating_c")
    try:
        current_f = float(current)
    except (TypeError, ValueError):
        current_f = 19.0
    wanted = number_in(t)
    if re.search(r"\b(off|éteins|coupe)\b", t):
        home["heating_c"] = None
        return Answer([tr(w.fr, "Heating turned off.", "Chauffage éteint.")], slots={"home": home})
    if wanted is not None and ("by" not in t):
        target = float(wanted)
    elif re.search(r"up|warm|raise|monte|plus chaud|cold|froid|\bon\b|allume", t):
        target = current_f + (wanted or 1)
    elif re.search(r"down|lower|hot|baisse|chaud", t):
        target = current_f - (wanted or 1)
    else:
        return Answer(
            [
                tr(
                    w.fr,
                    f"The thermostat is set to {current_f:g} degrees.",
                    f"Le thermostat est réglé sur {current_f:g} degrés.",
                )
            ]
        )
    target = max(10.0, min(28.0, target))
    home["heating_c"] = target
    return Answer(
        [
            tr(
                w.fr,
                f"Heating set to {target:g} degrees (it was {current_f:g}).",
                f"Chauffage réglé sur {target:g} degrés (il était à {current_f:g}).",
            )
        ],
        slots={"home": home},
    )


FRIDGE_WORDS = {"lait": "milk", "œufs": "eggs", "oeufs": "eggs", "beurre": "butter", "fromage": "cheese", "yaourt": "yogurt"}  # fmt: skip
FRIDGE_FR = {v: k for k, v in FRIDGE_WORDS.items() if k != "oeufs"}


@skill("check_fridge")
def check_fridge(text: str, w: World, state: dict) -> Answer:
    fridge = {str(k): v for k, v in (w.ctx("fridge") or {}).items()}
    t = text.lower()
    asked = None
    for item in fridge:
        if item.lower().rstrip("s") in t:
            asked = item
    for fr_word, en_word in FRIDGE_WORDS.items():
        if fr_word in t:
            asked = en_word
    if asked:
        qty = fridge.get(asked, 0)
        label_fr = FRIDGE_FR.get(asked, asked)
        if _qty(qty) <= 0:
            return Answer(
                [
                    tr(
                        w.fr,
                        f"You're out of {asked}: there's none left in the fridge.",
                        f"Il n'y a plus de {label_fr} dans le frigo.",
                    )
                ]
            )
        return Answer(
            [
                tr(
                    w.fr,
                    f"You have {qty} {asked} left in the fridge.",
                    f"Il reste {qty} {label_fr} dans le frigo.",
                )
            ]
        )
    present = [f"{v} {k}" for k, v in fridge.items() if _qty(v) > 0]
    missing = [k for k, v in fridge.items() if _qty(v) <= 0]
    en = f"In the fridge: {join_words(present, False) or 'nothing'}."
    fr = f"Dans le frigo : {join_words(present, True) or 'rien'}."
    if missing:
        en += f" You're out of {join_words(missing, False)}."
        fr += f" Il n'y a plus de {join_words([FRIDGE_FR.get(m, m) for m in missing], True)}."
    return Answer([tr(w.fr, en, fr)])


# --- news, health, kids ----------------------------------------------------------------------


@skill("ask_news")
def ask_news(text: str, w: World, state: dict) -> Answer:
    news = [n for n in (w.ctx("news") or []) if isinstance(n, dict)][:3]
    lines = [f"{n.get('headline', '')} ({n.get('source', '')})" for n in news]
    return Answer(
        [
            tr(
                w.fr,
                "Today's headlines: " + "; ".join(lines) + ".",
                "Les titres du jour : " + " ; ".join(lines) + ".",
            )
        ]
    )


HEALTH_TIPS = [
    (
        r"sleep|dormir|insomn",
        "For better sleep: keep a regular bedtime, avoid screens for an hour before bed and keep "
        "the bedroom cool and dark.",
        "Pour mieux dormir : couche-toi à heure fixe, évite les écrans une heure avant et garde la "
        "chambre fraîche et sombre.",
    ),
    (
        r"stress|anxious|anxi|relax|détend|breath",
        "Try box breathing: breathe in for 4 seconds, hold 4, breathe out 4, hold 4, and repeat "
        "for two minutes.",
        "Essaie la respiration carrée : inspire 4 secondes, bloque 4, expire 4, bloque 4, pendant "
        "deux minutes.",
    ),
    (
        r"water|drink|boire",
        "Most adults need about 1.5 to 2 litres of water a day, more when it's hot or you exercise.",
        "Un adulte a besoin d'environ 1,5 à 2 litres d'eau par jour, davantage s'il fait chaud.",
    ),
    (
        r"headache|tête",
        "For a headache: drink a glass of water, rest in a quiet room and take a short walk in "
        "fresh air; see a doctor if it lasts or is severe.",
        "Pour un mal de tête : bois un verre d'eau, repose-toi au calme et prends l'air ; consulte "
        "si cela dure.",
    ),
    (
        r"cold|rhume|flu",
        "With a cold: rest, drink warm fluids and honey, and see a doctor if you have a high "
        "fever for more than three days.",
        "Avec un rhume : repos, boissons chaudes et miel ; consulte si la fièvre dure plus de "
        "trois jours.",
    ),
    (
        r"back|dos",
        "For back pain: keep moving gently, stretch every hour and check your chair height.",
        "Pour le mal de dos : bouge doucement, étire-toi toutes les heures et règle ta chaise.",
    ),
]
GENERAL_TIP = (
    "A simple habit: a 20-minute walk every day, plenty of water and regular sleep go a long way.",
    "Une bonne habitude : marcher 20 minutes par jour, bien s'hydrater et dormir à heure fixe.",
)


@skill("health_tip")
def health_tip(text: str, w: World, state: dict) -> Answer:
    for pattern, en, fr in HEALTH_TIPS:
        if re.search(pattern, text, re.IGNORECASE):
            return Answer([tr(w.fr, en, fr)])
    return Answer([tr(w.fr, *GENERAL_TIP)])


STORIES = [
    (
        "Once upon a time, a little dragon named Pip was afraid of the dark, until the fireflies "
        "taught him that his own small flame could light the way. The end.",
        "Il était une fois un petit dragon, Pip, qui avait peur du noir, jusqu'au jour où les "
        "lucioles lui montrèrent que sa petite flamme pouvait éclairer le chemin. Fin.",
    ),
    (
        "Once upon a time, a curious rabbit built a rocket from carrots and flew to the moon, "
        "where she found that the moon was lonely and needed a friend. The end.",
        "Il était une fois une lapine curieuse qui construisit une fusée en carottes et s'envola "
        "vers la lune, qui se sentait seule et cherchait une amie. Fin.",
    ),
    (
        "Once upon a time, a princess who loved fixing things repaired the kingdom's broken "
        "clock tower, and every bell rang to thank her. The end.",
        "Il était une fois une princesse qui adorait bricoler ; elle répara l'horloge du royaume "
        "et toutes les cloches sonnèrent pour la remercier. Fin.",
    ),
]


@skill("kids_story")
def kids_story(text: str, w: World, state: dict) -> Answer:
    t = text.lower()
    if "dragon" in t:
        story = STORIES[0]
    elif re.search(r"space|moon|espace|lune|animal|rabbit|lapin", t):
        story = STORIES[1]
    elif "princess" in t:
        story = STORIES[2]
    else:
        story = rng_for(w, "story").choice(STORIES)
    return Answer([tr(w.fr, *story)])


CAPITALS = {
    "france": "Paris", "italy": "Rome", "italie": "Rome", "spain": "Madrid", "espagne": "Madrid",
    "germany": "Berlin", "allemagne": "Berlin", "england": "London", "japan": "Tokyo",
    "japon": "Tokyo", "portugal": "Lisbon", "belgium": "Brussels", "belgique": "Bruxelles",
}  # fmt: skip
FACTS = [
    (r"spider|araignée", "A spider has 8 legs.", "Une araignée a 8 pattes."),
    (r"biggest planet|plus grande planète", "Jupiter is the biggest planet.", "Jupiter est la plus grande planète."),
    (r"romeo", "William Shakespeare wrote Romeo and Juliet.", "Shakespeare a écrit Roméo et Juliette."),
    (r"photosynth", "Photosynthesis is how plants turn sunlight, water and carbon dioxide into sugar and oxygen.", "La photosynthèse permet aux plantes de fabriquer du sucre et de l'oxygène avec la lumière."),
    (r"noun|\bnom\b", "A noun is a word for a person, place or thing, like 'cat' or 'London'.", "Un nom désigne une personne, un lieu ou une chose, comme « chat »."),
    (r"necessary", "Necessary is spelled N-E-C-E-S-S-A-R-Y: one collar, two sleeves.", "Necessary s'écrit N-E-C-E-S-S-A-R-Y."),
    (r"fraction", "A fraction is a part of a whole: 1/2 means one of two equal parts.", "Une fraction est une partie d'un tout : 1/2 veut dire une part sur deux."),
    (r"planet", "There are 8 planets: Mercury, Venus, Earth, Mars, Jupiter, Saturn, Uranus and Neptune.", "Il y a 8 planètes : Mercure, Vénus, la Terre, Mars, Jupiter, Saturne, Uranus et Neptune."),
]  # fmt: skip
OPS = {
    "times": lambda a, b: a * b, "x": lambda a, b: a * b, "fois": lambda a, b: a * b,
    "*": lambda a, b: a * b, "plus": lambda a, b: a + b, "+": lambda a, b: a + b,
    "minus": lambda a, b: a - b, "moins": lambda a, b: a - b, "-": lambda a, b: a - b,
    "divided by": lambda a, b: a / b if b else None, "by": lambda a, b: a / b if b else None,
    "/": lambda a, b: a / b if b else None,
}  # fmt: skip


@skill("homework_help")
def homework_help(text: str, w: World, state: dict) -> Answer:
    t = text.lower()
    match = re.search(r"(\d+)\s*(times|x|fois|\*|plus|\+|minus|moins|-|divided by|by|/)\s*(\d+)", t)
    if match:
        a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
        result = OPS[op](a, b)
        if result is not None:
            shown = f"{result:g}" if isinstance(result, float) else str(result)
            return Answer(
                [
                    tr(
                        w.fr,
                        f"{a} {op} {b} is {shown}.",
                        f"{a} {op} {b} font {shown}.",
                    )
                ]
            )
    for country, capital in CAPITALS.items():
        if country in t:
            return Answer(
                [
                    tr(
                        w.fr,
                        f"The capital of {country.capitalize()} is {capital}.",
                        f"La capitale, c'est {capital}.",
                    )
                ]
            )
    for pattern, en, fr in FACTS:
        if re.search(pattern, t):
            return Answer([tr(w.fr, en, fr)])
    return Answer(
        [
            tr(
                w.fr,
                "Of course! Read me the question and we'll work it out step by step.",
                "Bien sûr ! Lis-moi la question et on la résout étape par étape.",
            )
        ]
    )


RIDDLES = [
    (
        "Here's a riddle: what has keys but can't open locks? ... A piano!",
        "Devinette : qu'est-ce qui a des dents mais ne mord jamais ? ... Un peigne !",
    ),
    (
        "Let's play I spy: I spy with my little eye something that is green and grows in the "
        "garden... Give up? It's grass!",
        "Jouons à « Je vois » : je vois quelque chose de vert qui pousse dans le jardin... "
        "C'est l'herbe !",
    ),
    (
        "Quiz time: which animal is the tallest in the world? ... The giraffe!",
        "Quiz : quel est l'animal le plus grand du monde ? ... La girafe !",
    ),
]


@skill("kids_game")
def kids_game(text: str, w: World, state: dict) -> Answer:
    t = text.lower()
    if "spy" in t:
        game = RIDDLES[1]
    elif "quiz" in t:
        game = RIDDLES[2]
    else:
        game = rng_for(w, "game").choice(RIDDLES)
    return Answer([tr(w.fr, *game)])


__all__ = ["SKILLS", "Answer", "answer_for", "clean_item"]
