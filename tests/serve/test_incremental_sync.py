"""serve's webhook sync of a POS price change is incremental (planned from a read of the entity it
changes, engine/incremental.py); a structural change, the periodic reconcile and the start-up sync
make the full plan."""

from __future__ import annotations

from tests.serve.test_sync import FRIES

SYNCED = True  # the square rig (conftest.py) starts after its start-up sync


def test_a_price_change_webhook_is_planned_from_that_dish_alone(square):
    square.control("price", {"id": FRIES, "amount": 425})
    changed = square.sync()
    assert (changed.outcome, changed.summary) == ("applied", "Plan: 0 to create, 1 to update, 0 to archive")
    assert changed.details["incremental"] == 1 and changed.details["differences"] == []
    assert changed.details["calls"] == {"updateItem": 1}
    assert square.live()["Fries"] == "4.25"
    periodic = square.sync("periodic")  # the full plan agrees: nothing left to do
    assert periodic.outcome == "in-step" and "incremental" not in periodic.details


def test_a_removed_item_is_the_full_plans(square):
    square.control("delete", {"id": "ITEM7FRIES00000000000001"})
    removed = square.sync()
    assert removed.outcome == "applied" and "incremental" not in removed.details
    assert removed.details["changes"]["remove"] >= 1  # Fries (unlisted and hidden on Catalogs v3)
