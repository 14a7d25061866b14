"""One sync, in-process: fake POS servers on 127.0.0.1 and the sandbox target; the real importer and engine."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import httpx
from click.testing import CliRunner

from reconciler.cli.sync_cmds import apply as apply_command
from reconciler.engine.planfile import from_json
from reconciler.redact import Redactor
from reconciler.serve import catalogs
from reconciler.serve.catalogs import previous
from reconciler.serve.config import ServeConfig
from reconciler.serve.history import History, SyncRecord
from reconciler.serve.queue import DatabaseQueue, Item
from reconciler.serve.sync import Job, Syncer, SyncResult
from reconciler.targets.registry import open_target
from reconciler.yamlio.load import load_catalog
from tests.support.fake_pos import FakePos

POS = Path(__file__).resolve().parents[1] / "fixtures" / "pos"
TOKEN = "pos-token-for-tests"
TOAST_GUID = "6e1fd27e-0b2a-4c5e-9d0e-3f3b0c2a1d11"
FRIES = "VAR7FRIES000000000000001"


class Rig:
    """A fake POS, a state directory with the sandbox target, and a Syncer for one catalog."""

    def __init__(self, tmp_path: Path, pos: str, url: str, fake: FakePos, environ: dict | None = None, **catalog):
        self.tmp = tmp_path
        self.fake = fake
        self.url = url
        self.state = tmp_path / "state"
        self.state.mkdir()
        self.yaml = tmp_path / "catalog.yaml"
        entry = {"name": "main", "source": pos, "catalog": str(self.yaml), "target": "sandbox", **catalog}
        self.config = ServeConfig.model_validate({"catalogs": [entry]})
        self.environ = environ or {f"{pos.upper()}_ACCESS_TOKEN": TOKEN, f"{pos.upper()}_API_BASE_URL": url}
        self.history = History(tmp_path / "history.sqlite")
        self.queue = DatabaseQueue(tmp_path / "queue.sqlite")
        self.stopping = threading.Event()
        self.syncer = Syncer(
            self.config,
            self.state,
            self.history,
            self.environ,
            Redactor([TOKEN]),
            self.stopping,
            sleep=lambda seconds: None,
        )
        self.count = 0

    def sync(self, kind: str = "catalog.version.updated", **hint) -> SyncResult:
        """Queue one event, claim it as the worker would, run the sync and record it."""
        self.count += 1
        self.queue.put(Item("main", f"{kind}-{self.count}", "square", kind, 0.0, hint))
        job = Job("main", self.queue.claim("main", 1.0))
        result = self.syncer(job)
        self.history.record(
            SyncRecord(
                "main",
                0.0,
                1.0,
                job.reasons,
                job.event_ids,
                result.outcome,
                result.summary,
                result.plan_file,
                result.checksum,
                result.error,
            )
        )
        return result

    def live(self) -> dict[str, str]:
        """Live item name -> price, read from the sandbox."""

        async def read():
            async with open_target("sandbox", None, self.state) as target:
                return (await target.fetch()).items

        return {i["name"]: i.get("price", {}).get("value") for i in asyncio.run(read()) if not i.get("archived")}

    def control(self, path: str, body: dict) -> None:
        httpx.post(f"{self.url}/_fake/{path}", json=body).raise_for_status()


def test_square_first_sync_then_nothing_new_then_a_price_change(square):
    first = square.sync("startup")
    assert (first.outcome, first.summary) == ("applied", "Plan: 15 to create, 0 to update, 0 to archive")
    assert first.details["probe"] == "first sync: no watermark yet" and first.details["yaml"] == "rewritten"
    assert square.live()["Fries"] == "3.75" and "price: \"3.75\"" in square.yaml.read_text()

    square.fake.counts.clear()
    nothing = square.sync()
    assert nothing.outcome == "unchanged" and nothing.details["probe"].startswith("no change after ")
    assert dict(square.fake.counts) == {"/v2/catalog/search": 1}  # no import, and (in-process) no plan

    square.control("price", {"id": FRIES, "amount": 425})
    changed = square.sync()
    assert (changed.outcome, changed.summary) == ("applied", "Plan: 0 to create, 1 to update, 0 to archive")
    assert changed.details["probe"].startswith("objects changed after ")
    assert square.live()["Fries"] == "4.25" and "price: \"4.25\"" in square.yaml.read_text()
    assert square.sync().outcome == "unchanged"  # the watermark moved on with the sync


def test_a_periodic_sync_plans_even_when_the_pos_did_not_change(square):
    square.sync("startup")
    periodic = square.sync("periodic")
    assert periodic.outcome == "in-step" and periodic.summary == "Plan: 0 to create, 0 to update, 0 to archive"


def test_an_unsafe_plan_is_held_then_applied_after_review(tmp_path):
    fake = FakePos("square", POS / "square-catalog.json", token=TOKEN)
    with fake.running() as url:
        rig = Rig(tmp_path, "square", url, fake, safety={"max_update_share": 0.01})
        rig.sync("startup")
        rig.control("price", {"id": FRIES, "amount": 425})
        held = rig.sync()
        assert held.outcome == "held" and held.summary.endswith("(unsafe: held for review)")
        assert "would be updated; the limit is 1%" in held.details["unsafe"][0]
        assert rig.live()["Fries"] == "3.75"  # not applied
        assert "price: \"4.25\"" in rig.yaml.read_text()  # but the desired state is recorded
        plan = from_json(Path(held.plan_file).read_text(), held.plan_file)
        assert plan.safety.unsafe and plan.counts == {"create": 0, "update": 1, "remove": 0}

        again = rig.sync()
        assert again.outcome == "held" and again.plan_file == held.plan_file
        assert again.details["saved"] == "the same plan is already held"
        assert len(list((rig.state / "serve" / "held").iterdir())) == 1

        result = CliRunner().invoke(
            apply_command, ["--plan", held.plan_file, "--state-dir", str(rig.state), "--auto-approve", "--force"]
        )
        assert result.exit_code == 0, result.output
        assert rig.live()["Fries"] == "4.25"
        assert rig.sync().outcome == "in-step"


def test_the_apply_policy_applies_unsafe_plans(tmp_path):
    fake = FakePos("square", POS / "square-catalog.json", token=TOKEN)
    with fake.running() as url:
        rig = Rig(tmp_path, "square", url, fake, safety={"max_update_share": 0.01}, unsafe="apply")
        rig.sync("startup")
        rig.control("price", {"id": FRIES, "amount": 425})
        applied = rig.sync()
        assert applied.outcome == "applied" and applied.details["unsafe_applied"]
        assert rig.live()["Fries"] == "4.25"


def test_toast_waits_until_its_menus_document_is_rebuilt(tmp_path):
    fake = FakePos("toast", POS / "toast-menus.json", token=TOKEN)
    with fake.running() as url:
        environ = {"TOAST_ACCESS_TOKEN": TOKEN, "TOAST_API_BASE_URL": url}
        rig = Rig(tmp_path, "toast", url, fake, environ, account=TOAST_GUID, currency="USD")
        assert rig.sync("startup").outcome == "applied"
        assert rig.sync("menus:menus_updated").outcome == "unchanged"
        rig.control("price", {"id": "a406d6ff-f7a8-44f3-b6e7-85515b4ae011", "amount": 3.5})
        built = httpx.get(f"{url}/_fake/catalog").json()["lastUpdated"]
        early = rig.sync("menus:menus_updated", published="2999-01-01T00:00:00.000Z")
        assert (early.outcome, early.retry, early.retry_after) == ("failed", True, 5.0)
        assert "still being rebuilt" in early.error
        ready = rig.sync("menus:menus_updated", published=built)
        assert ready.outcome == "applied" and ready.details["probe"] == f"lastUpdated {built}"
        assert rig.live()["Lemonade"] == "3.50"


def test_clover_probes_modified_times_and_reimports_for_categories(tmp_path):
    fake = FakePos("clover", POS / "clover-inventory.json", token=TOKEN)
    with fake.running() as url:
        environ = {"CLOVER_ACCESS_TOKEN": TOKEN, "CLOVER_API_BASE_URL": url, "CLOVER_MERCHANT_ID": "M1CLOVERTEST1"}
        rig = Rig(tmp_path, "clover", url, fake, environ)
        assert rig.sync("startup").outcome == "applied"
        fake.counts.clear()
        fake.log.clear()
        assert rig.sync("I:UPDATE", object="I:COOKIE0000001", type="UPDATE").outcome == "unchanged"
        assert set(fake.counts) == {
            f"/v3/merchants/M1CLOVERTEST1/{k}" for k in ("items", "modifier_groups", "item_groups")
        }
        assert all("filter" in query for _, _, query in fake.log)
        rig.control("price", {"id": "COOKIE0000001", "amount": 249})
        changed = rig.sync("I:UPDATE", object="I:COOKIE0000001", type="UPDATE")
        assert (
            changed.outcome == "applied"
            and changed.details["probe"] == "1 object(s) modified after " + changed.details["probe"].rsplit(" ", 1)[-1]
        )
        assert rig.live()["Cookie"] == "2.49"
        category = rig.sync("IC:UPDATE", object="IC:CAT1", type="UPDATE")
        assert category.outcome == "in-step" and category.details["probe"].startswith("category or deletion events")


def test_failures_say_whether_to_retry_and_never_show_the_token(tmp_path):
    fake = FakePos("square", POS / "square-catalog.json", token="the-real-token-1234")
    with fake.running() as url:
        wrong = Rig(tmp_path, "square", url, fake, {"SQUARE_ACCESS_TOKEN": TOKEN, "SQUARE_API_BASE_URL": url})
        refused = wrong.sync("startup")
        assert (refused.outcome, refused.retry) == ("failed", False) and "HTTP 401" in refused.error
        assert TOKEN not in refused.error and not wrong.yaml.exists()

    fake = FakePos("square", POS / "square-catalog.json", token=TOKEN)
    with fake.running() as url:
        (tmp_path / "busy").mkdir()
        rig = Rig(tmp_path / "busy", "square", url, fake)
        rig.control("fail", {"status": 503, "times": 5})  # every attempt of the one retry policy
        busy = rig.sync("startup")
        assert (busy.outcome, busy.retry) == ("failed", True) and "HTTP 503" in busy.error
        assert rig.sync("startup").outcome == "applied"


def test_a_wix_location_that_does_not_exist_is_a_permanent_failure(tmp_path):
    fake = FakePos("square", POS / "square-catalog.json", token=TOKEN)
    with fake.running() as url:
        rig = Rig(tmp_path, "square", url, fake, location="Nowhere")
        failed = rig.sync("startup")
        assert (failed.outcome, failed.retry) == ("failed", False)
        assert 'no business location is named or has the id "Nowhere"' in failed.error


def test_a_shutdown_between_steps_abandons_before_writing_anything(square):
    square.stopping.set()
    abandoned = square.sync("startup")
    assert abandoned.outcome == "abandoned" and not square.yaml.exists()
    assert square.fake.total_requests == 0


def test_the_history_keeps_what_happened(square):
    square.sync("startup")
    [record] = square.history.list()
    assert (record.outcome, record.events, record.reasons) == ("applied", ["startup-1"], ["startup"])
    assert json.dumps(record.to_json())  # what `reconcile history --format json` prints


def test_a_sync_that_rewrote_the_catalog_leaves_it_held_for_the_next_stock_signal(square, monkeypatch):
    monkeypatch.delenv("RECONCILE_CATALOG_CACHE", raising=False)
    assert square.sync("startup").details["yaml"] == "rewritten"
    with catalogs._lock:
        held = catalogs._held.get(str(square.yaml))
    assert held is not None and previous(square.yaml, square.state) is held[1]
    assert [d.id for d in held[1].dishes] == [d.id for d in load_catalog(square.yaml).dishes]
