"""A YAML loader that remembers where every value came from.

``load_yaml(text, path)`` returns plain Python data (dicts, lists, str, int, float, bool, None)
and a ``Positions`` table mapping each value's path (a tuple of keys and list indices) to the
1-based line and column of its YAML node, and each mapping key to the position of the key
itself. Validation uses it to report ``path:line:column: message`` from the real node.

Scalars follow the YAML 1.2 core schema rather than PyYAML's YAML 1.1 defaults, because
scenario authors write ordinary words: ``no``, ``off`` and ``on`` stay strings, ``07:30`` is not
a sexagesimal number and ``2026-11-25`` is not a date object. Only ``true``/``false``, ``null``
(or ``~``, or nothing) and plain numbers are typed.

Anything wrong with the text itself (syntax, unsupported tags, duplicate keys, alias bombs,
nesting too deep) comes back as ``Problem``s; the loader never raises.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from audit.errors import Problem

Path_ = tuple[str | int, ...]

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
MERGE_TAG = "tag:yaml.org,2002:merge"

# Guards against documents that expand without bound through aliases ("billion laughs").
MAX_NODES = 100_000

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$"
)


class CoreResolver(BaseResolver):
    """Implicit typing of plain scalars as in the YAML 1.2 core schema."""


CoreResolver.yaml_implicit_resolvers = {}
CoreResolver.add_implicit_resolver(NULL_TAG, _NULL, ["~", "n", "N", ""])
CoreResolver.add_implicit_resolver(BOOL_TAG, _BOOL, list("tTfF"))
CoreResolver.add_implicit_resolver(INT_TAG, _INT, list("-+0123456789"))
CoreResolver.add_implicit_resolver(FLOAT_TAG, _FLOAT, list("-+0123456789."))
CoreResolver.add_implicit_resolver(MERGE_TAG, re.compile(r"^<<$"), ["<"])


class LineLoader(Reader, Scanner, Parser, Composer, SafeConstructor, CoreResolver):
    """Composes node trees with marks; values are built by ``_Builder`` below."""

    def __init__(self, stream):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        CoreResolver.__init__(self)


@dataclass
class Positions:
    """Where each value (and each mapping key) of a loaded document starts, 1-based."""

    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def of_value(self, path: Path_) -> tuple[int, int]:
        """The position of the value at ``path``, or of its nearest located ancestor."""
        path = tuple(path)
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def of_key(self, path: Path_) -> tuple[int, int]:
        """The position of the key that holds ``path`` (falls back to the value's position)."""
        path = tuple(path)
        if path in self.keys:
            return self.keys[path]
        return self.of_value(path)


@dataclass
class Loaded:
    data: Any
    positions: Positions
    problems: list[Problem]


class _Abort(Exception):
    """Stops building a document after a problem that makes the rest meaningless."""


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, path: str, loader: LineLoader | None):
        self.path = path
        self.loader = loader
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.count = 0
        self.active: set[int] = set()

    def problem(self, where: tuple[int, int], message: str) -> None:
        self.problems.append(Problem(self.path, message, where[0], where[1]))

    def build(self, node: Node, at: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            self.problem(_mark(node), f"document too large (more than {MAX_NODES} values)")
            raise _Abort
        self.positions.values.setdefault(at, _mark(node))
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if id(node) in self.active:
            self.problem(_mark(node), "recursive alias: a value cannot contain itself")
            raise _Abort
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != SEQ_TAG:
                    self.problem(_mark(node), f"unsupported YAML tag '{_short(node.tag)}'")
                return [self.build(item, (*at, i)) for i, item in enumerate(node.value)]
            return self.mapping(node, at)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode, at: Path_) -> dict:
        if node.tag != MAP_TAG:
            self.problem(_mark(node), f"unsupported YAML tag '{_short(node.tag)}'")
        own = {id(key) for key, _ in node.value if key.tag != MERGE_TAG}
        try:
            self.loader.flatten_mapping(node)  # resolves `<<: *anchor` merges
        except ConstructorError as exc:
            mark = exc.problem_mark or node.start_mark
            self.problem((mark.line + 1, mark.column + 1), f"invalid merge: {exc.problem}")
            raise _Abort from None
        result: dict[str, Any] = {}
        first_seen: dict[str, tuple[int, int]] = {}
        merged: set[str] = set()  # keys that came from a merge: the mapping's own keys win
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(_mark(key_node), "mapping keys must be plain text")
                continue
            key = str(key_node.value)
            where = _mark(key_node)
            from_merge = id(key_node) not in own
            if key in first_seen and (from_merge or key not in merged):
                if from_merge:
                    continue  # an earlier merged mapping already gave this key
                line, column = first_seen[key]
                self.problem(
                    where, f"duplicate key '{key}' (first at line {line}, column {column})"
                )
                continue
            if from_merge:
                merged.add(key)
            else:
                merged.discard(key)
            first_seen[key] = where
            self.positions.keys[(*at, key)] = where
            self.positions.values.pop((*at, key), None)
            result[key] = self.build(value_node, (*at, key))
        return result

    def scalar(self, node: ScalarNode) -> Any:
        text, tag = node.value, node.tag
        try:
            if tag == STR_TAG:
                return text
            if tag == NULL_TAG and _NULL.match(text):
                return None
            if tag == BOOL_TAG and _BOOL.match(text):
                return text.lower() == "true"
            if tag == INT_TAG and _INT.match(text):
                return _parse_int(text)
            if tag == FLOAT_TAG and (_FLOAT.match(text) or _INT.match(text)):
                return _parse_float(text)
        except ValueError:
            self.problem(_mark(node), f"number too large: {text[:20]}...")
            return None
        if tag in (NULL_TAG, BOOL_TAG, INT_TAG, FLOAT_TAG):
            self.problem(_mark(node), f"'{text[:40]}' is not a valid {tag.rsplit(':', 1)[-1]}")
        else:
            self.problem(_mark(node), f"unsupported YAML tag '{_short(tag)}'")
        return None


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _parse_int(text: str) -> int:
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)  # may raise ValueError past Python's digit limit


def _parse_float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(text)


def load_yaml(text: str, path: str = "<string>") -> Loaded:
    """Parse one YAML document; problems (never exceptions) for anything wrong with the text."""
    builder = _Builder(path, None)
    loader = None
    try:
        loader = builder.loader = LineLoader(text)
        node = loader.get_single_node()
        if node is None:
            return Loaded(None, builder.positions, builder.problems)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = ", ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        builder.problem(where, f"YAML syntax error: {problem}")
        return Loaded(None, builder.positions, builder.problems)
    except yaml.YAMLError as exc:  # ReaderError: control characters, bad encoding
        position = getattr(exc, "position", None)
        where = _line_col(text, position) if position is not None else (1, 1)
        reason = getattr(exc, "reason", None) or "invalid YAML"
        builder.problem(where, f"YAML syntax error: {reason}")
        return Loaded(None, builder.positions, builder.problems)
    except RecursionError:
        builder.problem((1, 1), "YAML nesting too deep")
        return Loaded(None, builder.positions, builder.problems)
    except _Abort:
        return Loaded(None, builder.positions, builder.problems)
    finally:
        if loader is not None:
            loader.dispose()
    return Loaded(data, builder.positions, builder.problems)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return line, column
