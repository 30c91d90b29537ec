"""`coi-audit verify`: recompute every hash chain and the manifest's root."""

from __future__ import annotations

import json
from pathlib import Path

import click

from audit.errors import AuditError
from audit.manifest import read_manifest
from audit.store import Store


def verify_run(run_dir: Path) -> dict:
    """Check a run; the result lists every broken conversation or turn (``ok`` when none)."""
    manifest = read_manifest(run_dir)
    store = Store(run_dir, read_only=True)
    try:
        problems = [
            {"conversation": p.conversation_id, "idx": p.idx, "message": p.message}
            for p in store.verify_chains()
        ]
        root = store.hash_root()
        n_conversations, n_turns = store.db.execute(
            "SELECT (SELECT COUNT(*) FROM conversations), (SELECT COUNT(*) FROM turns)"
        ).fetchone()
    finally:
        store.close()
    expected = manifest.get("hash_root")
    if expected is None:
        message = "the manifest has no hash_root"
        if manifest.get("status") == "running":
            message += (
                f" (the run did not finish: complete it with `coi-audit run --resume {run_dir}`)"
            )
        problems.append({"conversation": None, "idx": None, "message": message})
    elif expected != root:
        problems.append(
            {
                "conversation": None,
                "idx": None,
                "message": f"hash root {root} does not match the manifest's {expected} "
                "(conversations added, removed or rewritten)",
            }
        )
    return {
        "run_dir": str(run_dir),
        "ok": not problems,
        "conversations": n_conversations,
        "turns": n_turns,
        "hash_root": root,
        "manifest_hash_root": expected,
        "problems": problems,
    }


def _describe(problem: dict) -> str:
    if problem["conversation"] is None:
        return problem["message"]
    where = f"conversation {problem['conversation']}"
    if problem["idx"] is not None:
        where += f", turn {problem['idx']}"
    return f"{where}: {problem['message']}"


@click.command("verify")
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.pass_context
def command(ctx: click.Context, run_dir: Path, as_json: bool):
    """Check that a stored run was not altered.

    Recomputes every turn's hash along each conversation's chain and the root over all
    conversations, and compares the root with manifest.json. Exit 0 when everything matches;
    exit 1 naming each broken conversation and the first tampered turn in it.
    """
    if not run_dir.exists():
        raise AuditError(f"{run_dir}: no such run directory")
    result = verify_run(run_dir)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        ctx.exit(0 if result["ok"] else 1)
    if result["ok"]:
        click.echo(
            f"ok: {result['conversations']} conversations, {result['turns']} turns, "
            f"hash root {result['hash_root']}"
        )
        return
    for problem in result["problems"]:
        click.echo(f"{run_dir}: {_describe(problem)}", err=True)
    raise AuditError(
        f"{run_dir}: verification failed ({len(result['problems'])} problem"
        f"{'s' if len(result['problems']) != 1 else ''})"
    )
