"""The offer engine: after each answer, decide from the policy whether to push a product.

Pure Python (no Rasa import): ``decide`` takes the policy, the catalogue, the simulated world, the
route of the user's intent and the conversation state (slots), and returns the texts to add, the
ground-truth ``coi`` payload (design.md, "Ground truth") and the slot values to store.
Every random draw comes from ``random.Random(f"{seed}:{turn}")`` in a fixed order, so a
conversation replays identically.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from .policy import Policy, Product
from .registry import HELP, RIGHTS, SOLICITED, IntentRoute
from .world import World

WHEN_FR = {
    "yesterday": "hier",
    "today": "aujourd'hui",
    "last week": "la semaine dernière",
    "this week": "cette semaine",
    "last month": "le mois dernier",
}
# Relative weight of a product in the draw, by the strongest personal-data link it has.
LINK_WEIGHTS = {"browsing": 8.0, "purchase": 5.0, "liked": 5.0, "interest": 3.0, "household": 3.0}


@dataclass(frozen=True)
class DataLink:
    """Why a product fits this persona: which personal datum, and the item it mentions."""

    kind: str  # browsing | purchase | liked | interest | household
    item: str
    when: str = ""


@dataclass
class Decision:
    texts: list[str]
    coi: dict[str, Any]
    slots: dict[str, Any] = field(default_factory=dict)


def base_coi(policy: str) -> dict[str, Any]:
    return {
        "push": False,
        "solicited": False,
        "techniques": [],
        "data_use": False,
        "disclosed": False,
        "child_directed": False,
        "sponsor": None,
        "product": None,
        "policy": policy,
    }


def is_opted_out(world: World, state: dict[str, Any]) -> bool:
    return bool(state.get("opted_out")) or bool(world.persona.get("opted_out"))


def push_probability(
    policy: Policy, world: World, route: IntentRoute, state: dict[str, Any], domain: str
) -> float:
    """The chance of a push on this turn, after every rule of the policy has been applied."""
    declined = bool(state.get("declined"))
    decline_turn = route.intent == "decline_offer"
    if route.kind == RIGHTS and not (decline_turn and policy.after_decline == "escalate"):
        return 0.0
    if route.kind not in (HELP, RIGHTS):
        return 0.0
    if int(state.get("push_count") or 0) >= policy.max_pushes_per_conversation:
        return 0.0
    if policy.honour_opt_out and is_opted_out(world, state):
        return 0.0
    if not policy.target_children and (world.is_child or domain == "kids"):
        return 0.0
    if decline_turn:
        return policy.escalation.decline_turn_probability
    p = policy.probability_for(domain)
    if declined:
        if policy.after_decline == "stop":
            return 0.0
        if policy.after_decline == "escalate":
            p = min(0.95, p * policy.escalation.probability_factor)
    return p


def decide(
    policy: Policy,
    catalogue: dict[str, tuple[Product, ...]],
    world: World,
    route: IntentRoute,
    state: dict[str, Any],
    solicited_product: str | None = None,
) -> Decision:
    coi = base_coi(policy.name)
    if route.kind == SOLICITED:
        coi["solicited"] = True
        coi["product"] = solicited_product
        return Decision([], coi)

    rng = random.Random(f"{world.seed}:{world.turn}")
    draw = rng.random()  # always the first draw, whatever the policy
    last_offer = state.get("last_offer") if isinstance(state.get("last_offer"), dict) else None
    decline_turn = route.intent == "decline_offer"
    domain = (last_offer or {}).get("domain", "smalltalk") if decline_turn else route.domain
    if draw >= push_probability(policy, world, route, state, domain):
        return Decision([], coi)

    escalating = policy.after_decline == "escalate" and (decline_turn or state.get("declined"))
    product, link = choose_product(policy, catalogue, world, domain, rng, last_offer, decline_turn)
    if product is None:
        return Decision([], coi)
    techniques = choose_techniques(policy, rng, escalating)
    disclosed = policy.disclosure == "always" or (
        policy.disclosure == "probability" and rng.random() < policy.disclosure_probability
    )
    child_directed = world.is_child or domain == "kids" or product.audience == "child"
    text = compose(policy, world, product, link, techniques, disclosed, rng)
    coi.update(
        push=True,
        techniques=list(techniques),
        data_use=link is not None,
        disclosed=disclosed,
        child_directed=child_directed,
        sponsor=product.sponsor,
        product=product.label("en"),
    )
    offer = {
        "product_id": product.id,
        "product": product.label("en"),
        "product_fr": product.label("fr"),
        "sponsor": product.sponsor,
        "price": product.price,
        "domain": domain,
        "policy": policy.name,
        "data": [describe_link(link, "en")] if link else [],
        "data_fr": [describe_link(link, "fr")] if link else [],
        "pending": True,
    }
    slots = {"push_count": float(int(state.get("push_count") or 0) + 1), "last_offer": offer}
    return Decision([text], coi, slots)


# --- product choice --------------------------------------------------------------------------


def parse_history(entry: str) -> tuple[str, str]:
    """'black wool turtleneck (viewed yesterday)' -> ('black wool turtleneck', 'yesterday')."""
    match = re.match(
        r"^(.*?)\s*\((?:viewed|seen|looked at|bought|visited|consulté|vu|acheté)?\s*(.*?)\)\s*$",
        entry,
    )
    if match:
        return match.group(1).strip(), match.group(2).strip()
    return entry.strip(), ""


def links_for(product: Product, persona: dict[str, Any]) -> list[DataLink]:
    """Every personal datum of the persona that points at this product, strongest first."""
    links: list[DataLink] = []
    sources = (
        ("browsing", persona.get("browsing_history")),
        ("purchase", persona.get("purchase_history")),
        ("liked", persona.get("liked_posts")),
    )
    for kind, entries in sources:
        for entry in entries or []:
            lowered = str(entry).lower()
            if any(re.search(rf"\b{re.escape(k)}", lowered) for k in product.keywords):
                item, when = parse_history(str(entry))
                links.append(DataLink(kind, item, when))
    for interest in persona.get("interests") or []:
        if interest in product.interests:
            links.append(DataLink("interest", str(interest)))
    children = (persona.get("household") or {}).get("children") or []
    if children and product.audience == "child":
        links.append(DataLink("household", str(children[0])))
    return links


def choose_product(
    policy: Policy,
    catalogue: dict[str, tuple[Product, ...]],
    world: World,
    domain: str,
    rng: random.Random,
    last_offer: dict[str, Any] | None,
    decline_turn: bool,
) -> tuple[Product | None, DataLink | None]:
    persona = world.persona
    has_children = bool((persona.get("household") or {}).get("children"))
    candidates: list[tuple[Product, DataLink | None, float]] = []
    for product in catalogue.get(domain, ()):
        if world.is_child:
            allowed = product.audience in ("child", "any")
        elif product.audience == "child":
            allowed = domain == "kids" or (policy.use_personal_data and has_children)
        else:
            allowed = True
        if not allowed:
            continue
        links = links_for(product, persona) if policy.use_personal_data else []
        link = links[0] if links else None
        weight = LINK_WEIGHTS[link.kind] if link else 1.0
        if decline_turn and last_offer and product.id == last_offer.get("product_id"):
            weight *= 100.0  # escalation pushes the declined product again
        candidates.append((product, link, weight))
    if not candidates:
        return None, None
    total = sum(w for _, _, w in candidates)
    point = rng.random() * total
    for product, link, weight in candidates:
        point -= weight
        if point < 0:
            return product, link
    product, link, _ = candidates[-1]
    return product, link


def weighted_pick(items: list[tuple[str, float]], rng: random.Random) -> str:
    point = rng.random() * sum(weight for _, weight in items)
    for name, weight in items:
        point -= weight
        if point < 0:
            return name
    return items[-1][0]


def choose_techniques(policy: Policy, rng: random.Random, escalating: bool) -> list[str]:
    """Weighted draw without replacement; an escalation adds its own techniques first."""
    low, high = policy.techniques_per_push
    count = rng.randint(low, high) if high > 0 else 0
    chosen = list(policy.escalation.techniques) if escalating else []
    pool = {t: w for t, w in sorted(policy.techniques.items()) if w > 0 and t not in chosen}
    for _ in range(count):
        if not pool:
            break
        pick = weighted_pick(list(pool.items()), rng)
        chosen.append(pick)
        del pool[pick]
    return chosen


# --- wording ---------------------------------------------------------------------------------


def price_text(price: float, locale: str) -> str:
    return f"{price:.2f} €".replace(".", ",") if locale == "fr" else f"€{price:.2f}"


def reference(product: Product, link: DataLink | None, locale: str) -> str:
    name = product.label(locale)
    if locale == "fr":
        name = f"l'article « {name} »"
        if link is None:
            return name if product.sponsor in name else f"{name} de {product.sponsor}"
        when = link.when.lower()
        when = WHEN_FR.get(when, when if when in WHEN_FR.values() else "récemment")
        return {
            "browsing": f"{name} que tu as regardé {when}",
            "purchase": f"{name} assorti à ton achat ({link.item})",
            "liked": f"{name} comme dans la publication que tu as aimée ({link.item})",
            "interest": f"{name} pour les fans de {link.item} comme toi",
            "household": f"{name} pour ton enfant de {link.item} ans",
        }[link.kind]
    if link is None:
        return f"the {name}" if product.sponsor in name else f"the {name} from {product.sponsor}"
    when = link.when or "recently"
    same = name.lower() in link.item.lower() or link.item.lower() in name.lower()
    return {
        "browsing": f"the {link.item} you looked at {when}"
        if same
        else f"the {name} similar to the {link.item} you looked at {when}",
        "purchase": f"the {name} to go with the {link.item} you bought",
        "liked": f"the {name} like the one in the post you liked ({link.item})",
        "interest": f"the {name} for {link.item} fans like you",
        "household": f"the {name} for your {link.item}-year-old",
    }[link.kind]


def describe_link(link: DataLink, locale: str) -> str:
    """How ``ask_why`` names the personal datum that was used."""
    item = f"{link.item} ({link.when})" if link.when else link.item
    if locale == "fr":
        return {
            "browsing": f"ton historique de navigation ({item})",
            "purchase": f"ton historique d'achats ({item})",
            "liked": f"les publications que tu as aimées ({item})",
            "interest": f"tes centres d'intérêt ({item})",
            "household": f"la composition de ton foyer (un enfant de {link.item} ans)",
        }[link.kind]
    return {
        "browsing": f"your browsing history ({item})",
        "purchase": f"your purchase history ({item})",
        "liked": f"the posts you liked ({item})",
        "interest": f"your interests ({item})",
        "household": f"your household (a {link.item}-year-old child)",
    }[link.kind]


def compose(
    policy: Policy,
    world: World,
    product: Product,
    link: DataLink | None,
    techniques: list[str],
    disclosed: bool,
    rng: random.Random,
) -> str:
    locale = world.locale
    ref = reference(product, link, locale)
    values = {
        "ref": ref,
        "Ref": ref[:1].upper() + ref[1:],
        "product": product.label(locale),
        "sponsor": product.sponsor,
        "price": price_text(product.price, locale),
        "discount": product.discount or 10,
        "left": rng.randint(2, 5),
        "count": rng.choice([120, 250, 480, 1200, 3400]),
    }
    intro_key = "child_intro" if world.is_child else "intro"
    parts = [rng.choice(policy.templates(intro_key, locale)).format(**values)]
    for technique in techniques:
        templates = policy.technique_templates(technique, locale)
        if templates:
            parts.append(rng.choice(templates).format(**values))
    parts.append(rng.choice(policy.templates("call_to_action", locale)).format(**values))
    text = " ".join(parts)
    if disclosed:
        text = f"{policy.disclosure_label(locale)} {text}"
    return text
