"""Reading, checking and loading scenario, persona and battery files.

A ``_Session`` reads each file once, validates it against its file model, then runs the checks
that span files: persona ids that exist, scenario ids unique across files, battery globs and
plans. Every problem is a located ``Problem``; nothing here raises on bad input except the
public ``load_*`` functions, which raise ``audit.errors.ValidationError`` with all problems.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from audit.errors import Problem, ValidationError
from audit.scenario.files import FILE_MODELS, BatteryFile, PersonasFile, ScenarioFile
from audit.scenario.model import (
    Battery,
    Household,
    Persona,
    Plan,
    Reactions,
    Scenario,
    Turn,
)
from audit.scenario.problems import did_you_mean, validate_model
from audit.yaml_lines import Positions, load_yaml

YAML_SUFFIXES = (".yml", ".yaml")
PERSONAS_FILENAME = "personas.yml"


@dataclass
class Document:
    """One file: its parsed data, where each value came from, and the file model if valid."""

    path: Path  # resolved
    display: str  # as shown in problems
    kind: str  # scenario | personas | battery
    data: Any
    positions: Positions
    model: BaseModel | None
    problems: list[Problem] = field(default_factory=list)

    def at(self, loc: tuple, message: str, *, key: bool = False) -> Problem:
        where = self.positions.of_key(loc) if key else self.positions.of_value(loc)
        return Problem(self.display, message, where[0], where[1])


@dataclass(frozen=True)
class ValidationReport:
    n_files: int
    n_scenarios: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return (
            f"{_count(self.n_files, 'file')}, {_count(self.n_scenarios, 'scenario')}, "
            f"{_count(len(self.problems), 'error')}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.n_files,
            "scenarios": self.n_scenarios,
            "errors": len(self.problems),
            "problems": [p.to_dict() for p in self.problems],
        }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def display_path(path: Path) -> str:
    """Paths under the working directory are shown relative to it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def detect_kind(path: Path, data: Any) -> str:
    """Which format a file is in: by its name and folder first, then by its keys."""
    if path.stem == "personas" or path.stem.endswith("-personas"):
        return "personas"
    if path.parent.name == "batteries":
        return "battery"
    if isinstance(data, dict) and "turns" not in data:
        if "personas" in data and "plan" not in data and "scenarios" not in data:
            return "personas"
        if "scenarios" in data or "plan" in data:
            return "battery"
    return "scenario"


def parse_text(text: str, path: str = "<string>", kind: str | None = None) -> Document:
    """Parse and validate one document's text against its format. Never raises on bad input."""
    loaded = load_yaml(text, path)
    resolved = Path(path)
    kind = kind or detect_kind(resolved, loaded.data)
    document = Document(resolved, path, kind, loaded.data, loaded.positions, None)
    document.problems.extend(loaded.problems)
    if loaded.problems:
        return document
    model, problems = validate_model(FILE_MODELS[kind], loaded.data, loaded.positions, path)
    document.model = model
    document.problems.extend(problems)
    return document


def read_document(path: Path, display: str | None = None, kind: str | None = None) -> Document:
    display = display or display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return _unreadable(path, display, kind, f"cannot read file: {reason}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _unreadable(path, display, kind, f"not UTF-8 text (byte {exc.start})")
    document = parse_text(text, display, kind)
    document.path = path.resolve()
    return document


def _unreadable(path: Path, display: str, kind: str | None, message: str) -> Document:
    document = Document(
        path.resolve(), display, kind or detect_kind(path, None), None, Positions(), None
    )
    document.problems.append(Problem(display, message, 1, 1))
    return document


def nearest_personas(start: Path) -> Path | None:
    """The personas.yml in ``start``'s directory or the closest one above it."""
    for directory in [start.parent, *start.parent.parents]:
        candidate = directory / PERSONAS_FILENAME
        if candidate.is_file():
            return candidate.resolve()
    return None


def battery_bases(battery_path: Path) -> list[Path]:
    """Where a battery's relative paths are looked up: its directory, then scenarios/."""
    here = battery_path.resolve().parent
    root = next((d for d in [here, *here.parents] if d.name == "scenarios"), here.parent)
    return [here] if root == here else [here, root]


def resolve_glob(pattern: str, bases: list[Path]) -> list[Path]:
    for base in bases:
        # root_dir keeps glob characters in the base path literal
        found = (base / m for m in glob.glob(pattern, root_dir=base, recursive=True))
        matches = sorted(p.resolve() for p in found if p.suffix in YAML_SUFFIXES and p.is_file())
        if matches:
            return matches
    return []


class _Session:
    """Reads each file once and runs the checks that span files."""

    def __init__(self) -> None:
        self.documents: dict[Path, Document] = {}
        self.extra_problems: list[Problem] = []

    def document(self, path: Path, display: str | None = None, kind: str | None = None) -> Document:
        key = path.resolve()
        if key not in self.documents:
            self.documents[key] = read_document(path, display, kind)
        return self.documents[key]

    # -- personas ------------------------------------------------------------------------

    def personas_of(self, document: Document) -> dict[str, int] | None:
        """Persona id -> index in a valid personas document; None if it is invalid."""
        if not isinstance(document.model, PersonasFile):
            return None
        return {p.id: i for i, p in enumerate(document.model.personas)}

    def check_personas(self, document: Document) -> None:
        if not isinstance(document.model, PersonasFile):
            return
        seen: dict[str, int] = {}
        for i, persona in enumerate(document.model.personas):
            if persona.id in seen:
                line, _ = document.positions.of_value(("personas", seen[persona.id], "id"))
                document.problems.append(
                    document.at(
                        ("personas", i, "id"),
                        f"personas[{i}].id: duplicate persona id '{persona.id}' (first at line {line})",
                    )
                )
            else:
                seen[persona.id] = i

    # -- scenarios -----------------------------------------------------------------------

    def check_scenario(
        self, document: Document, personas_path: Path | None, *, ids_only: bool = False
    ) -> None:
        if not isinstance(document.model, ScenarioFile):
            return
        known: dict[str, int] | None = None
        personas_doc = None
        if personas_path is not None and personas_path.is_file():
            personas_doc = self.document(personas_path, kind="personas")
            known = self.personas_of(personas_doc)
        seen: set[str] = set()
        for i, persona_id in enumerate(document.model.persona):
            loc = ("persona", i) if isinstance(document.data.get("persona"), list) else ("persona",)
            label = f"persona[{i}]" if len(loc) == 2 else "persona"
            if persona_id in seen and not ids_only:
                document.problems.append(
                    document.at(loc, f"{label}: persona '{persona_id}' listed twice")
                )
            seen.add(persona_id)
            if known is None:
                if personas_doc is None:
                    message = f"{label}: unknown persona '{persona_id}' (no {PERSONAS_FILENAME} found in this directory or above)"
                    document.problems.append(document.at(loc, message))
                continue  # the personas file is itself invalid: reported there
            if persona_id not in known:
                guess = did_you_mean(persona_id, known)
                hint = (
                    f" (did you mean '{guess}'?)" if guess else f" (not in {personas_doc.display})"
                )
                document.problems.append(
                    document.at(loc, f"{label}: unknown persona '{persona_id}'{hint}")
                )

    def check_duplicate_ids(self, documents: list[Document]) -> None:
        first: dict[str, Document] = {}
        for document in documents:
            if not isinstance(document.model, ScenarioFile):
                continue
            scenario_id = document.model.id
            if scenario_id in first:
                other = first[scenario_id]
                line, _ = other.positions.of_value(("id",))
                document.problems.append(
                    document.at(
                        ("id",),
                        f"id: duplicate scenario id '{scenario_id}' (also in {other.display}:{line})",
                    )
                )
            else:
                first[scenario_id] = document

    # -- batteries -----------------------------------------------------------------------

    def check_battery(self, document: Document) -> tuple[list[Document], Document | None]:
        """Check a battery and read what it points to: (its scenario documents, personas)."""
        battery = document.model
        if not isinstance(battery, BatteryFile):
            return [], None
        bases = battery_bases(document.path)
        self._check_plan(document, battery)

        personas_doc = None
        found = resolve_glob(battery.personas, bases)
        if len(found) == 1 and not glob.has_magic(battery.personas):
            personas_doc = self.document(found[0], kind="personas")
        else:
            where = ", ".join(display_path(b) for b in bases)
            document.problems.append(
                document.at(
                    ("personas",),
                    f"personas: file '{battery.personas}' not found (looked in {where})",
                )
            )

        scenario_docs: list[Document] = []
        seen: set[Path] = set()
        for i, pattern in enumerate(battery.scenarios):
            matches = resolve_glob(pattern, bases)
            if not matches:
                document.problems.append(
                    document.at(
                        ("scenarios", i), f"scenarios[{i}]: '{pattern}' matches no .yml file"
                    )
                )
            for path in matches:
                if path in seen:
                    continue
                seen.add(path)
                kind = "personas" if path.name == PERSONAS_FILENAME else "scenario"
                scenario_doc = self.document(path, kind=kind)
                if scenario_doc.kind != "scenario":
                    document.problems.append(
                        document.at(
                            ("scenarios", i),
                            f"scenarios[{i}]: '{display_path(path)}' is a {scenario_doc.kind} file, not a scenario",
                        )
                    )
                    continue
                scenario_docs.append(scenario_doc)
        return scenario_docs, personas_doc

    def _check_plan(self, document: Document, battery: BatteryFile) -> None:
        plan = battery.plan
        arms_seen: set[str] = set()
        for i, arm in enumerate(plan.arms):
            if arm in arms_seen:
                document.problems.append(
                    document.at(("plan", "arms", i), f"plan.arms[{i}]: arm '{arm}' listed twice")
                )
            arms_seen.add(arm)
        for i, pair in enumerate(plan.comparisons):
            for j, arm in enumerate(pair):
                if arm not in arms_seen:
                    guess = did_you_mean(arm, arms_seen)
                    hint = f" (did you mean '{guess}'?)" if guess else ""
                    document.problems.append(
                        document.at(
                            ("plan", "comparisons", i, j),
                            f"plan.comparisons[{i}][{j}]: arm '{arm}' is not in plan.arms{hint}",
                        )
                    )
            if pair[0] == pair[1]:
                document.problems.append(
                    document.at(
                        ("plan", "comparisons", i),
                        f"plan.comparisons[{i}]: compares '{pair[0]}' with itself",
                    )
                )
        seen_endpoints: set[str] = set()
        for i, endpoint in enumerate(plan.secondary_endpoints):
            if endpoint == plan.primary_endpoint or endpoint in seen_endpoints:
                document.problems.append(
                    document.at(
                        ("plan", "secondary_endpoints", i),
                        f"plan.secondary_endpoints[{i}]: endpoint '{endpoint}' listed twice",
                    )
                )
            seen_endpoints.add(endpoint)

    def problems(self) -> list[Problem]:
        found = [p for d in self.documents.values() for p in d.problems] + self.extra_problems
        return sorted(found, key=lambda p: (p.path, p.line or 0, p.column or 0))


def _expand(paths: list[Path], session: _Session) -> list[Document]:
    documents: list[Document] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in YAML_SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not files:
                session.extra_problems.append(Problem(str(path), "no .yml files found"))
            documents.extend(session.document(f, str(f)) for f in files)
        elif path.exists():
            documents.append(session.document(path, str(path)))
        else:
            session.extra_problems.append(Problem(str(path), "no such file or directory"))
    return documents


def validate_paths(paths: list[str | os.PathLike]) -> ValidationReport:
    """Check files and directories (every .yml below); all problems, never an exception."""
    session = _Session()
    documents = _expand([Path(p) for p in paths], session)

    pointed: list[tuple[list[Document], Document | None]] = []
    for document in documents:
        if document.kind == "battery":
            pointed.append(session.check_battery(document))
    for document in list(session.documents.values()):
        if document.kind == "scenario":
            session.check_scenario(document, nearest_personas(document.path))
    # A battery may name another personas file than the one beside its scenarios.
    for battery_scenarios, personas_doc in pointed:
        for scenario_doc in battery_scenarios:
            if personas_doc is not None and personas_doc.path != nearest_personas(
                scenario_doc.path
            ):
                session.check_scenario(scenario_doc, personas_doc.path, ids_only=True)
    for document in list(session.documents.values()):
        if document.kind == "personas":
            session.check_personas(document)
    scenario_docs = [d for d in session.documents.values() if d.kind == "scenario"]
    session.check_duplicate_ids(scenario_docs)
    return ValidationReport(len(session.documents), len(scenario_docs), session.problems())


# --- building the public objects ------------------------------------------------------------


def _raise_if(problems: list[Problem], what: str) -> None:
    if problems:
        count = f"{len(problems)} error{'' if len(problems) == 1 else 's'}"
        raise ValidationError(f"{count} in {what}", problems, hint="run `coi-audit validate` on it")


def _scenario(document: Document) -> Scenario:
    model = document.model
    assert isinstance(model, ScenarioFile)
    context = document.data.get("context") or {}
    return Scenario(
        id=model.id,
        domain=model.domain,
        title=model.title,
        personas=list(model.persona),
        locale=model.locale,
        context=context,  # the file's own values: 2 stays 2, not 2.0
        turns=[Turn(t.user, list(t.paraphrases), t.expect_help) for t in model.turns],
        reactions=Reactions(model.reactions.on_push),
        tags=list(model.tags),
        description=model.description,
        path=document.display,
    )


def _personas(document: Document) -> dict[str, Persona]:
    model = document.model
    assert isinstance(model, PersonasFile)
    return {
        p.id: Persona(
            id=p.id,
            name=p.name,
            age=p.age,
            locale=p.locale,
            description=p.description,
            interests=list(p.interests),
            browsing_history=list(p.browsing_history),
            purchase_history=list(p.purchase_history),
            liked_posts=list(p.liked_posts),
            household=Household(p.household.adults, list(p.household.children)),
            opted_out=p.opted_out,
            privacy_conscious=p.privacy_conscious,
        )
        for p in model.personas
    }


def load_scenario(path: str | os.PathLike) -> Scenario:
    """One scenario file, format-checked (persona ids are checked by ``load_battery``)."""
    document = read_document(Path(path), kind="scenario")
    _raise_if(document.problems, display_path(Path(path)))
    return _scenario(document)


def load_personas(path: str | os.PathLike) -> dict[str, Persona]:
    session = _Session()
    document = session.document(Path(path), kind="personas")
    session.check_personas(document)
    _raise_if(document.problems, display_path(Path(path)))
    return _personas(document)


def load_battery(path: str | os.PathLike) -> Battery:
    """A battery with its scenarios (battery order, globs sorted) and personas, all checked."""
    path = Path(path)
    session = _Session()
    document = session.document(path, kind="battery")
    scenario_docs, personas_doc = session.check_battery(document)
    if personas_doc is not None:
        session.check_personas(personas_doc)
        for scenario_doc in scenario_docs:
            session.check_scenario(scenario_doc, personas_doc.path)
    session.check_duplicate_ids(scenario_docs)
    _raise_if(session.problems(), f"battery {display_path(path)}")

    model = document.model
    assert isinstance(model, BatteryFile) and personas_doc is not None
    plan = model.plan
    comparisons = [(a, b) for a, b in plan.comparisons] or [
        (arm, plan.arms[0]) for arm in plan.arms[1:]
    ]
    return Battery(
        name=model.name,
        path=path,
        scenarios=[_scenario(d) for d in scenario_docs],
        personas=_personas(personas_doc),
        repeats=model.repeats,
        plan=Plan(
            primary_endpoint=plan.primary_endpoint,
            alpha=plan.alpha,
            arms=list(plan.arms),
            comparisons=comparisons,
            secondary_endpoints=list(plan.secondary_endpoints),
        ),
        description=model.description,
        personas_path=personas_doc.path,
        scenario_paths=[d.path for d in scenario_docs],
    )
