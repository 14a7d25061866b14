"""The POS sources by name: the one list ``import``, ``serve``, the CLI and the config check read.

Explicit: adding a POS means one new package under ``reconciler/sources/`` and one line in
``BUILT_IN``, nothing else. Every list of POS names (command-line choices, the config's
``source:`` check, the environment tables in ``--help``) is derived from here, and an unknown
name is a :class:`ConfigError`, never a fall-through to some default POS.

:func:`register` adds a source at run time (an embedding application's own POS, or a test's);
nothing registers itself by being imported.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager

from reconciler.errors import ConfigError
from reconciler.sources.base import Source
from reconciler.sources.clover.source import CloverSource
from reconciler.sources.square.source import SquareSource
from reconciler.sources.toast.source import ToastSource

BUILT_IN: tuple[type[Source], ...] = (
    SquareSource,
    ToastSource,
    CloverSource,
)
NAME = re.compile(r"^[a-z][a-z0-9-]*$")  # it names a URL path (/webhooks/<name>) and a CLI argument

_sources: dict[str, type[Source]] = {}


def register(source: type[Source]) -> None:
    """Make ``source`` available under its ``name``; a second source with the same name or prefix is refused."""
    problems = _problems(source)
    if problems:
        raise ConfigError(f"cannot register the POS source {source.__name__}: " + "; ".join(problems))
    _sources[source.name] = source


def unregister(name: str) -> None:
    """Remove a source that :func:`register` added (the built-in ones stay)."""
    if any(s.name == name for s in BUILT_IN):
        raise ConfigError(f"{name} is a built-in POS source and cannot be unregistered")
    _sources.pop(name, None)


@contextmanager
def registered(source: type[Source]) -> Iterator[type[Source]]:
    """:func:`register` for the duration of a ``with`` block."""
    register(source)
    try:
        yield source
    finally:
        unregister(source.name)


def source_names() -> list[str]:
    return list(_sources)


def sources() -> list[type[Source]]:
    return list(_sources.values())


def get_source(name: str) -> Source:
    """A new source object for ``name``; an unknown name is a :class:`ConfigError` listing the known ones."""
    try:
        return _sources[name]()
    except KeyError:
        raise ConfigError(f"unknown POS {name!r}; expected one of {', '.join(_sources)}") from None


def _problems(source: type[Source]) -> list[str]:
    if not (inspect.isclass(source) and issubclass(source, Source)):
        return ["it is not a subclass of reconciler.sources.base.Source"]
    if inspect.isabstract(source):
        return ["it does not implement " + ", ".join(sorted(source.__abstractmethods__))]
    found = [f"it does not declare {a}" for a in ("name", "title", "prefix", "env") if not hasattr(source, a)]
    if found:
        return found
    if not NAME.match(source.name):
        found.append(f"its name {source.name!r} is not lower-case letters, digits and -")
    for other in _sources.values():
        if other.name == source.name:
            found.append(f"the name {source.name!r} is taken by {other.__name__}")
        elif other.prefix == source.prefix:
            found.append(f"the id prefix {source.prefix!r} is taken by {other.__name__}")
    return found


for _source in BUILT_IN:
    register(_source)
