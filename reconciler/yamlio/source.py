"""Read YAML into plain Python data while remembering where every value came from.

We resolve scalars with the YAML 1.2 core rules instead of PyYAML's YAML 1.1 ones, so ``11:00``
stays a string (YAML 1.1 reads it as the integer 660), ``NO`` stays a string, and dates stay text.
Duplicate keys are reported rather than silently overwritten.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field

import yaml

from reconciler import limits
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
    """Parse one YAML document. Returns the data or the problems found, each with its position.

    Syntax errors, characters YAML forbids, and input that exceeds a limit (nesting depth, alias
    uses or expansion: :mod:`reconciler.limits`) return no data at all. With ``comments`` the
    lines holding comments are found too (only `fmt` needs them).
    """
    loader = FastCoreLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(file, exc)]
    except yaml.reader.ReaderError as exc:
        line, col = _position(text, exc.position)
        return None, [Problem(file, line, col, "", f"character U+{exc.character:04X} is not allowed: {exc.reason}")]
    except (yaml.YAMLError, RecursionError) as exc:
        return None, [Problem(file, 0, 0, "", f"YAML error: {type(exc).__name__}: {str(exc)[:200]}")]
    finally:
        loader.dispose()
    located = Located(file=file, data={}, root=node)
    problems: list[Problem] = []
    if node is None:
        return located, problems
    converter = _Converter(located, problems)
    located.data = converter.convert(node, (), None, 0)
    fatal = converter.fatal()
    if fatal:
        return None, fatal
    if comments:
        found = _comment_lines(text, file)
        if isinstance(found, Problem):
            return None, [found]
        located.comment_lines = found
    return located, problems


def _syntax_problem(file: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    reason = exc.problem or str(exc)
    if exc.context:
        reason = f"{exc.context}: {reason}"
    return Problem(file, line, col, "", f"YAML syntax error: {reason}")


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


_STR, _INT, _BOOL, _NULL, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null", "float"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_SPECIAL_FLOATS = {".nan": math.nan, ".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf}


def _show_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _scalar(node: yaml.ScalarNode) -> object:
    """A scalar by the tag the core resolver gave it (quoted scalars are always text).

    Raises ValueError for a tag the format does not use, or text the tag cannot read.
    """
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _INT:
        digits = len(value.lstrip("+-"))
        if digits > 100:  # far beyond any count or amount; int() would refuse 4,300 anyway
            raise ValueError(f"a number of {digits} digits is too long")
        return int(value)  # the resolver admits ASCII digits only
    if tag == _BOOL:
        if value.lower() not in ("true", "false"):
            raise ValueError(f"{value!r} is not true or false")
        return value.lower() == "true"
    if tag == _NULL:
        return None
    if tag == _FLOAT:
        special = _SPECIAL_FLOATS.get(value.lower())
        return special if special is not None else float(value)
    raise ValueError(f'the tag "{_show_tag(tag)}" is not part of the catalog format; write the value without it')


def _text(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        try:
            return str(_scalar(node))
        except ValueError:
            return node.value
    return str(node.value)


class _Converter:
    """Nodes to plain data, within the limits: depth, alias uses, and what aliases expand to.

    An alias is the same node object as its anchor, so each list or mapping is converted once and
    its value reused (with its size, counted as expansion): a "billion laughs" document costs
    its own size to refuse, not a billion values. A node met again while it is still being
    converted is an anchor that contains its own alias, refused as recursive.
    """

    def __init__(self, out: Located, problems: list[Problem]) -> None:
        self.out = out
        self.problems = problems
        self.memo: dict[int, tuple[object, int]] = {}
        self.active: set[int] = set()
        self.aliases = 0
        self.direct = 0
        self.expanded = 0
        self.limit_problems: list[Problem] = []
        self.over_expansion: Problem | None = None

    def fatal(self) -> list[Problem]:
        found = list(self.limit_problems)
        if self.expanded > max(limits.YAML_MIN_EXPANSION, self.direct) and self.over_expansion:
            found.append(self.over_expansion)
        return found

    def _problem(self, path: Path, mark, message: str) -> Problem:
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else self.out.where(path)
        return Problem(self.out.file, line, col, render(path), message)

    def convert(self, node: yaml.Node, path: Path, mark, depth: int) -> object:
        """``mark``: where the reference to ``node`` is written (its key), when that is known."""
        return self._convert(node, path, mark, depth)[0]

    def _convert(self, node: yaml.Node, path: Path, mark, depth: int) -> tuple[object, int]:
        if isinstance(node, yaml.ScalarNode):
            self.direct += 1
            try:
                return _scalar(node), 1
            except ValueError as exc:
                self.problems.append(self._problem(path, node.start_mark, str(exc)[:300]))
                return None, 1
        key = id(node)
        if key in self.active:
            self.limit_problems.append(
                self._problem(path, mark, "an alias refers to a list or mapping that contains it (a recursive anchor)")
            )
            return None, 1
        if key in self.memo:
            return self._alias(key, path, mark)
        if depth >= limits.YAML_MAX_DEPTH:
            self.limit_problems.append(
                self._problem(path, node.start_mark, f"nested more than {limits.YAML_MAX_DEPTH} levels deep")
            )
            return None, 1
        if self.limit_problems:
            return None, 1  # already refused: do not look further
        expected = _MAP if isinstance(node, yaml.MappingNode) else _SEQ
        if node.tag != expected:
            self.problems.append(
                self._problem(
                    path,
                    node.start_mark,
                    f'the tag "{_show_tag(node.tag)}" is not part of the catalog format; write the value without it',
                )
            )
        self.active.add(key)
        try:
            value, size = (
                self._mapping(node, path, depth)
                if isinstance(node, yaml.MappingNode)
                else self._sequence(node, path, depth)
            )
        finally:
            self.active.discard(key)
        self.memo[key] = (value, size)
        self.direct += 1
        return value, size

    def _alias(self, key: int, path: Path, mark) -> tuple[object, int]:
        value, size = self.memo[key]
        self.aliases += 1
        self.expanded += size
        if self.aliases > limits.YAML_MAX_ALIASES and not self.limit_problems:
            self.limit_problems.append(
                self._problem(path, mark, f"more than {limits.YAML_MAX_ALIASES:,} aliases in one file")
            )
        if self.over_expansion is None and self.expanded > limits.YAML_MIN_EXPANSION:
            self.over_expansion = self._problem(
                path,
                mark,
                f"aliases expand to more than {limits.YAML_MIN_EXPANSION:,} values, more than the file itself "
                "holds (an alias bomb?); write the values out, or use fewer aliases",
            )
        return value, size

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> tuple[dict, int]:
        result: dict[str, object] = {}
        first_line: dict[str, int] = {}
        size = 1
        for key_node, value_node in node.value:
            start = key_node.start_mark
            if not isinstance(key_node, yaml.ScalarNode):
                kind = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
                self.problems.append(
                    Problem(
                        self.out.file,
                        start.line + 1,
                        start.column + 1,
                        render(path),
                        f"a key must be plain text, not {kind}",
                    )
                )
                continue
            key = _text(key_node)
            if key in result or key in first_line:
                self.problems.append(
                    Problem(
                        self.out.file,
                        start.line + 1,
                        start.column + 1,
                        render((*path, key)),
                        f"key repeated (first at line {first_line[key]}); only one is allowed",
                    )
                )
                continue
            first_line[key] = start.line + 1
            value, count = self._convert(value_node, (*path, key), start, depth + 1)
            result[key] = value
            size += count
        return result, size

    def _sequence(self, node: yaml.SequenceNode, path: Path, depth: int) -> tuple[list, int]:
        result = []
        size = 1
        for index, item in enumerate(node.value):
            value, count = self._convert(item, (*path, index), None, depth + 1)
            result.append(value)
            size += count
        return result, size


def _comment_lines(text: str, file: str) -> list[int] | Problem:
    """Lines holding a comment: a '#' at a line start or after a blank, outside every scalar.

    Linear: the '#' candidates are found with one regular-expression pass, and only if there are
    any are the scalars' spans read (libyaml's scanner, the same one that parsed the file).
    """
    candidates = [m.start() for m in _HASH.finditer(text)]
    if not candidates:
        return []
    starts: list[int] = []
    ends: list[int] = []
    scanner = FastCoreLoader(text)
    try:
        while True:
            token = scanner.get_token()
            if token is None or isinstance(token, yaml.StreamEndToken):
                break
            if isinstance(token, yaml.ScalarToken):
                starts.append(token.start_mark.index)
                ends.append(token.end_mark.index)
    except yaml.MarkedYAMLError as exc:  # the parser accepted it, so this is not expected
        return _syntax_problem(file, exc)
    finally:
        scanner.dispose()
    lines: list[int] = []
    line, pos = 1, 0
    for index in candidates:  # in increasing order
        line += text.count("\n", pos, index)
        pos = index
        at = bisect.bisect_right(starts, index) - 1  # the last scalar starting at or before the '#'
        if at >= 0 and index < ends[at]:
            continue
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


_HASH = re.compile(r"(?:^|(?<=[ \t]))#", re.MULTILINE)
