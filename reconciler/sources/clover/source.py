"""The Clover source: a saved inventory export, or the v3 REST API of one merchant."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from reconciler.sources.base import ApiSettings, EnvNames, ImportOptions, ImportResult, Source
from reconciler.sources.clover.api import read_inventory
from reconciler.sources.clover.parse import parse
from reconciler.sources.clover.translate import translate


class CloverSource(Source):
    name: ClassVar[str] = "clover"
    prefix: ClassVar[str] = "clover"
    env: ClassVar[EnvNames] = EnvNames(
        token="CLOVER_ACCESS_TOKEN",
        base_url="CLOVER_API_BASE_URL",
        default_base_url="https://api.clover.com",
        account="CLOVER_MERCHANT_ID",
    )

    def auth_headers(self, settings: ApiSettings) -> dict[str, str]:
        return {**super().auth_headers(settings), "User-Agent": "reconcile-import"}

    def read_api(self, client: httpx.Client, settings: ApiSettings) -> Any:
        return read_inventory(client, settings)

    def translate(self, raw: Any, options: ImportOptions) -> ImportResult:
        return translate(parse(raw), options)
