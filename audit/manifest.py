"""``manifest.json``: what a run was, in one file a reviewer can read (docs/contracts.md).

Written atomically (``audit.fsutil``) when a run starts, again when it ends or is interrupted,
and on every resume. It names the inputs by path and sha256 so that a reader can tell whether
the files they hold are the ones that were run. Target files are described by
``Target.describe()``, which never includes headers, tokens or URL credentials.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from audit import __version__
from audit.errors import AuditError
from audit.fsutil import atomic_write_json
from audit.store import FORMAT_VERSION, MANIFEST_NAME


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entry(path: str | os.PathLike) -> dict:
    path = Path(path)
    return {"path": str(path), "sha256": file_sha256(path)}


def command_line(argv: list[str] | None = None) -> list[str]:
    argv = list(sys.argv if argv is None else argv)
    if argv and Path(argv[0]).name in ("__main__.py", "coi-audit", "main.py"):
        argv[0] = "coi-audit"
    return argv


def new_manifest(
    *,
    run_id: str,
    argv: list[str],
    seed: int,
    battery: dict,
    scenario_count: int,
    cell_count: int,
    arms: dict[str, dict],
    options: dict,
    detector: dict,
    started_at: str,
    plan: dict | None = None,
) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "toolkit_version": __version__,
        "run_id": run_id,
        "command_line": argv,
        "seed": seed,
        "battery": battery,
        "scenario_count": scenario_count,
        "cell_count": cell_count,
        "conversation_count": cell_count * len(arms),
        "arms": arms,
        "options": options,
        "detector": detector,
        "plan": plan,
        "react_on": options.get("react_on"),
        "bot_versions": {},
        "status": "running",
        "started_at": started_at,
        "ended_at": None,
        "hash_root": None,
        "counts": {},
        "resumes": [],
    }


def write_manifest(run_dir: str | os.PathLike, manifest: dict) -> Path:
    return atomic_write_json(Path(run_dir) / MANIFEST_NAME, manifest)


def read_manifest(run_dir: str | os.PathLike) -> dict:
    path = Path(run_dir) / MANIFEST_NAME
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuditError(
            f"{run_dir}: no {MANIFEST_NAME}", hint="pass a directory created by `coi-audit run`"
        ) from None
    except (OSError, ValueError) as exc:
        raise AuditError(f"{path}: cannot read the manifest ({exc})") from None
    if not isinstance(data, dict):
        raise AuditError(f"{path}: the manifest is not a JSON object")
    return data


def run_plan(declared: dict, run_arms: list[str]) -> dict:
    """The battery's analysis plan, restricted to the arms this run plays.

    The plan is declared before the run (a pre-registration); a comparison whose arms were not
    both run is dropped here and listed under ``dropped_comparisons`` so the report can say so.
    """
    kept, dropped = [], []
    for pair in declared.get("comparisons") or []:
        (kept if all(arm in run_arms for arm in pair) else dropped).append(list(pair))
    if not declared.get("comparisons"):
        kept = [[arm, run_arms[0]] for arm in run_arms[1:]]
    return {
        **declared,
        "arms": [arm for arm in declared.get("arms") or run_arms if arm in run_arms]
        + [arm for arm in run_arms if arm not in (declared.get("arms") or run_arms)],
        "comparisons": kept,
        "dropped_comparisons": dropped,
    }
