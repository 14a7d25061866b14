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
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_CoreResolver.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"
    ),
    list("-+0123456789."),
)


class CoreLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _CoreResolver,
):
    """The pure-Python loader; also scans tokens for `fmt`'s comment check."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _CoreResolver.__init__(self)


try:  # libyaml parses about ten times faster; large catalogs need it
    from yaml._yaml import CParser

    class FastCoreLoader(CParser, yaml.constructor.SafeConstructor, _CoreResolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            _CoreResolver.__init__(self)

except ImportError:  # pragma: no cover - PyYAML built without libyaml
    FastCoreLoader = CoreLoader


@dataclass
class Located:
    """YAML data plus its node tree, which locates any path when a problem must be reported.

    Positions are looked up only for problems, by walking the nodes, so loading a large valid
    catalog pays nothing for them.
    """

    file: str
    data: object
    root: yaml.Node | None = None
    comment_lines: list[int] = field(default_factory=list)

    def where(self, path: Path) -> tuple[int, int]:
        """Best position for a path: its key if it has one, else its value, else the nearest parent."""
        node, mark = self.root, None
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                pair = next(((k, v) for k, v in node.value if _text(k) == part), None)
                if pair is None:
                    break
                mark, node = pair[0].start_mark, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        if mark is None:
            mark = node.start_mark if node is not None else None
        return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def read(text: str, file: str, comments: bool = False) -> tuple[Located | None, list[Problem]]:
    """Parse one YAML document. Returns the data or the syntax problems found.

    With ``comments`` the lines holding comments are found too (only `fmt` needs them).
    """
    loader = FastCoreLoader(text)
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
    located = Located(file=file, data={}, root=node)
    problems: list[Problem] = []
    if node is None:
        return located, problems
    located.data = _convert(node, (), located, problems)
    if comments:
        located.comment_lines = _comment_lines(text)
    return located, problems


def _scalar(node: yaml.ScalarNode) -> object:
    """A scalar by the tag the core resolver gave it (quoted scalars are always text)."""
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _INT:
        return int(value)
    if tag == _BOOL:
        return value.lower() == "true"
    if tag == _NULL:
        return None
    if tag == _FLOAT:
        return float(value)
    return value  # explicit tags such as !!binary are not part of the format; the model rejects them


_STR, _INT, _BOOL, _NULL, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null", "float"))


def _text(node: yaml.Node) -> str:
    return str(_scalar(node)) if isinstance(node, yaml.ScalarNode) else str(node.value)


def _convert(node: yaml.Node, path: Path, out: Located, problems: list[Problem]) -> object:
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, object] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = _text(key_node)
            if key in result:
                problems.append(
                    Problem(
                        out.file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        render((*path, key)),
                        f"key repeated (first at line {first_line[key]}); only one is allowed",
                    )
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, (*path, key), out, problems)
        return result
    return [_convert(item, (*path, i), out, problems) for i, item in enumerate(node.value)]


def _comment_lines(text: str) -> list[int]:
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
