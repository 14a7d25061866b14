"""Read YAML into plain Python data while remembering where every value came from.

We resolve scalars with the YAML 1.2 core rules instead of PyYAML's YAML 1.1 ones, so ``11:00``
stays a string (YAML 1.1 reads it as the integer 660), ``NO`` stays a string, and dates stay text.
Duplicate keys are reported rather than silently overwritten.
"""

from __future__ import annotations

import bisect
import re

import yaml

from reconciler.errors import Problem
from reconciler.yamlio.convert import Converter
from reconciler.yamlio.located import Located


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


def read(text: str, file: str, comments: bool = False) -> tuple[Located | None, list[Problem]]:
    """Parse one YAML document. Returns the data or the problems found, each with its position.

    Syntax errors, characters YAML forbids, and input that exceeds a limit (nesting depth, alias
    uses or expansion: :mod:`reconciler.limits`) return no data at all. With ``comments`` the
    lines holding comments are found too (only `fmt` needs them).
    """
    located, problems, _ = read_counted(text, file, comments)
    return located, problems


def read_counted(text: str, file: str, comments: bool = False) -> tuple[Located | None, list[Problem], int]:
    """:func:`read`, and the parser events it took (the work, which grows with the text only)."""
    located = Located(file=file, data={}, text=text)
    problems: list[Problem] = []
    loader = FastCoreLoader(text)
    converter = Converter(loader, file, problems, located.where)
    try:
        found, data = converter.document()
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(file, exc)], converter.events
    except yaml.reader.ReaderError as exc:
        line, col = _position(text, exc.position)
        reason = f"character U+{exc.character:04X} is not allowed: {exc.reason}"
        return None, [Problem(file, line, col, "", reason)], converter.events
    except (yaml.YAMLError, RecursionError) as exc:
        return None, [Problem(file, 0, 0, "", f"YAML error: {type(exc).__name__}: {str(exc)[:200]}")], converter.events
    finally:
        loader.dispose()
    if not found:
        return located, problems, converter.events
    located.data = data
    fatal = converter.fatal()
    if fatal:
        return None, fatal, converter.events
    if comments:
        lines = _comment_lines(text, file)
        if isinstance(lines, Problem):
            return None, [lines], converter.events
        located.comment_lines = lines
    return located, problems, converter.events


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


def comment_hashes(text: str) -> list[int]:
    """Offsets of the '#'s that start a comment (at a line start or after a blank, outside every
    scalar), in increasing order; raises :class:`yaml.MarkedYAMLError` if the text does not scan.

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
    finally:
        scanner.dispose()
    found: list[int] = []
    for index in candidates:
        at = bisect.bisect_right(starts, index) - 1  # the last scalar starting at or before the '#'
        if not (at >= 0 and index < ends[at]):
            found.append(index)
    return found


def _comment_lines(text: str, file: str) -> list[int] | Problem:
    """Lines (1-based) holding a comment."""
    try:
        hashes = comment_hashes(text)
    except yaml.MarkedYAMLError as exc:  # the parser accepted it, so this is not expected
        return _syntax_problem(file, exc)
    lines: list[int] = []
    line, pos = 1, 0
    for index in hashes:  # in increasing order
        line += text.count("\n", pos, index)
        pos = index
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


_HASH = re.compile(r"(?:^|(?<=[ \t]))#", re.MULTILINE)
