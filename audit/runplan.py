"""Everything ``coi-audit run`` decides before the first message: inputs, arms, run directory.

A fresh run reads the battery and target files named on the command line; a resumed run reads
them back from the manifest, refuses to go on if any of them changed since (a resumed run must
equal an uninterrupted one), and refuses options that contradict the manifest.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audit.errors import AuditError
from audit.manifest import file_entry, file_sha256, read_manifest
from audit.runner import REACT_ON, Arm
from audit.target import load_target

ARM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass
class Settings:
    """The options that define what a run plays (the same on every resume)."""

    battery: Path
    arm_files: dict[str, Path]
    seed: int = 0
    repeats: int | None = None
    limit: int | None = None
    react_on: str = "detector"
    target_url: str | None = None

    def to_manifest(self) -> dict:
        return {
            "repeats": self.repeats,
            "limit": self.limit,
            "react_on": self.react_on,
            "target_url": self.target_url,
        }


@dataclass
class Plan:
    settings: Settings
    battery: Any
    cells: list[Any]
    arms: list[Arm]
    arm_entries: dict[str, dict] = field(default_factory=dict)
    battery_entry: dict = field(default_factory=dict)


def parse_arms(values: tuple[str, ...]) -> dict[str, Path]:
    arms: dict[str, Path] = {}
    for value in values:
        name, sep, path = value.partition("=")
        name, path = name.strip(), path.strip()
        if not sep or not name or not path:
            raise AuditError(f"--arm '{value}': expected NAME=TARGET.yml")
        if not ARM_NAME.match(name):
            raise AuditError(
                f"--arm '{value}': arm names use letters, digits, '_', '.' and '-' only"
            )
        if name in arms:
            raise AuditError(f"--arm '{name}' is given twice")
        arms[name] = Path(path)
    return arms


def build_plan(settings: Settings) -> Plan:
    from audit.scenario import expand_cells, load_battery

    if settings.react_on not in REACT_ON:
        raise AuditError(f"--react-on must be one of: {', '.join(REACT_ON)}")
    battery = load_battery(settings.battery)
    cells = list(expand_cells(battery, repeats=settings.repeats))
    if settings.limit is not None:
        cells = cells[: settings.limit]
    if not cells:
        raise AuditError(f"{settings.battery}: the battery gives no conversations to run")
    arms, entries = [], {}
    for name, path in settings.arm_files.items():
        target = load_target(path, url=settings.target_url)
        arms.append(Arm(name, target))
        entries[name] = {
            "target_file": str(path),
            "sha256": file_sha256(path),
            "target": target.describe(),
        }
    inputs = [getattr(battery, "personas_path", None), *getattr(battery, "scenario_paths", [])]
    battery_entry = {
        "path": str(settings.battery),
        "sha256": file_sha256(settings.battery),
        "name": battery.name,
        "files": [file_entry(p) for p in inputs if p is not None],
    }
    return Plan(settings, battery, cells, arms, entries, battery_entry)


def new_run_id(settings: Settings) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    salt = f"{time.time_ns()}|{os.getpid()}|{settings.battery}|{sorted(settings.arm_files)}"
    return f"{stamp}-{hashlib.sha256(salt.encode()).hexdigest()[:6]}"


def create_run_dir(out: Path, settings: Settings) -> tuple[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    for _ in range(10):
        run_id = new_run_id(settings)
        run_dir = out / run_id
        try:
            run_dir.mkdir()
        except FileExistsError:
            continue
        return run_id, run_dir
    raise AuditError(f"{out}: cannot create a new run directory")


def settings_for_resume(run_dir: Path, given: dict[str, Any]) -> tuple[dict, Settings]:
    """Settings from the manifest; ``given`` holds only options typed on the command line."""
    manifest = read_manifest(run_dir)
    try:
        options = manifest.get("options", {})
        stored = Settings(
            battery=Path(manifest["battery"]["path"]),
            arm_files={name: Path(e["target_file"]) for name, e in manifest["arms"].items()},
            seed=int(manifest["seed"]),
            repeats=options.get("repeats"),
            limit=options.get("limit"),
            react_on=options.get("react_on", "detector"),
            target_url=options.get("target_url"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise AuditError(f"{run_dir}/manifest.json: incomplete manifest ({exc})") from None
    conflicts = []
    if "battery" in given and Path(given["battery"]).resolve() != stored.battery.resolve():
        conflicts.append(f"--battery {given['battery']} (run used {stored.battery})")
    if "arms" in given and {k: v.resolve() for k, v in given["arms"].items()} != {
        k: v.resolve() for k, v in stored.arm_files.items()
    }:
        conflicts.append("--arm (the run's arms: " + ", ".join(manifest["arms"]) + ")")
    for key in ("seed", "repeats", "limit", "react_on"):
        if key in given and given[key] != getattr(stored, key):
            conflicts.append(
                f"--{key.replace('_', '-')} {given[key]} (run used {getattr(stored, key)})"
            )
    if conflicts:
        raise AuditError(
            "--resume cannot change what the run plays: " + "; ".join(conflicts),
            hint="drop these options; a resumed run takes them from its manifest",
        )
    if "target_url" in given:
        stored.target_url = given["target_url"]  # the bot may listen elsewhere now
    changed = [
        str(path)
        for path, digest in [
            (stored.battery, manifest["battery"].get("sha256")),
            *((stored.arm_files[n], e.get("sha256")) for n, e in manifest["arms"].items()),
            *((Path(f["path"]), f.get("sha256")) for f in manifest["battery"].get("files", [])),
        ]
        if not path.exists() or file_sha256(path) != digest
    ]
    if changed:
        raise AuditError(
            "cannot resume: changed or missing since the run started: " + ", ".join(changed),
            hint="a resumed run must replay the same files; start a new run instead",
        )
    return manifest, stored
