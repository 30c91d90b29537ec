"""`coi-audit detect`: label replies, evaluate the detector, relabel a stored run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from audit.errors import AuditError

FORMATS = ("jsonl", "csv")
BATCH = 2000


@click.command("detect")
@click.argument("input_path", metavar="[INPUT]", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Input format (default: from the extension; '-' is JSONL).",
)
@click.option(
    "--text-field",
    default="text",
    show_default=True,
    help="Field (JSONL key or CSV column) holding the reply.",
)
@click.option(
    "--id-field",
    default="id",
    show_default=True,
    help="Field holding the id (default: the line number).",
)
@click.option(
    "--locale",
    type=click.Choice(["en", "fr", "auto"]),
    default="auto",
    show_default=True,
    help="Language of the replies; auto uses a row's 'locale' field, else a guess.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON lines to FILE (atomically) instead of stdout.",
)
@click.option(
    "--evaluate",
    "evaluate_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="LABELLED.jsonl",
    help="Evaluate on labelled JSONL (fields of the corpus) and print metrics.",
)
@click.option(
    "--min-f1",
    "min_f1",
    multiple=True,
    metavar="[LABEL=]F1",
    help="With --evaluate: exit 1 when push F1 (or LABEL's F1; LABEL may be technique_macro) is below F1. Repeatable.",
)
@click.option(
    "--run",
    "run_dir",
    type=click.Path(path_type=Path),
    metavar="RUN_DIR",
    help="Relabel the bot turns of a stored run (labels of other versions are kept).",
)
@click.option(
    "--against",
    type=click.Choice(["ground-truth"]),
    help="With --run: report agreement with the bot's ground truth and write RUN_DIR/detector_accuracy.json.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="With --evaluate or --run: print the results as JSON."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
def command(
    input_path,
    fmt,
    text_field,
    id_field,
    locale,
    out,
    evaluate_path,
    min_f1,
    run_dir,
    against,
    as_json,
    quiet,
):
    """Find sales pushes and persuasion techniques in assistant replies.

    \b
    coi-audit detect replies.jsonl            one JSON line per reply on stdout
    coi-audit detect replies.csv --out labels.jsonl
    coi-audit detect --evaluate labelled.jsonl --min-f1 0.9 --min-f1 disclosed=0.9
    coi-audit detect --run runs/<id> --against ground-truth

    Each output line: {"id", "push", "commercial", "techniques", "data_use", "disclosed",
    "child_directed", "score", "evidence": [{"start", "end", "label"}]}; evidence offsets are
    Python string indices (code points) into the reply. Blank lines of JSONL input are skipped;
    any other bad line is reported as `file:line: what was found, what was expected`.
    """
    modes = sum(x is not None for x in (input_path, evaluate_path, run_dir))
    if modes != 1:
        raise AuditError(
            "give exactly one of INPUT, --evaluate LABELLED.jsonl or --run RUN_DIR",
            hint="coi-audit detect --help",
        )
    if against and run_dir is None:
        raise AuditError("--against needs --run RUN_DIR")
    if min_f1 and evaluate_path is None:
        raise AuditError("--min-f1 needs --evaluate LABELLED.jsonl")
    if evaluate_path is not None:
        from audit.detect.report import run_evaluation

        sys.exit(run_evaluation(evaluate_path, min_f1, as_json=as_json, text_field=text_field))
    if run_dir is not None:
        from audit.detect.relabel import relabel_run

        relabel_run(run_dir, against=against, as_json=as_json, quiet=quiet)
        return
    _label_file(input_path, fmt, text_field, id_field, locale, out, quiet)


def _label_file(input_path, fmt, text_field, id_field, locale, out, quiet) -> None:
    # Imported here, not at module level: audit.detect loads scikit-learn (about 2 s), which
    # every other coi-audit command would pay at start-up.
    from audit.detect import detect
    from audit.detect.io import read_replies

    rows = read_replies(input_path, fmt=fmt, text_field=text_field, id_field=id_field)
    lines: list[str] = []
    progress = None
    if out is not None and not quiet and sys.stderr.isatty() and len(rows) > BATCH:
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
        task = progress.add_task("detecting", total=len(rows))
    try:
        for first in range(0, len(rows), BATCH):
            batch = rows[first : first + BATCH]
            locales = [r.locale if locale == "auto" and r.locale else locale for r in batch]
            for row, label in zip(batch, detect([r.text for r in batch], locales), strict=True):
                lines.append(json.dumps({"id": row.id, **label.to_dict()}, ensure_ascii=False))
            if progress is not None:
                progress.update(task, advance=len(batch))
    finally:
        if progress is not None:
            progress.stop()
    text = "".join(line + "\n" for line in lines)
    if out is None:
        click.echo(text, nl=False)
        return
    from audit.fsutil import atomic_write_text

    atomic_write_text(out, text)
    if not quiet:
        pushes = sum('"push": true' in line for line in lines)
        click.echo(f"labelled {len(lines)} replies ({pushes} pushes) -> {out}", err=True)


__all__ = ["command"]
