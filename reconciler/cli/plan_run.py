"""`reconcile plan` of one location, and its plan memo (engine/memo.py): a plan of what did not change
prints what the last one printed, after reading the live side as every plan does."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from reconciler.cli import site_cmds
from reconciler.cli.show_cmd import plan_page
from reconciler.engine.availability import Layer, read_layer
from reconciler.engine.memo import Answer, Head, PlanMemo, raw_digest
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import to_json
from reconciler.engine.planning import Planned, Reading, make_plan, read_live
from reconciler.engine.safety import Thresholds
from reconciler.engine.targeting import Selection
from reconciler.engine.vocabulary import Action
from reconciler.errors import CatalogInvalid, ExitCode
from reconciler.files import FileProblem
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text
from reconciler.state.storage import Storage
from reconciler.targets.registry import open_target
from reconciler.yamlio.cache import cache_key, load_catalog_cached
from reconciler.yamlio.load import catalog_files

MAX_KEPT = 4_000_000  # characters of output a memo keeps at most


def color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def render(plan: Plan, fmt: str, key: str | None) -> str:
    """What `reconcile plan` prints of a plan (text, json or markdown)."""
    if fmt == "json":
        return to_json(plan, key)
    if fmt == "markdown":
        return render_markdown(plan)
    return render_text(plan, color=color())


def memo_of(
    catalog: str,
    state: Path,
    target: str | None,
    location: str | None,
    fmt: str,
    key: str | None,
    thresholds: Thresholds,
    live_updates: bool,
) -> PlanMemo | None:
    """The plan memo of this request, or None where a plan is always made in full (a signed JSON plan:
    its signature is the key's; an unreadable catalog: the loader says why)."""
    if fmt not in ("text", "json", "markdown") or (fmt == "json" and key):
        return None
    try:
        files = cache_key(catalog_files(catalog))
    except (OSError, FileProblem, CatalogInvalid):
        return None  # the loader says what is wrong
    request = {
        "target": target or "sandbox",
        "location": location,
        "format": fmt,
        "color": fmt == "text" and color(),
        "thresholds": asdict(thresholds),
        "live_updates": live_updates,
    }
    return PlanMemo.of(state, files, request)


def emit(answer: Answer, detailed_exitcode: bool) -> None:
    click.echo(answer.output, nl=False)
    if detailed_exitcode and not answer.empty:
        sys.exit(ExitCode.CHANGES)


async def replay(
    memo: PlanMemo,
    head: Head,
    catalog: str,
    location: str | None,
    target_name: str | None,
    state: Path,
    thresholds: Thresholds,
    live_updates: bool,
    fmt: str,
    key: str | None,
) -> Answer | None:
    """The last plan's output when every input hashes the same; else the plan made in full against the
    same read (None: the catalog no longer opens this target the same way; plan as if there were no memo)."""
    store, layers = Storage(state).mapping(), Storage(state).availability()
    try:
        layer = read_layer(layers)
        async with open_target(target_name or "sandbox", head.location, state, currency=head.currency) as target:
            reading = await read_live(target, store, state)
            live_key = _live_key(memo, reading)
            found = None if layer.entries or live_key is None else memo.answer(live_key)
            if found is not None:
                return found
            chosen = site_cmds.choose(load_catalog_cached(catalog, state), location)
            if not _plain(chosen) or _head(chosen) != head:
                return None
            planned = await make_plan(
                chosen.catalog, target, store, thresholds, live_updates, layer, None, state, reading
            )
            return _keep(memo, head, live_key, planned, layer, fmt, key)
    finally:
        store.close()
        layers.close()


async def plan_one(
    chosen: site_cmds.Single,
    target_name: str | None,
    state: Path,
    thresholds: Thresholds,
    live_updates: bool,
    html: bool = False,
    selection: Selection | None = None,
    memo: PlanMemo | None = None,
    fmt: str = "text",
    key: str | None = None,
) -> tuple[Plan, str | None, str | None]:
    """The plan; with ``html`` the page that shows it as a diner will see the menu; with ``memo``, what it
    prints in ``fmt`` (None: not rendered), kept in the memo when it may be (a one-location catalog,
    nothing selected)."""
    catalog = chosen.catalog
    store = Storage(state).mapping()
    layers = Storage(state).availability()
    try:
        async with site_cmds.open_single(chosen, target_name, state) as target:
            layer = read_layer(layers)  # and the live side read as what changed since the last plan
            reading = await read_live(target, store, state)
            planned = await make_plan(
                catalog, target, store, thresholds, live_updates, layer, selection, state, reading
            )
            output = None
            if memo is not None and selection is None and _plain(chosen):
                output = _keep(memo, _head(chosen), _live_key(memo, reading), planned, layer, fmt, key).output
            page = plan_page(planned, target, catalog.currency) if html else None
            return planned.plan, page, output
    finally:
        store.close()
        layers.close()


def _plain(chosen: object) -> bool:
    """One location of a catalog without ``locations:``: what a head can open again."""
    return isinstance(chosen, site_cmds.Single) and not chosen.chain and not chosen.places


def _head(chosen: site_cmds.Single) -> Head:
    entries = [*chosen.catalog.dishes, *chosen.catalog.variations]
    images = tuple(sorted({(e.image_file.path, e.image_file.sha256) for e in entries if e.image_file is not None}))
    return Head(chosen.location, chosen.catalog.currency, images)


def _live_key(memo: PlanMemo, reading: Reading[Any]) -> str | None:
    """None: the read cannot be hashed whole (nothing is kept or answered)."""
    raw = raw_digest(reading.raw)
    if raw is None:
        return None
    info = reading.info
    where = (info.name, info.api, info.location_id, info.location_name, info.catalog_id, info.scope, reading.zone)
    return memo.live_key(reading.scope, raw, reading.entries, where)


def _keep(
    memo: PlanMemo, head: Head, live_key: str | None, planned: Planned[Any], layer: Layer, fmt: str, key: str | None
) -> Answer:
    """The answer of a plan made in full; kept unless the clock or the journal had a say in it."""
    plan = planned.plan
    answer = Answer(render(plan, fmt, key), plan.empty)
    timeless = not layer.entries and not planned.adoption.started and not planned.adoption.ended
    small = len(answer.output) <= MAX_KEPT  # a plan of a whole new catalog is not worth the disk
    if live_key is not None and timeless and small and not any(c.action is Action.REMOVE for c in plan.changes):
        memo.keep(head, live_key, answer)
    return answer
