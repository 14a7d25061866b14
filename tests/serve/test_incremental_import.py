"""serve imports only the POS objects that changed (Source.read_changes, serve/pos_read.py) when it holds
the last good sync's read; the file it writes is the one a whole import writes; any doubt reads whole."""

from __future__ import annotations

import json

from reconciler.sources.base import ImportOptions
from reconciler.sources.service import import_from_api
from tests.serve.test_sync import FRIES, POS, TOKEN, Rig
from tests.support.fake_pos import FakePos

SYNCED = True  # the square rig (conftest.py) starts after its start-up sync


def whole_import(rig: Rig) -> str:
    """The oracle: what ``reconcile import --from-api square`` writes now."""
    return import_from_api("square", ImportOptions(), environ=rig.environ).text


def test_a_price_change_reads_only_the_changed_objects_and_writes_a_whole_imports_bytes(square):
    square.control("price", {"id": FRIES, "amount": 425})
    square.fake.counts.clear()
    changed = square.sync()
    assert changed.outcome == "applied" and changed.details["read"].startswith("incremental: ")
    assert int(changed.details["read"].split()[1]) <= 3  # the variation, its item (and its top-level copy)
    assert "/v2/catalog/list" not in square.fake.counts  # no page of the whole catalog was read
    assert changed.details["translate"].startswith("spliced: ")  # the changed item alone (sources/splice.py)
    assert square.live()["Fries"] == "4.25"
    assert square.yaml.read_text(encoding="utf-8") == whole_import(square)
    square.control("delete", {"id": "ITEM7FRIES00000000000001"})
    removed = square.sync()
    assert removed.outcome == "applied" and removed.details["read"].startswith("incremental: ")
    assert removed.details["translate"] == "whole: ITEM 'ITEM7FRIES00000000000001' deleted"
    assert "sq-ITEM7FRIES00000000000001" not in square.yaml.read_text(encoding="utf-8")
    assert square.yaml.read_text(encoding="utf-8") == whole_import(square)


def test_the_read_is_held_as_the_source_keeps_it_once_the_sync_is_done(square):
    """The start-up sync's whole read is held normalized (Square's ``hold``), so the next webhook's
    merge does not normalize 10,000 objects on its way to the live menu."""
    from reconciler.serve import pos_read
    from reconciler.sources.square.changes import Normalized

    assert isinstance(pos_read._held["main"].raw["objects"], Normalized)
    before = pos_read._held["main"].raw
    square.control("price", {"id": FRIES, "amount": 455})
    periodic = square.sync("periodic")  # a whole read again
    assert periodic.details["read"] == "whole: a scheduled sync reads the POS whole"
    assert pos_read._held["main"].raw is not before
    assert isinstance(pos_read._held["main"].raw["objects"], Normalized)


def test_a_catalog_file_changed_by_hand_is_never_merged_into(square):
    square.yaml.write_text(square.yaml.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    square.control("price", {"id": FRIES, "amount": 430})
    changed = square.sync()
    assert changed.details["read"] == "whole: the catalog file is not the one the held read made"
    assert changed.details["translate"] == "whole: the POS was read whole"
    assert square.yaml.read_text(encoding="utf-8") == whole_import(square)
    square.control("price", {"id": FRIES, "amount": 435})
    assert square.sync().details["read"].startswith("incremental: ")  # held again after that good sync


def test_after_a_failed_sync_and_on_schedule_the_pos_is_read_whole(square):
    square.control("price", {"id": FRIES, "amount": 440})
    square.control("fail", {"status": 400})  # the probe: a permanent error
    assert square.sync().outcome == "failed"
    retried = square.sync()
    assert retried.outcome == "applied" and retried.details["read"].startswith("whole: no read held")
    square.control("price", {"id": FRIES, "amount": 445})
    periodic = square.sync("periodic")
    assert periodic.details["read"] == "whole: a scheduled sync reads the POS whole"
    assert square.live()["Fries"] == "4.45" and square.yaml.read_text(encoding="utf-8") == whole_import(square)


def test_a_webhook_sync_that_found_no_change_keeps_the_read_held(square):
    assert square.sync().outcome == "unchanged"  # the probe saw nothing: no import at all
    square.control("price", {"id": FRIES, "amount": 450})
    assert square.sync().details["read"].startswith("incremental: ")


def test_toast_reads_whole_and_says_why(tmp_path):
    fake = FakePos("toast", POS / "toast-menus.json", token=TOKEN)
    guid = json.loads((POS / "toast-menus.json").read_text(encoding="utf-8"))["restaurantGuid"]
    with fake.running() as url:
        environ = {"TOAST_ACCESS_TOKEN": TOKEN, "TOAST_API_BASE_URL": url}
        rig = Rig(tmp_path, "toast", url, fake, environ, account=guid, currency="USD")
        first = rig.sync("startup")
        assert first.details.get("read") == "whole: Toast declares no incremental read", first


def test_the_placed_map_is_written_again_when_its_file_is_gone_or_changed(square):
    from reconciler.serve.stock import placed_file

    path = placed_file(square.state, "main")
    written = path.read_text(encoding="utf-8")
    assert '"ITEM7FRIES00000000000001"' in written
    path.unlink()  # removed by hand: the next import writes it again, though the map did not change
    square.control("price", {"id": FRIES, "amount": 450})
    assert square.sync().outcome == "applied" and path.read_text(encoding="utf-8") == written
    path.write_text("{}\n", encoding="utf-8")  # edited by hand: likewise
    square.control("price", {"id": FRIES, "amount": 455})
    assert square.sync().outcome == "applied" and path.read_text(encoding="utf-8") == written
