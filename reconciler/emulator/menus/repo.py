"""Where Menus (New) entities live in the store, and the lookups and stamps every write needs.

Rows: ``api = 'menus-v1'``, scope ``live``, the site's container (``Tx.site``: the entities are site-wide; a menu
names its location in ``businessLocationId``), ``kind`` one of menu, section, item, variant, label,
modifier, modifierGroup. ``seq`` is the creation order (List order, the default Query order, and the
tie-breaker of every cursor). ``body`` is the entity exactly as returned.

``revision`` is stored as the string the API returns; :func:`bump` adds exactly 1 (§1.5).
Timestamps are RFC 3339 UTC with milliseconds (``2025-03-02T09:15:00.000Z``); a write never
leaves ``updatedDate`` unchanged, even under a frozen clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from reconciler.emulator.errors import FORMAT, WixError, application_error, violation
from reconciler.emulator.menus import parents
from reconciler.emulator.menus.services import API, Service
from reconciler.emulator.store import LIVE, Collection, Tx
from reconciler.emulator.wire import is_guid


def rows(tx: Tx, kind: str) -> Collection:
    return tx.collection(API, LIVE, tx.site, kind)


# Our own stamps have one fixed width, so their text order is their time order.
_OWN_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@lru_cache(maxsize=64)  # a request stamps every entity it writes with one ``now``
def stamp(now: datetime) -> str:
    now = now.astimezone(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def parse_stamp(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def later_stamp(previous: str | None, now: datetime) -> str:
    """``now``, or 1 ms after ``previous`` when the clock has not moved past it."""
    current = stamp(now)
    if previous and len(previous) == 24 and current > previous and _OWN_STAMP.fullmatch(previous):
        return current  # now's millisecond is after previous: now >= previous + 1 ms (no parse needed)
    if previous:
        try:
            floor = parse_stamp(previous) + timedelta(milliseconds=1)
        except ValueError:
            floor = now
        if now < floor:
            now = floor
    return stamp(now)


def bump(entity: dict[str, Any], now: datetime) -> None:
    """A successful change: revision + 1 and a new ``updatedDate``."""
    entity["revision"] = str(int(entity.get("revision") or "0") + 1)
    entity["updatedDate"] = later_stamp(entity.get("updatedDate"), now)


def not_found(service: Service, ident: str | None) -> WixError:
    return application_error(
        404, "ENTITY_NOT_FOUND", f"{service.what} {ident!r} not found", {"entity": service.kind, "id": ident}
    )


def check_path_id(ident: str, field: str) -> None:
    if not is_guid(ident):
        raise violation(field, f"{ident!r} is not a GUID", FORMAT)


def find(tx: Tx, service: Service, ident: str | None) -> dict[str, Any]:
    entity = rows(tx, service.kind).get(ident) if ident else None
    if entity is None:
        raise not_found(service, ident)
    return entity


def existing(tx: Tx, kind: str, ids: list[str]) -> set[str]:
    return set(rows(tx, kind).facts(ids))


# Every write of a row goes through these three, which keep the reverse index (``parents.py``) with it
# (and ``graph.flush``, whose writes change derived locations only: ``parents.moved``).


def save(tx: Tx, kind: str, entity: dict[str, Any], before: dict[str, Any]) -> None:
    """Rewrite a stored row; ``before`` is the row as it was stored."""
    rows(tx, kind).update(entity["id"], entity)
    parents.written(tx, kind, before, entity)


def insert(tx: Tx, kind: str, entity: dict[str, Any]) -> None:
    seq = rows(tx, kind).insert(entity["id"], entity)
    parents.written(tx, kind, None, entity, seq)


def remove(tx: Tx, kind: str, stored: dict[str, Any]) -> None:
    rows(tx, kind).delete(stored["id"])
    parents.written(tx, kind, stored, None)
