"""`coi-audit export`: a run's tables as CSV, Parquet or JSON Lines."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import click

from audit.errors import AuditError
from audit.store import load_run

FORMATS = ("csv", "parquet", "jsonl")
TABLES = ("conversations", "turns", "labels")


def _atomic(path: Path, write) -> None:
    """Write through a temporary file in the same directory, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_run(
    run_dir: Path, fmt: str, out: Path, detector_version: str | None = None
) -> list[Path]:
    """Write conversations, turns and labels of a run to ``out`` in ``fmt``; return the files."""
    if fmt not in FORMATS:
        raise AuditError(f"unknown format '{fmt}' (expected one of: {', '.join(FORMATS)})")
    run = load_run(run_dir, detector_version=detector_version)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        frame = getattr(run, name).copy()
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            if "techniques" in frame:  # a list per row: JSON in a CSV cell
                frame["techniques"] = [json.dumps(list(t)) for t in frame["techniques"]]
            _atomic(path, lambda tmp, f=frame: f.to_csv(tmp, index=False))
        elif fmt == "parquet":
            _atomic(path, lambda tmp, f=frame: f.to_parquet(tmp, index=False, engine="pyarrow"))
        else:
            _atomic(path, lambda tmp, f=frame: _write_jsonl(f, tmp))
        written.append(path)
    return written


def _plain(value, missing):
    """A JSON-able Python value: NaN/NA become null, numpy scalars and arrays plain values."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is missing or value is None:
        return None
    return value


def _write_jsonl(frame, path: str) -> None:
    # pandas is loaded by load_run already; importing it here keeps it out of every command's
    # start-up. json.dumps keeps floats exact (repr), unlike pandas' to_json (at most 15 digits).
    import pandas as pd

    with open(path, "w", encoding="utf-8") as handle:
        for record in frame.to_dict("records"):
            row = {key: _plain(value, pd.NA) for key, value in record.items()}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


@click.command("export")
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="csv",
    show_default=True,
    help="File format of the tables.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Output directory (default: RUN_DIR/export).",
)
@click.option("--detector-version", help="Labels of this detector version (default: newest).")
def command(run_dir: Path, fmt: str, out: Path | None, detector_version: str | None):
    """Export a run's conversations, turns and labels tables.

    Writes conversations.<fmt>, turns.<fmt> and labels.<fmt> (Parquet through pyarrow). In CSV,
    the `techniques` list of a label is a JSON array in its cell.
    """
    if not run_dir.exists():
        raise AuditError(f"{run_dir}: no such run directory")
    for path in export_run(run_dir, fmt, out or run_dir / "export", detector_version):
        click.echo(str(path))
