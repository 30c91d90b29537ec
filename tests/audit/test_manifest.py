from __future__ import annotations

import hashlib
import json

import pytest

from audit.errors import AuditError
from audit.manifest import (
    command_line,
    file_entry,
    new_manifest,
    read_manifest,
    write_manifest,
)


def test_file_entry_hashes_the_bytes(tmp_path):
    path = tmp_path / "t.yml"
    data = b"kind: rasa\n" * 10_000  # larger than one read block
    path.write_bytes(data)
    assert file_entry(path) == {"path": str(path), "sha256": hashlib.sha256(data).hexdigest()}


def test_command_line_names_the_tool():
    assert command_line(["/x/audit/__main__.py", "run", "--seed", "1"]) == [
        "coi-audit",
        "run",
        "--seed",
        "1",
    ]
    assert command_line(["/venv/bin/coi-audit", "run"])[0] == "coi-audit"


def test_write_then_read_round_trips_atomically(tmp_path):
    manifest = new_manifest(
        run_id="r",
        argv=["coi-audit", "run"],
        seed=3,
        battery={"path": "b.yml", "sha256": "0" * 64},
        scenario_count=2,
        cell_count=5,
        arms={"a": {}, "b": {}},
        options={"react_on": "detector"},
        detector={"name": "d", "version": "1"},
        started_at="t0",
    )
    assert manifest["conversation_count"] == 10 and manifest["status"] == "running"
    write_manifest(tmp_path, manifest)
    assert read_manifest(tmp_path) == manifest
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]  # no temp file left


def test_read_errors_are_user_errors(tmp_path):
    with pytest.raises(AuditError, match=r"no manifest\.json"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(AuditError, match="cannot read the manifest"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps([1]))
    with pytest.raises(AuditError, match="not a JSON object"):
        read_manifest(tmp_path)


def test_run_plan_keeps_only_comparisons_between_arms_that_ran():
    from audit.manifest import run_plan

    declared = {
        "primary_endpoint": "push_rate",
        "alpha": 0.05,
        "arms": ["neutral", "commercial", "disclosed"],
        "comparisons": [["commercial", "neutral"], ["disclosed", "neutral"]],
        "secondary_endpoints": ["any_push"],
    }
    plan = run_plan(declared, ["neutral", "commercial"])
    assert plan["arms"] == ["neutral", "commercial"]
    assert plan["comparisons"] == [["commercial", "neutral"]]
    assert plan["dropped_comparisons"] == [["disclosed", "neutral"]]
    assert plan["secondary_endpoints"] == ["any_push"]


def test_run_plan_without_declared_comparisons_compares_every_arm_with_the_first():
    from audit.manifest import run_plan

    plan = run_plan({"primary_endpoint": "push_rate"}, ["a", "b", "c"])
    assert plan["comparisons"] == [["b", "a"], ["c", "a"]]
    assert plan["arms"] == ["a", "b", "c"]
