"""A fourth POS is one source class plus one registration: `reconcile import` and `reconcile serve` take it as is.

"Tally" is a POS made up for this test. Its source is written against the contract in
``reconciler/sources/base.py`` alone, registered with the public :func:`register` for the length of
a test (nothing registers itself on import), and its API is a small starlette app on 127.0.0.1.
Then the real CLI imports it (from a file and from the API), and the real serve app, over HTTP,
takes a signed Tally webhook, probes, re-imports, plans and applies to the embedded emulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reconciler.cli.main import cli
from reconciler.errors import ConfigError
from reconciler.serve.app import build_app
from reconciler.serve.config import ServeConfig, ServeConfigInvalid, load_config
from reconciler.serve.server import open_context
from reconciler.sources.base import (
    ApiSettings,
    EnvNames,
    Event,
    Hints,
    ImportOptions,
    ImportResult,
    Probe,
    Source,
    Verdict,
    WebhookKey,
)
from reconciler.sources.build import CatalogBuilder, MenuDraft, Origin
from reconciler.sources.registry import get_source, register, registered, source_names, unregister
from reconciler.sources.webhooks import hmac_base64, matches_any, required_text
from reconciler.targets.registry import open_target
from tests.serve.helpers import serving
from tests.support.waiting import wait_until

TOKEN = "tally-token-for-tests"
SECRET = "tally-webhook-secret"
SIGNATURE = "x-tally-signature"
CATALOG = {
    "currency": "EUR",
    "items": [
        {"id": "T1", "name": "Soup", "price": "4.50"},
        {"id": "T2", "name": "Bread", "price": "2.00"},
    ],
}


class TallySource(Source):
    """The whole POS: a JSON export, a two-endpoint API, HMAC-signed webhooks and a version probe."""

    name: ClassVar[str] = "tally"
    title: ClassVar[str] = "Tally"
    prefix: ClassVar[str] = "tally"
    env: ClassVar[EnvNames] = EnvNames(
        token="TALLY_TOKEN",
        base_url="TALLY_API_BASE_URL",
        default_base_url="https://api.tally.invalid",
        webhook_secret="TALLY_WEBHOOK_SECRET",
    )

    def read_api(self, client: httpx.Client, settings: ApiSettings) -> Any:
        answer = client.get("/catalog")
        answer.raise_for_status()
        return answer.json()

    def translate(self, raw: Any, options: ImportOptions) -> ImportResult:
        build = CatalogBuilder(self.name, self.prefix, raw["currency"])
        menu = MenuDraft(build.ids.reserve("menu", "menu"), options.menu_name)
        section = build.uncategorized(menu)
        for item in raw["items"]:
            origin = Origin("item", item["id"], item["name"])
            dish = build.add_dish(
                build.ids.make("item", "item", item["id"]),
                name=build.name(item["name"], origin, item["id"]),
                price=build.price(Decimal(item["price"]), origin),
            )
            section.add(dish)
        build.menus.append(menu)
        catalog, notes = build.build()
        return ImportResult(catalog, notes)

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, keys: Sequence[WebhookKey]) -> Verdict:
        given = headers.get(SIGNATURE, "")
        if given and matches_any((hmac_base64(k.secret, body) for k in keys), given):
            return Verdict(True)
        return Verdict(False, "signature does not match")

    def webhook_events(self, data: dict[str, Any], headers: Mapping[str, str]) -> list[Event]:
        kind = required_text(data.get("type"), "type")
        return [Event(self.name, None, required_text(data.get("id"), "id"), kind, kind == "menu.changed")]

    def probe(
        self, client: httpx.Client, settings: ApiSettings, since: str | None, hints: Hints = (), full: bool = False
    ) -> Probe:
        version = str(client.get("/version").json()["version"])
        return Probe(None if since is None else version != since, version, f"version {version}")


class TallyApi:
    """Tally's API: the catalog and its version, behind the bearer token; tests edit ``data`` directly."""

    def __init__(self) -> None:
        self.data = json.loads(json.dumps(CATALOG))
        self.version = 1
        self.calls: list[str] = []

    def app(self) -> Starlette:
        async def catalog(request: Request) -> JSONResponse:
            return self._answer(request, self.data)

        async def version(request: Request) -> JSONResponse:
            return self._answer(request, {"version": self.version})

        return Starlette(routes=[Route("/catalog", catalog), Route("/version", version)])

    def _answer(self, request: Request, body: dict) -> JSONResponse:
        self.calls.append(request.url.path)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        return JSONResponse(body)

    def price(self, item: str, price: str) -> None:
        next(i for i in self.data["items"] if i["id"] == item)["price"] = price
        self.version += 1


@pytest.fixture
def tally() -> Iterator[type[Source]]:
    with registered(TallySource) as source:
        yield source
    assert "tally" not in source_names()


@pytest.fixture
def api() -> Iterator[tuple[TallyApi, str]]:
    fake = TallyApi()
    with serving(fake.app()) as client:
        yield fake, str(client.base_url)


def signed(body: dict) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    return raw, {SIGNATURE: hmac_base64(SECRET, raw), "content-type": "application/json"}


def live_prices(state: Path) -> dict[str, str]:
    async def read():
        async with open_target("sandbox", None, state) as target:
            return (await target.fetch()).items

    return {i["name"]: i["price"]["value"] for i in asyncio.run(read()) if not i.get("archived")}


# -- the registry -------------------------------------------------------------------------------------


def test_nothing_is_registered_by_importing_a_source_module(tally):
    unregister("tally")
    assert "tally" not in source_names()
    with pytest.raises(ConfigError, match="unknown POS 'tally'; expected one of square, toast, clover"):
        get_source("tally")
    register(TallySource)
    assert source_names() == ["square", "toast", "clover", "tally"]


def test_registration_refuses_what_breaks_the_contract(tally):
    class Half(Source):  # no serve hooks
        name, title, prefix, env = "half", "Half", "half", TallySource.env

        def read_api(self, client, settings):
            return {}

        def translate(self, raw, options):
            raise AssertionError

    class Taken(TallySource):
        prefix = "other"

    class SamePrefix(TallySource):
        name = "tally-two"

    class BadName(TallySource):
        name, prefix = "Tally POS", "tp"

    for source, message in [
        (Half, "does not implement verify_webhook, webhook_events"),
        (Taken, "the name 'tally' is taken by TallySource"),
        (SamePrefix, "the id prefix 'tally' is taken by TallySource"),
        (BadName, "is not lower-case letters, digits and -"),
        (dict, "not a subclass of reconciler.sources.base.Source"),
    ]:
        with pytest.raises(ConfigError, match=message):
            register(source)
    with pytest.raises(ConfigError, match="built-in"):
        unregister("square")


# -- import ------------------------------------------------------------------------------------------


def test_import_takes_the_new_pos_from_a_file_and_from_its_api(tally, api, tmp_path):
    export = tmp_path / "tally.json"
    export.write_text(json.dumps(CATALOG))
    runner = CliRunner()
    from_file = runner.invoke(cli, ["import", "tally", "--from-file", str(export), "-o", str(tmp_path / "a.yaml")])
    assert from_file.exit_code == 0, from_file.output
    assert "imported 1 menu(s), 1 section(s), 2 dish(es)" in from_file.output

    fake, url = api
    env = {"TALLY_TOKEN": TOKEN, "TALLY_API_BASE_URL": url}
    from_api = runner.invoke(cli, ["import", "tally", "--from-api", "-o", str(tmp_path / "b.yaml")], env=env)
    assert from_api.exit_code == 0, from_api.output
    assert (tmp_path / "a.yaml").read_text() == (tmp_path / "b.yaml").read_text()
    assert "id: tally-" in (tmp_path / "a.yaml").read_text() and 'price: "4.50"' in (tmp_path / "a.yaml").read_text()
    assert fake.calls == ["/catalog"]

    helped = runner.invoke(cli, ["import", "--help"])
    assert "tally: TALLY_TOKEN, TALLY_API_BASE_URL (default https://api.tally.invalid)" in helped.output


def test_an_unregistered_pos_is_refused_everywhere(tmp_path):
    imported = CliRunner().invoke(cli, ["import", "tally", "--from-file", "x.json"])
    assert imported.exit_code == 1 and "'tally' is not one of 'square', 'toast', 'clover'" in imported.output
    config = tmp_path / "serve.yaml"
    config.write_text("catalogs:\n  - {name: shop, source: tally, catalog: shop.yaml}\n")
    with pytest.raises(ServeConfigInvalid) as refused:
        load_config(config)
    assert refused.value.render() == f"{config}:2:18: catalogs[0].source: must be one of 'square', 'toast', 'clover'"


# -- serve -------------------------------------------------------------------------------------------


def test_serve_takes_the_new_pos_webhook_to_a_live_change(tally, api, tmp_path):
    fake, url = api
    state = tmp_path / "state"
    environ = {"TALLY_TOKEN": TOKEN, "TALLY_API_BASE_URL": url, "TALLY_WEBHOOK_SECRET": SECRET}
    entry = {"name": "shop", "source": "tally", "catalog": str(tmp_path / "shop.yaml"), "debounce": 0, "interval": 0}
    config = ServeConfig.model_validate({"catalogs": [entry]})
    checked = CliRunner().invoke(cli, ["serve", "--source", "tally", "--catalog", "x.yaml", "--check"], env=environ)
    assert checked.exit_code == 0 and checked.output.startswith("tally: tally account any ->"), checked.output

    with contextlib.ExitStack() as cleanup:
        context = open_context(config, state, environ, cleanup)
        with serving(build_app(context), lifespan="on") as client:

            def synced(count: int) -> dict | None:
                shop = client.get("/healthz").json()["catalogs"]["shop"]
                return shop if shop["syncs"] >= count and not shop["running"] and not shop["pending"] else None

            first = wait_until(lambda: synced(1), "the start-up sync")["last_sync"]
            assert (first["outcome"], first["summary"]) == ("applied", "Plan: 4 to create, 0 to update, 0 to archive")
            assert live_prices(state) == {"Soup": "4.50", "Bread": "2.00"}

            body, headers = signed({"id": "evt-1", "type": "menu.changed"})
            forged = client.post("/webhooks/tally", content=body, headers={**headers, SIGNATURE: "forged"})
            assert forged.status_code == 401
            fake.price("T1", "5.25")
            answer = client.post("/webhooks/tally", content=body, headers=headers)
            assert answer.json() == {"accepted": 1, "duplicates": 0, "ignored": 0}
            second = wait_until(lambda: synced(2), "the webhook's sync")["last_sync"]
            assert (second["outcome"], second["summary"]) == ("applied", "Plan: 0 to create, 1 to update, 0 to archive")
            assert live_prices(state) == {"Soup": "5.25", "Bread": "2.00"}
            assert 'price: "5.25"' in (tmp_path / "shop.yaml").read_text()

            fake.calls.clear()
            again, again_headers = signed({"id": "evt-2", "type": "menu.changed"})
            client.post("/webhooks/tally", content=again, headers=again_headers)
            third = wait_until(lambda: synced(3), "the next webhook's sync")["last_sync"]
            assert third["outcome"] == "unchanged" and fake.calls == ["/version"]  # the probe said: nothing new
