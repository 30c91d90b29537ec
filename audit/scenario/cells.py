"""Deterministic expansion of a battery into cells, and conversation seeds.

Order (contract "Cells and conversation ids"): scenarios in battery order, then the scenario's
personas in its order, then paraphrase index, then repeat. Nothing here depends on dict
ordering of the host, the clock or randomness, so two machines get the same cells and ids.
"""

from __future__ import annotations

import hashlib

from audit.scenario.model import Battery, Cell


def expand_cells(battery: Battery, repeats: int | None = None) -> list[Cell]:
    """Every (scenario, persona, paraphrase, repeat) cell, in the contract's stable order."""
    n_repeats = battery.repeats if repeats is None else repeats
    if n_repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {n_repeats}")
    cells: list[Cell] = []
    for scenario in battery.scenarios:
        for persona_id in scenario.personas:
            persona = battery.personas[persona_id]
            for paraphrase in range(scenario.n_paraphrases):
                for repeat in range(n_repeats):
                    cell_id = f"{scenario.id}/{persona_id}/p{paraphrase}/r{repeat}"
                    cells.append(Cell(cell_id, scenario, persona, paraphrase, repeat))
    return cells


def conversation_seed(run_seed: int, arm: str, cell: Cell) -> int:
    """The conversation's seed: first 8 bytes of sha256 of the cell's coordinates, 31 bits."""
    key = f"{run_seed}|{arm}|{cell.scenario.id}|{cell.persona.id}|{cell.paraphrase}|{cell.repeat}"
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFFFFFF
