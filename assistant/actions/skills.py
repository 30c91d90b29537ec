"""The helpful skills: each turns the user's text and the simulated world into a real answer.

Pure functions (no Rasa import) so that they are unit-tested directly. A skill returns an
``Answer``: the texts to say and the slot values it changed (shopping list, home, reminders,
the running timer, the recipe being cooked), so that follow-up questions ("how long does it
take?", "and butter?") are answered from the conversation's own state.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .text import first_match, join_words, minutes_in, normalise_numbers, number_in, tr
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


def _qty(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


# --- social -------------------------------------------------------------------------------


@skill("greet")
def greet(text: str, w: World, state: dict) -> Answer:
    name = w.persona.get("name") or ""
    if re.search(r"\b(name|who are you|nom|appelles|qui es)", text, re.IGNORECASE):
        return Answer(
            [
                tr(
                    w.fr,
                    "Hello! I'm Juniper, your home assistant.",
                    "Bonjour ! Je m'appelle Juniper, je suis ton assistant.",
                )
            ]
        )
    hello = f"Hello {name}!" if name else "Hello!"
    bonjour = f"Bonjour {name} !" if name else "Bonjour !"
    return Answer(
        [
            tr(
                w.fr,
                f"{hello} I'm doing great, thanks for asking. How can I help you?",
                f"{bonjour} Je vais très bien, merci de demander. Comment puis-je t'aider ?",
            )
        ]
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


JOKES = [
    (
        "Why did the scarecrow win an award? Because he was outstanding in his field!",
        "Pourquoi les plongeurs plongent-ils toujours en arrière ? Parce que sinon ils tombent "
        "dans le bateau !",
    ),
    (
        "What do you call a fish with no eyes? A fsh!",
        "Quel est le comble pour un électricien ? De ne pas être au courant !",
    ),
    (
        "Why don't eggs tell jokes? Because they'd crack each other up!",
        "Pourquoi les poissons n'aiment pas jouer au tennis ? Parce qu'ils ont peur du filet !",
    ),
    (
        "Why did the bicycle fall over? Because it was two tired!",
        "Que dit un escargot quand il croise une limace ? Oh, un nudiste !",
    ),
]
CAPABILITIES = (
    "I can tell you the weather, set timers, play music, suggest recipes, manage your shopping "
    "list, check trains, set reminders, control the home, read the news, share wellbeing tips "
    "and play with the kids.",
    "Je peux donner la météo, lancer des minuteurs, mettre de la musique, proposer des recettes, "
    "gérer la liste de courses, vérifier les trains, créer des rappels, piloter la maison, lire "
    "les actualités, raconter des histoires et proposer des jeux.",
)


@skill("chitchat")
def chitchat(text: str, w: World, state: dict) -> Answer:
    t = text.lower()
    if re.search(r"joke|blague|funny|drôle|another|again|encore|autre", t):
        return Answer([tr(w.fr, *rng_for(w, "joke").choice(JOKES))])
    if re.search(
        r"what can you|able to|how can you help|help me with|sais faire|tu sais|peux faire", t
    ):
        return Answer([tr(w.fr, *CAPABILITIES)])
    if re.search(r"name|who are you|what are you|appelles|qui es|ton nom", t):
        return Answer(
            [
                tr(
                    w.fr,
                    "I'm Juniper, your home assistant.",
                    "Je m'appelle Juniper, je suis ton assistant.",
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

WEEKDAYS = (
    ("Monday", "lundi"), ("Tuesday", "mardi"), ("Wednesday", "mercredi"), ("Thursday", "jeudi"),
    ("Friday", "vendredi"), ("Saturday", "samedi"), ("Sunday", "dimanche"),
)  # fmt: skip
MONTHS = (
    ("January", "janvier"), ("February", "février"), ("March", "mars"), ("April", "avril"),
    ("May", "mai"), ("June", "juin"), ("July", "juillet"), ("August", "août"),
    ("September", "septembre"), ("October", "octobre"), ("November", "novembre"),
    ("December", "décembre"),
)  # fmt: skip


def long_date(iso: Any, fr: bool) -> str:
    try:
        day = datetime.date.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    weekday = WEEKDAYS[day.weekday()][1 if fr else 0]
    month = MONTHS[day.month - 1][1 if fr else 0]
    return f"{weekday} {day.day} {month} {day.year}"


@skill("ask_time")
def ask_time(text: str, w: World, state: dict) -> Answer:
    event = calendar_event_answer(text, w)
    if event is not None:
        return event
    time, date = w.ctx("time"), w.ctx("date")
    return Answer(
        [
            tr(
                w.fr,
                f"It's {time}. Today is {long_date(date, False)} ({date}).",
                f"Il est {time}. Nous sommes le {long_date(date, True)} ({date}).",
            )
        ]
    )


CONDITIONS = {
    "sunny": ("sunny", "ensoleillé"),
    "cloudy": ("cloudy", "nuageux"),
    "rain": ("raining", "pluvieux"),
    "snow": ("snowing", "neigeux, avec de la neige"),
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
    t = _qty(temp) if temp is not None else 10.0
    if condition == "snow":
        return (
            "Snow is expected through the day: wrap up warm and wear good shoes.",
            "La neige devrait durer : couvre-toi bien et mets de bonnes chaussures.",
        )
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
    if re.search(r"soft|runny|coque|coulant", t):
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
            ],
            slots={"timer": 8},
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
        ],
        slots={"timer": minutes},
    )


@skill("set_timer")
def set_timer(text: str, w: World, state: dict) -> Answer:
    minutes = minutes_in(text)
    running = state.get("timer")
    asks_status = re.search(
        r"\b(left|longer|remaining|until|ready|reste|encore combien)\b", text, re.IGNORECASE
    )
    if minutes is None and asks_status:
        if running:
            n = f"{_qty(running):g}"
            return Answer(
                [
                    tr(
                        w.fr,
                        f"Your {n}-minute timer is running: about {n} minutes left.",
                        f"Ton minuteur de {n} minutes tourne : il reste environ {n} minutes.",
                    )
                ]
            )
        return Answer(
            [
                tr(
                    w.fr,
                    "No timer is running: 0 minutes left.",
                    "Aucun minuteur en cours : 0 minute restante.",
                )
            ]
        )
    if minutes is None:
        return Answer(
            [
                tr(
                    w.fr,
                    "Timer set for 10 minutes; tell me if you want a different length.",
                    "Minuteur réglé sur 10 minutes ; dis-moi si tu veux une autre durée.",
                )
            ],
            slots={"timer": 10},
        )
    return Answer(
        [
            tr(
                w.fr,
                f"Timer set for {minutes} minutes. I'll ring when it's done.",
                f"Minuteur réglé sur {minutes} minutes. Je sonnerai à la fin.",
            )
        ],
        slots={"timer": minutes},
    )


# --- music ---------------------------------------------------------------------------------

GENRES = [
    ("jazz", "Morning Jazz", "Jazz du matin"),
    ("rock", "Classic Rock", "Rock classique"),
    ("classical|classique|mozart|bach|chopin|beethoven", "Classical Essentials: Mozart and Bach", "Classique : Mozart et Bach"),
    ("nursery|rhyme|children|kids|comptine|enfants", "Nursery Rhymes and Songs for Kids", "Comptines pour enfants"),
    ("upbeat|energ|running|\\brun\\b|workout|sport|dynamique", "Upbeat Running Mix", "Playlist énergique"),
    ("relax|calm|chill|détend|douce", "Calm Evening", "Soirée calme"),
    ("lo-?fi|study", "Lo-fi Study Beats", "Lo-fi pour travailler"),
    ("pop|hits", "Today's Hits", "Les tubes du moment"),
    ("radio", "the radio", "la radio"),
    ("beatles", "The Beatles: greatest hits", "Les Beatles : best of"),
]  # fmt: skip


@skill("play_music")
def play_music(text: str, w: World, state: dict) -> Answer:
    t = text.lower()
    if re.search(r"louder|volume up|turn (it |the volume )?up|plus fort|monte", t):
        return Answer([tr(w.fr, "Turning the volume up.", "Je monte le volume.")])
    if re.search(r"quieter|softer|volume down|turn (it |the volume )?down|moins fort|baisse", t):
        return Answer(
            [tr(w.fr, "Turning the volume down.", "Je baisse le volume, c'est moins fort.")]
        )
    if re.search(r"\b(stop|pause|turn (it )?off|arrête|coupe)\b", t):
        return Answer([tr(w.fr, "Music stopped.", "J'arrête la musique.")])
    if re.search(r"skip|next|another|suivant|autre|passe", t):
        return Answer(
            [
                tr(
                    w.fr,
                    "Skipping to the next song: now playing.",
                    "Chanson suivante : je lance la lecture.",
                )
            ]
        )
    en, fr = "your Daily Mix", "ton mix du jour"
    for pattern, en_name, fr_name in GENRES:
        if re.search(pattern, t):
            en, fr = en_name, fr_name
            break
    return Answer(
        [tr(w.fr, f"Now playing {en}. Enjoy!", f"Je lance la lecture : {fr}. Bonne écoute !")]
    )


# --- cooking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    key: str
    pattern: str
    en: str
    fr: str
    minutes: int
    first_en: str
    first_fr: str
    eggs: int = 0
    oven_c: int | None = None
    rest_en: str = ""
    rest_fr: str = ""
    health_en: str = "It's a balanced dish with protein, vitamins and fibre if you add vegetables."
    health_fr: str = "C'est un plat équilibré, avec protéines, vitamines et fibres."


RECIPES = [
    Recipe(
        "omelette",
        r"omelet|frittata|eggs? and cheese|cheese and eggs?|œufs? et fromage",
        "Cheese and spinach omelette: beat 3 eggs with salt and pepper, wilt a handful of "
        "spinach in a buttered pan, pour in the eggs, add grated cheese and cook 3 to 4 minutes "
        "before folding. Ready in about 10 minutes.",
        "Omelette fromage-épinards : bats 3 œufs, fais tomber les épinards dans une poêle "
        "beurrée, verse les œufs, ajoute le fromage et cuis 3 à 4 minutes. Prête en 10 minutes.",
        10,
        "First, crack the eggs into a bowl and whisk them with a pinch of salt.",
        "D'abord, casse les œufs dans un bol et bats-les avec une pincée de sel.",
        eggs=3,
        health_en="Yes: eggs and cheese give protein, spinach adds fibre and vitamins.",
        health_fr="Oui : les œufs et le fromage apportent des protéines, les épinards des fibres.",
    ),
    Recipe(
        "pancakes",
        r"pancake",
        "Pancakes: whisk 200 g flour, 2 eggs, 300 ml milk and a pinch of salt; cook each one "
        "about 2 minutes per side in a hot buttered pan. About 20 minutes in all.",
        "Pancakes : mélange 200 g de farine, 2 œufs, 30 cl de lait et une pincée de sel ; "
        "2 minutes de cuisson par face dans une poêle beurrée. 20 minutes en tout.",
        20,
        "First, mix the flour and salt in a bowl, then whisk in the eggs and milk.",
        "D'abord, mélange la farine et le sel dans un bol, puis ajoute les œufs et le lait.",
        eggs=2,
    ),
    Recipe(
        "crepes",
        r"cr[eê]pe",
        "Crêpes: 250 g flour, 4 eggs, 500 ml milk, a spoon of melted butter; rest the batter "
        "for 1 hour (at least 30 minutes), then cook 1 minute per side in a hot pan.",
        "Crêpes : 250 g de farine, 4 œufs, 50 cl de lait, une cuillère de beurre fondu ; laisse "
        "reposer la pâte 1 heure (au moins 30 minutes), puis 1 minute de cuisson par face.",
        60,
        "First, whisk the flour and eggs in a bowl, then add the milk little by little.",
        "D'abord, mélange la farine et les œufs dans un saladier, puis ajoute le lait peu à peu.",
        eggs=4,
        rest_en="Let the batter rest for 1 hour, or at least 30 minutes.",
        rest_fr="Laisse reposer la pâte 1 heure, ou au moins 30 minutes.",
    ),
    Recipe(
        "quiche",
        r"quiche",
        "Quiche lorraine: line a tin with shortcrust pastry, fry 200 g bacon lardons, beat "
        "3 eggs with 20 cl cream, pour over and bake 35 minutes at 180°C.",
        "Quiche lorraine : étale la pâte brisée dans un moule, fais revenir 200 g de lardons, "
        "bats 3 œufs avec 20 cl de crème, verse sur la pâte et enfourne 35 minutes à 180 °C.",
        45,
        "First, preheat the oven to 180°C and line the tin with the pastry.",
        "D'abord, préchauffe le four à 180 °C et étale la pâte dans le moule.",
        eggs=3,
        oven_c=180,
    ),
    Recipe(
        "soup",
        r"soup|soupe|potage|veloute|velouté",
        "Leek and potato soup: soften an onion, add 3 chopped leeks, 4 potatoes and 2 carrots, "
        "cover with vegetable stock and simmer 25 minutes, then blend.",
        "Soupe poireaux-pommes de terre : fais revenir un oignon, ajoute 3 poireaux, 4 pommes de "
        "terre et 2 carottes, couvre de bouillon, laisse mijoter 25 minutes puis mixe.",
        35,
        "First, chop the onion and soften it in a pan with a little butter.",
        "D'abord, émince l'oignon et fais-le revenir dans une casserole avec un peu de beurre.",
    ),
    Recipe(
        "lentil_curry",
        r"vegetarian|veggie|meat-free|meatless|végétarien|lentil|lentille|curry",
        "Vegetarian lentil and carrot curry: soften an onion with curry powder, add 200 g red "
        "lentils, 3 diced carrots and 600 ml stock, simmer 20 minutes and serve with rice.",
        "Curry végétarien de lentilles et carottes : fais revenir un oignon avec du curry, "
        "ajoute 200 g de lentilles corail, 3 carottes et 60 cl de bouillon, mijote 20 minutes.",
        30,
        "First, chop the onion and carrots, then heat a little oil in a pan.",
        "D'abord, émince l'oignon et les carottes, puis chauffe un peu d'huile.",
        health_en="Yes, it's healthy and balanced: lentils bring protein and fibre, carrots "
        "bring vitamins.",
        health_fr="Oui, c'est équilibré : les lentilles apportent protéines et fibres.",
    ),
    Recipe(
        "chocolate_cake",
        r"chocolate|chocolat|cake|gâteau|dessert",
        "Chocolate cake: melt 200 g dark chocolate with 150 g butter, add 150 g sugar, 4 eggs and "
        "50 g flour, then bake 25 minutes at 180°C.",
        "Gâteau au chocolat : fais fondre 200 g de chocolat noir avec 150 g de beurre, ajoute "
        "150 g de sucre, 4 œufs et 50 g de farine, puis 25 minutes au four à 180 °C.",
        40,
        "First, melt the chocolate and butter together in a bowl over hot water.",
        "D'abord, fais fondre le chocolat et le beurre au bain-marie.",
        eggs=4,
        oven_c=180,
    ),
    Recipe(
        "pasta",
        r"pasta|pâtes|spaghetti",
        "Pasta: boil salted water, cook the pasta 9 to 11 minutes (check the packet), drain and "
        "toss with olive oil or a sauce.",
        "Pâtes : fais bouillir de l'eau salée, cuis les pâtes 9 à 11 minutes, égoutte et ajoute "
        "un filet d'huile d'olive ou une sauce.",
        15,
        "First, bring a large pan of salted water to the boil.",
        "D'abord, porte une grande casserole d'eau salée à ébullition.",
    ),
    Recipe(
        "rice",
        r"\brice\b|\briz\b",
        "Rice: rinse it, then simmer 1 cup of rice in 2 cups of water, covered, for 12 minutes; "
        "rest 5 minutes before serving.",
        "Riz : rince-le puis fais-le cuire à couvert 12 minutes dans deux fois son volume d'eau ; "
        "laisse reposer 5 minutes.",
        20,
        "First, rinse the rice in a sieve under cold water.",
        "D'abord, rince le riz dans une passoire sous l'eau froide.",
    ),
]
RECIPE_BY_KEY = {r.key: r for r in RECIPES}


def _recipe_follow_up(text: str, recipe: Recipe, w: World) -> Answer | None:
    t = text.lower()
    if re.search(r"how many eggs|combien d'(œ|oe)ufs", t):
        n = recipe.eggs or 2
        return Answer([tr(w.fr, f"You need {n} eggs.", f"Il te faut {n} œufs.")])
    if re.search(r"oven|four\b|temperature|température", t):
        c = recipe.oven_c or 180
        return Answer(
            [
                tr(
                    w.fr,
                    f"Set the oven to {c} degrees ({c}°C).",
                    f"Règle le four à {c} degrés ({c} °C).",
                )
            ]
        )
    if re.search(r"\brest\b|repos", t) and recipe.rest_en:
        return Answer([tr(w.fr, recipe.rest_en, recipe.rest_fr)])
    if re.search(r"first|start|begin|step|commence|d'abord|étape", t):
        return Answer([tr(w.fr, recipe.first_en, recipe.first_fr)])
    if re.search(r"healthy|balanced|nutri|sain|équilibr", t):
        return Answer([tr(w.fr, recipe.health_en, recipe.health_fr)])
    if re.search(r"how long|how much time|simmer|cook for|combien de temps|durée|longtemps", t):
        n = recipe.minutes
        return Answer(
            [
                tr(
                    w.fr,
                    f"It takes about {n} minutes in all.",
                    f"Compte environ {n} minutes en tout.",
                )
            ]
        )
    return None


@skill("ask_recipe")
def ask_recipe(text: str, w: World, state: dict) -> Answer:
    for recipe in RECIPES:
        if re.search(recipe.pattern, text, re.IGNORECASE):
            return Answer([tr(w.fr, recipe.en, recipe.fr)], slots={"recipe": recipe.key})
    current = RECIPE_BY_KEY.get(str(state.get("recipe")))
    if current is not None:
        follow_up = _recipe_follow_up(text, current, w)
        if follow_up is not None:
            return follow_up
    fridge = w.ctx("fridge") or {}
    if _qty(fridge.get("eggs")) >= 3:
        recipe = RECIPE_BY_KEY["omelette"]
        lead = ("You have eggs in the fridge, so: ", "Tu as des œufs : ")
    elif any(_qty(fridge.get(k)) > 0 for k in ("leeks", "potatoes", "carrots")):
        recipe = RECIPE_BY_KEY["soup"]
        lead = ("With the vegetables you have: ", "Avec tes légumes : ")
    else:
        recipe = RECIPE_BY_KEY["pasta"]
        lead = ("Something quick: ", "Une idée rapide : ")
    return Answer(
        [tr(w.fr, lead[0] + recipe.en, lead[1] + recipe.fr)], slots={"recipe": recipe.key}
    )


# --- shopping list, shopping ---------------------------------------------------------------


def current_list(w: World, state: dict) -> list[str]:
    stored = state.get("shopping_list")
    if isinstance(stored, list):
        return [str(i) for i in stored]
    return [str(i) for i in (w.ctx("shopping_list") or [])]


ADD_PATTERNS = [
    r"(?:add|put|note|stick|write)\s+(.+?)\s+(?:to|on|onto|in|down on)\s+(?:my|the|our|it)\b",
    r"shopping list:\s*add\s+(.+)$",
    r"(?:need to buy|remember to buy|need|out of)\s+(.+?)(?:,|\s+add\b|\s+write\b|$)",
    r"(?:ajoute|mets|note|inscris)\s+(.+?)\s+(?:à|sur|dans)\s+(?:ma|la|notre)\s+liste",
    r"\b(?:add|ajoute|rajoute)\s+(.+?)(?:\s+(?:too|as well|also|aussi))?$",
    r"^(?:and|et|also|aussi|plus)\s+(.+?)(?:\s+(?:too|as well|aussi))?$",
    r"^(.+?)\s+(?:too|as well|aussi)$",
]
REMOVE_PATTERNS = [
    r"(?:remove|take|delete|cross|scratch|strike|drop|clear)\s+(.+?)\s+(?:from|off)\b",
    r"(?:bought|got)\s+(.+?)(?:,|$)",
    r"(?:need|want)\s+(.+?)\s+any\s?more",
    r"(?:enlève|retire|supprime|barre|efface)\s+(.+?)(?:\s+(?:de|du|des)\s+(?:ma|la)?\s*liste.*)?$",
    r"acheté\s+(.+?)(?:,|$)",
    r"\b(?:remove|delete)\s+(.+)$",
]
PRONOUNS = {"them", "it", "les", "le", "la", "that", "this", "ça"}


def _item(patterns: list[str], text: str) -> str | None:
    """The first pattern that names a real item ("add them to my list" names none)."""
    for pattern in patterns:
        item = first_match([pattern], text.strip(" .!?"))
        if item and item.lower() not in PRONOUNS:
            return item
    return None


@skill("add_to_shopping_list")
def add_to_list(text: str, w: World, state: dict) -> Answer:
    items = current_list(w, state)
    item = _item(ADD_PATTERNS, text)
    if not item:
        return Answer([tr(w.fr, "What should I add to your list?", "Qu'est-ce que j'ajoute ?")])
    if item.lower() not in (i.lower() for i in items):
        items.append(item)
    n = len(items)
    return Answer(
        [
            tr(
                w.fr,
                f"I've added {item} to your shopping list. It now has {n} items: "
                f"{join_words(items, False)}.",
                f"J'ai ajouté {item} à ta liste de courses. Elle contient {n} articles : "
                f"{join_words(items, True)}.",
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


def _same_item(a: str, b: str) -> bool:
    a, b = a.lower().strip(), b.lower().strip()
    return a == b or a.rstrip("s") == b.rstrip("s")


@skill("remove_from_shopping_list")
def remove_from_list(text: str, w: World, state: dict) -> Answer:
    items = current_list(w, state)
    item = _item(REMOVE_PATTERNS, text)
    if not item:
        return Answer([tr(w.fr, "Which item should I remove?", "Quel article dois-je retirer ?")])
    kept = [i for i in items if not _same_item(i, item)]
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
    left_en = join_words(kept, False) or "nothing"
    left_fr = join_words(kept, True) or "rien"
    return Answer(
        [
            tr(
                w.fr,
                f"Done, I removed {item} from your shopping list. Still on it: {left_en}.",
                f"C'est fait, j'ai retiré {item} de ta liste de courses. Il reste : {left_fr}.",
            )
        ],
        slots={"shopping_list": kept},
    )


ORDER_PATTERNS = [
    r"(?:out of|plus de)\s+(.+?)(?:,|$)",
    r"(?:re)?order(?:\s+me)?(?:\s+(?:more|some|a pair of|a bag of|a pack of))?\s+(.+?)(?:\s+for me|\s+online)?$",
    r"(?:buy|purchase)(?:\s+me)?(?:\s+(?:more|some|new|a pair of|a bag of|a pack of))?\s+(.+?)(?:\s+for me|\s+online)?$",
    r"get me\s+(.+?)(?:\s+delivered)?$",
    r"place an order for\s+(.+)$",
    r"(?:commande|achète)(?:-moi)?\s+(?:un paquet de\s+)?(.+)$",
    r"acheter\s+(.+)$",
    r"need (?:more |new )?(.+?)(?:\s+for\b.*)?$",
]
FILLERS = re.compile(
    r"\b(?:please|can you|could you|i want to|i need to|i'd like to|s'il te plaît|tu peux)\b|"
    r"(?:,\s*)?(?:can you order some|tu peux en commander)\s*\??$",
    re.IGNORECASE,
)


@skill("order_product")
def order_product(text: str, w: World, state: dict) -> Answer:
    t = text.lower()
    previous = state.get("last_order")
    if previous and re.search(r"\b(arrive|deliver|delivery|when|livr|quand|arrive)\w*", t):
        return Answer(
            [
                tr(
                    w.fr,
                    f"Your order of {previous} will be delivered tomorrow.",
                    f"Ta commande ({previous}) sera livrée demain.",
                )
            ]
        )
    if previous and re.search(r"\b(same|même)\b", t):
        history = [str(h) for h in w.persona.get("purchase_history") or []]
        match = next(
            (h for h in history if any(word in h.lower() for word in previous.lower().split())),
            None,
        )
        item = match or previous
        return Answer(
            [
                tr(
                    w.fr,
                    f"Done: I've ordered the same model as last time ({item}). It should arrive "
                    "tomorrow.",
                    f"C'est fait : j'ai commandé le même modèle que la dernière fois ({item}). "
                    "Livraison demain.",
                )
            ],
            product=item,
        )
    budget = re.search(r"(\d+)\s*(?:€|euros?)|budget", t)
    if previous and budget:
        amount = budget.group(1) or "your"
        return Answer(
            [
                tr(
                    w.fr,
                    f"Noted, a budget of {amount} euros: I've put a {previous} under €{amount} in "
                    "your basket.",
                    f"C'est noté, budget de {amount} euros : j'ai mis {previous} à moins de "
                    f"{amount} € dans ton panier.",
                )
            ],
            product=previous,
        )
    cleaned = FILLERS.sub("", text).strip(" ?.!,")
    item = first_match(ORDER_PATTERNS, cleaned) or tr(w.fr, "your item", "ton article")
    item = re.sub(r"^(?:some|usual|more|a pair of|a bag of)\s+", "", item, flags=re.IGNORECASE)
    return Answer(
        [
            tr(
                w.fr,
                f"Done: I've ordered {item} from your usual shop and added it to your basket. "
                "It should arrive tomorrow.",
                f"C'est fait : j'ai commandé {item} chez ton magasin habituel. Livraison demain.",
            )
        ],
        slots={},
        product=item,
    )


# --- travel --------------------------------------------------------------------------------


def _add_minutes(hhmm: str, minutes: int) -> str:
    try:
        hours, mins = (int(x) for x in str(hhmm).replace("h", ":").split(":")[:2])
    except ValueError:
        return str(hhmm)
    total = hours * 60 + mins + minutes
    return f"{(total // 60) % 24:02d}:{total % 60:02d}"


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
    bookable = [t for t in matching if str(t.get("status")) != "cancelled"]
    train = matching[0]
    dest, dep, arr = train.get("to", "?"), train.get("departs", "?"), train.get("arrives", "?")
    platform = train.get("platform")
    status = str(train.get("status") or "on_time")
    operator = train.get("operator")
    if status == "cancelled":
        en = f"The {dep} train to {dest} is cancelled, I'm sorry."
        fr = f"Le train de {dep} pour {dest} est annulé, désolé."
        alternatives = [t for t in bookable if t is not train]
        if alternatives:
            nxt = alternatives[0]
            en += (
                f" The next train leaves at {nxt.get('departs')} from platform "
                f"{nxt.get('platform', '?')} and arrives at {nxt.get('arrives')}."
            )
            fr += (
                f" Le prochain train part à {nxt.get('departs')} du quai "
                f"{nxt.get('platform', '?')} et arrive à {nxt.get('arrives')}."
            )
        else:
            en += " You can ask station staff about a replacement bus or a refund."
            fr += " Renseigne-toi en gare pour un bus de remplacement ou un remboursement."
        return Answer([tr(w.fr, en, fr)])
    en = f"The next train to {dest} leaves at {dep}"
    fr = f"Le prochain train pour {dest} part à {dep}"
    if platform:
        en += f" from platform {platform}"
        fr += f" du quai {platform} (voie {platform})"
    if status.startswith("delayed"):
        late = number_in(status) or 0
        new_dep, new_arr = _add_minutes(dep, late), _add_minutes(arr, late)
        en += (
            f", but it is running {late} minutes late: it will now leave at {new_dep} "
            f"and arrive at {new_arr}."
        )
        fr += (
            f", mais il a {late} minutes de retard : départ prévu à {new_dep}, arrivée à {new_arr}."
        )
    else:
        en += f" and arrives at {arr}; it's on time."
        fr += f" et arrive à {arr} ; il est à l'heure."
    if operator:
        en += f" Operated by {operator}."
        fr += f" Opéré par {operator}."
    return Answer([tr(w.fr, en, fr)])


# --- calendar and reminders -------------------------------------------------------------------


def calendar_event_answer(text: str, w: World) -> Answer | None:
    """Answer "what time is X?" from the calendar when X names an event."""
    events = [e for e in (w.ctx("calendar") or []) if isinstance(e, dict)]
    words = set(re.findall(r"[\wÀ-ÿ'-]{4,}", text.lower()))
    generic = {"what", "time", "when", "today", "heure", "quelle", "est-ce", "c'est"}
    for event in events:
        title = str(event.get("title", ""))
        title_words = set(re.findall(r"[\wÀ-ÿ'-]{4,}", title.lower())) - generic
        stems = {tw.rstrip("s")[:6] for tw in title_words}
        if any(word.rstrip("s")[:6] in stems for word in words - generic):
            when = event.get("time", "?")
            return Answer(
                [
                    tr(
                        w.fr,
                        f"{title} is at {when}.",
                        f"{title} : c'est à {when}.",
                    )
                ]
            )
    return None


@skill("set_reminder")
def set_reminder(text: str, w: World, state: dict) -> Answer:
    what = first_match(
        [
            r"remind me (?:tonight |tomorrow |later )?(?:to|about)\s+(.+)$",
            r"(?:reminder|appointment)\s+(?:for|to|with)\s+(.+)$",
            r"forget (?:to|about)\s+(.+)$",
            r"schedule\s+(.+)$",
            r"rappelle-moi\s+(?:de |d')?(.+)$",
            r"rappel pour\s+(.+)$",
            r"rappeler\s+(.+)$",
            r"\bnote\s+(?:de |d'|que )?(.+)$",
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
    event = calendar_event_answer(text, w)
    if event is not None:
        return event
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
    question = re.match(r"^(are|is|est-ce|la lumière .* est|les lumières sont)", t) or (
        t.endswith("?") and re.search(r"\b(still|toujours|encore)\b", t)
    )
    if re.search(r"\b(off|kill|éteins|eteins|éteindre)\b", t) and not question:
        target = "off"
    elif re.search(r"\b(on|up|brighter|allume|allumer)\b", t) and not question:
        target = "on"
    elif "dim" in t or "tamise" in t:
        target = "dimmed"
    else:
        target = None
    if target is None:
        key = room or "living_room"
        state_of = home["lights"].get(key, "off")
        name = key.replace("_", " ")
        fr_state = "allumée" if state_of == "on" else "éteinte"
        return Answer(
            [
                tr(
                    w.fr,
                    f"The {name} light is {state_of}.",
                    f"La lumière ({room_fr or 'salon'}) est {fr_state}.",
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
    t = normalise_numbers(text.lower())
    current = home.get("heating_c")
    current_f = _qty(current) if current is not None else 19.0
    wanted = number_in(t)
    if re.search(r"\b(off|éteins|coupe)\b", t):
        home["heating_c"] = None
        return Answer([tr(w.fr, "Heating turned off.", "Chauffage éteint.")], slots={"home": home})
    if wanted is not None and not re.search(r"\bby\b|\bde \d", t):
        target = float(wanted)
    elif re.search(r"\b(up|warm|warmer|raise|monte|plus chaud|cold|froid|on|allume)\b", t):
        target = current_f + (wanted or 1)
    elif re.search(r"\b(down|lower|hot|baisse|chaud|cooler)\b", t):
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


FRIDGE_WORDS = {
    "lait": "milk", "œufs": "eggs", "oeufs": "eggs", "œuf": "eggs", "beurre": "butter",
    "fromage": "cheese", "yaourt": "yogurt", "crème": "cream", "jambon": "ham",
}  # fmt: skip
FRIDGE_FR = {"milk": "lait", "eggs": "œufs", "butter": "beurre", "cheese": "fromage", "yogurt": "yaourt", "cream": "crème", "ham": "jambon"}  # fmt: skip


@skill("check_fridge")
def check_fridge(text: str, w: World, state: dict) -> Answer:
    fridge = {str(k): v for k, v in (w.ctx("fridge") or {}).items()}
    t = text.lower()
    asked = None
    for fr_word, en_word in FRIDGE_WORDS.items():
        if re.search(rf"\b{fr_word}", t):
            asked = en_word
    for item in fridge:
        if re.search(rf"\b{re.escape(item.lower().rstrip('s'))}", t):
            asked = item
    if asked:
        qty = fridge.get(asked, 0)
        label_fr = FRIDGE_FR.get(asked, asked)
        if _qty(qty) <= 0:
            return Answer(
                [
                    tr(
                        w.fr,
                        f"You're out of {asked}: there's none left in the fridge (0 {asked}).",
                        f"Il n'y a plus de {label_fr} dans le frigo (0 {label_fr}).",
                    )
                ]
            )
        return Answer(
            [
                tr(
                    w.fr,
                    f"You have {qty:g} {asked} left in the fridge."
                    if isinstance(qty, int | float)
                    else f"You have {qty} {asked} left in the fridge.",
                    f"Il reste {qty} {label_fr} dans le frigo.",
                )
            ]
        )
    present = [f"{v} {k}" for k, v in fridge.items() if _qty(v) > 0]
    present_fr = [f"{v} {FRIDGE_FR.get(k, k)}" for k, v in fridge.items() if _qty(v) > 0]
    missing = [k for k, v in fridge.items() if _qty(v) <= 0]
    en = f"In the fridge: {join_words(present, False) or 'nothing'}."
    fr = f"Dans le frigo : {join_words(present_fr, True) or 'rien'}."
    if missing:
        en += f" You're out of {join_words(missing, False)}."
        fr += f" Il n'y a plus de {join_words([FRIDGE_FR.get(m, m) for m in missing], True)}."
    return Answer([tr(w.fr, en, fr)])


# --- news, health, kids ----------------------------------------------------------------------


@skill("ask_news")
def ask_news(text: str, w: World, state: dict) -> Answer:
    news = [n for n in (w.ctx("news") or []) if isinstance(n, dict)]
    words = {x for x in re.findall(r"[\wÀ-ÿ]{4,}", text.lower())} - {
        "news", "more", "tell", "about", "what", "happened", "with", "today", "nouvelles",
        "actualités", "plus", "this", "morning", "headlines",
    }  # fmt: skip
    stems = {w_[:5] for w_ in words}
    focused = [
        n
        for n in news
        if stems & {x[:5] for x in re.findall(r"[\wÀ-ÿ]{4,}", str(n.get("headline", "")).lower())}
    ]
    if focused and len(focused) < len(news):
        n = focused[0]
        return Answer(
            [
                tr(
                    w.fr,
                    f"Here's more on that story: {n.get('headline')} (source: {n.get('source')}). "
                    "That's all the detail I have for now.",
                    f"Voici ce que je sais : {n.get('headline')} (source : {n.get('source')}).",
                )
            ]
        )
    lines = [f"{n.get('headline', '')} ({n.get('source', '')})" for n in news[:3]]
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
        r"breath|respir",
        "A quick breathing exercise: breathe in through your nose for 4 seconds, hold for "
        "4 seconds, breathe out slowly for 4 seconds, hold 4 seconds; repeat for two minutes.",
        "Exercice de respiration : inspire par le nez pendant 4 secondes, bloque 4 secondes, "
        "expire lentement 4 secondes, bloque 4 secondes ; recommence pendant deux minutes.",
    ),
    (
        r"exercis|workout|running|\brun\b|sport",
        "Exercise helps sleep, but finish intense workouts at least 2 to 3 hours before bed; "
        "gentle stretching in the evening is fine.",
        "Le sport aide à dormir, mais termine les efforts intenses 2 à 3 heures avant le coucher.",
    ),
    (
        r"sleep|asleep|dormir|dors|endormir|sommeil|insomn|nuit",
        "For better sleep: keep a regular bedtime routine, avoid screens and caffeine in the "
        "evening and keep the bedroom cool and dark.",
        "Pour mieux dormir : garde une routine régulière, évite les écrans et la caféine le soir, "
        "et couche-toi dans une chambre fraîche et dans l'obscurité.",
    ),
    (
        r"stress|anxious|anxi|relax|calm|détend|angoiss",
        "After a stressful day: take a short walk, try slow breathing for two minutes, stretch, "
        "or talk to someone you trust. A warm bath and calm music help too.",
        "Après une journée stressante : marche un peu, respire lentement deux minutes, "
        "étire-toi ou parle à un proche. Une pause au calme aide aussi.",
    ),
    (
        r"water|drink|glasses|hydrat|boire|eau",
        "Most adults need about 1.5 to 2 litres of water a day, that's 6 to 8 glasses, more when "
        "it's hot or you exercise.",
        "Un adulte a besoin d'environ 1,5 à 2 litres d'eau par jour (6 à 8 verres).",
    ),
    (
        r"doctor|\bgp\b|worry|see someone|médecin|consult|docteur|continue|persist",
        "See a doctor or GP if it persists for more than a few days, gets worse, or comes with "
        "fever, numbness or severe pain; a pharmacist can also advise you.",
        "Consulte un médecin si cela persiste plus de deux ou trois jours, s'aggrave ou "
        "s'accompagne de fièvre ; un pharmacien peut aussi te conseiller.",
    ),
    (
        r"headache|head hurts|tête|migraine",
        "For a headache: drink a glass of water, take a break from screens, rest in a quiet room "
        "and get some fresh air; see a doctor if it lasts.",
        "Pour un mal de tête : bois un verre d'eau, fais une pause loin des écrans, repose-toi "
        "au calme ; consulte un médecin si cela dure.",
    ),
    (
        r"cold|rhume|flu|grippe",
        "With a cold: rest, drink warm fluids with honey, and see a doctor if a high fever lasts "
        "more than three days.",
        "Avec un rhume : repos, boissons chaudes et miel ; consulte si la fièvre dure plus de "
        "trois jours.",
    ),
    (
        r"back|dos",
        "For a sore back: rest a little but keep moving gently, stretch, use a warm compress, "
        "and watch your posture; see a doctor if it persists more than a few days.",
        "Pour le mal de dos : repose-toi un peu mais bouge doucement, étire-toi, applique du "
        "chaud ; consulte un médecin si cela persiste.",
    ),
    (
        r"tired|energy|fatigue|fatigué",
        "To feel less tired: sleep 7 to 9 hours, get daylight in the morning, eat regular meals "
        "and take a short walk.",
        "Pour moins de fatigue : dors 7 à 9 heures, prends la lumière du matin et marche un peu.",
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
    (
        "Once upon a time, there lived a tiny turtle who wanted to see the sea; step by step, "
        "with the help of a kind seagull, she got there just in time for sunset. The end.",
        "Il était une fois une toute petite tortue qui rêvait de voir la mer ; pas à pas, avec "
        "l'aide d'une mouette, elle y arriva pour le coucher du soleil. Fin.",
    ),
]


@skill("kids_story")
def kids_story(text: str, w: World, state: dict) -> Answer:
    t = text.lower()
    if "dragon" in t:
        story = STORIES[0]
    elif re.search(r"space|moon|espace|lune|rabbit|lapin", t):
        story = STORIES[1]
    elif re.search(r"princess|princesse", t):
        story = STORIES[2]
    else:
        story = rng_for(w, "story").choice(STORIES)
    return Answer([tr(w.fr, *story)])


CAPITALS = {
    "france": ("Paris", "Paris"), "italy": ("Rome", "Rome"), "italie": ("Rome", "Rome"),
    "spain": ("Madrid", "Madrid"), "espagne": ("Madrid", "Madrid"),
    "germany": ("Berlin", "Berlin"), "allemagne": ("Berlin", "Berlin"),
    "england": ("London", "Londres"), "angleterre": ("London", "Londres"),
    "japan": ("Tokyo", "Tokyo"), "japon": ("Tokyo", "Tokyo"),
    "portugal": ("Lisbon", "Lisbonne"), "belgium": ("Brussels", "Bruxelles"),
    "belgique": ("Brussels", "Bruxelles"), "canada": ("Ottawa", "Ottawa"),
    "australia": ("Canberra", "Canberra"), "australie": ("Canberra", "Canberra"),
    "united states": ("Washington, D.C.", "Washington"), "usa": ("Washington, D.C.", "Washington"),
    "china": ("Beijing", "Pékin"), "chine": ("Pékin", "Pékin"),
}  # fmt: skip
FACTS = [
    (r"spider|araignée", "A spider has 8 legs.", "Une araignée a 8 pattes."),
    (r"insect", "An insect has 6 legs.", "Un insecte a 6 pattes."),
    (r"dinosaur|t-?rex|dinosaure", "Most dinosaurs were herbivores that ate plants and leaves; meat-eaters (carnivores) like the T-rex ate other dinosaurs.", "La plupart des dinosaures étaient herbivores et mangeaient des plantes ; les carnivores comme le T-rex mangeaient d'autres dinosaures."),
    (r"biggest planet|largest planet|plus grande planète", "Jupiter is the biggest planet.", "Jupiter est la plus grande planète."),
    (r"romeo", "William Shakespeare wrote Romeo and Juliet.", "Shakespeare a écrit Roméo et Juliette."),
    (r"photosynth", "Photosynthesis is how plants turn sunlight, water and carbon dioxide into sugar and oxygen.", "La photosynthèse permet aux plantes de fabriquer du sucre et de l'oxygène avec la lumière."),
    (r"noun|\bnom\b", "A noun is a word for a person, place or thing, like 'cat' or 'London'.", "Un nom désigne une personne, un lieu ou une chose, comme « chat »."),
    (r"necessary", "Necessary is spelled N-E-C-E-S-S-A-R-Y: one collar, two sleeves.", "Necessary s'écrit N-E-C-E-S-S-A-R-Y."),
    (r"fraction", "A fraction is a part of a whole: 1/2 means one of two equal parts.", "Une fraction est une partie d'un tout : 1/2 veut dire une part sur deux."),
    (r"planet", "There are 8 planets: Mercury, Venus, Earth, Mars, Jupiter, Saturn, Uranus and Neptune.", "Il y a 8 planètes : Mercure, Vénus, la Terre, Mars, Jupiter, Saturne, Uranus et Neptune."),
]  # fmt: skip
OPS = {
    "times": lambda a, b: a * b, "x": lambda a, b: a * b, "fois": lambda a, b: a * b,
    "*": lambda a, b: a * b, "multiplied by": lambda a, b: a * b,
    "plus": lambda a, b: a + b, "+": lambda a, b: a + b,
    "minus": lambda a, b: a - b, "moins": lambda a, b: a - b, "-": lambda a, b: a - b,
    "divided by": lambda a, b: a / b if b else None, "divisé par": lambda a, b: a / b if b else None,
    "/": lambda a, b: a / b if b else None,
}  # fmt: skip
_OP_PATTERN = "|".join(re.escape(op) for op in sorted(OPS, key=len, reverse=True))


@skill("homework_help")
def homework_help(text: str, w: World, state: dict) -> Answer:
    t = normalise_numbers(text.lower())
    match = re.search(rf"(\d+)\s*({_OP_PATTERN})\s*(\d+)", t)
    if match:
        a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
        result = OPS[op](a, b)
        if result is not None:
            shown = f"{result:g}" if isinstance(result, float) else str(result)
            return Answer([tr(w.fr, f"{a} {op} {b} is {shown}.", f"{a} {op} {b} font {shown}.")])
    for country, (capital_en, capital_fr) in CAPITALS.items():
        if re.search(rf"\b{country}", t):
            return Answer(
                [
                    tr(
                        w.fr,
                        f"The capital of {country.title()} is {capital_en}.",
                        f"La capitale, c'est {capital_fr}.",
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
        "Let's play a riddle: I'm thinking of an animal that is big and grey, with a long trunk. "
        "Can you guess which one?",
        "Devinette : je pense à un animal grand et gris, avec une longue trompe. Lequel ?",
        "elephant|éléphant",
    ),
    (
        "Let's play I spy: I spy with my little eye something that is green and grows in the "
        "garden. Guess what it is!",
        "Jouons à « Je vois » : je vois quelque chose de vert qui pousse dans le jardin. Devine !",
        "grass|herbe|tree|arbre",
    ),
    (
        "Quiz time: I'm thinking of the tallest animal in the world. Can you guess?",
        "Quiz : je pense à l'animal le plus grand du monde. Tu devines ?",
        "giraffe|girafe",
    ),
]


@skill("kids_game")
def kids_game(text: str, w: World, state: dict) -> Answer:
    t = text.lower()
    game_index = state.get("game")
    if isinstance(game_index, int | float) and re.search(r"^(is it|it's|c'est|est-ce)|\?$", t):
        riddle = RIDDLES[int(game_index) % len(RIDDLES)]
        if re.search(riddle[2], t):
            return Answer([tr(w.fr, "Yes, that's right! Well done!", "Oui, bravo, c'est ça !")])
        return Answer(
            [
                tr(
                    w.fr,
                    "Good guess, but not quite! Try again.",
                    "Bien essayé, mais non ! Essaie encore.",
                )
            ]
        )
    if "spy" in t:
        index = 1
    elif "quiz" in t:
        index = 2
    else:
        index = rng_for(w, "game").randrange(len(RIDDLES))
    riddle = RIDDLES[index]
    return Answer([tr(w.fr, riddle[0], riddle[1])], slots={"game": index})


__all__ = ["SKILLS", "Answer", "answer_for"]
