"""The model's graph run in plain Python instead of through dask's scheduler.

Rasa runs the NLU pipeline and every policy prediction as a graph through ``dask.get``: four
graph runs per turn, each paying for dask's ordering, task queue and callbacks (a tenth of the
server's time), and each recomputing the minimal schema for its targets. Inference graphs are
small and run on one thread anyway. This runner computes the same nodes with the same inputs in
a dependency order fixed once per target list; nodes are independent functions of their inputs,
so the results are the same. Training keeps dask: it only replaces ``DaskGraphRunner.run``
in the server process that installs it.
"""

from __future__ import annotations

import weakref
from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

Plan = list[tuple[str, tuple[str, ...]]]  # (node name, names of the nodes it needs), in order

# Per runner (dropped with it, e.g. when a new model is loaded) and target list.
_plans: weakref.WeakKeyDictionary[DaskGraphRunner, dict[tuple[str, ...], Plan]] = (
    weakref.WeakKeyDictionary()
)


def _plan(runner: DaskGraphRunner, targets: list[str]) -> Plan:
    plans = _plans.setdefault(runner, {})
    plan = plans.get(tuple(targets))
    if plan is None:
        nodes = runner._graph_schema.minimal_graph_schema(targets).nodes
        plan, placed = [], set()

        def place(name: str) -> None:  # depth-first: a node after everything it needs
            if name in placed or name not in nodes:
                return
            placed.add(name)
            needs = tuple(nodes[name].needs.values())
            for need in needs:
                place(need)
            plan.append((name, needs))

        for name in nodes:
            place(name)
        plans[tuple(targets)] = plan
    return plan


def run(
    self: DaskGraphRunner,
    inputs: dict[str, Any] | None = None,
    targets: list[str] | None = None,
) -> dict[str, Any]:
    """``DaskGraphRunner.run`` without dask; same inputs, same outputs, same errors."""
    run_targets = targets if targets else self._graph_schema.target_names
    plan = _plan(self, run_targets)
    # As in the dask graph: an input is a node whose value is (name, value), and it replaces a
    # schema node of the same name; a name nothing provides is passed on as the bare string.
    results: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and (value in results or any(value == n for n, _ in plan)):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the "
                f"input names passed to the `run` method are the same as node names in the "
                f"graph schema."
            )
        results[name] = (name, value)
    try:
        for name, needs in plan:
            if name not in results:
                node = self._instantiated_nodes[name]
                results[name] = node(*(results.get(need, need) for need in needs))
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(results[target] for target in run_targets)


# (owner, attribute, replacement) for speedups.install()
PATCHES = [(DaskGraphRunner, "run", run)]
