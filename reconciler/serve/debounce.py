"""When should a catalog's next sync start? Pure arithmetic over times, so tests pass their own clock.

A catalog with pending events syncs once it has been quiet for ``quiet`` seconds after its last
event, but no later than ``max_wait`` after its first one (a steady stream must not postpone the
sync forever), and never before the retry time a failed sync set. A catalog whose sync is running
does not start another: its new events wait, and the next claim takes them all at once, so any
number of events arriving during a sync make at most one follow-up sync.

Called by :class:`reconciler.serve.worker.Worker` on every turn of its loop.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Pending:
    """What is waiting for one catalog (from :meth:`Queue.pending`)."""

    first: float  # received time of the oldest pending event
    last: float  # received time of the newest
    not_before: float  # retry time set by a failed sync (0 when none)
    count: int


@dataclass(frozen=True)
class Debounce:
    """One catalog's debounce: start after ``quiet`` seconds without events, at most ``max_wait`` after the first."""

    quiet: float = 2.0
    max_wait: float = 30.0


def ready_at(pending: Pending, debounce: Debounce) -> float:
    settled = min(pending.last + debounce.quiet, pending.first + max(debounce.max_wait, debounce.quiet))
    return max(settled, pending.not_before)


def due(
    pending: Mapping[str, Pending], running: Collection[str], debounces: Mapping[str, Debounce], now: float
) -> tuple[list[str], float | None]:
    """The catalogs to start now (sorted), and the earliest time another one becomes ready."""
    start: list[str] = []
    later: list[float] = []
    for catalog, waiting in sorted(pending.items()):
        if catalog in running:
            continue  # the claim after this sync finishes takes everything that arrived meanwhile
        when = ready_at(waiting, debounces.get(catalog, Debounce()))
        if when <= now:
            start.append(catalog)
        else:
            later.append(when)
    return start, min(later) if later else None
