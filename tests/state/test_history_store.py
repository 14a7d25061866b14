"""serve's history and watermarks, on both backends."""

from __future__ import annotations

from reconciler.serve.history import History, SyncRecord
from reconciler.serve.status import SyncOutcome, SyncReason


def record(catalog: str, outcome: SyncOutcome, n: int, **extra) -> SyncRecord:
    return SyncRecord(
        catalog,
        100.0 + n,
        101.5 + n,
        [SyncReason.WEBHOOK, SyncReason.PERIODIC],
        [f"evt-{n}"],
        outcome,
        f"Plan: {n} to update",
        details={"calls": {"bulk": n}},
        **extra,
    )


def test_records_come_back_newest_first_with_every_field(url):
    history = History(url)
    ids = [history.record(record("main", SyncOutcome.APPLIED, n, run_id=f"r{n}")) for n in range(3)]
    history.record(record("other", SyncOutcome.FAILED, 9, error="POS answered 503"))
    assert ids == sorted(ids) and len(set(ids)) == 3
    listed = history.list(10, "main")
    assert [r.id for r in listed] == ids[::-1]
    newest = listed[0]
    assert newest.reasons == [SyncReason.WEBHOOK, SyncReason.PERIODIC] and newest.outcome is SyncOutcome.APPLIED
    assert (newest.events, newest.run_id, newest.details, newest.finished) == (
        ["evt-2"],
        "r2",
        {"calls": {"bulk": 2}},
        103.5,
    )
    assert history.count() == 4 and history.count("other") == 1
    count, last = history.stats("other")
    assert count == 1 and last is not None and last.error == "POS answered 503"
    assert history.last("nothing") is None
    history.close()


def test_the_newest_decisive_sync_decides_whether_a_plan_is_held(url):
    history = History(url)
    history.record(record("main", SyncOutcome.HELD, 1, checksum="sha256:aa", plan_file="held/1.json"))
    history.record(record("main", SyncOutcome.FAILED, 2))  # not decisive
    assert history.last_held_checksum("main") == ("sha256:aa", "held/1.json")
    history.record(record("main", SyncOutcome.APPLIED, 3))
    assert history.last_held_checksum("main") is None
    history.close()


def test_watermarks_belong_to_their_import_settings(url):
    history = History(url)
    assert history.watermark("main", "fp1") is None
    history.set_watermark("main", "fp1", "2026-12-01T10:00:00Z")
    history.set_watermark("main", "fp1", "2026-12-01T11:00:00Z")
    assert history.watermark("main", "fp1") == "2026-12-01T11:00:00Z"
    assert history.watermark("main", "fp2") is None  # changed settings: import afresh
    history.close()
    assert History(url).watermark("main", "fp1") == "2026-12-01T11:00:00Z"  # survives a reopen
