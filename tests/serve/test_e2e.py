"""`reconcile serve` end to end: three real processes on 127.0.0.1.

The fake Square API (``python -m tests.support.fake_pos``), the Wix emulator server, and
``reconcile serve --target wix-v3`` in a subprocess whose environment points at both. Every wait
polls HTTP state (serve's /healthz, the emulator's catalog and request log) with a deadline.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.sources.square.webhook import signature as square_signature
from tests.serve.processes import (
    CLI_MODULE,
    FakePosProcess,
    ServeProcess,
    clean_env,
    history,
    square_catalog_event,
    wait_until,
)
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e

POS_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "pos" / "square-catalog.json"
POS_TOKEN = "e2e-square-access-token"
KEY = "e2e-square-signature-key"
NOTIFY_URL = "https://menu.example.test/webhooks/square"  # as registered with Square, behind a proxy
FRIES = "VAR7FRIES000000000000001"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory) -> Iterator[EmulatorServer]:
    with EmulatorServer(state=tmp_path_factory.mktemp("emulator") / "state.sqlite") as server:
        yield server


@dataclass
class Site:
    emulator: EmulatorServer
    fake: FakePosProcess
    tmp: Path
    location_id: str
    catalog_id: str

    @property
    def env(self) -> dict[str, str]:
        return clean_env(
            SQUARE_ACCESS_TOKEN=POS_TOKEN,
            SQUARE_API_BASE_URL=self.fake.url,
            SQUARE_WEBHOOK_SIGNATURE_KEY=KEY,
            SQUARE_WEBHOOK_URL=NOTIFY_URL,
            WIX_API_BASE_URL=self.emulator.url,
            WIX_ACCESS_TOKEN=self.emulator.token,
            RECONCILE_STATE_DIR=str(self.tmp / "state"),
        )

    def serve(self, *args: str) -> ServeProcess:
        if not args:
            args = (
                "--source",
                "square",
                "--catalog",
                str(self.tmp / "catalog.yaml"),
                "--target",
                "wix-v3",
                "--location",
                self.location_id,
                "--debounce",
                "300ms",
                "--interval",
                "0",
            )
        return ServeProcess(list(args), self.env, self.tmp / "serve.log")

    def live_items(self) -> list[dict]:
        with self.emulator.client() as client:
            answer = client.get(f"/restaurants/v3/catalogs/{self.catalog_id}/items")
            answer.raise_for_status()
            return [item for item in answer.json()["items"] if not item.get("archived")]

    def price(self, name: str) -> str | None:
        return next((i["price"]["value"] for i in self.live_items() if i["name"] == name), None)


@pytest.fixture
def site(emulator, tmp_path) -> Iterator[Site]:
    emulator.clear_faults()
    location = emulator.seed(locations=1, names=[f"Serve {tmp_path.name}"])[0]
    fake = FakePosProcess("square", POS_FIXTURE, POS_TOKEN, tmp_path / "fake-pos.log")
    try:
        yield Site(emulator, fake, tmp_path, location["locationId"], location["catalogId"])
    finally:
        fake.stop()
        emulator.clear_faults()


def event(event_id: str) -> bytes:
    return square_catalog_event(event_id)


def signed(body: bytes, key: str = KEY, url: str = NOTIFY_URL) -> dict[str, str]:
    return {"x-square-hmacsha256-signature": square_signature(key, url, body), "content-type": "application/json"}


def started(serve: ServeProcess) -> dict:
    """Wait for the start-up reconcile (the first import and apply) to finish."""
    health = serve.wait_synced("square", 1)
    assert health["catalogs"]["square"]["last_sync"]["outcome"] == "applied", health
    return health


def test_a_signed_price_change_reaches_the_live_catalog(site: Site):
    serve = site.serve()
    try:
        started(serve)
        assert site.price("Fries") == "3.75"
        site.fake.control("price", {"id": FRIES, "amount": 425})
        body = event("ev-price-1")
        answer = serve.post("square", body, signed(body))
        assert answer.status_code == 200 and answer.json()["accepted"] == 1
        wait_until(lambda: site.price("Fries") == "4.25", "the new price on the live catalog")
        health = serve.wait_synced("square", 2)
        assert health["catalogs"]["square"]["last_sync"]["summary"] == "Plan: 0 to create, 1 to update, 0 to archive"
        assert 'price: "4.25"' in (site.tmp / "catalog.yaml").read_text()
    finally:
        assert serve.stop() == 0  # SIGTERM: a graceful exit

    shown = json.loads(history(site.env, "--format", "json").stdout)["syncs"]
    assert [(s["outcome"], s["reasons"], s["events"]) for s in shown] == [
        ("applied", ["webhook"], ["ev-price-1"]),
        ("applied", ["startup"], [shown[1]["events"][0]]),
    ]
    text = history(site.env, "--limit", "1").stdout
    assert "applied" in text and "ev-price-1" in text and "Plan: 0 to create, 1 to update" in text
    logs = serve.stderr()
    lines = [json.loads(line) for line in logs.splitlines() if line.strip()]  # every line is JSON
    assert [(e["event_id"], e["outcome"]) for e in lines if e["event"] == "webhook"] == [("ev-price-1", "queued")]
    assert [e["outcome"] for e in lines if e["event"] == "sync"] == ["applied", "applied"]
    for secret in (POS_TOKEN, KEY, site.emulator.token):
        assert secret not in logs


def test_a_bad_signature_gets_401_and_no_pos_or_wix_call(site: Site):
    serve = site.serve()
    try:
        before = started(serve)["catalogs"]["square"]["syncs"]
        site.fake.reset()
        site.emulator.reset()
        body = event("ev-forged")
        attempts = {
            "missing": {"content-type": "application/json"},
            "wrong key": signed(body, key="not-the-key"),
            "wrong url": signed(body, url=serve.url + "/webhooks/square"),
            "tampered body": signed(event("ev-other")),
        }
        for what, headers in attempts.items():
            assert serve.post("square", body, headers).status_code == 401, what
        health = serve.health()
        assert health["queue_depth"] == 0 and not health["catalogs"]["square"]["running"]
        assert health["catalogs"]["square"]["syncs"] == before
        assert site.fake.requests() == {}
        assert site.emulator.counters()["total"] == 0
        rejected = [e for e in serve.log_lines() if e["event"] == "webhook"]
        assert [e["outcome"] for e in rejected] == ["rejected"] * 4

        second = subprocess.run(
            [
                sys.executable,
                "-m",
                CLI_MODULE,
                "serve",
                "--source",
                "square",
                "--catalog",
                str(site.tmp / "other.yaml"),
                "--port",
                "0",
            ],
            env=site.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 7 and "another reconcile serve is running" in second.stderr
        assert second.stdout == ""
    finally:
        serve.stop()


def test_the_same_event_twice_makes_one_sync(site: Site):
    serve = site.serve()
    try:
        started(serve)
        site.fake.reset()
        site.fake.control("price", {"id": FRIES, "amount": 450})
        body = event("ev-twice")
        assert serve.post("square", body, signed(body)).json() == {"accepted": 1, "duplicates": 0, "ignored": 0}
        assert serve.post("square", body, signed(body)).json() == {"accepted": 0, "duplicates": 1, "ignored": 0}
        serve.wait_synced("square", 2)
        assert serve.post("square", body, signed(body)).json()["duplicates"] == 1  # also after it was synced
        health = serve.health()
        assert health["queue_depth"] == 0 and health["catalogs"]["square"]["syncs"] == 2
        asked = site.fake.requests()  # the probe, then only the changed objects: no page of the whole catalog
        assert asked.get("/v2/catalog/search") == 2 and "/v2/catalog/list" not in asked
        assert site.price("Fries") == "4.50"
        syncs = [line for line in serve.log_lines() if line.get("event") == "sync"]
        reads = [line.get("read", "") for line in syncs]
        assert reads[0].startswith("whole: ") and reads[1].startswith("incremental: ")  # the log says which, and why
        translations = [line.get("translate", "") for line in syncs]  # and how the read was translated
        assert translations[0].startswith("whole: ") and translations[1].startswith("spliced: ")

        # A new event with nothing new at the POS: the probe says so and Wix is not even read.
        site.emulator.reset()
        other = event("ev-nothing-new")
        serve.post("square", other, signed(other))
        health = serve.wait_synced("square", 3)
        assert health["catalogs"]["square"]["last_sync"]["outcome"] == "unchanged"
        assert site.emulator.counters()["total"] == 0
    finally:
        serve.stop()


def test_a_burst_of_20_events_makes_at_most_two_syncs(site: Site):
    serve = site.serve()
    try:
        started(serve)
        site.fake.control("price", {"id": FRIES, "amount": 475})
        site.fake.reset()
        bodies = [event(f"ev-burst-{n:02d}") for n in range(20)]
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(lambda body: serve.post("square", body, signed(body)), bodies))
        assert [a.json()["accepted"] for a in answers] == [1] * 20
        health = serve.wait_synced("square", 2)
        syncs = health["catalogs"]["square"]["syncs"] - 1
        assert 1 <= syncs <= 2, health
        asked = site.fake.requests()  # each sync's probe; the changed objects read by the one(s) that found them
        assert syncs + 1 <= asked["/v2/catalog/search"] <= 2 * syncs and "/v2/catalog/list" not in asked
        shown = json.loads(history(site.env, "--format", "json").stdout)["syncs"][:syncs]
        assert sorted(e for s in shown for e in s["events"]) == [f"ev-burst-{n:02d}" for n in range(20)]
        assert site.price("Fries") == "4.75"
    finally:
        serve.stop()


def with_milkshake() -> dict:
    data = json.loads(POS_FIXTURE.read_text())
    data["objects"].append(
        {
            "type": "ITEM",
            "id": "ITEM7SHAKE00000000000001",
            "present_at_all_locations": True,
            "item_data": {
                "name": "Milkshake",
                "product_type": "FOOD_AND_BEV",
                "categories": [{"id": "CAT7DRINKS000000000000002", "ordinal": 3}],
                "variations": [
                    {
                        "type": "ITEM_VARIATION",
                        "id": "VAR7SHAKE000000000000001",
                        "present_at_all_locations": True,
                        "item_variation_data": {
                            "item_id": "ITEM7SHAKE00000000000001",
                            "name": "Regular",
                            "pricing_type": "FIXED_PRICING",
                            "price_money": {"amount": 550, "currency": "USD"},
                        },
                    }
                ],
            },
        }
    )
    for obj in data["objects"]:
        for variation in (obj.get("item_data") or {}).get("variations") or []:
            if variation["id"] == FRIES:
                variation["item_variation_data"]["price_money"]["amount"] = 425
    return data


@pytest.mark.parametrize(
    "stop, operation, phase",
    [
        (signal.SIGKILL, "publishDraftCatalog", "after"),  # published, then the process died before recording it
        (signal.SIGKILL, "bulkCreateDishes", "before"),  # died with a half-built draft
        (signal.SIGTERM, "bulkCreateDishes", "before"),  # asked to stop: the apply is abandoned, its draft discarded
    ],
    ids=["sigkill-after-publish", "sigkill-inside-the-draft", "sigterm-inside-the-draft"],
)
def test_stopped_mid_sync_then_restarted_the_change_lands_once(site: Site, stop, operation, phase):
    config = site.tmp / "serve.yaml"
    config.write_text(f"""\
shutdown_grace: 1s
catalogs:
  - name: square
    source: square
    catalog: catalog.yaml
    target: wix-v3
    location: {site.location_id}
    debounce: 300ms
    interval: 0
""")
    serve = site.serve("--config", str(config))
    started(serve)
    site.fake.control("catalog", with_milkshake())
    site.emulator.set_faults([{"operation": operation, "fault": "timeout", "phase": phase, "delayMs": 60000}])
    seen = len(site.emulator.requests())
    body = event("ev-interrupted")
    assert serve.post("square", body, signed(body)).json()["accepted"] == 1
    wait_until(
        lambda: any(r["operation"] == operation for r in site.emulator.requests()[seen:]),
        f"serve to be inside {operation}",
    )
    code = serve.stop(stop)
    assert code == (-signal.SIGKILL if stop == signal.SIGKILL else 0), serve.stderr()
    site.emulator.clear_faults()
    if stop == signal.SIGTERM:
        assert "abandoned" in [e["outcome"] for e in serve.log_lines() if e["event"] == "sync"]
        assert any(r["operation"] == "discardDraftCatalog" for r in site.emulator.requests()[seen:])

    restarted = site.serve("--config", str(config))
    try:
        health = restarted.wait(
            lambda h: (
                h["queue_depth"] == 0
                and h["catalogs"]["square"]["last_sync"]
                and h["catalogs"]["square"]["last_sync"]["outcome"] in ("applied", "in-step")
                and not h["catalogs"]["square"]["running"]
            ),
            "the interrupted change to land",
        )
        assert health["catalogs"]["square"]["last_sync"]["reasons"] == ["startup", "webhook"]
    finally:
        restarted.stop()
    names = Counter(item["name"] for item in site.live_items())
    assert names["Milkshake"] == 1 and site.price("Fries") == "4.25"
    assert [name for name, count in names.items() if count > 1] == []
    shown = json.loads(history(site.env, "--config", str(config), "--format", "json").stdout)["syncs"]
    assert "ev-interrupted" in shown[0]["events"] and shown[0]["outcome"] in ("applied", "in-step")
