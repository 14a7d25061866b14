"""`reconcile 86` and `reconcile un86`: take dishes off the menu now, and put them back.

An 86 is an entry in the availability layer (reconcile's state, never the YAML) and, at once, the
minimal live update: one call per changed entity, no draft (:mod:`reconciler.engine.live_update`).
Times are the location's (its Wix time zone).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from reconciler.cli import deadline, site_cmds
from reconciler.cli.options import target_options
from reconciler.engine import hours
from reconciler.engine.availability import describe, now_utc, read_layer
from reconciler.engine.live_update import LiveUpdate, update_stock
from reconciler.engine.sharing import shared_ref, shares, update_shared_stock
from reconciler.errors import ConfigError
from reconciler.model.catalog import Catalog
from reconciler.model.effective import effective
from reconciler.state.availability import EVERYWHERE, LayerEntry, LayerSource
from reconciler.state.paths import state_dir as resolve_state_dir
from reconciler.state.storage import Storage
from reconciler.targets.registry import open_site
from reconciler.yamlio.load import load_catalog


@dataclass(frozen=True)
class Request:
    """One 86 or un86 as typed."""

    catalog_path: str
    entities: tuple[str, ...]
    target: str | None
    location: str | None
    state_dir: str | None
    available: bool
    until: str | None = None
    span: str | None = None
    until_close: bool = False
    reason: str = ""


def _kinds(catalog: Catalog, entities: tuple[str, ...]) -> dict[str, str]:
    known = {d.id: "dish" for d in catalog.dishes} | {v.id: "variation" for v in catalog.variations}
    unknown = [e for e in entities if e not in known]
    if unknown:
        raise ConfigError(
            "not a dish or variation of the catalog: " + ", ".join(unknown) + " (86 takes catalog ids, e.g. margherita)"
        )
    return {e: known[e] for e in entities}


def _until(request: Request, catalog: Catalog, zone: str, now: datetime) -> datetime | None:
    chosen = [x for x in (request.until, request.span, request.until_close or None) if x]
    if len(chosen) > 1:
        raise ConfigError("give at most one of --until, --for and --until-close")
    if request.until:
        return hours.parse_until(request.until, zone, now)
    if request.span:
        return now + hours.parse_duration(request.span)
    if request.until_close:
        return min(hours.until_close(catalog, e, zone, now) for e in request.entities)
    return None


def _places(catalog: Catalog, location: str | None) -> tuple[list[site_cmds.Single], bool]:
    """Where an 86 applies, and whether it is for every location (its entry then says ``*``)."""
    everywhere = location is not None and location.strip() == "all"
    if not catalog.locations:
        return [site_cmds.Single(catalog, None if everywhere else location or catalog.location)], everywhere
    chosen = site_cmds.choose(catalog, location)
    if isinstance(chosen, site_cmds.Single):
        return [chosen], False
    names = tuple(loc.wix for loc in catalog.locations if loc.id is None)
    places = () if shares(catalog) else tuple((loc.key, loc.wix) for loc in catalog.locations)
    singles = [site_cmds.Single(effective(catalog, loc), loc.wix, names, places) for loc in chosen]
    return singles, len(chosen) > 1 or everywhere


async def _run(request: Request, clock: Any = now_utc) -> list[AtLocation]:
    catalog = load_catalog(request.catalog_path)
    kinds = _kinds(catalog, request.entities)
    state = resolve_state_dir(request.state_dir)
    places, everywhere = _places(catalog, request.location)
    layer_store, mapping = Storage(state).availability(), Storage(state).mapping()
    now = clock()
    outcomes = []
    try:
        shared = await _shared_site(catalog, request.target, state)
        before = read_layer(layer_store, now)
        for place in places:
            async with site_cmds.open_single(place, request.target, state) as target:
                info, zone = await target.describe(), await target.time_zone()
                where = EVERYWHERE if everywhere else info.location_id
                if request.available:
                    entries = [
                        e for e in layer_store.active(now) if e.entity in kinds and (everywhere or e.location == where)
                    ]
                    layer_store.end(((e.location, e.entity) for e in entries), now)
                elif not outcomes or not everywhere:  # an entry for every location is made once
                    until = _until(request, place.catalog, zone, now)
                    entries = [
                        LayerEntry(e, kinds[e], where, False, now, until, request.reason, LayerSource.CLI)
                        for e in kinds
                    ]
                    layer_store.put(entries, now)
                done = LiveUpdate()
                if not shared:
                    layer = read_layer(layer_store, now)
                    done = await update_stock(place.catalog, target, mapping, state, layer, set(kinds))
                outcomes.append(AtLocation(done, entries, zone, info.location_name))
        if shared and outcomes:  # one targeted plan of the site: the 86 may split a shared entity
            names = [loc.wix for loc in catalog.locations if loc.id is None]
            async with open_site(request.target or "sandbox", state, catalog.currency, names) as opener:
                after = read_layer(layer_store, now)
                done = await update_shared_stock(catalog, opener, mapping, state, before, after)
            outcomes[-1].done = done or LiveUpdate()
    finally:
        layer_store.close()
        mapping.close()
    return outcomes


async def _shared_site(catalog: Catalog, target_name: str | None, state: Path) -> bool:
    """Whether the catalog shares entities across locations on this target (menus_new.share)."""
    if not shares(catalog):
        return False
    names = [loc.wix for loc in catalog.locations if loc.id is None]
    async with (
        open_site(target_name or "sandbox", state, catalog.currency, names) as opener,
        opener(shared_ref((loc.key, loc.wix) for loc in catalog.locations)) as target,
    ):
        return bool(target.shares_locations)


@dataclass
class AtLocation:
    """What one 86 or un86 did at one location."""

    done: LiveUpdate
    entries: list[LayerEntry]
    zone: str
    location: str


def _report(outcome: AtLocation, verb: str) -> str:
    done, entries, zone, location = outcome.done, outcome.entries, outcome.zone, outcome.location
    lines = [
        f"{verb} {e.kind} {e.entity} at {location if e.location != EVERYWHERE else 'every location'}: "
        f"{describe(e, zone)}"
        for e in entries
    ]
    if not entries and verb != "86'd":
        lines.append("nothing to end: no entry of the availability layer names these at this location")
    for change in done.changes:
        lines.append(f"  live: {change.kind} {change.id} in_stock → {_stock(change)}")
    if done.missing:
        lines.append("  not live here (or no stock of its own on this target): " + ", ".join(done.missing))
    calls = ", ".join(f"{k} {v}" for k, v in sorted(done.calls.items())) or "none (already so)"
    lines.append(f"API calls: {done.total_calls} ({calls}); no draft")
    return "\n".join(lines)


def _stock(change: Any) -> str:
    for f in change.fields:
        if f.path == "in_stock":
            return str(f.after).lower()
    return "?"


@click.command("86")
@click.argument("catalog", type=click.Path(exists=True))
@click.argument("entities", nargs=-1)
@target_options
@click.option("--until", "until", help='End at this time, location time: "22:00" or "2026-12-24T22:00".')
@click.option("--for", "span", help='End after this long: "2h", "90m", "1h30m".')
@click.option("--until-close", is_flag=True, help="End when the dish's menu closes (its `hours:`).")
@click.option("--reason", default="", help="Why, for the plan and history (e.g. \"ran out of dough\").")
@click.option("--list", "listing", is_flag=True, help="List the availability layer at this location.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def eighty_six(catalog, entities, target, location, state_dir, until, span, until_close, reason, listing, fmt):
    """Take dishes (or variations, option choices) off the live menu now, until a time or until un86.

    Applies at once as the minimal live update: one call per changed entity, no draft.
    The catalog YAML is not changed; the entry lives in reconcile's state.
    """
    if listing:
        if entities:
            raise click.UsageError("--list takes no dish ids")
        click.echo(deadline.run(_list(catalog, target, location, state_dir, fmt)), nl=False)
        return
    if not entities:
        raise click.UsageError("name at least one dish or variation id (or use --list)")
    request = Request(catalog, tuple(entities), target, location, state_dir, False, until, span, until_close, reason)
    for outcome in deadline.run(_run(request)):
        click.echo(_report(outcome, "86'd"))


@click.command("un86")
@click.argument("catalog", type=click.Path(exists=True))
@click.argument("entities", nargs=-1, required=True)
@target_options
def un86(catalog, entities, target, location, state_dir):
    """End the 86 of dishes at once: the catalog's availability is live again (one call per entity)."""
    request = Request(catalog, tuple(entities), target, location, state_dir, True)
    for outcome in deadline.run(_run(request)):
        click.echo(_report(outcome, "ended"))


async def _list(catalog_path: str, target_name, location, state_dir, fmt: str) -> str:
    catalog = load_catalog(catalog_path)
    state = resolve_state_dir(state_dir)
    places, everywhere = _places(catalog, location)
    store = Storage(Path(state)).availability()
    try:
        async with site_cmds.open_single(places[0], target_name, state) as target:
            info, zone, now = await target.describe(), await target.time_zone(), now_utc()
        entries = store.active(now, None if everywhere else info.location_id)
    finally:
        store.close()
    if fmt == "json":
        return json.dumps([_entry_json(e) for e in entries], indent=2, sort_keys=True) + "\n"
    if not entries:
        return f"Nothing is 86'd at {info.location_name}.\n"
    tz = ZoneInfo(zone)
    lines = [f"86'd at {info.location_name} (times in {zone}):"]
    for e in entries:
        since = e.since.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        where = "every location" if e.location == EVERYWHERE else "here"
        lines.append(f"  {e.kind} {e.entity} ({where}), since {since}: {describe(e, zone)}")
    return "\n".join(lines) + "\n"


def _entry_json(e: LayerEntry) -> dict:
    return {
        "entity": e.entity,
        "kind": e.kind,
        "location": e.location,
        "available": e.available,
        "since": e.since.isoformat(),
        "until": e.until.isoformat() if e.until else None,
        "reason": e.reason,
        "source": str(e.source),
    }


def register(cli: click.Group) -> None:
    cli.add_command(eighty_six)
    cli.add_command(un86)
