"""The JSON Schemas shipped in scenarios/schema/ are exactly what the models generate."""

from __future__ import annotations

import json
import re

from audit.scenario.schema import SCHEMA_DIR, generate_schemas
from audit.yaml_lines import load_yaml


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


# A minimal JSON Schema checker for the keywords the generated schemas use (no jsonschema
# package in the toolkit env), so that editors validating with the shipped schemas agree with
# `coi-audit validate` on the shipped files.
def schema_errors(value, schema, root, at="$"):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return schema_errors(value, root["$defs"][name], root, at)
    if "anyOf" in schema:
        if all(schema_errors(value, option, root, at) for option in schema["anyOf"]):
            return [f"{at}: matches no anyOf option"]
        return []
    errors = []
    kind = schema.get("type")
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
        "null": lambda v: v is None,
    }
    if kind and not checks[kind](value):
        return [f"{at}: not {kind}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{at}: not {schema['const']}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{at}: not in enum")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 1e9):
            errors.append(f"{at}: length")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{at}: pattern")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < schema.get("minimum", -1e300) or value > schema.get("maximum", 1e300):
            errors.append(f"{at}: range")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errors.append(f"{at}: range")
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            errors.append(f"{at}: range")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 1e9):
            errors.append(f"{at}: items count")
        for i, item in enumerate(value):
            errors += schema_errors(item, schema.get("items", {}), root, f"{at}[{i}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{at}: missing {k}" for k in schema.get("required", []) if k not in value]
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                errors += schema_errors(item, properties[key], root, f"{at}.{key}")
            elif extra is False:
                errors.append(f"{at}: unknown {key}")
            elif isinstance(extra, dict):
                errors += schema_errors(item, extra, root, f"{at}.{key}")
    return errors


def shipped_files():
    root = SCHEMA_DIR.parent
    yield root / "personas.yml", "personas"
    for path in sorted((root / "batteries").glob("*.yml")):
        yield path, "battery"
    for path in sorted(root.glob("*/*.yml")):
        if path.parent.name != "batteries":
            yield path, "scenario"


def test_shipped_files_validate_against_the_shipped_schemas():
    schemas = {name: json.loads(text) for name, text in generate_schemas().items()}
    count = 0
    for path, kind in shipped_files():
        data = load_yaml(path.read_text(encoding="utf-8"), str(path)).data
        assert (
            schema_errors(data, schemas[f"{kind}.schema.json"], schemas[f"{kind}.schema.json"])
            == []
        ), path
        count += 1
    assert count > 60


def test_the_schema_checker_rejects_broken_documents():
    schema = json.loads(generate_schemas()["scenario.schema.json"])
    text = (SCHEMA_DIR.parent / "weather" / "cold-morning-weather.yml").read_text(encoding="utf-8")
    good = load_yaml(text, "x.yml").data
    assert schema_errors(good, schema, schema) == []
    for key, value in [("locale", "de"), ("id", "Bad_Id"), ("turns", []), ("titel", "x")]:
        assert schema_errors({**good, key: value}, schema, schema), key
    assert schema_errors({**good, "context": {"weather": {"condition": "snowy"}}}, schema, schema)
