"""Safety thresholds, as octoDNS has them: big rewrites are shown but need --force to apply.

A plan is unsafe when the live catalog has at least ``min_existing`` entities and the plan would
update, or remove, more than the given share of them. Creates never count: adding a new menu is
not dangerous. The plan is always shown; only ``apply`` refuses it.
"""

from __future__ import annotations

from reconciler.engine.diff import Change
from reconciler.engine.plan import Verdict
from reconciler.engine.thresholds import Thresholds
from reconciler.engine.vocabulary import Action


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
