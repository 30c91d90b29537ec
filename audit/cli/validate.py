"""`coi-audit validate`: check scenario, persona and battery files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from audit.errors import ValidationError
from audit.scenario import validate_paths
from audit.scenario.schema import SCHEMA_DIR, write_schemas

DEFAULT_PATH = "scenarios"


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON on stdout.")
@click.option(
    "--write-schema",
    "schema_dir",
    is_flag=False,
    flag_value=str(SCHEMA_DIR),
    default=None,
    metavar="[DIR]",
    help="Regenerate the JSON Schemas of the formats (default: scenarios/schema/) and exit.",
)
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], as_json: bool, schema_dir: str | None):
    """Check scenario, persona and battery files (default: scenarios/).

    Every problem is printed as `path:line:column: message`: unknown keys (with a "did you
    mean"), wrong types, missing fields, unknown persona ids, duplicate scenario ids, invalid
    regexes, unknown reactions, empty turns, unsupported locales. Exit status 0 when clean,
    1 otherwise, after a summary line `N files, M scenarios, K errors`.
    """
    if schema_dir is not None:
        for path in write_schemas(schema_dir):
            click.echo(f"wrote {path}")
        return
    report = validate_paths(list(paths) or [DEFAULT_PATH])
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        ctx.exit(0 if report.ok else 1)
    if report.ok:
        click.echo(report.summary())
        return
    raise ValidationError(report.summary(), report.problems)
