"""Reading replies: blank lines skipped, every other bad line reported as file:line."""

from __future__ import annotations

import pytest

from audit.detect.io import MAX_LINE_BYTES, read_labelled, read_replies
from audit.errors import AuditError, ValidationError


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def problems(exc: ValidationError) -> list[str]:
    return [str(p) for p in exc.problems]


def test_jsonl_ids_locales_and_blank_lines(tmp_path):
    path = write(
        tmp_path, "r.jsonl", b'{"id": "a", "text": "hi", "locale": "fr"}\n\n  \n{"text": "yo"}\n'
    )
    replies = read_replies(path)
    assert [(r.id, r.text, r.locale, r.line) for r in replies] == [
        ("a", "hi", "fr", 1),
        (4, "yo", None, 4),
    ]


def test_bom_and_crlf_are_accepted(tmp_path):
    path = write(tmp_path, "r.jsonl", b'\xef\xbb\xbf{"text": "hi"}\r\n{"text": "yo"}\r\n')
    assert [r.text for r in read_replies(path)] == ["hi", "yo"]


def test_every_bad_line_is_located(tmp_path):
    data = (
        b'{"text": 3}\nnot json\n[1]\n{"id": 1}\n{"text": "\xff"}\n'
        + b'{"text": "'
        + b"a" * MAX_LINE_BYTES
        + b'"}\n'
    )
    path = write(tmp_path, "bad.jsonl", data)
    with pytest.raises(ValidationError) as info:
        read_replies(path)
    found = problems(info.value)
    assert found[0] == f'{path}:1: "text" is int, expected a string'
    assert found[1].startswith(f"{path}:2: invalid JSON (Expecting value at column 1)")
    assert found[2] == f"{path}:3: a JSON list, expected a JSON object"
    assert found[3] == f'{path}:4: no "text" field (found: id), expected the reply text in "text"'
    assert found[4].startswith(f"{path}:5: byte 0xff at column 11 is not UTF-8")
    assert found[5].startswith(f"{path}:6: line of 1,000,012 bytes")
    assert "6 bad line(s)" in info.value.message


def test_binary_file(tmp_path):
    path = write(tmp_path, "x.jsonl", b"\x7fELF\x02\x01\x01\x00\x00\x00")
    with pytest.raises(ValidationError) as info:
        read_replies(path)
    assert problems(info.value) == [f"{path}:1: NUL byte (binary data?), expected UTF-8 text"]


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(AuditError, match="no such file"):
        read_replies(tmp_path / "nope.jsonl")
    with pytest.raises(AuditError, match="is a directory"):
        read_replies(tmp_path)


def test_csv_with_custom_fields(tmp_path):
    path = write(tmp_path, "r.csv", 'ref,reply\nx1,"Hello, world"\nx2,Ça va ?\n'.encode())
    replies = read_replies(path, text_field="reply", id_field="ref")
    assert [(r.id, r.text, r.line) for r in replies] == [
        ("x1", "Hello, world", 2),
        ("x2", "Ça va ?", 3),
    ]


def test_csv_problems(tmp_path):
    path = write(tmp_path, "r.csv", b"id,text\n1,ok\n2,too,many\n")
    with pytest.raises(ValidationError) as info:
        read_replies(path)
    assert problems(info.value) == [f"{path}:3: 3 fields, expected 2 as in the header"]
    path = write(tmp_path, "h.csv", b"id,body\n1,ok\n")
    with pytest.raises(ValidationError) as info:
        read_replies(path)
    assert 'no "text" column' in problems(info.value)[0]
    path = write(tmp_path, "e.csv", b"")
    with pytest.raises(ValidationError, match="bad line"):
        read_replies(path)


def test_labelled_rows_need_push_and_valid_labels(tmp_path):
    path = write(
        tmp_path,
        "l.jsonl",
        b'{"text": "a", "push": true, "techniques": ["urgency"]}\n'
        b'{"text": "b", "push": "yes"}\n'
        b'{"text": "c", "push": false, "techniques": ["magic"]}\n',
    )
    with pytest.raises(ValidationError) as info:
        read_labelled(path)
    found = problems(info.value)
    assert found[0] == f"{path}:2: \"push\" is 'yes', expected true or false"
    assert found[1].startswith(
        f"{path}:3: \"techniques\" is ['magic'], expected a list of: scarcity"
    )


def test_labelled_fields_present_on_every_row(tmp_path):
    path = write(
        tmp_path,
        "l.jsonl",
        b'{"text": "a", "push": true, "disclosed": true}\n{"text": "b", "push": false}\n',
    )
    rows, present = read_labelled(path)
    assert len(rows) == 2 and present == {"push"}
