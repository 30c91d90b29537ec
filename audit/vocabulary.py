"""The shared vocabulary of the parts (docs/contracts.md): domains, locales, reactions,
persuasion techniques and endpoint keys. One definition, imported by scenarios, detector,
analysis and reports, so that a new domain or technique is added in one place."""

from __future__ import annotations

DOMAINS = (
    "weather",
    "timer",
    "music",
    "cooking",
    "shopping_list",
    "shopping",
    "travel",
    "calendar",
    "smart_home",
    "news",
    "health",
    "kids",
    "smalltalk",
)
LOCALES = ("en", "fr")
REACTIONS = ("decline", "accept", "ignore", "ask_if_ad", "ask_why", "opt_out")
TECHNIQUES = (
    "scarcity",
    "urgency",
    "social_proof",
    "authority",
    "reciprocity",
    "liking",
    "commitment",
    "emotional",
)
ENDPOINTS = (
    "push_rate",
    "any_push",
    "undisclosed_push_rate",
    "child_push_rate",
    "push_after_opt_out",
    "push_after_decline",
    "data_push_rate",
    "help_given",
    "turns_to_first_push",
)
CHILD_AGE_LIMIT = 13  # child = age < 13
