"""The Toast source: a saved ``/menus/v2/menus`` document, or the Menus API itself.

The API has no paging: one call returns the whole document for the restaurant named by the
``Toast-Restaurant-External-ID`` header (``TOAST_RESTAURANT_GUID``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from reconciler.sources.base import ApiSettings, EnvNames, ImportOptions, ImportResult, Source
from reconciler.sources.http import request_json
from reconciler.sources.toast.parse import parse
from reconciler.sources.toast.translate import translate


class ToastSource(Source):
    name: ClassVar[str] = "toast"
    prefix: ClassVar[str] = "toast"
    env: ClassVar[EnvNames] = EnvNames(
        token="TOAST_ACCESS_TOKEN",
        base_url="TOAST_API_BASE_URL",
        default_base_url="https://ws-api.toasttab.com",
        account="TOAST_RESTAURANT_GUID",
    )

    def auth_headers(self, settings: ApiSettings) -> dict[str, str]:
        return {**super().auth_headers(settings), "Toast-Restaurant-External-ID": settings.account or ""}

    def read_api(self, client: httpx.Client, settings: ApiSettings) -> Any:
        return request_json(
            client,
            "GET",
            "/menus/v2/menus",
            operation="Toast GET /menus/v2/menus",
            secret=settings.token,
            sleep=settings.sleep,
        )

    def translate(self, raw: Any, options: ImportOptions) -> ImportResult:
        return translate(parse(raw, options.location), options)
