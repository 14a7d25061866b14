"""Read YAML into plain Python data while remembering where every value came from.

We resolve scalars with the YAML 1.2 core rules instead of PyYAML's YAML 1.1 ones, so ``11:00``
stays a string (YAML 1.1 reads it as the integer 660), ``NO`` stays a string, and dates stay text.
Duplicate keys are reported rather than silently overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from reconciler.errors import Problem
from reconciler.paths import Path, render


class _CoreResolver(yaml.resolver.Resolver):
    """YAML 1.2 core schema: only true/false, null, decimal ints and floats are not strings."""


_CoreResolver.yaml_implicit_resolvers = {}
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreResolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_CoreResolver.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"),
    list("-+0123456789."),
)


class CoreLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
                 yaml.constructor.SafeConstructor, _CoreResolver):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _CoreResolver.__init__(self)


@dataclass
class Located:
    """YAML data plus the position of each value (and of each mapping key) by path."""

    file: str
    data: object
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    comment_lines: list[int] = field(default_factory=list)

    def where(self, path: Path) -> tuple[int, int]:
        """Best position for a path: the key if it exists, else the value, else the nearest parent."""
        probe = tuple(path)
        while True:
            if probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return (1, 1)
            probe = probe[:-1]


def read(text: str, file: str) -> tuple[Located | None, list[Problem]]:
    """Parse one YAML document. Returns the data or the syntax problems found."""
    loader = CoreLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        reason = exc.problem or str(exc)
        if exc.context:
            reason = f"{exc.context}: {reason}"
        return None, [Problem(file, line, col, "", f"YAML syntax error: {reason}")]
    finally:
        loader.dispose()
    located = Located(file=file, data={})
    problems: list[Problem] = []
    if node is None:
        return located, problems
    located.data = _convert(node, (), located, problems, loader)
    located.comment_lines = _comment_lines(text, located)
    return located, problems


def _convert(node: yaml.Node, path: Path, out: Located, problems: list[Problem], loader: CoreLoader) -> object:
    out.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            child = path + (key,)
            if key in result:
                first = out.keys[child]
                problems.append(Problem(out.file, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                        render(child), f"key repeated (first at line {first[0]}); only one is allowed"))
                continue
            out.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _convert(value_node, child, out, problems, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), out, problems, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _comment_lines(text: str, located: Located) -> list[int]:
    """Lines holding a comment (a '#' outside any quoted or plain scalar)."""
    lines = []
    scanner = CoreLoader(text)
    try:
        scalar_spans: dict[int, list[tuple[int, int]]] = {}
        while True:
            token = scanner.get_token()
            if token is None:
                break
            if isinstance(token, yaml.ScalarToken):
                for line in range(token.start_mark.line, token.end_mark.line + 1):
                    start = token.start_mark.column if line == token.start_mark.line else 0
                    end = token.end_mark.column if line == token.end_mark.line else 10**9
                    scalar_spans.setdefault(line, []).append((start, end))
            if isinstance(token, yaml.StreamEndToken):
                break
    finally:
        scanner.dispose()
    for number, line in enumerate(text.splitlines()):
        spans = scalar_spans.get(number, [])
        for col, char in enumerate(line):
            if char == "#" and (col == 0 or line[col - 1] in " \t") and not any(s <= col < e for s, e in spans):
                lines.append(number + 1)
                break
    return lines
