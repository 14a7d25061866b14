"""Edits made by someone else while an apply runs are never silently overwritten.

Catalogs v3 publishes a draft that was copied from the live catalog when it was created: an edit
made in the live catalog meanwhile (in the dashboard, say) would be replaced by the publish. The
executor reads the live catalog again just before publishing and refuses (exit 4, naming what
moved) when it changed. The edit is made at an exact point of the apply by the emulator's "touch"
fault.
"""

from __future__ import annotations

import logging

import pytest

from reconciler.engine.apply import RunLedger
from reconciler.engine.journal import journal
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


# -- the check before publishing compares the answers' bytes first -------------------------------
CHECK_LOG = "reconciler.targets.wix_v3.execute"
SAME_BYTES = "the same answers as the read the plan was checked against"


def test_an_unchanged_live_catalog_is_recognised_by_its_answers_bytes(base, tmp_path, caplog):  # noqa: F811
    h = fresh(base, tmp_path)
    caplog.set_level(logging.DEBUG, logger=CHECK_LOG)
    assert h.apply(desired()).differences == []
    assert any(SAME_BYTES in r.getMessage() for r in caplog.records)  # nothing decoded a second time


def test_a_live_edit_is_never_taken_for_the_same_bytes(base, tmp_path, caplog):  # noqa: F811
    h = fresh(base, tmp_path)
    plan = h.plan(desired())
    h.set_faults(_touch("bulkCreateDishes", plan.ids["item:caesar"]))
    caplog.set_level(logging.DEBUG, logger=CHECK_LOG)
    with pytest.raises(StalePlan, match="item:caesar changed"):
        h.apply(plan)
    assert not any(SAME_BYTES in r.getMessage() for r in caplog.records)


def test_the_bytes_of_a_read_the_plan_was_not_made_against_do_not_pass(base, tmp_path):  # noqa: F811
    """The read an executor is given stands for the plan's only when its fingerprint is the plan's:
    here it is of the live catalog after an edit, whose bytes the check then finds, and still refuses."""
    h = fresh(base, tmp_path)
    plan = h.plan(desired())
    caesar = plan.ids["item:caesar"]
    h.call("updateItem", "PATCH", f"/catalogs/{{catalog}}/items/{caesar}", {"item": {"id": caesar, **EDIT}})

    async def go() -> None:
        async with h.target() as target:
            edited_read = await target.fetch()
            assert edited_read.digest is not None and edited_read.fingerprint() != plan.live_fingerprint
            scope = await target.scope()
            h.store.start_run(scope, "r1", journal(plan, None, "test"))
            executor = await target.executor(4, 1, False, False, None, against=edited_read)
            await executor.run(plan, RunLedger(h.store, scope, "r1", plan))

    with pytest.raises(StalePlan, match="item:caesar changed"):
        h.run(go())
    assert {i["id"]: i for i in h.raw_live()["items"]}[caesar]["name"] == EDIT["name"]  # the edit stands
