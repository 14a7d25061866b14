"""A fast first parse of a catalog file with rapidyaml: exactly today's data, or no answer at all.

libyaml's events cost most of a cold load (10,000 dishes: about 0.55 s of CPU to read the file,
rapidyaml about 0.07 s to parse it, emit it as JSON and decode that with orjson). rapidyaml is not
the authority: :func:`reconciler.yamlio.source.read` is. So this path answers only for documents in
a subset where its data is proven (tests/yamlio/test_fast.py) to equal what ``read`` gives, and
says "no answer" (None) for everything else, which the loader then reads the usual way:

- forms rapidyaml reads differently or our limits and errors need the events for are refused from
  the text before parsing: anchors, aliases, tags, complex keys, directives, document markers,
  tabs, carriage returns, characters YAML forbids or reads as line breaks, explicit indentation of
  block scalars;
- after parsing, any value whose type rapidyaml's JSON cannot tell: a text that our YAML 1.2 rules
  would type if it was written plain (``True``, ``~``, ``007``, ``1.5``: plain or quoted? only the
  source knows), a key of that form (we key by what it reads as), a number JSON cannot hold
  exactly, a repeated key (the tree holds more nodes than the data), and nesting near the limit;
- any rapidyaml parse error (then today's loader reports it, with its own position and words).

rapidyaml reports a parse error on the process's standard error before raising, and cannot be told
not to: the error stream is pointed at /dev/null while it parses, which is why this path runs only
when no other thread exists (none could lose a line it writes meanwhile).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import threading
from collections.abc import Iterator
from typing import Any

import orjson

from reconciler import limits

# Characters outside YAML's printable set or that libyaml reads as line breaks (NEL, LS, PS), a BOM
# after the first character, tabs and carriage returns (refused wherever they are), and the
# characters that begin a property, a complex key, a directive, a reserved indicator (refused where
# a node can start) or a block scalar (refused with an explicit indentation).
_SUSPECT = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff&*!?%@`,\]}|>#]")
_PROPERTY = frozenset("&*!?%@`,]}")
_NODE_START = frozenset("\n[]{},:?-")  # what may stand (blanks aside) before a node's first character
_FLOW = re.compile(r"[\[\]{}]")
_INDENTATION = re.compile(r"[-+]?[0-9]")
# What our YAML 1.2 rules (reconciler/yamlio/source.py) read as null, a boolean or a number when
# written plain: a JSON text of this form may have been plain in the source, or quoted.
_TYPED = re.compile(
    r"|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_TYPED_STARTS = frozenset(("", "~", "n", "N", "t", "T", "f", "F", "+", "-", ".", *"0123456789"))
_EXACT_FLOAT = 2.0**53  # beyond it a JSON float may stand for a longer integer (we read integers exactly)
_guard = threading.Lock()


def read_data(text: str) -> tuple[bool, object]:
    """(True, the document's data) when it is certainly what ``read`` gives; (False, None) otherwise."""
    if threading.active_count() != 1 or _refused(text):
        return False, None
    try:
        import ryml  # type: ignore[import-untyped]  # imported here: only cold loads need it
    except ImportError:  # pragma: no cover - a platform without a rapidyaml wheel
        return False, None
    with _guard, _quiet_stderr():
        try:
            tree = ryml.parse_in_arena(text.encode("utf-8"))
            emitted = ryml.emit_json(tree) if tree.size() > 1 else None
        except Exception:  # rapidyaml raises its own exception types for bad input: the loader says what
            return False, None
    if emitted is None:  # an empty document, or one scalar: the loader reads those quickly
        return False, None
    try:
        data = orjson.loads(emitted)
    except orjson.JSONDecodeError:  # e.g. a plain +1 or 01.5, copied into the JSON as it was written
        return False, None
    if not _exact(data, tree):
        return False, None
    return True, data


def _refused(text: str) -> bool:
    """Whether ``text`` may hold a form this path does not read (a blunt test: a plain "a - &b" is
    refused too, and then read the usual way)."""
    if text.startswith(("---", "...")) or "\n---" in text or "\n..." in text:
        return True  # document markers: more than one document, or an end before the end
    if not text.endswith("\n"):
        return True  # rapidyaml ends a block scalar at the end of the text with a line break
    for match in _SUSPECT.finditer(text):
        char, at = match.group(), match.start()
        if char == "#":
            if at == 0 or text[at - 1] in " \n":  # a comment, which libyaml ends a flow collection's line with
                start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
                if _FLOW.search(text, start, end if end >= 0 else len(text)):
                    return True
        elif char in "|>":
            if _INDENTATION.match(text, at + 1):
                return True
        elif char in _PROPERTY:
            before = at - 1
            while before >= 0 and text[before] == " ":
                before -= 1
            if before < 0 or text[before] in _NODE_START:
                return True
        else:
            return True
    return False


def _exact(data: object, tree: Any) -> bool:
    """Whether every value's type in ``data`` is what our rules give, asking ``tree`` (rapidyaml's,
    whose node ids run in document order) whether a text of a typed form was quoted."""
    size = _size(data, 0, 0, tree) if isinstance(data, (dict, list)) else -1
    return size == tree.size()  # fewer values than nodes: a repeated key, which JSON drops


def _size(value: dict | list, node: int, depth: int, tree: Any) -> int:
    """The nodes of the list or mapping at ``node``, or -1 when a type in it is in doubt. Scalars are
    checked here, not in a call each: most of the nodes are scalars."""
    if depth >= limits.YAML_MAX_DEPTH - 1:
        return -1
    typed, starts = _TYPED.fullmatch, _TYPED_STARTS
    size = 1
    pairs = value.items() if isinstance(value, dict) else ((None, item) for item in value)
    for key, item in pairs:
        child = node + size
        if key is not None and key[:1] in starts and typed(key) and not _quoted_key(tree, child, key):
            return -1
        kind = type(item)
        if kind is str:
            if item[:1] in starts and typed(item) and not _quoted_value(tree, child, item):  # type: ignore[index]
                return -1
        elif kind is dict or kind is list:
            inner = _size(item, child, depth + 1, tree)  # type: ignore[arg-type]
            if inner < 0:
                return -1
            size += inner
            continue
        elif kind is float and not (math.isfinite(item) and abs(item) < _EXACT_FLOAT):  # type: ignore[arg-type]
            return -1
        size += 1
    return size


def _quoted_key(tree: Any, node: int, key: str) -> bool:
    """Whether ``node`` holds ``key``, written quoted (only then is it that text whatever its form)."""
    return bool(tree.is_key_quoted(node)) and tree.key(node) == key.encode()


def _quoted_value(tree: Any, node: int, value: str) -> bool:
    """Whether ``node`` holds ``value``, written quoted (the node ids' order checked on the way)."""
    return bool(tree.is_val_quoted(node)) and tree.val(node) == value.encode()


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    try:
        saved = os.dup(2)
    except OSError:  # no error stream to quiet
        yield
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
        finally:
            os.close(null)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
