"""The Square source: export files in every Square form, or the Catalog API; its webhooks and change probe."""

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
from reconciler.sources.square import api, webhook
from reconciler.sources.square.parse import parse
from reconciler.sources.square.translate import translate


class SquareSource(Source):
    name: ClassVar[str] = "square"
    title: ClassVar[str] = "Square"
    prefix: ClassVar[str] = "sq"
    env: ClassVar[EnvNames] = EnvNames(
        token="SQUARE_ACCESS_TOKEN",
        base_url="SQUARE_API_BASE_URL",
        default_base_url="https://connect.squareup.com",
        webhook_secret="SQUARE_WEBHOOK_SIGNATURE_KEY",
        webhook_url="SQUARE_WEBHOOK_URL",
    )

    def read_api(self, client: httpx.Client, settings: ApiSettings) -> Any:
        return api.list_catalog(client, settings)

    def translate(self, raw: Any, options: ImportOptions) -> ImportResult:
        return translate(parse(raw), options)

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
        return api.probe(client, settings, since)
