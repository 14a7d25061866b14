"""Run one import end to end: read, translate, render, and prove the result valid.

The CLI calls :func:`import_from_file` or :func:`import_from_api`; both return an
:class:`ImportOutput` whose ``text`` has already been written to a temporary file and read back
with :func:`reconciler.yamlio.load.load_catalog`. If that fails, the importer has a bug and
:class:`ImportOutputInvalid` is raised, so no invalid YAML ever reaches the user's repository.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from reconciler.errors import CatalogInvalid
from reconciler.model.catalog import Catalog
from reconciler.model.locations import Location
from reconciler.sources.base import ApiSettings, ImportNote, ImportOptions, ImportResult, Source
from reconciler.sources.chain import align_by_name, merge_locations
from reconciler.sources.errors import ImportOutputInvalid, SourceInvalid, SourceProblem
from reconciler.sources.registry import get_source
from reconciler.sources.splice import Unsure, splice
from reconciler.tls import tls_context
from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.load import load_catalog

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def pos_client(source: Source, settings: ApiSettings) -> httpx.Client:
    """A client of the POS's API with its credentials. serve builds one per sync, so its TLS context
    is the process's (``tls_context``), not a new one each time."""
    return httpx.Client(
        base_url=settings.base_url, headers=source.auth_headers(settings), timeout=TIMEOUT, verify=tls_context()
    )


@dataclass(frozen=True)
class ImportOutput:
    text: str  # the canonical YAML
    result: ImportResult
    raw: object = field(default=None, repr=False, compare=False)  # what was read (API imports): serve holds it

    @property
    def notes(self) -> list[ImportNote]:
        return self.result.notes


def import_from_file(
    pos: str, path: str | Path | list[str | Path], options: ImportOptions, keep: dict[str, Location] | None = None
) -> ImportOutput:
    """One export file, or several (Toast: one menus document per restaurant; Clover: one merchant each).

    ``keep``: the locations of an earlier import of the same catalog, by ``pos_location``.
    """
    source = get_source(pos)
    paths = path if isinstance(path, list) else [path]
    return _finish(
        source, translate_all(source, [source.read_file(p) for p in paths], options, keep, ', '.join(map(str, paths)))
    )


def translate_all(
    source: Source,
    raws: list[object],
    options: ImportOptions,
    keep: dict[str, Location] | None = None,
    origin: str = "the export",
) -> ImportResult:
    """Every location the data holds, as one catalog; one location (``--location``, or the only one) as before."""
    places = [(raw, place) for raw in raws for place in source.locations(raw)]
    if options.location is not None:
        chosen = [raw for raw, place in places if place.id == options.location] or raws[:1]
        if len(raws) > 1 and len(chosen) != 1:
            raise SourceInvalid(
                source.name, [SourceProblem("location", options.location, "", "no file holds this location")]
            )
        return _translate(source, chosen[0], options, origin)
    if len(places) < 2:
        if len(raws) > 1:
            raise SourceInvalid(
                source.name,
                [SourceProblem("file", "", "", "several files, but they do not say which locations they are")],
            )
        return _translate(source, raws[0], options, origin)
    linked = replace(options, across_locations=True)
    results = [_translate(source, raw, replace(linked, location=place.id), origin) for raw, place in places]
    if not source.shared_ids:
        aligned = align_by_name([r.catalog for r in results])
        results = [replace(r, catalog=c) for r, c in zip(results, aligned, strict=True)]
    return merge_locations(source.name, list(zip([p for _, p in places], results, strict=True)), keep)


def import_from_api(
    pos: str,
    options: ImportOptions,
    environ: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
    page_size: int | None = None,
    sleep: Callable[[float], None] | None = None,
    keep: dict[str, Location] | None = None,
) -> ImportOutput:
    """Read the POS API configured by the environment (see each source's ``env``).

    ``client`` lets callers supply transport settings; it is used as given plus the auth headers.
    ``page_size`` (Clover) and ``sleep`` (the back-off between retries) are for tests and tuning.
    """
    source = get_source(pos)
    settings = source.settings_from_env(environ)
    settings = replace(settings, page_size=page_size or settings.page_size, sleep=sleep or settings.sleep)
    if client is None:
        with pos_client(source, settings) as own:
            raw = source.read_api(own, settings)
    else:
        client.headers.update(source.auth_headers(settings))
        raw = source.read_api(client, settings)
    return replace(_finish(source, translate_all(source, [raw], options, keep, f"the {source.name} API")), raw=raw)


def import_from_raw(
    pos: str, raw: object, options: ImportOptions, keep: dict[str, Location] | None = None
) -> ImportOutput:
    """What :func:`import_from_api` makes of a read it already holds (serve's incremental read,
    :meth:`Source.read_changes`): the same translation, YAML and proof, so the same bytes."""
    source = get_source(pos)
    return replace(_finish(source, translate_all(source, [raw], options, keep, f"the {source.name} API")), raw=raw)


def import_changes(
    pos: str, held: ImportOutput, raw: object, options: ImportOptions, keep: dict[str, Location] | None = None
) -> tuple[ImportOutput, str]:
    """serve's import of an incremental read ``raw``: the changed objects alone translated and spliced
    into ``held`` (the import of ``held.raw``, :mod:`reconciler.sources.splice`), else the whole
    translation of ``raw``; with ``spliced: …`` or ``whole: why`` for the log."""
    source = get_source(pos)
    if keep:
        why = "a catalog of several locations"
    else:
        try:
            done = splice(source, held.text, held.result, held.raw, raw, options)
        except Unsure as exc:
            why = str(exc)
        else:
            return ImportOutput(done.text, done.result, raw), f"spliced: {done.changed} entit(ies) replaced"
    return import_from_raw(pos, raw, options, keep), f"whole: {why}"


def _translate(source: Source, raw, options: ImportOptions, origin: str) -> ImportResult:
    """The source's translation; a shape its checks did not foresee is still the input's problem."""
    try:
        return source.translate(raw, options)
    except (TypeError, AttributeError, KeyError, IndexError, ValueError, ArithmeticError, RecursionError) as exc:
        problem = SourceProblem(
            "export", origin, "", f"not in the shape {source.name} documents ({type(exc).__name__}: {str(exc)[:200]})"
        )
        raise SourceInvalid(source.name, [problem]) from exc


def keeping_settings(out: ImportOutput, earlier: Catalog | None) -> ImportOutput:
    """A re-import keeps the settings a person wrote in the catalog it replaces (``menus_new:``): the
    POS knows nothing of them, and losing ``share`` would plan a shared site location by location."""
    catalog = out.result.catalog
    if earlier is None or not catalog.locations or earlier.menus_new == catalog.menus_new:
        return out
    kept = catalog.model_copy(update={"menus_new": earlier.menus_new})
    return ImportOutput(dump_catalog(kept), replace(out.result, catalog=kept), out.raw)


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
