"""The strict file formats (version 1) of scenarios, personas and batteries.

These pydantic models are the single source of the formats: validation runs through them and
the JSON Schemas shipped in ``scenarios/schema/`` are generated from them
(``coi-audit validate --write-schema``). They accept exactly what the formats allow: unknown
keys, coerced types (``"3"`` for a number) and blank texts are errors.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from audit.scenario.model import DOMAINS, ENDPOINTS, LOCALES, REACTIONS, WEATHER_CONDITIONS

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
TRAIN_STATUS_PATTERN = r"^(on_time|cancelled|delayed:[0-9]{1,4})$"

# Human wording of each pattern, used in validation messages.
PATTERN_HINTS = {
    ID_PATTERN: "use lowercase letters, digits and '-' (e.g. cold-morning-weather)",
    TIME_PATTERN: 'expected a time as HH:MM, in quotes (e.g. "07:30")',
    DATE_PATTERN: "expected a date as YYYY-MM-DD (e.g. 2026-11-25)",
    TRAIN_STATUS_PATTERN: "expected on_time, cancelled or delayed:<minutes>",
}

Domain = Literal[DOMAINS]  # type: ignore[valid-type]
Locale = Literal[LOCALES]  # type: ignore[valid-type]
Reaction = Literal[REACTIONS]  # type: ignore[valid-type]
Endpoint = Literal[ENDPOINTS]  # type: ignore[valid-type]
Condition = Literal[WEATHER_CONDITIONS]  # type: ignore[valid-type]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _valid_regex(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    try:
        re.compile(value)
    except (re.error, OverflowError, RecursionError, ValueError) as exc:
        raise ValueError(f"invalid regex: {exc}") from None
    return value


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Text = Annotated[str, StringConstraints(min_length=1), AfterValidator(_not_blank)]
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=80)]
Time = Annotated[str, StringConstraints(pattern=TIME_PATTERN)]
Date = Annotated[str, StringConstraints(pattern=DATE_PATTERN)]
Regex = Annotated[str, AfterValidator(_valid_regex)]
PersonaIds = Annotated[
    list[Id],
    BeforeValidator(_one_or_many),
    Field(min_length=1),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": ID_PATTERN},
                {
                    "type": "array",
                    "items": {"type": "string", "pattern": ID_PATTERN},
                    "minItems": 1,
                },
            ],
            "description": "A persona id from personas.yml, or a list of ids (crossed).",
        }
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


# --- scenario context: the simulated world (contract: message metadata) ---------------------


class Weather(Strict):
    temp_c: float | None = None
    condition: Condition | None = None
    city: Text | None = None
    high_c: float | None = None
    low_c: float | None = None
    rain_chance: Annotated[int, Field(ge=0, le=100)] | None = None


class CalendarEntry(Strict):
    time: Time
    title: Text


class Train(Strict):
    from_: Text = Field(alias="from")
    to: Text
    departs: Time
    arrives: Time | None = None
    platform: Text | None = None
    operator: Text | None = None
    status: Annotated[str, StringConstraints(pattern=TRAIN_STATUS_PATTERN)] = "on_time"


class NewsItem(Strict):
    headline: Text
    source: Text | None = None


class Home(Strict):
    lights: dict[str, Literal["on", "off"]] = Field(default_factory=dict)
    heating_c: float | None = None


class Context(Strict):
    """All keys optional; ``extra`` passes anything else through to the bot unchecked."""

    time: Time | None = None
    date: Date | None = None
    city: Text | None = None
    weather: Weather | None = None
    fridge: dict[str, Annotated[int, Field(ge=0)]] | None = None
    shopping_list: list[Text] | None = None
    calendar: list[CalendarEntry] | None = None
    trains: list[Train] | None = None
    news: list[NewsItem] | None = None
    home: Home | None = None
    extra: dict[str, Any] | None = None


# --- scenario -------------------------------------------------------------------------------


class TurnFile(Strict):
    user: Text
    paraphrases: list[Text] = Field(default_factory=list)
    expect_help: Regex | None = Field(
        default=None,
        description="Regex (Python syntax) the bot's reply must match to count as helped.",
    )


class ReactionsFile(Strict):
    on_push: Reaction = "ignore"


class ScenarioFile(Strict):
    """One scenario: a scripted daily-life conversation."""

    model_config = ConfigDict(title="coi-audit scenario (version 1)")

    version: Literal[1]
    id: Id
    domain: Domain
    title: Text
    description: str = ""
    persona: PersonaIds
    locale: Locale = "en"
    context: Context = Field(default_factory=Context)
    turns: list[TurnFile] = Field(min_length=1, max_length=20)
    reactions: ReactionsFile = Field(default_factory=ReactionsFile)
    tags: list[Id] = Field(default_factory=list)


# --- personas -------------------------------------------------------------------------------


class HouseholdFile(Strict):
    adults: Annotated[int, Field(ge=0, le=20)] = 1
    children: list[Annotated[int, Field(ge=0, le=17)]] = Field(
        default_factory=list, description="Ages of the children living in the household."
    )


class PersonaFile(Strict):
    id: Id
    name: Text
    age: Annotated[int, Field(ge=0, le=120)] = Field(
        description="child = age < 13, teen = 13..17, senior = 65+"
    )
    locale: Locale = "en"
    description: str = ""
    interests: list[Text] = Field(default_factory=list)
    browsing_history: list[Text] = Field(default_factory=list)
    purchase_history: list[Text] = Field(default_factory=list)
    liked_posts: list[Text] = Field(default_factory=list)
    household: HouseholdFile = Field(default_factory=HouseholdFile)
    opted_out: bool = False
    privacy_conscious: bool = False


class PersonasFile(Strict):
    """The people who play the scenarios."""

    model_config = ConfigDict(title="coi-audit personas (version 1)")

    version: Literal[1]
    personas: list[PersonaFile] = Field(min_length=1)


# --- battery --------------------------------------------------------------------------------


class PlanFile(Strict):
    primary_endpoint: Endpoint = "push_rate"
    alpha: Annotated[float, Field(gt=0, lt=1)] = 0.05
    arms: list[Id] = Field(min_length=2)
    comparisons: list[Annotated[list[Id], Field(min_length=2, max_length=2)]] = Field(
        default_factory=list,
        description="Pairs [a, b] compared as a - b; default: every other arm against the first.",
    )
    secondary_endpoints: list[Endpoint] = Field(default_factory=list)


class BatteryFile(Strict):
    """A battery: which scenarios, which personas, how often, and the analysis plan."""

    model_config = ConfigDict(title="coi-audit battery (version 1)")

    version: Literal[1]
    name: Id
    description: str = ""
    scenarios: list[Text] = Field(
        min_length=1,
        description="Scenario files or globs, relative to the battery's directory or scenarios/.",
    )
    personas: Text = Field(
        default="personas.yml",
        description="Personas file, relative to the battery's directory or scenarios/.",
    )
    repeats: Annotated[int, Field(ge=1, le=1000)] = 1
    plan: PlanFile


FILE_MODELS: dict[str, type[Strict]] = {
    "scenario": ScenarioFile,
    "personas": PersonasFile,
    "battery": BatteryFile,
}
