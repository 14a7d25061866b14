"""The engine's invariants, for generated catalogs and generated starting live states."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.engine.diff import diff, sort_key
from reconciler.engine.essence import essence
from reconciler.engine.plan import from_json, to_json
from reconciler.targets.wix_v3.capabilities import CAPABILITIES
from tests.engine.harness import Harness
from tests.strategies import catalogs

SLOW = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@settings(max_examples=100, deadline=None)
@given(catalog=catalogs())
def test_diff_of_a_catalog_with_itself_is_empty(catalog):
    assert diff(essence(catalog), essence(catalog), CAPABILITIES.rank) == []


@SLOW
@given(start=catalogs(max_dishes=5), desired=catalogs(max_dishes=5))
def test_apply_then_plan_is_empty(start, desired):
    """Convergence: from any live state, one apply reaches the desired state."""
    with tempfile.TemporaryDirectory() as tmp:
        h = Harness(Path(tmp))
        h.apply(start)
        result = h.apply(desired)
        assert result.differences == []
        assert h.plan(desired).empty


@SLOW
@given(start=catalogs(max_dishes=4), desired=catalogs(max_dishes=4), single=st.booleans())
def test_plans_are_deterministic_and_ordered(start, desired, single):
    with tempfile.TemporaryDirectory() as tmp:
        h = Harness(Path(tmp))
        h.apply(start)
        first, second = h.plan(desired, live_updates=single), h.plan(desired, live_updates=single)
        assert to_json(first).encode() == to_json(second).encode()
        assert first.checksum == second.checksum
        assert from_json(to_json(first)) == first
        rank = first.target.capabilities.rank
        assert list(first.changes) == sorted(first.changes, key=lambda change: sort_key(change, rank))
        # No call references an entity that is created in the same or a later step.
        created_at = {f"{kind}:{local}": op.step for op in first.operations for _, kind, local in op.binds}
        for op in first.operations:
            for ref in _refs(op.body):
                assert created_at.get(ref, -1) < op.step, (op.call, ref)


def _refs(body) -> list[str]:
    if isinstance(body, dict):
        if set(body) == {"$ref"}:
            return [body["$ref"]]
        return [r for v in body.values() for r in _refs(v)]
    if isinstance(body, list):
        return [r for v in body for r in _refs(v)]
    return []
