"""The Toast source: a saved ``/menus/v2/menus`` document, or the Menus API; its webhooks and change probe."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx

from reconciler.sources.base import (
    ApiSettings,
    EnvNames,
    Event,
    ImportOptions,
    ImportResult,
    Probe,
    Source,
    Verdict,
    WebhookKey,
)
from reconciler.sources.toast import api, webhook
from reconciler.sources.toast.parse import parse
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

    def read_api(self, client: httpx.Client, settings: ApiSettings) -> Any:
        return api.read_menus(client, settings)

    def translate(self, raw: Any, options: ImportOptions) -> ImportResult:
        return translate(parse(raw, options.location), options)

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, keys: Sequence[WebhookKey]) -> Verdict:
        return webhook.verify(headers, body, keys)

    def webhook_events(self, data: dict[str, Any], headers: Mapping[str, str]) -> list[Event]:
        return webhook.events(data, headers)

    def probe(
        self,
        client: httpx.Client,
        settings: ApiSettings,
        since: str | None,
        hints: Sequence[Mapping[str, Any]] = (),
        full: bool = False,
    ) -> Probe:
        return api.probe(client, settings, since, hints)
