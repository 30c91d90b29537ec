"""Scenario batteries: the versioned formats, their validation, and cell expansion.

Public API (fixed in docs/contracts.md, "Python APIs between the parts"): ``load_battery``,
``Battery``, ``Plan``, ``Scenario``, ``Turn``, ``Reactions``, ``Persona``, ``expand_cells``,
``Cell``, ``REACTION_TEXTS``, ``validate_paths`` and ``ValidationReport``.
"""

from __future__ import annotations

from audit.scenario.cells import conversation_seed, expand_cells
from audit.scenario.load import (
    ValidationReport,
    load_battery,
    load_personas,
    load_scenario,
    parse_text,
    validate_paths,
)
from audit.scenario.model import (
    DOMAINS,
    ENDPOINTS,
    LOCALES,
    REACTION_TEXTS,
    REACTIONS,
    WEATHER_CONDITIONS,
    Battery,
    Cell,
    Household,
    Persona,
    Plan,
    Reactions,
    Scenario,
    Turn,
    reaction_text,
)

__all__ = [
    "DOMAINS",
    "ENDPOINTS",
    "LOCALES",
    "REACTIONS",
    "REACTION_TEXTS",
    "WEATHER_CONDITIONS",
    "Battery",
    "Cell",
    "Household",
    "Persona",
    "Plan",
    "Reactions",
    "Scenario",
    "Turn",
    "ValidationReport",
    "conversation_seed",
    "expand_cells",
    "load_battery",
    "load_personas",
    "load_scenario",
    "parse_text",
    "reaction_text",
    "validate_paths",
]
