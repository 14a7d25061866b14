"""serve's import step: the whole POS catalog, or only what changed since the last good sync.

A webhook sync right after a good one asks the source for the changed objects alone
(:meth:`reconciler.sources.base.Source.read_changes`, declared by ``incremental``): it gets the read
the last sync held, with its watermark, and answers what a whole read would return now, or that it
cannot tell (then this is a whole import, and the history says why). The translation, YAML and the
proof that it reads back are :func:`reconciler.sources.service.import_from_raw`: the same code as a
whole import, so the same bytes.

The held read lives in this process only, next to the YAML text it translated to and the watermark
it is good at. It is used only while all three still hold: the catalog's configuration fingerprint
and stored watermark are the ones it was kept with, and the file's text is the text it made (an
edited, restored or half-written file is never merged into: a whole import). A restart, a scheduled
run (the periodic full sync) or a failed sync starts from a whole read. Nothing here writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from reconciler.model.catalog import Catalog
from reconciler.model.locations import Location
from reconciler.serve.config import CatalogConfig
from reconciler.sources.base import ImportOptions, ImportResult, Source
from reconciler.sources.service import ImportOutput, import_changes, import_from_api, keeping_settings


@dataclass(frozen=True)
class Held:
    fingerprint: str  # the catalog's configuration (serve/sync.py _fingerprint)
    watermark: str  # the read is what the POS held at this watermark (or later)
    text: str  # the YAML it translated to, as written to the catalog file
    raw: Any  # what read_api (or read_changes) returned
    result: ImportResult  # its translation: what the next incremental import splices the changes into


_held: dict[str, Held] = {}  # catalog name -> the last good sync's read
_lock = threading.Lock()


@dataclass(frozen=True)
class Read:
    out: ImportOutput
    how: str  # "incremental: ..." or "whole: why", for the history and the log
    translation: str = "whole: the POS was read whole"  # or "spliced: ..." (sources/splice.py), for the log


def import_catalog(
    cfg: CatalogConfig,
    at: tuple[str, str | None],
    source: Source,
    options: ImportOptions,
    client: httpx.Client,
    environ: Mapping[str, str],
    before: Catalog | None,
    scheduled: bool,
    sleep: Callable[[float], None] | None = None,
) -> Read:
    """One import for a sync: incremental when the held read allows it, else whole (and why).

    ``at``: the configuration fingerprint and the stored watermark. A re-import keeps the settings a
    person wrote in the catalog it replaces (:func:`keeping_settings`), either way."""
    name, (fingerprint, since) = cfg.name, at
    kept = {loc.pos_location: loc for loc in (before.locations if before else []) if loc.pos_location}
    read = _import(
        name, fingerprint, since, source, options, client, environ, Path(cfg.catalog), sleep, kept, scheduled
    )
    return Read(keeping_settings(read.out, before), read.how, read.translation)


def _import(
    name: str,
    fingerprint: str,
    since: str | None,
    source: Source,
    options: ImportOptions,
    client: httpx.Client,
    environ: Mapping[str, str],
    path: Path,
    sleep: Callable[[float], None] | None,
    kept: dict[str, Location],
    scheduled: bool,
) -> Read:
    why = _why_whole(name, fingerprint, since, source, path, scheduled)
    if why is None:
        held = _held[name]
        settings = source.settings_from_env(environ)
        client.headers.update(source.auth_headers(settings))
        changes = source.read_changes(client, settings, held.raw, held.watermark)
        if changes.raw is not None:
            out = ImportOutput(held.text, held.result, held.raw)
            spliced, how = import_changes(source.name, out, changes.raw, options, kept)
            return Read(spliced, f"incremental: {changes.detail}", how)
        why = changes.detail
    out = import_from_api(source.name, options, environ=environ, client=client, sleep=sleep, keep=kept)
    return Read(out, f"whole: {why}")


def _why_whole(
    name: str, fingerprint: str, since: str | None, source: Source, path: Path, scheduled: bool
) -> str | None:
    if not source.incremental:
        return f"{source.title} declares no incremental read"
    if scheduled:
        return "a scheduled sync reads the POS whole"
    with _lock:
        held = _held.get(name)
    if held is None:
        return "no read held since serve started (or since the last failed sync)"
    if held.fingerprint != fingerprint or held.watermark != since:
        return "the held read is not of the stored watermark"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "the catalog file cannot be read"
    if text != held.text:
        return "the catalog file is not the one the held read made"
    return None


def settle(
    name: str,
    source: Source,
    ok: bool,
    at: tuple[str, str | None],
    watermark: str | None,
    out: ImportOutput | None,
) -> None:
    """After a sync: hold its read at the watermark just stored; a sync that read nothing (the probe saw
    no change) keeps the held read, now good at the new watermark; a failed one forgets it.

    The read is held in the form the source's ``hold`` makes (Square: normalized), here, after the
    change is live, rather than at the start of the next webhook's sync."""
    fingerprint, since = at
    fresh = out.raw if ok and watermark and out is not None else None
    kept = source.hold(fresh) if fresh is not None else None  # outside the lock: it may walk the whole read
    with _lock:
        held = _held.pop(name, None)
        if not ok or not watermark:
            return
        if out is not None and fresh is not None:
            _held[name] = Held(fingerprint, watermark, out.text, kept, out.result)
        elif out is None and held is not None and held.watermark == since and held.fingerprint == fingerprint:
            _held[name] = Held(fingerprint, watermark, held.text, held.raw, held.result)


def forget(name: str) -> None:
    """A sync that failed: whatever read it held is in doubt; the next one reads whole."""
    with _lock:
        _held.pop(name, None)
