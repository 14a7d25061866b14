"""The POS sources by name. Explicit: adding a POS means adding a line here, nothing else."""

from __future__ import annotations

from reconciler.errors import ConfigError
from reconciler.sources.base import Source
from reconciler.sources.clover.source import CloverSource
from reconciler.sources.square.source import SquareSource
from reconciler.sources.toast.source import ToastSource

SOURCES: dict[str, type[Source]] = {
    "square": SquareSource,
    "toast": ToastSource,
    "clover": CloverSource,
}


def source_names() -> list[str]:
    return list(SOURCES)


def get_source(name: str) -> Source:
    """A new source object for ``name`` (``square``, ``toast``, ``clover``)."""
    try:
        return SOURCES[name]()
    except KeyError:
        raise ConfigError(f"unknown POS {name!r}; expected one of {', '.join(SOURCES)}") from None
