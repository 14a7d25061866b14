"""The Square source: export files in every Square form, or the Catalog API; its webhooks and change probe."""

from __future__ import annotations

from typing import Any, ClassVar

from reconciler.sources.base import EnvNames, ImportOptions, ImportResult, PosLocation, Source
from reconciler.sources.square import api, changes, partial, webhook
from reconciler.sources.square.forms import locations_of
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

    def translate(self, raw: Any, options: ImportOptions) -> ImportResult:
        return translate(parse(raw), options)

    def locations(self, raw: Any) -> list[PosLocation]:
        return [PosLocation(ident, name) for ident, name in locations_of(raw)]

    # The other hooks are the functions of api.py and webhook.py themselves.
    read_api = staticmethod(api.list_catalog)
    verify_webhook = staticmethod(webhook.verify)
    webhook_events = staticmethod(webhook.events)
    probe = staticmethod(api.probe)
    # SearchCatalogObjects after the watermark, tombstones included, merged into the held read (changes.py).
    incremental: ClassVar[bool] = True
    read_changes = staticmethod(changes.read_changes)
    hold = staticmethod(changes.hold)  # kept normalized, as the merge needs it
    # Changed items translated alone and spliced into the held import (partial.py, sources/splice.py).
    partial_reads = staticmethod(partial.partial_reads)
