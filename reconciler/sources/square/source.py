"""The Square source: export files in every Square form, or the Catalog API."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from reconciler.sources.base import ApiSettings, EnvNames, ImportOptions, ImportResult, Source
from reconciler.sources.square.api import list_catalog
from reconciler.sources.square.parse import parse
from reconciler.sources.square.translate import translate


class SquareSource(Source):
    name: ClassVar[str] = "square"
    prefix: ClassVar[str] = "sq"
    env: ClassVar[EnvNames] = EnvNames(
        token="SQUARE_ACCESS_TOKEN", base_url="SQUARE_API_BASE_URL", default_base_url="https://connect.squareup.com"
    )

    def read_api(self, client: httpx.Client, settings: ApiSettings) -> Any:
        return list_catalog(client, settings)

    def translate(self, raw: Any, options: ImportOptions) -> ImportResult:
        return translate(parse(raw), options)
