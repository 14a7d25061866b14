"""The Clover source: a saved inventory export, or the v3 REST API of one merchant; its webhooks and probe."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx

from reconciler.sources.base import (
    ApiSettings,
    EnvNames,
    Event,
    Handshake,
    ImportOptions,
    ImportResult,
    Probe,
    Source,
    Verdict,
    WebhookKey,
)
from reconciler.sources.clover import api, webhook
from reconciler.sources.clover.parse import parse
from reconciler.sources.clover.translate import translate


class CloverSource(Source):
    name: ClassVar[str] = "clover"
    title: ClassVar[str] = "Clover"
    prefix: ClassVar[str] = "clover"
    env: ClassVar[EnvNames] = EnvNames(
        token="CLOVER_ACCESS_TOKEN",
        base_url="CLOVER_API_BASE_URL",
        default_base_url="https://api.clover.com",
        webhook_secret="CLOVER_WEBHOOK_AUTH_CODE",
        account="CLOVER_MERCHANT_ID",
    )

    def auth_headers(self, settings: ApiSettings) -> dict[str, str]:
        return {**super().auth_headers(settings), "User-Agent": "reconcile-import"}

    def read_api(self, client: httpx.Client, settings: ApiSettings) -> Any:
        return api.read_inventory(client, settings)

    def translate(self, raw: Any, options: ImportOptions) -> ImportResult:
        return translate(parse(raw), options)

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, keys: Sequence[WebhookKey]) -> Verdict:
        return webhook.verify(headers, body, keys)

    def webhook_handshake(self, body: bytes) -> Handshake | None:
        return webhook.handshake(body)

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
        return api.probe(client, settings, since, hints, full)
