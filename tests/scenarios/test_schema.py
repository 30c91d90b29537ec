"""The JSON Schemas shipped in scenarios/schema/ are exactly what the models generate."""

from __future__ import annotations

import json

from audit.scenario.schema import SCHEMA_DIR, generate_schemas


def test_shipped_schemas_are_up_to_date():
    generated = generate_schemas()
    shipped = {p.name: p.read_text(encoding="utf-8") for p in SCHEMA_DIR.glob("*.json")}
    assert shipped == generated, "run `coi-audit validate --write-schema` and commit the result"


def test_schemas_describe_the_formats():
    scenario = json.loads(generate_schemas()["scenario.schema.json"])
    assert scenario["additionalProperties"] is False
    assert set(scenario["required"]) == {"version", "id", "domain", "title", "persona", "turns"}
    assert "from" in scenario["$defs"]["Train"]["properties"]
    persona = scenario["properties"]["persona"]
    assert [option["type"] for option in persona["anyOf"]] == ["string", "array"]
