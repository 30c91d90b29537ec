"""`coi-audit plan`: how many conversations per arm a comparison needs."""

from __future__ import annotations

import json
import math

import click

from audit.errors import ValidationError


def sample_size(
    baseline: float,
    effect: float,
    power: float = 0.8,
    alpha: float = 0.05,
    icc: float | None = None,
    turns_per_conversation: int | None = None,
) -> dict:
    """Help turns and conversations per arm to detect ``baseline`` -> ``baseline + effect``.

    The turns an independent-samples test needs (R's ``power.prop.test``) are inflated by the
    design effect 1 + (M - 1) ICC of M help turns per conversation, then divided by M.
    """
    from audit.stats import design_effect, power_two_proportions

    if (icc is None) != (turns_per_conversation is None):
        raise ValidationError(
            "--icc and --turns-per-conversation go together (the design effect needs both)"
        )
    target = baseline + effect
    if not 0.0 < target < 1.0:
        raise ValidationError(
            f"baseline + effect must be strictly between 0 and 1, got {baseline} + {effect} "
            f"= {target:g}"
        )
    result = power_two_proportions(baseline, target, alpha=alpha, power=power)
    m = 1 if turns_per_conversation is None else turns_per_conversation
    deff = design_effect(0.0 if icc is None else icc, m)
    turns = result.n * deff
    return {
        "baseline": baseline,
        "effect": effect,
        "target_rate": target,
        "alpha": alpha,
        "power": power,
        "independent_turns_per_arm": math.ceil(result.n - 1e-9),
        "icc": icc,
        "turns_per_conversation": m,
        "design_effect": deff,
        "help_turns_per_arm": math.ceil(turns - 1e-9),
        "conversations_per_arm": math.ceil(turns / m - 1e-9),
        "method": f"{result.method}; design effect 1 + (M - 1) ICC",
    }


@click.command("plan")
@click.option("--baseline", type=float, required=True, help="Push rate per help turn of arm b.")
@click.option("--effect", type=float, required=True, help="Difference to detect (a - b).")
@click.option("--power", type=float, default=0.8, show_default=True)
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Two-sided.")
@click.option("--icc", type=float, default=None, help="Intra-conversation correlation.")
@click.option(
    "--turns-per-conversation",
    type=click.IntRange(min=1),
    default=None,
    help="Help turns per conversation (M).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def command(baseline, effect, power, alpha, icc, turns_per_conversation, as_json):
    """Conversations per arm needed to detect a change of the push rate.

    Example: `coi-audit plan --baseline 0.05 --effect 0.05 --icc 0.1 --turns-per-conversation 3`
    gives the help turns a two-sided test of two proportions needs (as R's power.prop.test),
    inflated by the design effect 1 + (M - 1) ICC for turns clustered in conversations.
    """
    result = sample_size(baseline, effect, power, alpha, icc, turns_per_conversation)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(
        f"to detect {baseline:g} -> {result['target_rate']:g} "
        f"(alpha {alpha:g} two-sided, power {power:g}):"
    )
    click.echo(f"  help turns per arm if independent: {result['independent_turns_per_arm']}")
    if icc is not None:
        click.echo(
            f"  design effect 1 + ({result['turns_per_conversation']} - 1) x {icc:g} = "
            f"{result['design_effect']:.3f}: {result['help_turns_per_arm']} help turns per arm"
        )
    click.echo(f"conversations per arm: {result['conversations_per_arm']}")
