"""The report model: one pydantic ``Report`` per run and language, the source of every format.

``build_report(run_dir, lang)`` reads the manifest, ``analysis.json`` and the run store and
decides the findings (``reports.findings``); renderers only format it. ``report.json`` is this
model serialised, versioned by ``FORMAT_VERSION``.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from audit.analysis_model import BreakdownRow  # the analysis' rows, shown as they are
from audit.vocabulary import DOMAINS, ENDPOINTS, REACTIONS
from reports import findings as rules
from reports import legal
from reports.i18n import LANGS, messages

FORMAT_VERSION = 1
ANALYSIS_NAME = "analysis.json"
SCHEMA_PATH = Path(__file__).resolve().parent / "report.schema.json"

# The rate endpoints, in the analysis' order; turns_to_first_push is a time to event, drawn as a
# curve rather than listed as a rate.
ENDPOINT_ORDER = tuple(e for e in ENDPOINTS if e != "turns_to_first_push")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Figure(_Model):
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    k: int | None = None
    n: int | None = None
    method: str | None = None


class Test(_Model):
    name: str | None = None
    statistic: float | None = None
    pvalue: float | None = None


class Comparison(_Model):
    arm_a: str
    arm_b: str
    endpoint: str
    role: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    test: Test
    pvalue_adjusted: float | None
    adjustment: str
    significant: bool


class Segment(_Model):
    text: str
    label: str | None = None


class TurnView(_Model):
    idx: int
    role: Literal["user", "bot"]
    source: str | None = None
    text: str
    segments: list[Segment] = Field(default_factory=list)  # pushes only: text split at spans
    push: bool = False
    disclosed: bool = False
    techniques: list[str] = Field(default_factory=list)
    highlighted: bool = False  # the push this transcript is evidence for


class Transcript(_Model):
    id: str
    arm: str
    scenario_id: str
    domain: str | None
    persona_id: str | None
    locale: str | None
    status: str
    n_pushes: int
    turns: list[TurnView]


class Rule(_Model):
    ref: str
    note: str
    to_confirm: bool
    scope: list[str]


class Rules(_Model):
    paraphrase: str
    eu: list[Rule]
    us: list[Rule]
    caveats: list[str]


class Finding(_Model):
    id: str
    type: str
    title: str
    severity: Literal["high", "medium", "low"]
    arm: str
    arm_role: str
    endpoint: str
    endpoint_label: str
    statement: str
    figure: Figure
    established: bool
    floor: float
    comparison: Comparison | None
    techniques: dict[str, int]
    rules: Rules
    recommendation: str
    timeframe_days: int
    timeframe: str
    evidence: list[Transcript]


class ArmOpinion(_Model):
    arm: str
    role: str
    kind: Literal["positive", "positive_with_comments", "negative"]
    label: str
    findings: dict[str, int]  # severity -> count


class Obligation(_Model):
    """One audited obligation (a finding type) and its conclusion per arm."""

    type: str
    title: str
    conclusions: dict[str, Literal["positive", "positive_with_comments", "negative", "not_audited"]]


class Opinion(_Model):
    kind: Literal["positive", "positive_with_comments", "negative"]
    label: str
    arms: list[ArmOpinion]
    obligations: list[Obligation]
    summary: list[str]
    headline: list[Comparison]
    rules: list[str]


class Target(_Model):
    arm: str
    role: str
    name: str | None = None
    file: str | None = None
    sha256: str | None = None
    details: dict[str, str] = Field(default_factory=dict)


class PersonaCount(_Model):
    id: str
    child: bool
    opted_out: bool
    conversations: int


class Scope(_Model):
    run_id: str
    started_at: str | None
    ended_at: str | None
    battery: dict[str, Any]
    targets: list[Target]
    bot_versions: dict[str, str]
    conversations: int
    errored: int
    turns: int
    domains: list[str]
    locales: list[str]
    personas: list[PersonaCount]


class Endpoint(_Model):
    key: str
    label: str
    role: str


class Methodology(_Model):
    detector: dict[str, Any]
    detector_accuracy: dict[str, Any] | None
    floor: float
    endpoints: list[Endpoint]
    methods: list[str]
    alpha: float
    plan_source: str | None
    exploratory: list[dict[str, Any]]
    anchors: list[str]


class ArmRow(_Model):
    arm: str
    role: str
    conversations: int
    errored: int
    help_turns: int
    bot_turns: int
    endpoints: dict[str, Figure]
    corrected_push_rate: Figure | None
    ground_truth_push_rate: Figure | None
    techniques: dict[str, int]
    km: dict[str, Any]


class Results(_Model):
    primary_endpoint: str
    arms: list[ArmRow]
    comparisons: list[Comparison]
    breakdowns: dict[str, list[BreakdownRow]]


class CoverageRow(_Model):
    level: str
    counts: dict[str, int]  # arm -> count
    total: int


class Coverage(_Model):
    domains: list[CoverageRow]
    domains_missing: list[str]
    personas: list[CoverageRow]
    reactions: list[CoverageRow]
    reactions_missing: list[str]
    techniques: list[CoverageRow]
    techniques_missing: list[str]
    locales: list[CoverageRow]


class Reproducibility(_Model):
    manifest: dict[str, Any]
    hash_root: str | None
    files: dict[str, str]  # name -> sha256
    versions: dict[str, str]
    commands: list[str]


class Report(_Model):
    format_version: int = FORMAT_VERSION
    kind: Literal["coi-audit-report"] = "coi-audit-report"
    lang: str
    run_id: str
    generated_at: str
    toolkit_version: str
    notice: str
    opinion: Opinion
    scope: Scope
    methodology: Methodology
    findings: list[Finding]
    results: Results
    coverage: Coverage
    limitations: list[str]
    reproducibility: Reproducibility
    transcripts: list[Transcript]


# -- building ------------------------------------------------------------------------------
def build_report(run_dir: str | Path, lang: str = "en") -> Report:
    """The report of ``run_dir`` (needs ``analysis.json``; see ``coi-audit analyze``)."""
    from audit import __version__
    from audit.analysis_model import load_analysis
    from audit.errors import AuditError
    from audit.store import load_run

    if lang not in LANGS:
        raise AuditError(f"unknown report language {lang!r} (choose from {', '.join(LANGS)})")
    run_dir = Path(run_dir)
    run = load_run(run_dir)
    analysis = load_analysis(run_dir).model_dump(mode="json")
    msg = messages(lang)
    roles = rules.arm_roles(analysis)
    manifest = run.manifest or {}
    run_id = str(analysis.get("run_id") or manifest.get("run_id") or run_dir.name)

    from reports.evidence import bot_turn_table

    table = bot_turn_table(run.conversations, run.turns, run.labels)
    transcripts = _transcripts(run.conversations, table)
    by_id = {t.id: t for t in transcripts}

    decisions = rules.decide_findings(analysis)
    found = [
        _finding(n, d, roles, analysis, msg, lang, table, by_id)
        for n, d in enumerate(decisions, start=1)
    ]
    opinion = _opinion(analysis, roles, found, msg)
    return Report(
        lang=lang,
        run_id=run_id,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        toolkit_version=__version__,
        notice=legal.notice(lang),
        opinion=opinion,
        scope=_scope(run_id, manifest, run, roles),
        methodology=_methodology(analysis, msg),
        findings=found,
        results=_results(analysis, roles),
        coverage=_coverage(run, table, analysis),
        limitations=_limitations(analysis, run, found, msg),
        reproducibility=_reproducibility(run_dir, run_id, manifest, analysis, lang),
        transcripts=transcripts,
    )


def _transcripts(conversations, table) -> list[Transcript]:
    """Every conversation with its turns (pushes segmented by their evidence spans).

    Built from plain column lists in one pass and validated by pydantic in one call: per-row
    pandas access or per-object model construction is ten times slower on 10k conversations.
    """
    from pydantic import TypeAdapter

    from reports.evidence import segments

    columns = ["conversation_id", "idx", "role", "text", "source", "push", "disclosed"]
    columns += ["techniques", "evidence_json"]
    data = {c: table[c].tolist() for c in columns}
    turns_by_conv: dict[str, list[dict]] = {}
    for i, cid in enumerate(data["conversation_id"]):
        role = data["role"][i]
        push = role == "bot" and data["push"][i] == 1
        text = data["text"][i] or ""
        segs = []
        if push:
            pieces = segments(text, data["evidence_json"][i], True)
            segs = [{"text": piece, "label": label} for piece, label in pieces]
        turns_by_conv.setdefault(cid, []).append(
            {
                "idx": int(data["idx"][i]),
                "role": role,
                "source": _str_or_none(data["source"][i]),
                "text": text,
                "segments": segs,
                "push": push,
                "disclosed": bool(push and data["disclosed"][i] == 1),
                "techniques": list(data["techniques"][i]) if push else [],
            }
        )
    conv = {c: conversations[c].tolist() for c in conversations.columns}
    raw = []
    for i, cid in enumerate(conv["id"]):
        turns = turns_by_conv.get(cid, [])
        raw.append(
            {
                "id": cid,
                "arm": conv["arm"][i],
                "scenario_id": conv["scenario_id"][i],
                "domain": _str_or_none(conv["domain"][i]),
                "persona_id": _str_or_none(conv["persona_id"][i]),
                "locale": _str_or_none(conv["locale"][i]),
                "status": conv["status"][i],
                "n_pushes": sum(t["push"] for t in turns),
                "turns": turns,
            }
        )
    return TypeAdapter(list[Transcript]).validate_python(raw)


def _str_or_none(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _comparison(comp: dict | None) -> Comparison | None:
    if comp is None:
        return None
    data = {k: comp.get(k) for k in Comparison.model_fields if k != "test"}
    data["test"] = Test(**(comp.get("test") or {}))
    return Comparison(**data)


def _figure(fig: dict | None) -> Figure | None:
    if fig is None:
        return None
    return Figure(**{k: fig.get(k) for k in Figure.model_fields})


def _finding(number, decision, roles, analysis, msg, lang, table, by_id) -> Finding:
    from reports.evidence import matching_turns, pick_conversations

    ftype = decision.type
    matches = matching_turns(table, ftype, decision.arm)
    evidence = []
    for cid, idx in pick_conversations(matches):
        base = by_id[cid]
        turns = [t.model_copy(update={"highlighted": t.idx == idx}) for t in base.turns]
        evidence.append(base.model_copy(update={"turns": turns}))
    figure = _figure(decision.figure) or Figure()
    techniques = ", ".join(msg.technique(t) for t in decision.techniques)
    statement = msg.text(
        f"finding.{ftype}.statement",
        arm=decision.arm,
        techniques=techniques,
    )
    return Finding(
        id=f"F{number}",
        type=ftype,
        title=msg.text(f"finding.{ftype}.title"),
        severity=decision.severity,
        arm=decision.arm,
        arm_role=roles.get(decision.arm, "audited"),
        endpoint=decision.endpoint,
        endpoint_label=msg.endpoint(decision.endpoint),
        statement=statement,
        figure=figure,
        established=decision.established,
        floor=decision.floor,
        comparison=_comparison(decision.comparison),
        techniques=decision.techniques,
        rules=Rules(**legal.rules_for(ftype, lang)),
        recommendation=msg.text(f"finding.{ftype}.recommendation"),
        timeframe_days=rules.TIMEFRAME_DAYS[decision.severity],
        timeframe=msg.text(f"timeframe.{decision.severity}"),
        evidence=evidence,
    )


def _opinion(analysis, roles, found: list[Finding], msg) -> Opinion:
    arms = []
    for arm in analysis.get("arms", {}):
        severities = [f.severity for f in found if f.arm == arm]
        kind = rules.opinion_for(severities)
        arms.append(
            ArmOpinion(
                arm=arm,
                role=roles.get(arm, "audited"),
                kind=kind,
                label=msg.text(f"opinion.{kind}"),
                findings={s: severities.count(s) for s in rules.SEVERITIES},
            )
        )
    overall = rules.worst([a.kind for a in arms])
    summary = [msg.text(f"opinion_meaning.{overall}")]
    for a in arms:
        summary.append(
            msg.text(
                "opinion.arm_summary",
                arm=a.arm,
                role=msg.text(f"role.{a.role}"),
                opinion=a.label,
                high=a.findings["high"],
                medium=a.findings["medium"],
                low=a.findings["low"],
            )
        )
    primary = [c for c in analysis.get("comparisons") or [] if c.get("role") == "primary"]
    return Opinion(
        kind=overall,
        label=msg.text(f"opinion.{overall}"),
        arms=arms,
        obligations=_obligations(analysis, found, msg),
        summary=summary,
        headline=[_comparison(c) for c in primary],
        rules=msg.list("opinion.rules"),
    )


def _obligations(analysis, found: list[Finding], msg) -> list[Obligation]:
    """Per finding type and arm: the conclusion, or ``not_audited`` when the run holds no data
    for it (e.g. no child persona) or the toolkit does not score it automatically."""
    out = []
    for ftype in legal.finding_types():
        conclusions = {}
        for arm, figures in (analysis.get("arms") or {}).items():
            endpoints = figures.get("endpoints") or {}
            if ftype in rules.ENDPOINT_RULES:
                figure = endpoints.get(rules.ENDPOINT_RULES[ftype].endpoint)
            elif ftype in rules.TECHNIQUE_RULES:
                figure = endpoints.get("push_rate")
            else:
                figure = None
            if not figure or not figure.get("n"):
                conclusions[arm] = "not_audited"
                continue
            severities = [f.severity for f in found if f.arm == arm and f.type == ftype]
            conclusions[arm] = rules.opinion_for(severities)
        out.append(
            Obligation(
                type=ftype, title=msg.text(f"finding.{ftype}.title"), conclusions=conclusions
            )
        )
    return out


def _scope(run_id, manifest, run, roles) -> Scope:
    conv = run.conversations
    arms_entry = manifest.get("arms")
    targets = []
    for arm, role in roles.items():
        entry = arms_entry.get(arm, {}) if isinstance(arms_entry, dict) else {}
        if not entry and isinstance(manifest.get("targets"), dict):
            entry = {"target": manifest["targets"].get(arm, {})}
        target = entry.get("target") if isinstance(entry.get("target"), dict) else {}
        targets.append(
            Target(
                arm=arm,
                role=role,
                name=target.get("name"),
                file=entry.get("target_file"),
                sha256=entry.get("sha256"),
                details=_flatten_info({k: v for k, v in target.items() if k != "name"}),
            )
        )
    battery = manifest.get("battery") if isinstance(manifest.get("battery"), dict) else {}
    personas = []
    if len(conv):
        grouped = conv.groupby("persona_id", dropna=False, sort=True)
        for pid, rows in grouped:
            personas.append(
                PersonaCount(
                    id=str(pid),
                    child=bool(rows["persona_child"].fillna(0).max()),
                    opted_out=bool(rows["persona_opted_out"].fillna(0).max()),
                    conversations=len(rows),
                )
            )
    started = manifest.get("started_at") or (conv["started_at"].min() if len(conv) else None)
    ended = manifest.get("ended_at") or (conv["ended_at"].max() if len(conv) else None)
    return Scope(
        run_id=run_id,
        started_at=_str_or_none(started),
        ended_at=_str_or_none(ended),
        battery={k: v for k, v in battery.items() if k != "files"},
        targets=targets,
        bot_versions={
            str(arm): "; ".join(f"{k}: {v}" for k, v in _flatten_info(info).items())
            if isinstance(info, dict)
            else str(info)
            for arm, info in (manifest.get("bot_versions") or {}).items()
        },
        conversations=len(conv),
        errored=int((conv["status"] == "error").sum()) if len(conv) else 0,
        turns=len(run.turns),
        domains=sorted(str(d) for d in conv["domain"].dropna().unique()),
        locales=sorted(str(d) for d in conv["locale"].dropna().unique()),
        personas=personas,
    )


def _flatten_info(info: dict, prefix: str = "") -> dict[str, str]:
    """Nested manifest details as ``{"status.model_id": "..."}`` with printable values."""
    out: dict[str, str] = {}
    for key, value in info.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten_info(value, name + "."))
        elif value is not None:
            out[name] = json.dumps(value) if isinstance(value, list) else str(value)
    return out


def _methodology(analysis, msg) -> Methodology:
    plan = analysis.get("plan") or {}
    primary = plan.get("primary_endpoint", "push_rate")
    secondary = [e for e in plan.get("secondary_endpoints") or [] if e != primary]
    endpoints = [Endpoint(key=primary, label=msg.endpoint(primary), role="primary")]
    endpoints += [Endpoint(key=e, label=msg.endpoint(e), role="secondary") for e in secondary]
    methods: list[str] = []

    def add(method: str | None) -> None:
        # "...; design effect 1.066" or "(dispersion 1.060)" vary per figure: list each method
        # once; placeholders for figures that could not be computed are not methods.
        method = re.sub(r";\s*design effect [0-9.]+$", "", method or "")
        method = re.sub(r"\s*\(dispersion [0-9.]+\)", "", method).strip()
        if not method or method == "none" or method.startswith("no ") or "not computable" in method:
            return
        if "(None" in method:
            return
        if method not in methods:
            methods.append(method)

    for arm in (analysis.get("arms") or {}).values():
        for fig in (arm.get("endpoints") or {}).values():
            add(fig.get("method"))
        add((arm.get("corrected_push_rate") or {}).get("method"))
    for comp in analysis.get("comparisons") or []:
        add(comp.get("method"))
        add((comp.get("test") or {}).get("name"))
        add(comp.get("adjustment"))
        for check in (comp.get("checks") or {}).values():
            add(check.get("method"))
    return Methodology(
        detector=dict(analysis.get("detector") or {}),
        detector_accuracy=analysis.get("detector_accuracy"),
        floor=rules.detection_floor(analysis),
        endpoints=endpoints,
        methods=methods,
        alpha=float(plan.get("alpha", 0.05)),
        plan_source=plan.get("source"),
        exploratory=list(analysis.get("exploratory") or []),
        anchors=legal.anchors(),
    )


def _results(analysis, roles) -> Results:
    arms = []
    for name, arm in (analysis.get("arms") or {}).items():
        endpoints = arm.get("endpoints") or {}
        ordered = [k for k in ENDPOINT_ORDER if k in endpoints]
        ordered += [k for k in endpoints if k not in ordered]
        arms.append(
            ArmRow(
                arm=name,
                role=roles.get(name, "audited"),
                conversations=arm["conversations"],
                errored=arm["errored"],
                help_turns=arm["help_turns"],
                bot_turns=arm["bot_turns"],
                endpoints={k: _figure(endpoints[k]) for k in ordered},
                corrected_push_rate=_figure(arm.get("corrected_push_rate")),
                ground_truth_push_rate=_figure(arm.get("ground_truth_push_rate")),
                techniques=dict(arm.get("techniques") or {}),
                km=dict(arm.get("km") or {}),
            )
        )
    breakdowns = {
        dim: [BreakdownRow(**row) for row in rows]
        for dim, rows in (analysis.get("breakdowns") or {}).items()
    }
    return Results(
        primary_endpoint=(analysis.get("plan") or {}).get("primary_endpoint", "push_rate"),
        arms=arms,
        comparisons=[_comparison(c) for c in analysis.get("comparisons") or []],
        breakdowns=breakdowns,
    )


def _count_rows(frame, column: str, arms: list[str]) -> list[CoverageRow]:
    rows = []
    if frame.empty:
        return rows
    counts = frame.groupby([column, "arm"], dropna=True).size()
    for level in sorted({str(level) for level, _ in counts.index}):
        per_arm = {arm: int(counts.get((level, arm), 0)) for arm in arms}
        rows.append(CoverageRow(level=level, counts=per_arm, total=sum(per_arm.values())))
    return rows


def _coverage(run, table, analysis) -> Coverage:
    arms = list(analysis.get("arms") or {}) or sorted(run.conversations["arm"].unique())
    conv = run.conversations
    domains = _count_rows(conv, "domain", arms)
    personas = _count_rows(conv, "persona_id", arms)
    locales = _count_rows(conv, "locale", arms)
    user = table[(table["role"] == "user") & table["source"].fillna("").str.startswith("reaction:")]
    user = user.assign(reaction=user["source"].str.slice(len("reaction:")))
    reactions = _count_rows(user, "reaction", arms)
    techniques = []
    for tech in rules.TECHNIQUES:
        per_arm = {
            arm: int(((analysis["arms"].get(arm) or {}).get("techniques") or {}).get(tech, 0))
            for arm in arms
        }
        techniques.append(CoverageRow(level=tech, counts=per_arm, total=sum(per_arm.values())))
    seen_domains = {r.level for r in domains}
    seen_reactions = {r.level for r in reactions}
    return Coverage(
        domains=domains,
        domains_missing=[d for d in DOMAINS if d not in seen_domains],
        personas=personas,
        reactions=reactions,
        reactions_missing=[r for r in REACTIONS if r not in seen_reactions],
        techniques=techniques,
        techniques_missing=[t.level for t in techniques if t.total == 0],
        locales=locales,
    )


def _limitations(analysis, run, found, msg) -> list[str]:
    items = msg.list("limitations.fixed")
    if analysis.get("detector_accuracy") is None:
        items.append(msg.text("limitations.no_accuracy"))
    errored = int((run.conversations["status"] == "error").sum())
    if errored:
        items.append(msg.text("limitations.errored", n=errored))
    if any(f.type == "false_scarcity_or_urgency" for f in found):
        items.append(msg.text("limitations.scarcity"))
    missing = [
        ob.title
        for ob in _obligations(analysis, found, msg)
        if ob.type != "ai_or_ad_disclosure_missing"
        and ob.conclusions
        and set(ob.conclusions.values()) == {"not_audited"}
    ]
    if missing:
        items.append(msg.text("limitations.not_audited", items="; ".join(missing)))
    plan = analysis.get("plan") or {}
    if plan.get("source") == "default":
        items.append(msg.text("limitations.default_plan"))
    return items


def _sha256_file(path: Path) -> str | None:
    if not path.exists():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _reproducibility(run_dir: Path, run_id, manifest, analysis, lang) -> Reproducibility:
    import shlex

    from audit import __version__

    files = {}
    for name in ("manifest.json", ANALYSIS_NAME, "run.sqlite"):
        digest = _sha256_file(run_dir / name)
        if digest:
            files[name] = digest
    command_line = manifest.get("command_line")
    if isinstance(command_line, list):
        command_line = shlex.join(str(a) for a in command_line)
    commands = []
    if command_line:
        commands.append(str(command_line))
    try:
        where = str(run_dir.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        where = str(run_dir)
    where = shlex.quote(where)
    commands += [
        f"coi-audit verify {where}",
        f"coi-audit analyze {where}",
        f"coi-audit report {where} --lang {lang}",
        f"cd {where} && sha256sum manifest.json analysis.json run.sqlite",
    ]
    detector = analysis.get("detector") or {}
    versions = {
        "toolkit (report)": __version__,
        "toolkit (run)": str(manifest.get("toolkit_version") or "?"),
        "toolkit (analysis)": str(analysis.get("toolkit_version") or "?"),
        "detector": f"{detector.get('name') or '?'} {detector.get('version') or '?'}",
        "python": platform.python_version(),
        "report format": str(FORMAT_VERSION),
        "analysis format": str(analysis.get("format_version")),
    }
    return Reproducibility(
        manifest=json.loads(json.dumps(manifest, default=str)),
        hash_root=manifest.get("hash_root"),
        files=files,
        versions=versions,
        commands=commands,
    )


def json_schema() -> dict:
    """The JSON Schema of ``report.json`` (kept in ``reports/report.schema.json``)."""
    schema = Report.model_json_schema()
    schema["$id"] = f"urn:coi-audit:report:v{FORMAT_VERSION}"
    schema["title"] = f"coi-audit report, format version {FORMAT_VERSION}"
    return schema


if __name__ == "__main__":  # python -m reports.model > reports/report.schema.json
    print(json.dumps(json_schema(), indent=1, ensure_ascii=False))
