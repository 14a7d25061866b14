"""The safety thresholds of a plan (engine/safety.py assesses a plan against them).

Apart from the assessment, so that reading them (flags and environment) imports nothing of the
planner: the plan memo's answer (engine/memo.py) keys by them without making a plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from reconciler import environment

T = TypeVar("T")


@dataclass(frozen=True)
class Thresholds:
    max_update_share: float = 0.30
    max_remove_share: float = 0.30
    min_existing: int = 10

    @classmethod
    def from_env(
        cls,
        max_update_share: float | None = None,
        max_remove_share: float | None = None,
        min_existing: int | None = None,
    ) -> Thresholds:
        """Defaults, then RECONCILE_MAX_UPDATE_SHARE / _MAX_REMOVE_SHARE / _SAFETY_MIN_ENTITIES, then flags."""
        return cls(
            max_update_share=_first(
                max_update_share,
                environment.number("RECONCILE_MAX_UPDATE_SHARE", cls.max_update_share, low=0, high=1),
            ),
            max_remove_share=_first(
                max_remove_share,
                environment.number("RECONCILE_MAX_REMOVE_SHARE", cls.max_remove_share, low=0, high=1),
            ),
            min_existing=_first(
                min_existing,
                int(
                    environment.number(
                        "RECONCILE_SAFETY_MIN_ENTITIES", cls.min_existing, low=0, high=10**9, integer=True
                    )
                ),
            ),
        )


def _first(given: T | None, default: T) -> T:
    return default if given is None else given
