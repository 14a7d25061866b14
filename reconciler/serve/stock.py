"""POS stock signals in serve: each becomes an availability-layer entry (source ``pos``) and one minimal live update.

A webhook that states stock (``StockSignal`` values in its events' hints, see the POS contract in
:mod:`reconciler.sources.base`) needs no re-import: the catalog YAML already has the dish. Its POS
ids are matched to catalog ids (the source's prefix, or what the last import made from each POS id,
kept in ``serve/placed-<catalog>.json``), sold out becomes a layer entry at this catalog's Wix
location, back in stock ends the POS's entry, and :func:`reconciler.engine.live_update.update_stock`
writes only those entities' stock. A signal for another POS location than the catalog's is ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from reconciler.engine.availability import read_layer
from reconciler.engine.live_update import LiveUpdate, update_stock
from reconciler.files import write_text
from reconciler.model.catalog import Catalog
from reconciler.model.effective import effective
from reconciler.sources.base import STOCK_HINT, StockSignal
from reconciler.sources.ids import sanitize
from reconciler.state.availability import EVERYWHERE, LayerEntry, LayerSource
from reconciler.state.storage import Storage
from reconciler.targets.registry import open_target


def signals_of(hints: list[dict[str, Any]]) -> list[StockSignal]:
    return [StockSignal.from_hint(s) for h in hints for s in h.get(STOCK_HINT) or ()]


def stock_only(hints: list[dict[str, Any]]) -> bool:
    """Every event of the job is a stock statement: no re-import is needed."""
    return bool(hints) and all(h.get(STOCK_HINT) for h in hints)


def placed_file(state_dir: Path, catalog_name: str) -> Path:
    return Path(state_dir) / "serve" / f"placed-{sanitize(catalog_name) or 'catalog'}.json"


def save_placed(state_dir: Path, catalog_name: str, placed: dict[str, tuple[str, ...]]) -> None:
    """What the last import made from each POS id: how a later stock webhook finds its dish.

    Not written again when this process last wrote the same map to the file and the file is still
    the one it wrote (its size and time): at 10,000 dishes the JSON costs a webhook sync 0.2 s."""
    path = placed_file(state_dir, catalog_name)
    last = _written.get(path)
    if last is not None and last[1] is not None and last[1] == _stamp(path) and last[0] == placed:
        return
    text = json.dumps({k: list(v) for k, v in sorted(placed.items())}, indent=1, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, text)
    _written[path] = (dict(placed), _stamp(path))


_written: dict[Path, tuple[dict[str, tuple[str, ...]], tuple[int, int] | None]] = {}  # path -> (map, stamp)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _placed(state_dir: Path, catalog_name: str) -> dict[str, list[str]]:
    path = placed_file(state_dir, catalog_name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def resolve(signal: StockSignal, kinds: dict[str, str], prefix: str, placed: dict[str, list[str]]) -> str | None:
    """The catalog id a signal is about: the first of its POS ids the catalog has (directly or as made)."""
    for pos_id in signal.pos_ids:
        for candidate in [f"{prefix}-{sanitize(pos_id)}", *placed.get(pos_id, [])]:
            if candidate in kinds:
                return candidate
    return None


@dataclass
class StockOutcome:
    update: LiveUpdate
    started: list[LayerEntry] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # POS ids the catalog has no entity for


def _until(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


async def apply_signals(
    cfg: Any,
    catalog: Catalog,
    signals: list[StockSignal],
    state_dir: Path,
    prefix: str,
    now: datetime,
    live: bool = True,
    snapshot: bool = False,
) -> StockOutcome:
    """Layer entries for ``signals`` at this catalog's location, then (``live``) the minimal live update.

    ``snapshot``: the signals are everything the POS has sold out now (a poll of its stock API), so
    the POS's entries here for anything else end: it is back in stock."""
    kinds = {d.id: "dish" for d in catalog.dishes} | {v.id: "variation" for v in catalog.variations}
    placed = _placed(state_dir, cfg.name)
    layer, mapping = Storage(state_dir).availability(), Storage(state_dir).mapping()
    try:
        async with open_target(
            cfg.target, cfg.location or catalog.location, state_dir, currency=catalog.currency
        ) as target:
            where = (await target.describe()).location_id
            outcome = StockOutcome(LiveUpdate())
            for signal in signals:
                if cfg.pos_location and signal.location and signal.location != cfg.pos_location:
                    continue  # another POS location's stock
                entity = resolve(signal, kinds, prefix, placed)
                if entity is None:
                    outcome.unknown.extend(signal.pos_ids[:1])
                elif signal.available:
                    outcome.ended.append(entity)
                else:
                    until = _until(signal.until)
                    reason = signal.reason or "sold out"
                    outcome.started.append(
                        LayerEntry(entity, kinds[entity], where, False, now, until, reason, LayerSource.POS)
                    )
            if snapshot:
                outcome.ended += _no_longer_sold_out(layer.entries(), where, {e.entity for e in outcome.started})
            ours = [
                (e.location, e.entity)
                for e in layer.entries()
                if e.entity in outcome.ended and e.source == LayerSource.POS and e.location in (where, EVERYWHERE)
            ]
            layer.end(ours, now)
            layer.put(outcome.started, now)
            touched = {e.entity for e in outcome.started} | set(outcome.ended)
            if touched and live:
                outcome.update = await update_stock(
                    catalog, target, mapping, state_dir, read_layer(layer, now), touched
                )
            return outcome
    finally:
        layer.close()
        mapping.close()


def _no_longer_sold_out(entries: list[LayerEntry], where: str, sold: set[str]) -> list[str]:
    """The POS's entries here for what a poll of its stock API no longer lists: back in stock."""
    return sorted(
        {e.entity for e in entries if e.source == LayerSource.POS and e.location in (where, EVERYWHERE)} - sold
    )


async def apply_at_locations(
    cfg: Any,
    catalog: Catalog,
    signals: list[StockSignal],
    state_dir: Path,
    prefix: str,
    now: datetime,
    live: bool = True,
) -> StockOutcome:
    """A catalog of several locations: each signal at the location whose ``pos_location`` it names
    (every location, when it names none), as that location's layer entry and minimal live update.

    No plan of the other locations and no re-import: a sold-out at the airport is one write there.
    A location without ``pos_location`` takes only the signals that name no POS location."""
    total = StockOutcome(LiveUpdate())
    wanted = [w.strip() for w in (cfg.location or "").split(",") if w.strip() and w.strip() != "all"]
    for place in catalog.locations:
        if wanted and not any(place.named(w) for w in wanted):
            continue  # the config's `location:` limits this serve to some of the catalog's locations
        mine = [s for s in signals if s.location is None or s.location == place.pos_location]
        if not mine:
            continue
        here = cfg.model_copy(update={"location": place.wix, "pos_location": place.pos_location})
        found = await apply_signals(here, effective(catalog, place), mine, state_dir, prefix, now, live)
        total.started += found.started
        total.ended += [e for e in found.ended if e not in total.ended]
        total.unknown += [u for u in found.unknown if u not in total.unknown]
        total.update.changes += found.update.changes
        total.update.missing += found.update.missing
        for call, count in found.update.calls.items():
            total.update.calls[call] = total.update.calls.get(call, 0) + count
    return total
