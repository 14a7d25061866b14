"""Safety thresholds at their edges: a share exactly at the limit passes, one entity more does not,
and catalogs smaller than the minimum are never judged."""

from __future__ import annotations

import pytest

from reconciler.engine.diff import Change
from reconciler.engine.safety import assess
from reconciler.engine.thresholds import Thresholds


def changes(updates: int = 0, removes: int = 0, creates: int = 0) -> list[Change]:
    made = [Change("update", "dish", f"u{i}", "") for i in range(updates)]
    made += [Change("remove", "dish", f"r{i}", "") for i in range(removes)]
    return made + [Change("create", "dish", f"c{i}", "") for i in range(creates)]


LIMITS = Thresholds(max_update_share=0.30, max_remove_share=0.20, min_existing=10)


@pytest.mark.parametrize(
    ("kwargs", "unsafe"),
    [
        ({"updates": 3}, False),  # 30% of 10: exactly the limit is allowed
        ({"updates": 4}, True),
        ({"removes": 2}, False),  # 20% of 10
        ({"removes": 3}, True),
        ({"creates": 100}, False),  # creates never count
        ({"updates": 3, "removes": 2}, False),
    ],
)
def test_a_share_at_the_limit_is_safe_and_one_more_is_not(kwargs, unsafe):
    verdict = assess(changes(**kwargs), 10, LIMITS)
    assert verdict.unsafe is unsafe
    assert len(verdict.reasons) == int(unsafe) and verdict.existing == 10


def test_the_reason_names_the_count_the_share_and_the_limit():
    [reason] = assess(changes(updates=4, removes=1), 10, LIMITS).reasons
    assert reason == "4 of 10 existing entities (40%) would be updated; the limit is 30%"
    both = assess(changes(updates=10, removes=10), 10, LIMITS).reasons
    assert [r.split(")")[1] for r in both] == [
        " would be updated; the limit is 30%",
        " would be removed; the limit is 20%",
    ]


def test_catalogs_below_the_minimum_size_are_never_judged_and_at_it_are():
    assert not assess(changes(updates=9), 9, LIMITS).unsafe  # 9 existing: below min_existing
    assert assess(changes(updates=10), 10, LIMITS).unsafe  # 10 existing: judged


def test_thresholds_come_from_defaults_then_environment_then_flags(monkeypatch):
    assert Thresholds.from_env() == Thresholds(0.30, 0.30, 10)
    monkeypatch.setenv("RECONCILE_MAX_UPDATE_SHARE", "0.5")
    monkeypatch.setenv("RECONCILE_MAX_REMOVE_SHARE", "0.1")
    monkeypatch.setenv("RECONCILE_SAFETY_MIN_ENTITIES", "3")
    assert Thresholds.from_env() == Thresholds(0.5, 0.1, 3)
    assert Thresholds.from_env(max_update_share=0.9, min_existing=None) == Thresholds(0.9, 0.1, 3)
