"""Run one import end to end: read, translate, render, and prove the result valid.

The CLI calls :func:`import_from_file` or :func:`import_from_api`; both return an
:class:`ImportOutput` whose ``text`` has already been written to a temporary file and read back
with :func:`reconciler.yamlio.load.load_catalog`. If that fails, the importer has a bug and
:class:`ImportOutputInvalid` is raised, so no invalid YAML ever reaches the user's repository.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from reconciler.errors import CatalogInvalid
from reconciler.sources.base import ImportNote, ImportOptions, ImportResult, Source
from reconciler.sources.errors import ImportOutputInvalid
from reconciler.sources.registry import get_source
from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.load import load_catalog

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass(frozen=True)
class ImportOutput:
    text: str  # the canonical YAML
    result: ImportResult

    @property
    def notes(self) -> list[ImportNote]:
        return self.result.notes


def import_from_file(pos: str, path: str | Path, options: ImportOptions) -> ImportOutput:
    source = get_source(pos)
    return _finish(source, source.translate(source.read_file(path), options))


def import_from_api(
    pos: str,
    options: ImportOptions,
    environ: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
    page_size: int | None = None,
    sleep: Callable[[float], None] | None = None,
) -> ImportOutput:
    """Read the POS API configured by the environment (see each source's ``env``).

    ``client`` lets callers supply transport settings; it is used as given plus the auth headers.
    ``page_size`` (Clover) and ``sleep`` (the back-off between retries) are for tests and tuning.
    """
    source = get_source(pos)
    settings = source.settings_from_env(environ)
    settings = replace(settings, page_size=page_size or settings.page_size, sleep=sleep or settings.sleep)
    headers = source.auth_headers(settings)
    if client is None:
        with httpx.Client(base_url=settings.base_url, headers=headers, timeout=TIMEOUT) as own:
            raw = source.read_api(own, settings)
    else:
        client.headers.update(headers)
        raw = source.read_api(client, settings)
    return _finish(source, source.translate(raw, options))


def _finish(source: Source, result: ImportResult) -> ImportOutput:
    text = dump_catalog(result.catalog)
    validate_text(source.name, text, result)
    return ImportOutput(text, result)


def validate_text(pos: str, text: str, result: ImportResult) -> None:
    """Load ``text`` back as a user would; anything wrong is our bug."""
    with tempfile.TemporaryDirectory(prefix="reconcile-import-") as folder:
        path = Path(folder) / "catalog.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            loaded = load_catalog(path)
        except CatalogInvalid as exc:
            raise ImportOutputInvalid(pos, exc.render()) from None
    if loaded != result.catalog:
        raise ImportOutputInvalid(pos, "the YAML does not read back as the catalog that was imported")
