"""Safety thresholds, as octoDNS has them: big rewrites are shown but need --force to apply.

A plan is unsafe when the live catalog has at least ``min_existing`` entities and the plan would
update, or remove, more than the given share of them. Creates never count: adding a new menu is
not dangerous. The plan is always shown; only ``apply`` refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from reconciler import environment
from reconciler.engine.diff import Change
from reconciler.engine.plan import Verdict
from reconciler.engine.vocabulary import Action

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


def assess(changes: list[Change] | tuple[Change, ...], existing: int, limits: Thresholds) -> Verdict:
    updates = sum(1 for c in changes if c.action == Action.UPDATE)
    removes = sum(1 for c in changes if c.action == Action.REMOVE)
    reasons = []
    if existing >= limits.min_existing and existing > 0:
        for count, limit, verb in (
            (updates, limits.max_update_share, "updated"),
            (removes, limits.max_remove_share, "removed"),
        ):
            share = count / existing
            if share > limit:
                reasons.append(
                    f"{count} of {existing} existing entities ({share:.0%}) would be {verb}; the limit is {limit:.0%}"
                )
    return Verdict(unsafe=bool(reasons), reasons=tuple(reasons), existing=existing)
