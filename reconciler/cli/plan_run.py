"""`reconcile plan` made in full, and kept in the plan memo (engine/memo.py) where it may be: what
plan_cmd.py runs when plan_answer.py had no answer, and that answer's continuation against the same
read when the memo missed.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from reconciler.cli import deadline, plan_files, site_cmds, site_page
from reconciler.cli.plan_answer import color
from reconciler.cli.refresh import show_refresh
from reconciler.cli.selection import selection_of
from reconciler.cli.show_cmd import plan_page
from reconciler.engine.availability import Layer, read_layer
from reconciler.engine.memo import Answer, Head, PlanMemo, raw_digest
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import to_json
from reconciler.engine.plankey import plan_key
from reconciler.engine.planning import Planned, Reading, make_plan, read_live, reading_of
from reconciler.engine.snapshots import Snapshots
from reconciler.engine.targeting import Selection
from reconciler.engine.thresholds import Thresholds
from reconciler.engine.vocabulary import Action
from reconciler.errors import ConfigError, ExitCode
from reconciler.files import write_text
from reconciler.http import Session
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text
from reconciler.state.availability import LayerEntry
from reconciler.state.mapping import MappingStore
from reconciler.state.paths import state_dir as resolve_state_dir
from reconciler.state.paths import state_path
from reconciler.state.storage import Storage
from reconciler.targets.registry import WIX, open_target
from reconciler.targets.wix_menus.snapshot import Answers as MenusAnswers
from reconciler.targets.wix_v3.raw import Answers
from reconciler.yamlio.cache import load_catalog_cached

MAX_KEPT = 4_000_000  # characters of output a memo keeps at most


def render(plan: Plan, fmt: str, key: str | None) -> str:
    """What `reconcile plan` prints of a plan (text, json or markdown)."""
    if fmt == "json":
        return to_json(plan, key)
    if fmt == "markdown":
        return render_markdown(plan)
    return render_text(plan, color=color())


def plan_in_full(
    *,
    catalog: str,
    target: str | None,
    location: str | None,
    state_dir: str | None,
    fmt: str,
    out: str | None,
    detailed_exitcode: bool,
    thresholds: Thresholds,
    live_updates: bool,
    only: str | None,
    exclude: str | None,
    refresh_only: bool,
    memo: PlanMemo | None,
    key: str | None,
) -> None:
    """`reconcile plan` when the memo did not answer (plan_cmd.py): the plan made in full and printed."""
    if out:
        plan_files.refuse_out_onto_catalog(Path(out), Path(catalog))
        key = plan_key()
    # Before anything is created: an invalid catalog leaves no trace (the cache is written only for a valid one).
    desired = load_catalog_cached(catalog, state_path(state_dir))
    state = resolve_state_dir(state_dir)
    chosen = site_cmds.choose(desired, location)
    selection = selection_of(only, exclude, chosen)
    if not isinstance(chosen, site_cmds.Single):
        if fmt == "html" and selection is not None:
            raise ConfigError("--format html with --only or --exclude shows one location: pass --location NAME")
        if fmt == "html":
            site, page = deadline.run_async(
                site_page.site_plan_page(desired, chosen, target, state, thresholds, live_updates)
            )
            site_page.emit(page, out, site.summary_line())
        else:
            site = deadline.run_async(
                site_cmds.plan_site(desired, chosen, target, state, thresholds, live_updates, selection=selection)
            )
            if out:
                write_text(Path(out), to_json(site, key))
            site_cmds.print_site_plan(site, fmt, color(), out)
        if detailed_exitcode and not site.empty:
            sys.exit(ExitCode.CHANGES)
        return
    result, page, output = deadline.run_async(
        plan_one(chosen, target, state, thresholds, live_updates, fmt == "html", selection, memo, fmt, key)
    )
    if refresh_only:
        return show_refresh(result, fmt, detailed_exitcode)
    if page is not None:
        site_page.emit(page, out, result.summary_line())
    elif out:
        write_text(Path(out), to_json(result, key))
    if fmt != "html":
        click.echo(output if output is not None else render(result, fmt, key), nl=False)
    if fmt == "text" and out:
        click.echo(f"Saved the plan to {out}; apply it with `reconcile apply --plan {out}`.")
    if detailed_exitcode and not result.empty:
        sys.exit(ExitCode.CHANGES)


async def replay(
    memo: PlanMemo,
    head: Head,
    catalog: str,
    location: str | None,
    target_name: str,
    state: Path,
    thresholds: Thresholds,
    live_updates: bool,
    fmt: str,
    key: str | None,
) -> Answer | None:
    """plan_answer.replay on a target without a reader (the sandbox): the whole target reads."""
    store, layers = Storage(state).mapping(), Storage(state).availability()
    try:
        layer = read_layer(layers)
        async with open_target(target_name, head.location, state, currency=head.currency) as target:
            reading = await read_live(target, store, state)
            live_key = _live_key(memo, reading)
            found = None if layer.entries or live_key is None else memo.answer(live_key)
            if found is not None:
                return found
            return await _in_full(
                memo, head, catalog, location, state, target, store, layer, reading, thresholds, live_updates, fmt, key
            )
    finally:
        store.close()
        layers.close()


async def replan(
    args: tuple[Any, ...],
    layer_read: tuple[list[LayerEntry], datetime],
    session: Session,
    reader: Any,
    what: tuple[str, object, float],
    store: MappingStore,
) -> Answer | None:
    """plan_answer.replay when the memo had no answer: the plan made in full against what the reader
    read (``what``: the scope, the target's raw read or Catalogs v3's undecoded answers, and when the
    read began), on the same session."""
    memo, head, catalog, location, name, state, thresholds, live_updates, fmt, key = args
    in_force, now = layer_read
    scope, read, started = what
    layer = Layer(tuple(in_force), now)  # what read_layer() read at ``now``, before the live read
    target = WIX[name](session, head.location, resolved=await reader.resolve())
    raw = await read.raw() if isinstance(read, (Answers, MenusAnswers)) else read
    if isinstance(read, MenusAnswers):  # what Snapshots.read keeps after a read through the snapshot
        Snapshots(state).store(target, scope, read.keep())
    reading = await reading_of(target, store, scope, raw, started)
    return await _in_full(
        memo, head, catalog, location, state, target, store, layer, reading, thresholds, live_updates, fmt, key
    )


async def _in_full(
    memo: PlanMemo,
    head: Head,
    catalog: str,
    location: str | None,
    state: Path,
    target: Any,
    store: MappingStore,
    layer: Layer,
    reading: Reading[Any],
    thresholds: Thresholds,
    live_updates: bool,
    fmt: str,
    key: str | None,
) -> Answer | None:
    """The plan made in full against ``reading`` (None: the catalog no longer opens this target the same way)."""
    chosen = site_cmds.choose(load_catalog_cached(catalog, state), location)
    if not _plain(chosen) or _head(chosen) != head:
        return None
    planned = await make_plan(chosen.catalog, target, store, thresholds, live_updates, layer, None, state, reading)
    return _keep(memo, head, _live_key(memo, reading), planned, layer, fmt, key)


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
    return memo.live_key(reading.scope, raw, [e.row() for e in reading.entries], where)


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
