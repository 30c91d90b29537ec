from __future__ import annotations

import textwrap

import pytest

from audit.errors import AuditError, ValidationError
from audit.target import load_target, redact_url
from audit.target.base import coi_payload, join_texts


def write(tmp_path, text, name="t.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def problems(exc: ValidationError) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in exc.problems]


def test_rasa_target_loads_with_defaults(tmp_path):
    path = write(tmp_path, "kind: rasa\nname: ref\nurl: http://127.0.0.1:5005/\n")
    target = load_target(path)
    assert (target.kind, target.name, target.url) == ("rasa", "ref", "http://127.0.0.1:5005")
    assert target.timeout_s == 10 and target.retries == 2 and target.metadata == {}


def test_url_override_replaces_the_files_url(tmp_path):
    path = write(tmp_path, "kind: rasa\nname: ref\nurl: http://example.invalid\n")
    assert load_target(path, url="http://127.0.0.1:9/").url == "http://127.0.0.1:9"


def test_every_problem_is_reported_with_its_line(tmp_path):
    path = write(
        tmp_path,
        """\
        kind: rasa
        name: bad name
        url: ftp://nowhere
        timeout_s: -1
        retries: 1.5
        colour: blue
        """,
    )
    with pytest.raises(ValidationError) as info:
        load_target(path)
    found = problems(info.value)
    lines = sorted(line for line, _ in found)
    assert lines == [2, 3, 4, 5, 6], found
    assert all(str(p).startswith(f"{path}:") for p in info.value.problems)
    assert any("unknown key 'colour'" in m for _, m in found)


def test_unknown_and_missing_kind(tmp_path):
    with pytest.raises(ValidationError) as info:
        load_target(write(tmp_path, "kind: grpc\nname: x\n"))
    assert problems(info.value)[0][0] == 1
    assert "unknown kind 'grpc'" in problems(info.value)[0][1]
    with pytest.raises(ValidationError) as info:
        load_target(write(tmp_path, "name: x\n", "nokind.yml"))
    assert "missing required key 'kind'" in info.value.problems[0].message


def test_yaml_syntax_error_and_missing_file(tmp_path):
    with pytest.raises(ValidationError) as info:
        load_target(write(tmp_path, "kind: rasa\nname: [x\n"))
    assert info.value.problems[0].line is not None
    with pytest.raises(AuditError, match="not found"):
        load_target(tmp_path / "absent.yml")


def test_a_list_is_not_a_target_file(tmp_path):
    with pytest.raises(ValidationError):
        load_target(write(tmp_path, "- kind: rasa\n"))


def test_redact_url_drops_credentials_and_query():
    assert redact_url("https://user:secret@bot.example:8443/api?token=abc") == (
        "https://bot.example:8443/api"
    )
    assert redact_url(None) is None


def test_join_texts_and_coi_payload():
    messages = [
        {"text": "It's 2 degrees."},
        {"image": "x.png"},
        {"text": " Coat advised. "},
        {"custom": {"coi": {"push": True}}},
        "junk",
    ]
    assert join_texts(messages) == "It's 2 degrees. Coat advised."
    assert coi_payload(messages) == {"push": True}
    assert coi_payload([{"custom": {"other": 1}}]) is None
