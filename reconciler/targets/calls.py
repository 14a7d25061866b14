"""Counting the API calls of one run, for its :class:`~reconciler.targets.base.ExecutionResult`."""

from __future__ import annotations

from reconciler.http import CallStats


class CallCount:
    """Started when a run starts; ``made()`` is what the run has called since, by operation."""

    def __init__(self, stats: CallStats) -> None:
        self.stats = stats
        self.before = dict(stats.calls)

    def made(self) -> dict[str, int]:
        return {
            operation: count - self.before.get(operation, 0)
            for operation, count in self.stats.calls.items()
            if count - self.before.get(operation, 0)
        }
