"""Edits made by someone else while an apply runs are never silently overwritten.

Catalogs v3 publishes a draft that was copied from the live catalog when it was created: an edit
made in the live catalog meanwhile (in the dashboard, say) would be replaced by the publish. The
executor reads the live catalog again just before publishing and refuses (exit 4, naming what
moved) when it changed. The edit is made at an exact point of the apply by the emulator's "touch"
fault.
"""

from __future__ import annotations

import pytest

from reconciler.errors import ApplyFailed, StalePlan
from tests.engine.test_atomicity import base, desired, fresh  # noqa: F401 - the module fixture

EDIT = {"name": "Caesar salad (kitchen special)"}


def _touch(call: str, wix_id: str) -> list[dict]:
    return [{"operation": call, "fault": "touch", "entity": {"service": "v3.items", "id": wix_id}, "set": EDIT}]


@pytest.mark.parametrize("during", ["createDraftCatalog", "bulkCreateDishes", "bulkUpdateMenus"])
def test_a_live_edit_while_the_draft_is_open_is_refused_before_publishing(base, tmp_path, during):  # noqa: F811
    h = fresh(base, tmp_path)
    plan = h.plan(desired())
    caesar = plan.ids["item:caesar"]  # a dish this plan does not change: the publish would still undo the edit
    before_mapping = h.mapping()
    h.set_faults(_touch(during, caesar))
    with pytest.raises(StalePlan, match=r"(?s)while this apply ran.*item:caesar changed") as caught:
        h.apply(plan)
    assert caught.value.exit_code == 4 and "the draft was discarded" in str(caught.value)
    h.clear_faults()
    items = {i["id"]: i for i in h.raw_live()["items"]}
    assert items[caesar]["name"] == EDIT["name"]  # the edit is kept
    assert "Calzone" not in {i["name"] for i in items.values()}  # nothing of the plan was published
    assert h.mapping() == before_mapping
    replanned = h.plan(desired())
    assert next(c for c in replanned.changes if c.id == "caesar").drift  # the next plan shows the edit
    assert h.apply(replanned).differences == [] and h.plan(desired()).empty


def test_a_failure_whose_draft_could_not_be_discarded_does_not_say_it_was(base, tmp_path):  # noqa: F811
    h = fresh(base, tmp_path)
    h.set_faults(
        [
            {"operation": "createDraftCatalog", "fault": "drop", "phase": "after", "times": 1000},
            {"operation": "discardDraftCatalog", "fault": "500", "times": 1000},
        ]
    )
    with pytest.raises(ApplyFailed) as caught:
        h.apply(desired(), attempts=2)
    message = str(caught.value)
    assert "was discarded" not in message and "could not be discarded" in message
    assert "live catalog is unchanged" in message
    h.clear_faults()
    assert h.apply(desired()).differences == [] and h.plan(desired()).empty  # the next apply discards it
