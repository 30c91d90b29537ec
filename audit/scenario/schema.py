"""JSON Schemas of the file formats, generated from the pydantic file models.

They are shipped in ``scenarios/schema/`` so that editors validate while typing; regenerate
them with ``coi-audit validate --write-schema`` (or ``python -m audit.scenario.schema``) after
changing ``audit/scenario/files.py``. A test checks that the shipped files are up to date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from audit.fsutil import atomic_write_text
from audit.scenario.files import FILE_MODELS

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "scenarios" / "schema"
SCHEMA_BASE_ID = "https://coi-audit.invalid/schema/"


def schema_filename(kind: str) -> str:
    return f"{kind}.schema.json"


def generate_schemas() -> dict[str, str]:
    """File name -> JSON text, deterministic (sorted keys, trailing newline)."""
    out: dict[str, str] = {}
    for kind, model in FILE_MODELS.items():
        schema = model.model_json_schema(by_alias=True, mode="validation")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_BASE_ID + schema_filename(kind),
            **schema,
        }
        out[schema_filename(kind)] = (
            json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
    return out


def write_schemas(directory: str | Path = SCHEMA_DIR) -> list[Path]:
    directory = Path(directory)
    written = []
    for name, text in generate_schemas().items():
        written.append(atomic_write_text(directory / name, text))
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in write_schemas(sys.argv[1] if len(sys.argv) > 1 else SCHEMA_DIR):
        print(path)
