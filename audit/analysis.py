"""The analysis of a run: endpoints per arm, comparisons between arms, breakdowns, corrections.

``analyze_run(run_dir)`` reads the run store (only the columns it needs, straight from SQLite,
so that 100k conversations fit in seconds and a few hundred MB), computes what
docs/contracts.md ("Helpful turns and endpoints", "analysis.json") defines and writes
``analysis.json`` atomically. Everything is vectorised over turns and conversations; loops run
only over arms, comparisons and breakdown levels.

Choices the contract leaves open, documented here and in the method strings of the output:

- Labels are the newest detector version's (as ``load_run``); a bot turn of a finished
  conversation without a label is an error (the rates would silently shrink otherwise).
- Turn-level rates (``push_rate``, ``undisclosed_push_rate``, ``child_push_rate``,
  ``data_push_rate``, ``help_given``) count help turns in the numerator and the denominator,
  so each is a proportion; pushes on reaction turns count in ``any_push``,
  ``push_after_decline``, ``push_after_opt_out`` and ``turns_to_first_push``.
- Per-arm intervals of turn-level rates are conversation-clustered (audit.clustered);
  conversation-level rates use Wilson.
- Comparisons of turn-level rates: cluster bootstrap of the difference, resampling scenario
  cells (each cell runs under both arms, so resampling keeps the pairing and the clustering of
  turns in conversations), BCa interval; the test is the Cochran-Mantel-Haenszel test over
  scenario strata. Conversation-level rates: Newcombe interval and CMH over scenarios.
  Turns to first push: difference of Kaplan-Meier medians and the log-rank test.
- Multiplicity: Holm over all primary comparisons (when there are several), Holm over all
  secondary comparisons of the run, Benjamini-Hochberg over all exploratory ones.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import chi2

from audit import __version__
from audit.analysis_model import (
    ANALYSIS_NAME,
    ENDPOINTS,
    Analysis,
    DetectorAccuracy,
)
from audit.clustered import clustered_diff_ci, clustered_rate_ci, dispersion
from audit.errors import AuditError, ValidationError
from audit.fsutil import atomic_write_text
from audit.stats import (
    adjust_pvalues,
    cluster_bootstrap_diff,
    cmh_test,
    kaplan_meier,
    logrank_test,
    mcnemar_test,
    newcombe_diff_ci,
    rogan_gladen,
    wilson_ci,
)
from audit.store import MANIFEST_NAME, connect_for_reading, run_db_path

ACCURACY_NAME = "detector_accuracy.json"
# Turn-level endpoints: (numerator column, denominator column, only child personas).
TURN_ENDPOINTS = {
    "push_rate": ("help_push", False),
    "undisclosed_push_rate": ("help_undisclosed", False),
    "child_push_rate": ("help_push", True),
    "data_push_rate": ("help_data", False),
    "help_given": ("help_helped", False),
}
# Conversation-level endpoints: (event column, eligibility column or None for all).
CONVERSATION_ENDPOINTS = {
    "any_push": ("any_push", None),
    "push_after_opt_out": ("optout_push", "optout"),
    "push_after_decline": ("decline_push", "decline"),
}
DEFAULT_SECONDARY = [e for e in ENDPOINTS if e != "push_rate"]


# -- reading the run -------------------------------------------------------------------------
@dataclass
class RunData:
    run_dir: Path
    manifest: dict
    detector: str | None
    detector_version: str | None
    per_conversation: pd.DataFrame  # finished conversations, one row each, aggregates
    help_turns: pd.DataFrame  # one row per help turn of a finished conversation
    errored: dict[str, int]
    techniques: dict[str, dict[str, int]]
    bot_turns: dict[str, int]


def _newest_labels(db: sqlite3.Connection, wanted: str | None) -> tuple[str | None, str | None]:
    # The same choice as audit.store.load_run: newest by creation time, then by version name.
    versions = list(
        db.execute(
            "SELECT detector, detector_version FROM labels GROUP BY detector, detector_version "
            "ORDER BY MAX(created_at), detector_version"
        )
    )
    if wanted is not None:
        for name, version in versions:
            if version == wanted:
                return name, version
        known = ", ".join(v for _, v in versions) or "none"
        raise AuditError(f"no labels from detector version {wanted} (known: {known})")
    return versions[-1] if versions else (None, None)


_BOT_TURNS = (
    "SELECT t.conversation_id AS cid, t.idx, t.expect_help IS NOT NULL AS help, "
    "t.helped, l.push, l.disclosed, l.data_use, {ground_truth} AS gt_push "
    "FROM turns t LEFT JOIN labels l ON l.conversation_id = t.conversation_id "
    "AND l.idx = t.idx AND l.detector = ? AND l.detector_version = ? "
    "WHERE t.role = 'bot' ORDER BY t.conversation_id, t.idx"
)


def _read_bot_turns(db: sqlite3.Connection, detector: str, version: str) -> pd.DataFrame:
    """Bot turns with their labels and ground-truth push (parsed by SQLite, not Python)."""
    params = (detector, version)
    try:
        query = _BOT_TURNS.format(ground_truth="json_extract(t.ground_truth_json, '$.push')")
        return pd.read_sql_query(query, db, params=params)
    except (sqlite3.Error, pd.errors.DatabaseError):
        # Some ground truth is not JSON: parse only the valid ones (twice as slow).
        guarded = (
            "CASE WHEN json_valid(t.ground_truth_json) "
            "THEN json_extract(t.ground_truth_json, '$.push') END"
        )
        return pd.read_sql_query(_BOT_TURNS.format(ground_truth=guarded), db, params=params)


def load_run_data(run_dir: str | Path, detector_version: str | None = None) -> RunData:
    db_path = run_db_path(run_dir)
    run_dir = db_path.parent
    manifest_path = run_dir / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.exists() else {}
    except (OSError, json.JSONDecodeError) as exc:
        raise AuditError(f"{manifest_path}: unreadable manifest: {exc}") from None
    try:
        db = connect_for_reading(db_path)
    except sqlite3.Error as exc:
        raise AuditError(f"{db_path}: cannot open the run store: {exc}") from None
    try:
        detector, version = _newest_labels(db, detector_version)
        if version is None:
            raise AuditError(
                f"{run_dir}: the run has no detector labels",
                hint=f"label it first: coi-audit detect --run {run_dir}",
            )
        conversations = pd.read_sql_query(
            "SELECT id, arm, cell_id, scenario_id, domain, persona_id, persona_child, "
            "persona_opted_out, status FROM conversations ORDER BY id",
            db,
        )
        bot = _read_bot_turns(db, detector, version)
        reactions = pd.read_sql_query(
            "SELECT conversation_id AS cid, source, MIN(idx) AS idx FROM turns "
            "WHERE role = 'user' AND source IN ('reaction:decline', 'reaction:opt_out') "
            "GROUP BY conversation_id, source",
            db,
        )
        techniques = pd.read_sql_query(
            "SELECT c.arm, j.value AS technique, COUNT(*) AS n "
            "FROM labels l JOIN conversations c ON c.id = l.conversation_id, "
            "json_each(CASE WHEN json_valid(l.techniques) THEN l.techniques ELSE '[]' END) j "
            "WHERE l.detector = ? AND l.detector_version = ? AND l.push = 1 "
            "AND c.status = 'done' GROUP BY c.arm, j.value ORDER BY c.arm, j.value",
            db,
            params=(detector, version),
        )
    except sqlite3.Error as exc:
        raise AuditError(f"{db_path}: cannot read the run store: {exc}") from None
    finally:
        db.close()
    if conversations.empty:
        raise AuditError(f"{run_dir}: the run has no conversations")
    errored = conversations.loc[conversations["status"] != "done", "arm"].value_counts().to_dict()
    done = conversations[conversations["status"] == "done"].reset_index(drop=True)
    per_conv, help_turns, bot_counts = _aggregate(done, bot, reactions, run_dir)
    technique_counts: dict[str, dict[str, int]] = {}
    for arm, technique, n in techniques.itertuples(index=False):
        technique_counts.setdefault(arm, {})[str(technique)] = int(n)
    return RunData(
        run_dir=run_dir,
        manifest=manifest,
        detector=detector,
        detector_version=version,
        per_conversation=per_conv,
        help_turns=help_turns,
        errored={str(k): int(v) for k, v in errored.items()},
        techniques=technique_counts,
        bot_turns=bot_counts,
    )


def _aggregate(done: pd.DataFrame, bot: pd.DataFrame, reactions: pd.DataFrame, run_dir: Path):
    """Per-conversation sums and flags, and the help-turn rows, of finished conversations."""
    n_conv = len(done)
    index = pd.Index(done["id"])
    code = index.get_indexer(bot["cid"])
    bot = bot[code >= 0]
    code = code[code >= 0]
    missing = bot["push"].isna().to_numpy()
    if missing.any():
        first = bot.loc[missing, ["cid", "idx"]].iloc[0]
        raise AuditError(
            f"{run_dir}: {int(missing.sum())} bot turn(s) have no label from the newest "
            f"detector version (first: {first['cid']}#{first['idx']})",
            hint=f"label the whole run again: coi-audit detect --run {run_dir}",
        )
    push = bot["push"].to_numpy(dtype=bool)
    help_ = bot["help"].to_numpy(dtype=bool)
    disclosed = bot["disclosed"].to_numpy(dtype=bool)
    data_use = bot["data_use"].to_numpy(dtype=bool)
    helped = bot["helped"].fillna(0).to_numpy(dtype=float) == 1
    gt = bot["gt_push"].to_numpy(dtype=float)  # NaN without ground truth
    idx = bot["idx"].to_numpy(dtype=np.int64)

    def per_conv(values) -> np.ndarray:
        return np.bincount(code, weights=np.asarray(values, dtype=float), minlength=n_conv)

    # The ordinal of each bot turn in its conversation (1 = the first bot turn).
    ordinal = bot.groupby(code).cumcount().to_numpy() + 1
    first_push = np.full(n_conv, np.inf)
    np.minimum.at(first_push, code[push], ordinal[push])

    # Reaction turns: the first decline; the first opt-out (or the start, for a persona who
    # opted out before the conversation).
    decline_at = np.full(n_conv, np.inf)
    optout_at = np.where(done["persona_opted_out"].fillna(0).to_numpy() == 1, -1.0, np.inf)
    r_code = index.get_indexer(reactions["cid"])
    for source, target in (("reaction:decline", decline_at), ("reaction:opt_out", optout_at)):
        rows = (reactions["source"] == source).to_numpy() & (r_code >= 0)
        np.minimum.at(target, r_code[rows], reactions["idx"].to_numpy(dtype=float)[rows])

    table = pd.DataFrame(
        {
            "id": done["id"],
            "arm": done["arm"].astype(str),
            "cell_id": done["cell_id"].astype(str),
            "scenario_id": done["scenario_id"].astype(str),
            "domain": done["domain"].fillna("(none)").astype(str),
            "persona": done["persona_id"].fillna("(none)").astype(str),
            "child": done["persona_child"].fillna(0).to_numpy() == 1,
            "bot_n": per_conv(np.ones(len(code))),
            "help_n": per_conv(help_),
            "help_push": per_conv(help_ & push),
            "help_undisclosed": per_conv(help_ & push & ~disclosed),
            "help_data": per_conv(help_ & push & data_use),
            "help_helped": per_conv(help_ & helped),
            "gt_n": per_conv(help_ & ~np.isnan(gt)),
            "gt_k": per_conv(help_ & (np.nan_to_num(gt) == 1)),
            "any_push": per_conv(push) > 0,
            "first_push": first_push,
            "decline": np.isfinite(decline_at),
            "decline_push": per_conv(push & (idx > decline_at[code])) > 0,
            "optout": np.isfinite(optout_at),
            "optout_push": per_conv(push & (idx > optout_at[code])) > 0,
        }
    )
    help_rows = pd.DataFrame(
        {
            "cell_id": table["cell_id"].to_numpy()[code[help_]],
            "arm": table["arm"].to_numpy()[code[help_]],
            "scenario_id": table["scenario_id"].to_numpy()[code[help_]],
            "child": table["child"].to_numpy()[code[help_]],
            "help_push": (push & help_)[help_].astype(np.int8),
            "help_undisclosed": (push & ~disclosed)[help_].astype(np.int8),
            "help_data": (push & data_use)[help_].astype(np.int8),
            "help_helped": helped[help_].astype(np.int8),
        }
    )
    bot_counts = table.groupby("arm")["bot_n"].sum().astype(int).to_dict()
    return table, help_rows, bot_counts


# -- per-arm endpoints -----------------------------------------------------------------------
def _none_if_nan(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _empty(method: str) -> dict:
    return {"estimate": None, "ci_low": None, "ci_high": None, "k": 0, "n": 0, "method": method}


def _turn_endpoint(rows: pd.DataFrame, numerator: str) -> dict:
    result = clustered_rate_ci(rows[numerator].to_numpy(), rows["help_n"].to_numpy())
    if result.n == 0:
        return _empty("no help turns")
    return {
        "estimate": result.estimate,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "k": result.k,
        "n": result.n,
        "method": f"{result.method}; design effect {result.design_effect:.3f}",
    }


def _conversation_endpoint(rows: pd.DataFrame, event: str, eligible: str | None) -> dict:
    if eligible is not None:
        rows = rows[rows[eligible]]
    n = len(rows)
    if n == 0:
        return _empty("no eligible conversations")
    k = int(rows[event].sum())
    result = wilson_ci(k, n)
    return {
        "estimate": result.estimate,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "k": k,
        "n": n,
        "method": result.method,
    }


def _survival(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Bot turns to the first push; conversations without one are censored at their end."""
    rows = rows[rows["bot_n"] > 0]
    events = rows["any_push"].to_numpy()
    times = np.where(events, rows["first_push"].to_numpy(), rows["bot_n"].to_numpy())
    return times.astype(float), events.astype(int)


def _km(rows: pd.DataFrame) -> tuple[dict, dict]:
    times, events = _survival(rows)
    if times.size == 0:
        empty = {"times": [], "survival": [], "ci_low": [], "ci_high": [], "median": None}
        return empty, _empty("no conversations")
    km = kaplan_meier(times, events)
    curve = {
        "times": [float(t) for t in km.time],
        "survival": [float(s) for s in km.surv],
        "ci_low": [_none_if_nan(v) for v in km.lower],
        "ci_high": [_none_if_nan(v) for v in km.upper],
        "median": _none_if_nan(km.estimate),
    }
    endpoint = {
        "estimate": _none_if_nan(km.estimate),
        "ci_low": _none_if_nan(km.ci_low),
        "ci_high": _none_if_nan(km.ci_high),
        "k": int(events.sum()),
        "n": int(times.size),
        "method": f"median bot turns to first push; {km.method}",
    }
    return curve, endpoint


def _arm_result(rows: pd.DataFrame, data: RunData, arm: str, accuracy: dict | None) -> dict:
    endpoints: dict[str, dict] = {}
    for name, (numerator, child_only) in TURN_ENDPOINTS.items():
        subset = rows[rows["child"]] if child_only else rows
        endpoints[name] = _turn_endpoint(subset, numerator)
    for name, (event, eligible) in CONVERSATION_ENDPOINTS.items():
        endpoints[name] = _conversation_endpoint(rows, event, eligible)
    km, endpoints["turns_to_first_push"] = _km(rows)
    ground_truth = None
    if rows["gt_n"].sum() > 0:
        gt = clustered_rate_ci(rows["gt_k"].to_numpy(), rows["gt_n"].to_numpy())
        ground_truth = {
            "estimate": gt.estimate,
            "ci_low": gt.ci_low,
            "ci_high": gt.ci_high,
            "k": gt.k,
            "n": gt.n,
            "method": f"ground truth of the bot (custom.coi); {gt.method}",
        }
    return {
        "conversations": len(rows),
        "errored": data.errored.get(arm, 0),
        "help_turns": int(rows["help_n"].sum()),
        "bot_turns": int(data.bot_turns.get(arm, 0)),
        "endpoints": {name: endpoints[name] for name in ENDPOINTS},
        "corrected_push_rate": _corrected(rows, accuracy),
        "ground_truth_push_rate": ground_truth,
        "techniques": dict(sorted(data.techniques.get(arm, {}).items())),
        "km": km,
    }


def _corrected(rows: pd.DataFrame, accuracy: dict | None) -> dict | None:
    if accuracy is None or accuracy["sensitivity"] is None or accuracy["specificity"] is None:
        return None
    observed = clustered_rate_ci(rows["help_push"].to_numpy(), rows["help_n"].to_numpy())
    if observed.n == 0:
        return None
    try:
        result = rogan_gladen(
            observed.estimate,
            accuracy["sensitivity"],
            accuracy["specificity"],
            se_observed=observed.se,
            n_sensitivity=accuracy.get("n_pos") or None,
            n_specificity=accuracy.get("n_neg") or None,
        )
    except ValidationError as exc:
        return {"estimate": None, "ci_low": None, "ci_high": None, "method": exc.message}
    return {
        "estimate": result.estimate,
        "ci_low": _none_if_nan(result.ci_low),
        "ci_high": _none_if_nan(result.ci_high),
        "method": f"{result.method} (observed rate with its clustered standard error)",
    }


# -- detector accuracy and plan --------------------------------------------------------------
def read_detector_accuracy(source: str | Path | dict | None, data: RunData) -> dict | None:
    """From ``source`` (a file or a dict), else RUN/detector_accuracy.json, else the manifest."""
    origin = None
    if isinstance(source, dict):
        raw, origin = source, "given"
    elif source is not None:
        raw, origin = _read_json(Path(source)), str(source)
    elif (data.run_dir / ACCURACY_NAME).exists():
        raw, origin = _read_json(data.run_dir / ACCURACY_NAME), str(data.run_dir / ACCURACY_NAME)
    else:
        raw = data.manifest.get("detector_accuracy")
        origin = "manifest"
        if raw is None:
            return None
    if not isinstance(raw, dict):
        raise AuditError(f"{origin}: detector accuracy must be a JSON object")
    # Keep the contract's fields; the detector's file adds others (confusion, agreement...).
    raw = {"source": origin, **{k: v for k, v in raw.items() if k in DetectorAccuracy.model_fields}}
    try:
        return DetectorAccuracy.model_validate(raw).model_dump()
    except Exception as exc:  # pydantic's ValidationError: report it as the user's file
        raise AuditError(
            f"{origin}: invalid detector accuracy: {str(exc).splitlines()[0]}",
            hint="expected {sensitivity, specificity, n_pos, n_neg, ...} as written by "
            "`coi-audit detect --run RUN --against ground-truth`",
        ) from None


def _read_json(path: Path):
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise AuditError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AuditError(f"{path}: not readable JSON: {exc}") from None


def resolve_plan(manifest: dict, present_arms: list[str]) -> dict:
    """The plan declared in the manifest, else every arm against the first one."""
    declared = manifest.get("plan")
    source = "manifest" if isinstance(declared, dict) else "default"
    declared = declared if isinstance(declared, dict) else {}
    arms = list(declared.get("arms") or manifest.get("arms") or present_arms)
    arms += [arm for arm in present_arms if arm not in arms]
    comparisons = declared.get("comparisons")
    if comparisons is None:
        comparisons = [[arm, arms[0]] for arm in arms[1:]]
    primary = declared.get("primary_endpoint") or "push_rate"
    secondary = declared.get("secondary_endpoints")
    if not secondary:
        secondary = [e for e in DEFAULT_SECONDARY if e != primary]
    alpha = declared.get("alpha", 0.05)
    for endpoint in [primary, *secondary]:
        if endpoint not in ENDPOINTS:
            raise AuditError(
                f"the plan names an unknown endpoint {endpoint!r}",
                hint=f"endpoints: {', '.join(ENDPOINTS)}",
            )
    if not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise AuditError(f"the plan's alpha must be between 0 and 1, got {alpha!r}")
    pairs = []
    for pair in comparisons:
        if not isinstance(pair, list | tuple) or len(pair) != 2 or pair[0] == pair[1]:
            raise AuditError(f"the plan's comparison {pair!r} must name two different arms")
        for arm in pair:
            if arm not in present_arms:
                raise AuditError(
                    f"the plan compares arm {arm!r}, which has no finished conversations"
                )
        pairs.append((str(pair[0]), str(pair[1])))
    return {
        "primary_endpoint": primary,
        "alpha": float(alpha),
        "arms": [arm for arm in arms if arm in present_arms],
        "comparisons": pairs,
        "secondary_endpoints": [e for e in secondary if e != primary],
        "source": source,
    }


# -- comparisons -----------------------------------------------------------------------------
def _cmh_over_scenarios(rows: pd.DataFrame, k: str, n: str, a: str, b: str, clustered: bool):
    """CMH test with one 2x2 table (arm x event) per scenario; None when it is undefined.

    With ``clustered`` the rows are conversations whose ``n`` trials are turns: the chi-square
    is divided by the dispersion of the turn counts within scenario x arm (first-order
    Rao-Scott), since turns of one conversation are not independent trials.
    """
    rows = rows[rows["arm"].isin((a, b))]
    sums = rows.groupby(["scenario_id", "arm"], sort=False)[[k, n]].sum()
    sums = sums.unstack("arm", fill_value=0)
    if sums.empty or a not in sums[k].columns or b not in sums[k].columns:
        return None
    ka, kb = sums[k][a].to_numpy(), sums[k][b].to_numpy()
    na, nb = sums[n][a].to_numpy(), sums[n][b].to_numpy()
    tables = np.stack([np.stack([ka, na - ka], 1), np.stack([kb, nb - kb], 1)], 1)
    try:
        result = cmh_test(tables)
    except ValidationError:
        return None
    if result.pvalue is None or not math.isfinite(result.pvalue):
        return None
    if not clustered:
        return _TestOutcome(result.method, result.statistic, result.pvalue)
    phi = dispersion(
        rows[k].to_numpy(), rows[n].to_numpy(), rows["scenario_id"] + "\x1f" + rows["arm"]
    )
    statistic = result.statistic / phi
    return _TestOutcome(
        f"{result.method}, Rao-Scott adjusted for turns clustered in conversations "
        f"(dispersion {phi:.3f})",
        statistic,
        float(chi2.sf(statistic, 1)),
    )


@dataclass(frozen=True)
class _TestOutcome:
    method: str
    statistic: float
    pvalue: float


def _test(name: str, result) -> dict:
    if result is None:
        return {"name": f"{name} (not computable)", "statistic": None, "pvalue": None}
    return {
        "name": result.method,
        "statistic": _none_if_nan(result.statistic),
        "pvalue": _none_if_nan(result.pvalue),
    }


def _mcnemar_check(pc: pd.DataFrame, a: str, b: str) -> dict:
    """Cell-level any-push under both arms (pairs = the same cell_id)."""
    flags = pc[pc["arm"].isin((a, b))].pivot_table(
        index="cell_id", columns="arm", values="any_push", aggfunc="max"
    )
    if a not in flags.columns or b not in flags.columns:
        return {"statistic": None, "pvalue": None, "method": "McNemar: no paired cells"}
    flags = flags.dropna()
    in_a = flags[a].to_numpy(dtype=bool)
    in_b = flags[b].to_numpy(dtype=bool)
    result = mcnemar_test(int(np.sum(in_a & ~in_b)), int(np.sum(~in_a & in_b)))
    return {
        "statistic": _none_if_nan(result.statistic),
        "pvalue": _none_if_nan(result.pvalue),
        "method": f"{result.method}, cell-level any push, {len(flags)} paired cells",
    }


def _compare_turn_endpoint(data, endpoint, a, b, n_boot, seed, bootstrap: bool) -> dict:
    numerator, child_only = TURN_ENDPOINTS[endpoint]
    pc = data.per_conversation
    turns = data.help_turns
    if child_only:
        pc, turns = pc[pc["child"]], turns[turns["child"]]
    if bootstrap:
        estimate = _bootstrap_difference(
            turns[turns["arm"].isin((a, b))], numerator, a, b, n_boot, seed
        )
    else:
        estimate = _linearised_difference(pc, numerator, a, b)
    cmh = _cmh_over_scenarios(pc, numerator, "help_n", a, b, clustered=True)
    return {**estimate, "test": _test("CMH over scenarios", cmh)}


def _bootstrap_difference(turns, numerator, a, b, n_boot, seed) -> dict:
    try:
        diff = cluster_bootstrap_diff(
            turns, "cell_id", "arm", numerator, n_boot=n_boot, seed=seed, arms=(a, b)
        )
    except ValidationError as exc:
        return {"estimate": None, "ci_low": None, "ci_high": None, "method": exc.message}
    return {
        "estimate": diff.estimate,
        "ci_low": _none_if_nan(diff.ci_low),
        "ci_high": _none_if_nan(diff.ci_high),
        "method": f"{diff.method}, resampling scenario cells, {n_boot} replicates",
    }


def _linearised_difference(pc, numerator, a, b) -> dict:
    sums = pc[pc["arm"].isin((a, b))].pivot_table(
        index="cell_id", columns="arm", values=[numerator, "help_n"], aggfunc="sum", fill_value=0
    )
    if sums.empty or a not in sums[numerator].columns or b not in sums[numerator].columns:
        return {
            "estimate": None,
            "ci_low": None,
            "ci_high": None,
            "method": "no help turns in one of the arms",
        }
    result = clustered_diff_ci(
        sums[numerator][a], sums["help_n"][a], sums[numerator][b], sums["help_n"][b]
    )
    return {
        "estimate": result.estimate,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "method": f"{result.method}, clusters = scenario cells",
    }


def _compare_conversation_endpoint(data, endpoint, a, b) -> dict:
    event, eligible = CONVERSATION_ENDPOINTS[endpoint]
    pc = data.per_conversation
    if eligible is not None:
        pc = pc[pc[eligible]]
    pc = pc.assign(_event=pc[event].astype(int), _one=1)
    counts = pc.groupby("arm")[["_event", "_one"]].sum()
    if a in counts.index and b in counts.index:
        result = newcombe_diff_ci(*counts.loc[a], *counts.loc[b])
        estimate = {
            "estimate": result.estimate,
            "ci_low": result.ci_low,
            "ci_high": result.ci_high,
            "method": result.method,
        }
    else:
        estimate = {
            "estimate": None,
            "ci_low": None,
            "ci_high": None,
            "method": "no eligible conversations in one of the arms",
        }
    cmh = _cmh_over_scenarios(pc, "_event", "_one", a, b, clustered=False)
    return {**estimate, "test": _test("CMH over scenarios", cmh)}


def _compare_survival(data, a, b) -> dict:
    pc = data.per_conversation
    rows = pc[pc["arm"].isin((a, b))]
    times, events = _survival(rows)
    groups = rows.loc[rows["bot_n"] > 0, "arm"].to_numpy()
    medians = {}
    for arm in (a, b):
        arm_times, arm_events = times[groups == arm], events[groups == arm]
        medians[arm] = (
            _none_if_nan(kaplan_meier(arm_times, arm_events).estimate) if arm_times.size else None
        )
    try:
        test = logrank_test(times, events, groups) if len(set(groups)) == 2 else None
    except ValidationError:
        test = None
    estimate = None
    if medians[a] is not None and medians[b] is not None:
        estimate = medians[a] - medians[b]
    return {
        "estimate": estimate,
        "ci_low": None,
        "ci_high": None,
        "method": "difference of Kaplan-Meier median bot turns to first push (None when a "
        "median is not reached)",
        "test": _test("log-rank test", test),
    }


def _compare(data, endpoint, a, b, role, n_boot, seed) -> dict:
    if endpoint in TURN_ENDPOINTS:
        # The bootstrap is for the primary endpoint; the secondaries use the linearised
        # cluster-robust difference (same design, a few sums instead of n_boot resamples).
        bootstrap = role == "primary"
        result = _compare_turn_endpoint(data, endpoint, a, b, n_boot, seed, bootstrap)
    elif endpoint in CONVERSATION_ENDPOINTS:
        result = _compare_conversation_endpoint(data, endpoint, a, b)
    else:
        result = _compare_survival(data, a, b)
    checks = {}
    if role == "primary" or endpoint == "any_push":
        checks["mcnemar_cell_any_push"] = _mcnemar_check(data.per_conversation, a, b)
    return {"arm_a": a, "arm_b": b, "endpoint": endpoint, "role": role, **result, "checks": checks}


def _adjust(rows: list[dict], method: str | None, alpha: float) -> None:
    """Fill pvalue_adjusted / adjustment / significant in place (None p-values stay None)."""
    tested = [i for i, row in enumerate(rows) if row["test"]["pvalue"] is not None]
    if method is None:
        adjusted = [rows[i]["test"]["pvalue"] for i in tested]
    else:
        adjusted = list(adjust_pvalues([rows[i]["test"]["pvalue"] for i in tested], method))
    values = dict(zip(tested, adjusted, strict=True))
    label = {"holm": "Holm", "bh": "Benjamini-Hochberg", None: "none"}[method]
    for i, row in enumerate(rows):
        row["pvalue_adjusted"] = values.get(i)
        row["adjustment"] = label
        row["significant"] = bool(values.get(i) is not None and values[i] < alpha)


# -- breakdowns ------------------------------------------------------------------------------
def _breakdowns(pc: pd.DataFrame, arms: list[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for dimension in ("domain", "persona"):
        rows = []
        for (level, arm), group in pc.groupby([dimension, "arm"], sort=True):
            if arm not in arms:
                continue
            result = clustered_rate_ci(group["help_push"].to_numpy(), group["help_n"].to_numpy())
            rows.append(
                {
                    "arm": arm,
                    "level": str(level),
                    "k": result.k,
                    "n": result.n,
                    "estimate": result.estimate,
                    "ci_low": result.ci_low,
                    "ci_high": result.ci_high,
                }
            )
        out[dimension] = rows
    return out


def _exploratory(pc: pd.DataFrame, pairs: list[tuple[str, str]]) -> list[dict]:
    rows: list[dict] = []
    for dimension in ("domain", "persona"):
        for a, b in pairs:
            subset = pc[pc["arm"].isin((a, b))]
            for level, group in subset.groupby(dimension, sort=True):
                sums = group.groupby("arm")[["help_push", "help_n"]].sum()
                if a not in sums.index or b not in sums.index:
                    continue
                (ka, na), (kb, nb) = sums.loc[a], sums.loc[b]
                if na == 0 or nb == 0:
                    continue
                cmh = _cmh_over_scenarios(group, "help_push", "help_n", a, b, clustered=True)
                rows.append(
                    {
                        "dimension": dimension,
                        "level": str(level),
                        "arm_a": a,
                        "arm_b": b,
                        "estimate": ka / na - kb / nb,
                        "pvalue": None if cmh is None else cmh.pvalue,
                    }
                )
    tested = [i for i, row in enumerate(rows) if row["pvalue"] is not None]
    adjusted = adjust_pvalues([rows[i]["pvalue"] for i in tested], "bh")
    values = dict(zip(tested, adjusted, strict=True))
    for i, row in enumerate(rows):
        row["pvalue_adjusted"] = values.get(i)
    return rows


# -- the whole analysis ----------------------------------------------------------------------
def analyze_run(
    run_dir: str | Path,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    detector_accuracy: str | Path | dict | None = None,
    detector_version: str | None = None,
    progress: Callable[[str], None] | None = None,
    write: bool = True,
) -> Analysis:
    """Analyse ``runs/<id>/`` and write ``analysis.json`` beside its store (atomically)."""
    step = progress or (lambda _message: None)
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 100:
        raise ValidationError(f"n_boot must be a whole number of at least 100, got {n_boot!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValidationError(f"seed must be a non-negative whole number, got {seed!r}")
    step("reading the run")
    data = load_run_data(run_dir, detector_version)
    pc = data.per_conversation
    present = list(dict.fromkeys(pc["arm"]))
    if not present:
        raise AuditError(
            f"{data.run_dir}: every conversation of the run errored; nothing to analyse"
        )
    plan = resolve_plan(data.manifest, sorted(present))
    accuracy = read_detector_accuracy(detector_accuracy, data)

    step("endpoints per arm")
    arms = {arm: _arm_result(pc[pc["arm"] == arm], data, arm, accuracy) for arm in plan["arms"]}

    step("comparisons")
    primary = [
        _compare(data, plan["primary_endpoint"], a, b, "primary", n_boot, seed)
        for a, b in plan["comparisons"]
    ]
    secondary = [
        _compare(data, endpoint, a, b, "secondary", n_boot, seed)
        for a, b in plan["comparisons"]
        for endpoint in plan["secondary_endpoints"]
    ]
    _adjust(primary, "holm" if len(primary) > 1 else None, plan["alpha"])
    _adjust(secondary, "holm", plan["alpha"])

    step("breakdowns")
    analysis = Analysis.model_validate(
        {
            "run_id": str(data.manifest.get("run_id") or data.run_dir.name),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "toolkit_version": __version__,
            "detector": {
                "name": data.detector,
                "version": data.detector_version,
                "source": "labels",
            },
            "plan": plan,
            "detector_accuracy": accuracy,
            "arms": arms,
            "comparisons": primary + secondary,
            "breakdowns": _breakdowns(pc, plan["arms"]),
            "exploratory": _exploratory(pc, plan["comparisons"]),
        }
    )
    if write:
        atomic_write_text(data.run_dir / ANALYSIS_NAME, analysis.to_json())
    return analysis


__all__ = ["analyze_run", "load_run_data", "read_detector_accuracy", "resolve_plan"]
