"""audit.yaml_lines: plain data, 1-based node positions, problems instead of exceptions."""

from __future__ import annotations

import math

from audit.yaml_lines import MAX_NODES, load_yaml

TEXT = """\
name: demo
items:
  - first
  - {k: 2}
flags: [true, no, off, ~]
"""


def test_values_and_positions():
    loaded = load_yaml(TEXT, "f.yml")
    assert loaded.problems == []
    assert loaded.data == {
        "name": "demo",
        "items": ["first", {"k": 2}],
        "flags": [True, "no", "off", None],
    }
    assert loaded.positions.values[("name",)] == (1, 7)
    assert loaded.positions.keys[("items",)] == (2, 1)
    assert loaded.positions.values[("items", 0)] == (3, 5)
    assert loaded.positions.values[("items", 1, "k")] == (4, 9)
    assert loaded.positions.keys[("items", 1, "k")] == (4, 6)
    assert loaded.positions.values[("flags", 3)] == (5, 24)


def test_unknown_paths_fall_back_to_the_nearest_ancestor():
    loaded = load_yaml(TEXT, "f.yml")
    assert loaded.positions.of_value(("items", 1, "missing")) == (4, 5)
    assert loaded.positions.of_key(("nothing",)) == (1, 1)


def test_yaml_12_core_scalars():
    loaded = load_yaml(
        "a: 07:30\nb: 2026-11-25\nc: 0x1F\nd: 0o17\ne: 1.5e3\nf: .inf\ng: -.INF\nh: .nan\n"
        "i: True\nj: yes\nk: 1_000\nl: ''\nm:\n",
        "f.yml",
    )
    data = loaded.data
    assert data["a"] == "07:30" and data["b"] == "2026-11-25"
    assert data["c"] == 31 and data["d"] == 15 and data["e"] == 1500.0
    assert data["f"] == math.inf and data["g"] == -math.inf and math.isnan(data["h"])
    assert data["i"] is True and data["j"] == "yes" and data["k"] == "1_000"
    assert data["l"] == "" and data["m"] is None


def test_anchors_and_merges_are_supported():
    loaded = load_yaml("base: &b {x: 1, y: 2}\nother: {<<: *b, y: 3}\n", "f.yml")
    assert loaded.problems == []
    assert loaded.data["other"] == {"x": 1, "y": 3}
    assert loaded.positions.values[("other", "y")] == (2, 20)


def test_problems_instead_of_exceptions():
    cases = {
        "a: &x [*x]\n": "1:4: recursive alias: a value cannot contain itself",
        "a: 1\na: 2\n": "2:1: duplicate key 'a' (first at line 1, column 1)",
        "a: !!set {x}\n": "1:4: unsupported YAML tag '!!set'",
        "a: !custom x\n": "1:4: unsupported YAML tag '!custom'",
        "? [k]\n: v\n": "1:3: mapping keys must be plain text",
        "a: 1\n---\nb: 2\n": "2:1: YAML syntax error: expected a single document in the stream, "
        "but found another document",
        "a: \x00\n": "1:4: YAML syntax error: special characters are not allowed",
        "[" * 3000: "1:1: YAML nesting too deep",
        "a: " + "9" * 5000 + "\n": "1:4: number too large: 99999999999999999999...",
        "a: !!int x\n": "1:4: 'x' is not a valid int",
    }
    for text, expected in cases.items():
        loaded = load_yaml(text, "f.yml")
        assert [str(p) for p in loaded.problems] == [f"f.yml:{expected}"], text[:20]


def test_alias_bombs_are_cut_off():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    loaded = load_yaml("\n".join(lines) + "\n", "bomb.yml")
    assert loaded.data is None
    assert [p.message for p in loaded.problems] == [
        f"document too large (more than {MAX_NODES} values)"
    ]


def test_empty_document_is_none_without_problems():
    loaded = load_yaml("# only a comment\n", "f.yml")
    assert loaded.data is None and loaded.problems == []
