from __future__ import annotations

import json

import pandas as pd
import pytest

import audit
from tests.audit.cli.harness_fixtures import invoke, make_setup, run_dir_of
from tests.fakebot import patch_detector


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    patch_detector(mp)
    try:
        setup = make_setup(tmp_path_factory.mktemp("export"), "", kind="python")
        result = invoke(setup.run_args("--quiet", "--limit", "4"))
        assert result.exit_code == 0, result.output
    finally:
        mp.undo()
    return run_dir_of(result)


def read_back(path, fmt):
    if fmt == "csv":
        frame = pd.read_csv(path)
        if "techniques" in frame:
            frame["techniques"] = [json.loads(t) for t in frame["techniques"]]
        return frame
    if fmt == "parquet":
        frame = pd.read_parquet(path)
        if "techniques" in frame:
            frame["techniques"] = [list(t) for t in frame["techniques"]]
        return frame
    lines = path.read_text(encoding="utf-8").splitlines()
    return pd.DataFrame([json.loads(line) for line in lines])


def normalise(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain values with missing values as None (formats differ in NaN vs None)."""
    rows = []
    for record in frame.to_dict("records"):
        row = {}
        for key, value in record.items():
            if isinstance(value, float) and value != value:
                value = None
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            row[key] = value
        rows.append(row)
    return rows


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_export_round_trips(run_dir, tmp_path, fmt):
    out = tmp_path / fmt
    result = invoke(["export", str(run_dir), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{t}.{fmt}" for t in ("conversations", "labels", "turns")
    )
    run = audit.load_run(run_dir)
    for table in ("conversations", "turns", "labels"):
        original = getattr(run, table)
        back = read_back(out / f"{table}.{fmt}", fmt)
        assert len(back) == len(original) > 0
        assert list(back.columns) == list(original.columns)
        for got, want in zip(normalise(back), normalise(original), strict=True):
            diff = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
            assert not diff, (table, diff)


def test_default_out_dir_and_bad_run(run_dir, tmp_path):
    result = invoke(["export", str(run_dir)])
    assert result.exit_code == 0
    assert (run_dir / "export" / "turns.csv").exists()
    result = invoke(["export", str(tmp_path / "missing")])
    assert result.exit_code == 1 and "no such run directory" in result.stderr
