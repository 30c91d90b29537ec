"""Reading replies to label (JSONL or CSV, a file or stdin) with `file:line:` errors.

Blank JSONL lines are skipped (documented in `coi-audit detect --help`). Every other bad line
(invalid JSON, not an object, missing or non-string text field, bytes that are not UTF-8, a NUL
byte, a line over 1 MB) is a problem located by line; up to 20 are reported at once and nothing
is labelled.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from audit.errors import AuditError, Problem, ValidationError
from audit.vocabulary import LOCALES

MAX_LINE_BYTES = 1_000_000
MAX_PROBLEMS = 20
LABEL_FIELDS = ("push", "commercial", "data_use", "disclosed", "child_directed")


@dataclass(frozen=True)
class Reply:
    id: object
    text: str
    locale: str | None
    line: int


def _read_bytes(path: str | Path) -> tuple[bytes, str]:
    if str(path) == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    p = Path(path)
    if p.is_dir():
        raise AuditError(f"{p}: is a directory, expected a JSONL or CSV file")
    try:
        return p.read_bytes(), str(p)
    except FileNotFoundError:
        raise AuditError(f"{p}: no such file") from None
    except OSError as exc:
        raise AuditError(f"{p}: cannot read ({exc.strerror})") from None


class _Problems:
    def __init__(self, name: str):
        self.name = name
        self.items: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.items.append(Problem(self.name, message, line))

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_PROBLEMS

    def raise_if_any(self, what: str = "nothing was labelled") -> None:
        if self.items:
            more = "+" if self.full else ""
            raise ValidationError(
                f"{len(self.items)}{more} bad line(s) in {self.name}; {what}", self.items
            )


def _decode(raw: bytes, number: int, problems: _Problems) -> str | None:
    if len(raw) > MAX_LINE_BYTES:
        problems.add(
            number,
            f"line of {len(raw):,} bytes, expected at most {MAX_LINE_BYTES:,} bytes per reply",
        )
        return None
    if b"\x00" in raw:
        problems.add(number, "NUL byte (binary data?), expected UTF-8 text")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(
            number,
            f"byte 0x{raw[exc.start]:02x} at column {exc.start + 1} is not UTF-8, expected UTF-8 text",
        )
        return None


def iter_json_objects(data: bytes, problems: _Problems):
    """(line number, object) for each non-blank line; problems for the bad ones."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if problems.full:
            return
        line = _decode(raw.rstrip(b"\r"), number, problems)
        if line is None or not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.add(
                number,
                f"invalid JSON ({exc.msg} at column {exc.colno}), expected one JSON object per line",
            )
            continue
        if not isinstance(obj, dict):
            problems.add(number, f"a JSON {type(obj).__name__}, expected a JSON object")
            continue
        yield number, obj


def _text_of(
    obj: dict, field: str, number: int, problems: _Problems, where: str = "field"
) -> str | None:
    if field not in obj:
        keys = ", ".join(sorted(map(str, obj))[:6]) or "none"
        problems.add(
            number, f'no "{field}" {where} (found: {keys}), expected the reply text in "{field}"'
        )
        return None
    text = obj[field]
    if not isinstance(text, str):
        problems.add(number, f'"{field}" is {type(text).__name__}, expected a string')
        return None
    return text


def read_replies(
    path, fmt: str | None = None, text_field: str = "text", id_field: str = "id"
) -> list[Reply]:
    data, name = _read_bytes(path)
    fmt = fmt or ("csv" if str(path).lower().endswith(".csv") else "jsonl")
    problems = _Problems(name)
    replies: list[Reply] = []
    if fmt == "csv":
        for number, obj in _iter_csv(data, problems):
            text = _text_of(obj, text_field, number, problems, where="column")
            if text is not None:
                replies.append(Reply(obj.get(id_field) or number, text, _locale(obj), number))
    else:
        for number, obj in iter_json_objects(data, problems):
            text = _text_of(obj, text_field, number, problems)
            if text is not None:
                replies.append(Reply(obj.get(id_field, number), text, _locale(obj), number))
    problems.raise_if_any()
    return replies


def _locale(obj: dict) -> str | None:
    value = obj.get("locale")
    return value if value in LOCALES else None


def _iter_csv(data: bytes, problems: _Problems):
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        problems.add(
            data[: data.index(b"\x00")].count(b"\n") + 1,
            "NUL byte (binary data?), expected CSV text",
        )
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(line, f"byte 0x{data[exc.start]:02x} is not UTF-8, expected UTF-8 CSV text")
        return
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_LINE_BYTES)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            if reader.fieldnames is None:
                problems.add(1, "empty file, expected a CSV header line")
                return
            for row in reader:
                number = reader.line_num
                if None in row:
                    problems.add(
                        number,
                        f"{len(reader.fieldnames) + len(row[None])} fields, expected {len(reader.fieldnames)} as in the header",
                    )
                elif any(len(v or "") > MAX_LINE_BYTES for v in row.values()):
                    problems.add(
                        number,
                        f"a field over {MAX_LINE_BYTES:,} characters, expected one short reply per row",
                    )
                else:
                    yield number, row
                if problems.full:
                    return
        except csv.Error as exc:
            problems.add(
                reader.line_num or 1,
                f"{exc}, expected CSV with at most {MAX_LINE_BYTES:,} characters per field",
            )
    finally:
        csv.field_size_limit(limit)


def read_labelled(path, text_field: str = "text") -> tuple[list[dict], set[str]]:
    """Labelled rows for evaluation, and the label names every row carries.

    Each row needs the text and ``push`` (true/false); ``commercial``, ``data_use``,
    ``disclosed``, ``child_directed`` (booleans) and ``techniques`` (a list) are evaluated when
    every row has them.
    """
    from audit.detect.cues import TECHNIQUES

    data, name = _read_bytes(path)
    problems = _Problems(name)
    rows: list[dict] = []
    present = set(LABEL_FIELDS) | {"techniques"}
    for number, obj in iter_json_objects(data, problems):
        text = _text_of(obj, text_field, number, problems)
        if text is None:
            continue
        if not isinstance(obj.get("push"), bool):
            found = "missing" if "push" not in obj else f"{obj['push']!r}"
            problems.add(number, f'"push" is {found}, expected true or false')
            continue
        bad = [k for k in LABEL_FIELDS if k in obj and not isinstance(obj[k], bool)]
        if bad:
            problems.add(number, f'"{bad[0]}" is {obj[bad[0]]!r}, expected true or false')
            continue
        techniques = obj.get("techniques", [])
        if not isinstance(techniques, list) or any(t not in TECHNIQUES for t in techniques):
            problems.add(
                number,
                f'"techniques" is {techniques!r}, expected a list of: {", ".join(TECHNIQUES)}',
            )
            continue
        present &= {k for k in (*LABEL_FIELDS, "techniques") if k in obj}
        rows.append({**obj, "text": text, "techniques": techniques, "_line": number})
    problems.raise_if_any("nothing was evaluated")
    if not rows:
        raise AuditError(f'{name}: no labelled rows, expected JSON lines with a text and "push"')
    return rows, present
