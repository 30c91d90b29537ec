"""`coi-audit run`: play a battery against one or more arms into runs/<run-id>/."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from audit.errors import AuditError
from audit.manifest import command_line, new_manifest, run_plan, write_manifest
from audit.runner import REACT_ON, Finished, Outcome, Runner, default_detector, now_iso, plan_work
from audit.runplan import (
    Settings,
    build_plan,
    create_run_dir,
    parse_arms,
    settings_for_resume,
)
from audit.store import Store
from audit.target import redact_url


@click.command("run")
@click.option("--battery", type=click.Path(path_type=Path, dir_okay=False), help="Battery file.")
@click.option(
    "--arm",
    "arms",
    multiple=True,
    metavar="NAME=TARGET.yml",
    help="An arm: a name and its target file. Repeat for several arms.",
)
@click.option("--repeats", type=click.IntRange(min=1), help="Override the battery's repeats.")
@click.option("--seed", type=int, default=0, show_default=True, help="Run seed.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=4,
    show_default=True,
    help="Conversations in flight at once.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("runs"),
    show_default=True,
    help="Where run directories are created.",
)
@click.option(
    "--resume",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Finish an interrupted run: skip its finished conversations, replay the rest.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N cells (every arm).")
@click.option(
    "--react-on",
    type=click.Choice(REACT_ON),
    default="detector",
    show_default=True,
    help="What flags a push that the simulated user reacts to.",
)
@click.option(
    "--max-error-share",
    type=click.FloatRange(0, 1),
    default=0.2,
    show_default=True,
    help="Exit 1 when more than this share of conversations failed.",
)
@click.option("--target-url", help="Override the url of every target (e.g. a local assistant).")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary table.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the results.")
@click.pass_context
def command(
    ctx: click.Context,
    battery,
    arms,
    repeats,
    seed,
    concurrency,
    out,
    resume,
    limit,
    react_on,
    max_error_share,
    target_url,
    quiet,
    as_json,
):
    """Play every cell of a battery against every arm and store the turns.

    Creates runs/<run-id>/ with run.sqlite (hash-chained turns, detector labels) and
    manifest.json, shows progress (conversations, turns/s, errors) and a summary per arm.
    Arms are interleaved in a seeded random order. Failed conversations are stored with
    status `error`; Ctrl-C stops after writing the finished ones, and `--resume RUN_DIR`
    finishes the run with the same results as an uninterrupted one.
    """
    argv = command_line()
    if resume is not None:
        given = {
            name: value
            for name, value in (
                ("battery", battery),
                ("seed", seed),
                ("repeats", repeats),
                ("limit", limit),
                ("react_on", react_on),
                ("target_url", target_url),
            )
            if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE
        }
        if arms:
            given["arms"] = parse_arms(arms)
        manifest, settings = settings_for_resume(resume, given)
        run_dir = resume
    else:
        if battery is None or not arms:
            raise AuditError(
                "run needs --battery FILE and at least one --arm NAME=TARGET.yml",
                hint="or --resume RUN_DIR to finish an interrupted run",
            )
        settings = Settings(
            battery=battery,
            arm_files=parse_arms(arms),
            seed=seed,
            repeats=repeats,
            limit=limit,
            react_on=react_on,
            target_url=target_url,
        )
        manifest = None
    plan = build_plan(settings)
    _check_reachable(plan.arms)
    try:
        detector = default_detector()
    except ImportError as exc:
        raise AuditError(f"the detector is not available ({exc})") from None

    detector_info = {"name": detector.name, "version": detector.version}
    if manifest is None:
        run_id, run_dir = create_run_dir(out, settings)
        manifest = new_manifest(
            run_id=run_id,
            argv=argv,
            seed=settings.seed,
            battery=plan.battery_entry,
            scenario_count=len(plan.battery.scenarios),
            cell_count=len(plan.cells),
            arms=plan.arm_entries,
            options={
                **settings.to_manifest(),
                "concurrency": concurrency,
                "max_error_share": max_error_share,
            },
            detector=detector_info,
            started_at=now_iso(),
            plan=run_plan(plan.battery.plan.to_dict(), list(plan.arm_entries)),
        )
    else:
        if manifest.get("detector") != detector_info:
            raise AuditError(
                f"cannot resume: the detector changed since the run started "
                f"({manifest.get('detector')} -> {detector_info})",
                hint="start a new run, or relabel the finished run with `coi-audit detect`",
            )
        manifest["status"] = "running"
        manifest["resumes"].append({"command_line": argv, "started_at": now_iso()})
    write_manifest(run_dir, manifest)
    if not as_json:
        click.echo(str(run_dir))

    try:
        store = Store(run_dir)
    except sqlite3.Error as exc:
        raise AuditError(f"{run_dir}: cannot open the run store ({exc})") from None
    try:
        work = plan_work(plan.cells, plan.arms, settings.seed)
        runner = Runner(
            store, concurrency=concurrency, react_on=settings.react_on, detector=detector
        )
        show_progress = not (quiet or as_json)
        try:
            outcome, versions = asyncio.run(_play(runner, work, plan.arms, show_progress))
        except sqlite3.Error as exc:
            raise AuditError(
                f"{run_dir}: cannot write the run store ({exc})",
                hint=f"finished conversations are kept; fix the cause, then --resume {run_dir}",
            ) from None
        if versions:
            manifest["bot_versions"].update(versions)
        totals = _totals(store, detector_info)
        manifest["hash_root"] = store.hash_root()
    finally:
        store.close()

    ended = now_iso()
    manifest["status"] = "interrupted" if outcome.interrupted else "complete"
    manifest["counts"] = totals["all"]
    if manifest["resumes"]:
        manifest["resumes"][-1]["ended_at"] = ended
    manifest["ended_at"] = ended
    write_manifest(run_dir, manifest)

    if as_json:
        click.echo(json.dumps(_report(run_dir, manifest, outcome, totals), ensure_ascii=False))
    elif not quiet:
        _print_summary(totals, outcome)

    if outcome.interrupted:
        click.echo(
            f"interrupted: {totals['all']['conversations']} of "
            f"{manifest['conversation_count']} conversations stored; finish with "
            f"`coi-audit run --resume {run_dir}`",
            err=True,
        )
        ctx.exit(130)
    all_counts = totals["all"]
    if all_counts["conversations"] and (
        all_counts["errors"] / all_counts["conversations"] > max_error_share
    ):
        share = all_counts["errors"] / all_counts["conversations"]
        raise AuditError(
            f"{all_counts['errors']} of {all_counts['conversations']} conversations failed "
            f"({share:.0%}), more than --max-error-share {max_error_share:g}; "
            f"first error: {totals['first_error']}",
            hint=f"the run is stored in {run_dir}; its errors are in the conversations table",
        )


async def _play(runner: Runner, work, arms, show_progress: bool) -> tuple[Outcome, dict]:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
            installed.append(signum)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (tests): Ctrl-C is then the caller's business
    try:
        versions = await _bot_versions(arms)
        if not show_progress:
            return await runner.run(work, stop), versions
        return await _run_with_progress(runner, work, stop), versions
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


def _check_reachable(arms) -> None:
    """Fail fast when nothing listens at a target's url (every conversation would fail)."""
    import httpx

    urls: dict[str, list[str]] = {}
    for arm in arms:
        url = getattr(arm.target, "url", None)
        if url:
            urls.setdefault(url, []).append(arm.name)
    with httpx.Client(trust_env=False, timeout=5) as client:
        for url, names in urls.items():
            try:
                client.get(url)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise AuditError(
                    f"arm {', '.join(names)}: cannot connect to {redact_url(url)} ({exc})",
                    hint="start the bot first (the reference assistant: `coi-audit assistant "
                    "start`), or point every arm elsewhere with --target-url",
                ) from None
            except httpx.HTTPError:
                pass  # it answers, even if not at this path: good enough


async def _bot_versions(arms) -> dict:
    import httpx

    async with httpx.AsyncClient(trust_env=False) as client:
        found = await asyncio.gather(
            *(arm.target.version_info(client) for arm in arms), return_exceptions=True
        )
    return {arm.name: info for arm, info in zip(arms, found, strict=True) if isinstance(info, dict)}


async def _run_with_progress(runner: Runner, work, stop: asyncio.Event) -> Outcome:
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    started = time.perf_counter()
    state = {"turns": 0, "errors": 0}
    progress = Progress(
        TextColumn("[bold]conversations"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.1f} turns/s"),
        TextColumn("{task.fields[errors]} errors"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    work = list(work)
    with progress:
        task = progress.add_task("run", total=len(work), rate=0.0, errors=0)
        done_before = len(runner.store.done_ids() & {w.conversation_id for w in work})
        progress.update(task, completed=done_before)

        def finished(event: Finished) -> None:
            state["turns"] += event.bot_turns
            state["errors"] += event.status == "error"
            elapsed = max(time.perf_counter() - started, 1e-9)
            progress.update(task, advance=1, rate=state["turns"] / elapsed, errors=state["errors"])

        runner.on_finished = finished
        return await runner.run(work, stop)


def _totals(store: Store, detector: dict) -> dict:
    """Counts per arm over the whole store (a resumed run includes the earlier part)."""
    db: sqlite3.Connection = store.db
    per_arm: dict[str, dict] = {}
    rows = db.execute(
        "SELECT arm, COUNT(*), SUM(status = 'error'), SUM(n_turns) FROM conversations GROUP BY arm"
    )
    for arm, n, errors, _ in rows:
        per_arm[arm] = {
            "conversations": n,
            "errors": errors or 0,
            "bot_turns": 0,
            "pushes": 0,
            "true_pushes": 0,
        }
    for arm, bot, true_pushes in db.execute(
        "SELECT c.arm, COUNT(*), SUM(COALESCE(json_extract(t.ground_truth_json, '$.push'), 0)) "
        "FROM turns t JOIN conversations c ON c.id = t.conversation_id "
        "WHERE t.role = 'bot' GROUP BY c.arm"
    ):
        per_arm[arm]["bot_turns"] = bot
        per_arm[arm]["true_pushes"] = int(true_pushes or 0)
    for arm, pushes in db.execute(
        "SELECT c.arm, SUM(l.push) FROM labels l JOIN conversations c ON c.id = l.conversation_id "
        "WHERE l.detector = ? AND l.detector_version = ? GROUP BY c.arm",
        (detector["name"], detector["version"]),
    ):
        per_arm[arm]["pushes"] = int(pushes or 0)
    keys = ("conversations", "errors", "bot_turns", "pushes", "true_pushes")
    all_counts = {k: sum(a[k] for a in per_arm.values()) for k in keys}
    first = db.execute(
        "SELECT id, error FROM conversations WHERE status = 'error' ORDER BY id LIMIT 1"
    ).fetchone()
    return {
        "arms": per_arm,
        "all": all_counts,
        "first_error": f"{first[0]}: {first[1]}" if first else None,
    }


def _report(run_dir: Path, manifest: dict, outcome: Outcome, totals: dict) -> dict:
    return {
        "run_dir": str(run_dir),
        "run_id": manifest["run_id"],
        "status": manifest["status"],
        "hash_root": manifest["hash_root"],
        "counts": {
            **totals["all"],
            "planned": outcome.planned,
            "skipped": outcome.skipped,
            "written": outcome.written,
            "seconds": round(outcome.seconds, 3),
            "turns_per_s": round(outcome.turns / outcome.seconds, 2) if outcome.seconds else None,
        },
        "arms": totals["arms"],
    }


def _print_summary(totals: dict, outcome: Outcome) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Run summary")
    table.add_column("arm")
    for name in ("conversations", "errors", "bot turns", "pushes flagged", "true pushes"):
        table.add_column(name, justify="right")
    for arm, c in sorted(totals["arms"].items()):
        table.add_row(
            arm,
            str(c["conversations"]),
            str(c["errors"]),
            str(c["bot_turns"]),
            str(c["pushes"]),
            str(c["true_pushes"]),
        )
    console = Console(file=sys.stdout)
    console.print(table)
    rate = outcome.turns / outcome.seconds if outcome.seconds else 0.0
    console.print(
        f"{outcome.written} conversations played, {outcome.skipped} already done, "
        f"{rate:.1f} bot turns/s"
    )
