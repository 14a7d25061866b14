"""The engine's invariants, for generated catalogs and generated starting live states.

Convergence (apply, then a diner sees what the file says) is judged by the independent oracle in
test_convergence.py; here: a catalog never differs from itself, and plans are deterministic,
ordered, and never reference what a later step creates, on both targets.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.engine.diff import diff, sort_key
from reconciler.engine.essence import essence
from reconciler.engine.planfile import from_json, to_json
from reconciler.targets.wix_v3.capabilities import CAPABILITIES
from tests.engine.harness import Harness
from tests.strategies import catalogs, currencies, examples


@settings(max_examples=examples(100))
@given(catalog=catalogs())
def test_diff_of_a_catalog_with_itself_is_empty(catalog):
    assert diff(essence(catalog), essence(catalog), CAPABILITIES.rank) == []


@pytest.mark.parametrize("api", ["v3", "menus"])
@settings(max_examples=examples(12))
@given(data=st.data())
def test_plans_are_deterministic_and_ordered(api, data):
    currency = data.draw(currencies)
    start, desired = (
        data.draw(catalogs(max_dishes=4, currency=currency)),
        data.draw(catalogs(max_dishes=4, currency=currency)),
    )
    single = data.draw(st.booleans())
    with tempfile.TemporaryDirectory() as tmp:
        h = Harness(Path(tmp), api=api, currency=currency)
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
