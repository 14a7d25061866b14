"""Renderers follow what a target declares: every declared kind, every action, in every format.

The real plans of test_every_kind.py cover the kinds the example catalog reaches; this covers the
declarations themselves, so a kind a target adds later cannot go unprinted.
"""

from __future__ import annotations

import json

import pytest

from reconciler.engine.capabilities import TargetInfo
from reconciler.engine.diff import Change, FieldChange
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import from_json, seal, to_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text
from reconciler.targets.registry import WIX

CASES = [(cls.name, spec.kind) for cls in WIX.values() for spec in cls.capabilities.kinds]


def plan_of(target_name: str, changes: list[Change]) -> Plan:
    cls = WIX[target_name]
    info = TargetInfo(
        name=cls.name,
        api="test",
        guarantee="test",
        location_id="loc-1",
        location_name="Downtown",
        catalog_id=None,
        scope=f"{cls.name}:loc-1",
        capabilities=cls.capabilities,
    )
    return seal(Plan(info, "fp", {}, tuple(changes), (), {}, ()))


def changes_of(kind: str) -> list[Change]:
    return [
        Change("create", kind, f"new-{kind}", "New", (FieldChange("name", None, "New"),)),
        Change("update", kind, f"old-{kind}", "Old", (FieldChange("name", "Old", "Older"),)),
        Change("remove", kind, f"gone-{kind}", "Gone"),
    ]


@pytest.mark.parametrize("target_name,kind", CASES)
def test_each_declared_kind_shows_in_text_markdown_and_json(target_name, kind):
    spec = WIX[target_name].capabilities.spec(kind)
    plan = plan_of(target_name, changes_of(kind))
    text, markdown = render_text(plan, color=False), render_markdown(plan)
    assert f"\n{spec.title}\n" in text
    for change, symbol, verb in zip(plan.changes, "+~-", ("create", "update", spec.removal), strict=True):
        assert f"  {symbol} {verb} {kind} {change.id} " in text
        assert f"| `{symbol}` | {kind} | `{change.id}` |" in markdown
    assert [c["id"] for c in json.loads(to_json(plan))["changes"]] == [c.id for c in plan.changes]
    assert from_json(to_json(plan)) == plan


def test_a_kind_no_target_declares_is_still_shown():
    plan = plan_of("wix-v3", [Change("update", "mystery", "m1", "M", (FieldChange("name", "a", "b"),))])
    assert "  ~ update mystery m1 " in render_text(plan, color=False)
