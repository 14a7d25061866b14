"""YAML parser events to plain data, within the limits: depth, alias uses, and alias expansion.

The data is built straight from the parser's events, never from a node tree: a node tree costs
several hundred bytes per value (a 100,000-dish catalog's tree alone took about 400 MB), and it is
needed only to locate a problem, which :class:`reconciler.yamlio.source.Located` does by parsing
again when one is reported.

An alias stands for its anchor's value: each list or mapping is converted once and its value
reused (with its size, counted as expansion), so a "billion laughs" document costs its own size
to refuse, not a billion values. An alias met while its anchor is still being converted is an
anchor that contains its own alias, refused as recursive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from reconciler import limits
from reconciler.errors import Problem
from reconciler.paths import Path, render

STR, INT, BOOL, NULL, FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null", "float"))
MAP, SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_SPECIAL_FLOATS = {".nan": float("nan"), ".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf")}
_ACTIVE = object()  # the value of an anchor whose list or mapping is being converted
_STARTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def show_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def scalar(tag: str, value: str) -> object:
    """A scalar by the tag the core resolver gave it (quoted scalars are always text).

    Raises ValueError for a tag the format does not use, or text the tag cannot read.
    """
    if tag == STR:
        return value
    if tag == INT:
        digits = len(value.lstrip("+-"))
        if digits > 100:  # far beyond any count or amount; int() would refuse 4,300 anyway
            raise ValueError(f"a number of {digits} digits is too long")
        return int(value)  # the resolver admits ASCII digits only
    if tag == BOOL:
        if value.lower() not in ("true", "false"):
            raise ValueError(f"{value!r} is not true or false")
        return value.lower() == "true"
    if tag == NULL:
        return None
    if tag == FLOAT:
        special = _SPECIAL_FLOATS.get(value.lower())
        return special if special is not None else float(value)
    raise ValueError(f'the tag "{show_tag(tag)}" is not part of the catalog format; write the value without it')


def scalar_text(tag: str, value: str) -> str:
    """A key's text: what the scalar reads as, or its source text if it reads as nothing valid."""
    try:
        return str(scalar(tag, value))
    except ValueError:
        return value


class _Scalar:
    """An anchored scalar: aliases to it read it again (a scalar is not counted as expansion)."""

    __slots__ = ("mark", "tag", "value")

    def __init__(self, tag: str, value: str, mark: Any) -> None:
        self.tag, self.value, self.mark = tag, value, mark


class Converter:
    """One document's events (from ``parser``) to data; problems go to ``problems``.

    ``where`` locates a path when no mark is at hand. Parser errors propagate (the caller reports
    them as syntax errors), and so do :class:`yaml.composer.ComposerError`\\ s for an undefined
    alias, a duplicate anchor or a second document.
    """

    def __init__(self, parser: Any, file: str, problems: list[Problem], where: Callable[[Path], tuple[int, int]]):
        self.parser = parser
        self.file = file
        self.problems = problems
        self.where = where
        self.anchors: dict[str, object] = {}
        self.aliases = 0
        self.direct = 0
        self.expanded = 0
        self.events = 0  # events read: the work a document costs, for the linearity tests
        self.limit_problems: list[Problem] = []
        self.over_expansion: Problem | None = None

    def _next(self) -> Any:
        self.events += 1
        return self.parser.get_event()

    def document(self) -> tuple[bool, object]:
        """(whether the stream holds a document, its data)."""
        self._next()  # stream start
        event = self._next()
        if isinstance(event, yaml.StreamEndEvent):
            return False, None
        value = self.convert(self._next(), (), None, 0)
        self._next()  # document end
        event = self._next()
        if not isinstance(event, yaml.StreamEndEvent):
            raise yaml.composer.ComposerError(
                "expected a single document in the stream", None, "but found another document", event.start_mark
            )
        return True, value

    def fatal(self) -> list[Problem]:
        found = list(self.limit_problems)
        if self.expanded > max(limits.YAML_MIN_EXPANSION, self.direct) and self.over_expansion:
            found.append(self.over_expansion)
        return found

    def _problem(self, path: Path, mark: Any, message: str) -> Problem:
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else self.where(path)
        return Problem(self.file, line, col, render(path), message)

    def _tag(self, event: Any, kind: type) -> str:
        tag = event.tag
        if tag is None or tag == "!":
            implicit = event.implicit if kind is yaml.ScalarNode else None
            tag = self.parser.resolve(kind, getattr(event, "value", None), implicit)
        return str(tag)

    def _anchor(self, event: Any, value: object) -> None:
        anchor = event.anchor
        if anchor is None:
            return
        if anchor in self.anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}", None, "second occurrence", event.start_mark
            )
        self.anchors[anchor] = value

    def convert(self, event: Any, path: Path, mark: Any, depth: int) -> object:
        """``event`` starts a value; ``mark``: where the reference to it is written (its key)."""
        return self._convert(event, path, mark, depth)[0]

    def _convert(self, event: Any, path: Path, mark: Any, depth: int) -> tuple[object, int]:
        if isinstance(event, yaml.ScalarEvent):
            tag = self._tag(event, yaml.ScalarNode)
            self._anchor(event, _Scalar(tag, event.value, event.start_mark))
            return self._scalar(tag, event.value, event.start_mark, path)
        if isinstance(event, yaml.AliasEvent):
            return self._alias(event, path, mark)
        if depth >= limits.YAML_MAX_DEPTH or self.limit_problems:
            if not self.limit_problems:
                message = f"nested more than {limits.YAML_MAX_DEPTH} levels deep"
                self.limit_problems.append(self._problem(path, event.start_mark, message))
            self._skip(event)  # already refused: do not look further
            return None, 1
        mapping = isinstance(event, yaml.MappingStartEvent)
        tag = self._tag(event, yaml.MappingNode if mapping else yaml.SequenceNode)
        if tag != (MAP if mapping else SEQ):
            message = f'the tag "{show_tag(tag)}" is not part of the catalog format; write the value without it'
            self.problems.append(self._problem(path, event.start_mark, message))
        anchor = event.anchor
        self._anchor(event, _ACTIVE)
        value, size = self._mapping(path, depth) if mapping else self._sequence(path, depth)
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        self.direct += 1
        return value, size

    def _scalar(self, tag: str, value: str, at: Any, path: Path) -> tuple[object, int]:
        self.direct += 1
        try:
            return scalar(tag, value), 1
        except ValueError as exc:
            self.problems.append(self._problem(path, at, str(exc)[:300]))
            return None, 1

    def _alias(self, event: Any, path: Path, mark: Any) -> tuple[object, int]:
        target = self.anchors.get(event.anchor)
        if target is None:
            if self.limit_problems:  # its anchor may sit in a part skipped after a limit
                return None, 1
            raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
        if isinstance(target, _Scalar):
            return self._scalar(target.tag, target.value, target.mark, path)
        at = mark if mark is not None else event.start_mark
        if target is _ACTIVE:
            message = "an alias refers to a list or mapping that contains it (a recursive anchor)"
            self.limit_problems.append(self._problem(path, at, message))
            return None, 1
        value, size = target  # type: ignore[misc]
        self.aliases += 1
        self.expanded += size
        if self.aliases > limits.YAML_MAX_ALIASES and not self.limit_problems:
            self.limit_problems.append(
                self._problem(path, at, f"more than {limits.YAML_MAX_ALIASES:,} aliases in one file")
            )
        if self.over_expansion is None and self.expanded > limits.YAML_MIN_EXPANSION:
            self.over_expansion = self._problem(
                path,
                at,
                f"aliases expand to more than {limits.YAML_MIN_EXPANSION:,} values, more than the file itself "
                "holds (an alias bomb?); write the values out, or use fewer aliases",
            )
        return value, size

    def _skip(self, event: Any) -> None:
        """Read past the rest of the list or mapping ``event`` starts, without recursion."""
        level = 1
        while level:
            event = self._next()
            if isinstance(event, _STARTS):
                level += 1
            elif isinstance(event, _ENDS):
                level -= 1

    def _discard(self, event: Any, path: Path, depth: int) -> None:
        """Convert a value that is not kept (its key is refused), its own problems unreported."""
        kept, self.problems = self.problems, []
        try:
            self._convert(event, path, None, depth)
        finally:
            self.problems = kept

    def _key(self, event: Any) -> str | None:
        """A key's text, or None when the key is a list or mapping (reported)."""
        if isinstance(event, yaml.ScalarEvent):
            tag = self._tag(event, yaml.ScalarNode)
            self._anchor(event, _Scalar(tag, event.value, event.start_mark))
            return scalar_text(tag, event.value)
        if isinstance(event, yaml.AliasEvent) and isinstance(self.anchors.get(event.anchor), _Scalar):
            target = self.anchors[event.anchor]
            assert isinstance(target, _Scalar)
            return scalar_text(target.tag, target.value)
        return None

    def _kind(self, event: Any) -> str:
        if isinstance(event, yaml.SequenceStartEvent):
            return "a list"
        target = self.anchors.get(event.anchor) if isinstance(event, yaml.AliasEvent) else None
        return "a list" if isinstance(target, tuple) and isinstance(target[0], list) else "a mapping"

    def _mapping(self, path: Path, depth: int) -> tuple[dict[str, object], int]:
        result: dict[str, object] = {}
        first_line: dict[str, int] = {}
        size = 1
        while True:
            event = self._next()
            if isinstance(event, yaml.MappingEndEvent):
                return result, size
            start = event.start_mark
            key = self._key(event)
            if key is None:
                kind = self._kind(event)
                message = f"a key must be plain text, not {kind}"
                self.problems.append(Problem(self.file, start.line + 1, start.column + 1, render(path), message))
                self._discard(event, path, depth + 1)
                self._discard(self._next(), path, depth + 1)
                continue
            if key in first_line:
                message = f"key repeated (first at line {first_line[key]}); only one is allowed"
                where = render((*path, key))
                self.problems.append(Problem(self.file, start.line + 1, start.column + 1, where, message))
                self._discard(self._next(), (*path, key), depth + 1)
                continue
            first_line[key] = start.line + 1
            value, count = self._convert(self._next(), (*path, key), start, depth + 1)
            result[key] = value
            size += count

    def _sequence(self, path: Path, depth: int) -> tuple[list[object], int]:
        result: list[object] = []
        size = 1
        index = 0
        while True:
            event = self._next()
            if isinstance(event, yaml.SequenceEndEvent):
                return result, size
            value, count = self._convert(event, (*path, index), None, depth + 1)
            result.append(value)
            size += count
            index += 1
