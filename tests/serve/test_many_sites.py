"""One `reconcile serve` for many Wix sites: each POS webhook is routed by its merchant to its site.

Real processes on 127.0.0.1: one emulator hosting two seeded Wix sites (each with its own token),
two fake Square accounts (two merchants, two access tokens) and one `reconcile serve --config`
whose two catalogs name a merchant and a Wix site each (``account``, ``site_id``, and ``env`` to
read each one's tokens from variables of its own). A price change at one merchant reaches its
site only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sources.square.webhook import signature as square_signature
from tests.serve.processes import FakePosProcess, ServeProcess, clean_env, history, square_catalog_event, wait_until
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e

POS_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "pos" / "square-catalog.json"
KEY = "many-sites-signature-key"
NOTIFY_URL = "https://menus.example.test/webhooks/square"
FRIES = "VAR7FRIES000000000000001"
MERCHANTS = {"a": "MLMANYSITEA1", "b": "MLMANYSITEB2"}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory) -> Iterator[EmulatorServer]:
    with EmulatorServer(state=tmp_path_factory.mktemp("emulator") / "state.sqlite") as server:
        yield server


def fries_price(emulator: EmulatorServer, site: dict) -> str | None:
    """The live price of Fries on one site, read with that site's own token."""
    with emulator.client(headers={"Authorization": f"Bearer {site['token']}"}) as client:
        answer = client.get("/restaurants/menus-item/v1/items", params={"paging.limit": "500"})
        answer.raise_for_status()
        for item in answer.json().get("items") or []:
            if item["name"] == "Fries":
                return (item.get("priceInfo") or {}).get("price")
    return None


def post(serve: ServeProcess, event_id: str, merchant: str) -> dict:
    body = square_catalog_event(event_id, merchant)
    headers = {"x-square-hmacsha256-signature": square_signature(KEY, NOTIFY_URL, body)}
    answer = serve.post("square", body, {**headers, "content-type": "application/json"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_each_merchant_reaches_its_own_site(emulator: EmulatorServer, tmp_path: Path):
    sites = emulator.seed_sites(2, app="menus")
    pos = {
        name: FakePosProcess("square", POS_FIXTURE, f"square-token-{name}", tmp_path / f"pos-{name}.log")
        for name in MERCHANTS
    }
    try:
        env = clean_env(
            SQUARE_WEBHOOK_SIGNATURE_KEY=KEY,
            SQUARE_WEBHOOK_URL=NOTIFY_URL,
            WIX_API_BASE_URL=emulator.url,
            RECONCILE_STATE_DIR=str(tmp_path / "state"),
            **{f"POS_{n.upper()}_TOKEN": f"square-token-{n}" for n in MERCHANTS},
            **{f"POS_{n.upper()}_URL": pos[n].url for n in MERCHANTS},
            **{f"SITE_{n.upper()}_TOKEN": site["token"] for n, site in zip(MERCHANTS, sites, strict=True)},
        )
        lines = ["version: 1", "catalogs:"]
        for (name, merchant), site in zip(MERCHANTS.items(), sites, strict=True):
            lines += [
                f"  - name: site-{name}",
                "    source: square",
                f"    account: {merchant}",
                f"    catalog: {name}.yaml",
                "    target: wix-menus",
                f"    site_id: {site['siteId']}",
                "    debounce: 200ms",
                "    interval: 0",
                "    env:",
                f"      SQUARE_ACCESS_TOKEN: POS_{name.upper()}_TOKEN",
                f"      SQUARE_API_BASE_URL: POS_{name.upper()}_URL",
                f"      WIX_ACCESS_TOKEN: SITE_{name.upper()}_TOKEN",
            ]
        config = tmp_path / "serve.yaml"
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        serve = ServeProcess(["--config", str(config)], env, tmp_path / "serve.log")
        try:
            for name in MERCHANTS:
                health = serve.wait_synced(f"site-{name}", 1)
                assert health["catalogs"][f"site-{name}"]["last_sync"]["outcome"] == "applied", health
            assert [fries_price(emulator, site) for site in sites] == ["3.75", "3.75"]

            pos["a"].control("price", {"id": FRIES, "amount": 425})
            assert post(serve, "ev-a-1", MERCHANTS["a"])["accepted"] == 1
            wait_until(lambda: fries_price(emulator, sites[0]) == "4.25", "merchant a's price on site a")
            serve.wait_synced("site-a", 2)
            assert fries_price(emulator, sites[1]) == "3.75"  # site b is merchant b's: untouched
            assert serve.catalog("site-b")["syncs"] == 1

            pos["b"].control("price", {"id": FRIES, "amount": 500})
            assert post(serve, "ev-b-1", MERCHANTS["b"])["accepted"] == 1
            wait_until(lambda: fries_price(emulator, sites[1]) == "5.00", "merchant b's price on site b")
            serve.wait_synced("site-b", 2)
            assert fries_price(emulator, sites[0]) == "4.25"
            assert post(serve, "ev-c-1", "MLSOMEONEELSE")["accepted"] == 0  # no site takes that merchant
        finally:
            assert serve.stop() == 0
        syncs = json.loads(history(env, "--format", "json").stdout)["syncs"]
        webhooks = sorted((s["catalog"], s["events"]) for s in syncs if s["reasons"] == ["webhook"])
        assert webhooks == [("site-a", ["ev-a-1"]), ("site-b", ["ev-b-1"])]
        logs = serve.stderr()
        for secret in [site["token"] for site in sites] + [f"square-token-{n}" for n in MERCHANTS]:
            assert secret not in logs
    finally:
        for process in pos.values():
            process.stop()
