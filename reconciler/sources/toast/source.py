"""The Toast source: a saved ``/menus/v2/menus`` document, or the Menus API; its webhooks and change probe."""

from __future__ import annotations

from typing import Any, ClassVar

from reconciler.sources.base import ApiSettings, Changes, EnvNames, ImportOptions, ImportResult, PosLocation, Source
from reconciler.sources.toast import api, webhook
from reconciler.sources.toast.parse import parse, restaurants
from reconciler.sources.toast.translate import translate


class ToastSource(Source):
    name: ClassVar[str] = "toast"
    title: ClassVar[str] = "Toast"
    prefix: ClassVar[str] = "toast"
    env: ClassVar[EnvNames] = EnvNames(
        token="TOAST_ACCESS_TOKEN",
        base_url="TOAST_API_BASE_URL",
        default_base_url="https://ws-api.toasttab.com",
        webhook_secret="TOAST_WEBHOOK_SECRET",
        account="TOAST_RESTAURANT_GUID",
    )

    def auth_headers(self, settings: ApiSettings) -> dict[str, str]:
        return {**super().auth_headers(settings), "Toast-Restaurant-External-ID": settings.account or ""}

    def translate(self, raw: Any, options: ImportOptions) -> ImportResult:
        return translate(parse(raw, options.location, link=options.across_locations), options)

    def locations(self, raw: Any) -> list[PosLocation]:
        """One menus document per restaurant; Toast's document names no restaurant, so its GUID is its name
        until you write the Wix location's name (or id) in the catalog (a re-import keeps it)."""
        return [PosLocation(guid, guid) for guid in restaurants(raw)]

    # The other hooks are the functions of api.py and webhook.py themselves.
    read_api = staticmethod(api.read_menus)
    verify_webhook = staticmethod(webhook.verify)
    webhook_events = staticmethod(webhook.events)
    probe = staticmethod(api.probe)

    def read_changes(self, client: Any, settings: ApiSettings, held: Any, since: str | None) -> Changes:
        """Not incremental, and cannot be: the menus webhook says only that the menus were published,
        and the Menus API serves the whole document (``/menus/v2/metadata`` says only *when*), so a
        whole read is the floor of a Toast sync (docs/serve.md)."""
        return Changes(None, "Toast's Menus API serves only the whole menus document: whole import")

    # The stock API (``GET /stock/v1/inventory``): menu items OUT_OF_STOCK, or QUANTITY with 0 left.
    stock_api: ClassVar[bool] = True
    read_stock = staticmethod(api.read_stock)
