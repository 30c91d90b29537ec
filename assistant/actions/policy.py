"""Load and check the business policies (policies/*.yml) and the catalogue (catalogue/*.yml).

Policies are data: a wrong key or value fails loudly when the action server starts, with the
file and the key in the message, rather than silently changing the assistant's behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ASSISTANT_DIR = Path(__file__).resolve().parent.parent
POLICY_DIR = ASSISTANT_DIR / "policies"
CATALOGUE_DIR = ASSISTANT_DIR / "catalogue"

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
DOMAINS = (
    "weather", "timer", "music", "cooking", "shopping_list", "shopping", "travel", "calendar",
    "smart_home", "news", "health", "kids", "smalltalk",
)  # fmt: skip
LOCALES = ("en", "fr")


class PolicyError(ValueError):
    """A policy or catalogue file that does not follow its schema."""


@dataclass(frozen=True)
class Escalation:
    probability_factor: float = 1.0
    decline_turn_probability: float = 0.0
    techniques: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    name: str
    description: str
    push_probability: float
    domain_push_probability: dict[str, float]
    max_pushes_per_conversation: int
    after_decline: str
    honour_opt_out: bool
    target_children: bool
    disclosure: str
    use_personal_data: bool
    ad_question: str
    techniques: dict[str, float]
    techniques_per_push: tuple[int, int]
    disclosure_probability: float = 0.0
    escalation: Escalation = field(default_factory=Escalation)
    phrasing: dict[str, Any] = field(default_factory=dict)

    def probability_for(self, domain: str) -> float:
        return float(self.domain_push_probability.get(domain, self.push_probability))

    def templates(self, key: str, locale: str) -> list[str]:
        return list((self.phrasing.get(key) or {}).get(locale) or [])

    def technique_templates(self, technique: str, locale: str) -> list[str]:
        return list(
            ((self.phrasing.get("techniques") or {}).get(technique) or {}).get(locale) or []
        )

    def disclosure_label(self, locale: str) -> str:
        labels = self.phrasing.get("disclosure_label") or {}
        return labels.get(locale) or {"en": "Sponsored:", "fr": "Annonce :"}[locale]


@dataclass(frozen=True)
class Product:
    id: str
    name: dict[str, str]
    sponsor: str
    price: float
    discount: int
    interests: tuple[str, ...]
    keywords: tuple[str, ...]
    audience: str
    domain: str

    def label(self, locale: str) -> str:
        return self.name.get(locale) or self.name["en"]


REQUIRED = {
    "name": str,
    "description": str,
    "push_probability": (int, float),
    "domain_push_probability": dict,
    "max_pushes_per_conversation": int,
    "after_decline": str,
    "honour_opt_out": bool,
    "target_children": bool,
    "disclosure": str,
    "use_personal_data": bool,
    "ad_question": str,
    "techniques": dict,
    "techniques_per_push": list,
}
OPTIONAL = {"disclosure_probability", "escalation", "phrasing"}
CHOICES = {
    "after_decline": ("stop", "continue", "escalate"),
    "disclosure": ("never", "always", "probability"),
    "ad_question": ("truthful", "evade", "deny"),
}


def _fail(path: Path, message: str) -> PolicyError:
    return PolicyError(f"{path}: {message}")


def parse_policy(data: Any, path: Path) -> Policy:
    if not isinstance(data, dict):
        raise _fail(path, "expected a mapping at the top level")
    unknown = set(data) - set(REQUIRED) - OPTIONAL
    if unknown:
        raise _fail(path, f"unknown key(s): {', '.join(sorted(unknown))}")
    for key, kind in REQUIRED.items():
        if key not in data:
            raise _fail(path, f"missing key '{key}'")
        if not isinstance(data[key], kind) or (kind is int and isinstance(data[key], bool)):
            raise _fail(path, f"'{key}' has the wrong type")
    for key, allowed in CHOICES.items():
        if data[key] not in allowed:
            raise _fail(path, f"'{key}' must be one of {', '.join(allowed)}")
    probabilities = {"push_probability": data["push_probability"]}
    probabilities.update(
        {f"domain_push_probability.{k}": v for k, v in data["domain_push_probability"].items()}
    )
    for key, value in probabilities.items():
        if not isinstance(value, int | float) or not 0 <= value <= 1:
            raise _fail(path, f"'{key}' must be a probability between 0 and 1")
    for domain in data["domain_push_probability"]:
        if domain not in DOMAINS:
            raise _fail(path, f"unknown domain '{domain}' in domain_push_probability")
    for technique, weight in data["techniques"].items():
        if technique not in TECHNIQUES:
            raise _fail(path, f"unknown technique '{technique}'")
        if not isinstance(weight, int | float) or weight < 0:
            raise _fail(path, f"technique weight '{technique}' must be a number >= 0")
    low_high = data["techniques_per_push"]
    if (
        len(low_high) != 2
        or not all(isinstance(n, int) for n in low_high)
        or low_high[0] > low_high[1]
    ):
        raise _fail(path, "'techniques_per_push' must be [min, max] integers")
    escalation = Escalation()
    if "escalation" in data:
        esc = data["escalation"] or {}
        bad = [t for t in esc.get("techniques", []) if t not in TECHNIQUES]
        if bad:
            raise _fail(path, f"unknown escalation technique(s): {', '.join(bad)}")
        escalation = Escalation(
            probability_factor=float(esc.get("probability_factor", 1.0)),
            decline_turn_probability=float(esc.get("decline_turn_probability", 0.0)),
            techniques=tuple(esc.get("techniques", [])),
        )
    phrasing = data.get("phrasing") or {}
    pushes = data["push_probability"] > 0 or any(data["domain_push_probability"].values())
    if pushes:
        _check_phrasing(phrasing, data["techniques"], path)
    return Policy(
        name=data["name"],
        description=data["description"],
        push_probability=float(data["push_probability"]),
        domain_push_probability={k: float(v) for k, v in data["domain_push_probability"].items()},
        max_pushes_per_conversation=data["max_pushes_per_conversation"],
        after_decline=data["after_decline"],
        honour_opt_out=data["honour_opt_out"],
        target_children=data["target_children"],
        disclosure=data["disclosure"],
        disclosure_probability=float(data.get("disclosure_probability", 0.0)),
        use_personal_data=data["use_personal_data"],
        ad_question=data["ad_question"],
        techniques={k: float(v) for k, v in data["techniques"].items()},
        techniques_per_push=(low_high[0], low_high[1]),
        escalation=escalation,
        phrasing=phrasing,
    )


def _check_phrasing(phrasing: dict, techniques: dict, path: Path) -> None:
    for key in ("intro", "child_intro", "call_to_action"):
        for locale in LOCALES:
            if not (phrasing.get(key) or {}).get(locale):
                raise _fail(path, f"phrasing.{key}.{locale} needs at least one template")
    for technique in techniques:
        for locale in LOCALES:
            if not ((phrasing.get("techniques") or {}).get(technique) or {}).get(locale):
                raise _fail(path, f"phrasing.techniques.{technique}.{locale} needs templates")


@lru_cache(maxsize=16)
def load_policy(name: str, directory: Path = POLICY_DIR) -> Policy:
    if not name.replace("-", "").replace("_", "").isalnum():
        raise PolicyError(f"invalid policy name '{name}'")
    path = directory / f"{name}.yml"
    if not path.exists():
        raise PolicyError(f"{path}: no such policy")
    policy = parse_policy(yaml.safe_load(path.read_text(encoding="utf-8")), path)
    if policy.name != name:
        raise _fail(path, f"'name' is '{policy.name}', expected '{name}' (the file name)")
    return policy


def policy_names(directory: Path = POLICY_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yml"))


@lru_cache(maxsize=4)
def load_catalogue(directory: Path = CATALOGUE_DIR) -> dict[str, tuple[Product, ...]]:
    catalogue: dict[str, tuple[Product, ...]] = {}
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        domain = data.get("domain")
        if domain not in DOMAINS:
            raise _fail(path, f"unknown domain '{domain}'")
        products = []
        for i, item in enumerate(data.get("products") or []):
            try:
                products.append(
                    Product(
                        id=str(item["id"]),
                        name={str(k): str(v) for k, v in item["name"].items()},
                        sponsor=str(item["sponsor"]),
                        price=float(item["price"]),
                        discount=int(item.get("discount", 0)),
                        interests=tuple(item.get("interests") or ()),
                        keywords=tuple(k.lower() for k in item.get("keywords") or ()),
                        audience=str(item.get("audience", "any")),
                        domain=domain,
                    )
                )
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise _fail(path, f"product {i}: {exc!r}") from exc
            if products[-1].audience not in ("adult", "child", "any"):
                raise _fail(path, f"product {item['id']}: audience must be adult, child or any")
        catalogue[domain] = catalogue.get(domain, ()) + tuple(products)
    return catalogue
