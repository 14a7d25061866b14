"""Read a Menus (New) site as what changed since the last read (``Target.refresh``).

The live snapshot this target keeps (``keep``) is the raw read itself, each list exactly as the
API returned it, plus ``since``: a time on the *server's* clock before any list of that read was
asked for. The next read then asks each service only for what changed:

- **items, variants, modifiers, modifier groups**: Query ``updatedDate >= since`` (every write,
  derived changes included, moves ``updatedDate``: §1.5, §2.11), merged into the kept list by id
  (an entity updated in place keeps its position; List and Query both order by creation, so new
  entities come last, in the order the Query returned them); then Count of the entities *not*
  updated since (``updatedDate < since``): those are kept entities, unchanged, so when there are
  fewer than the kept entities the Query did not return, one was deleted, and that service is
  listed in full. The Count comes after the Query has answered: every kept entity it counts
  existed, unchanged, when the Query answered, and the Query saw every other entity there was
  then, so the merged list is the service at that moment, whatever was created, updated or
  deleted around either answer. (A Count of all entities could not tell a deletion before the
  Query from a create after it: the total is the same);
- **menus and sections** have no Count endpoint, so a deletion could not be noticed: they are
  listed in full every time (a site's menus and sections are few); so are **labels** (one unpaged
  list) and the Online Orders **settings** and **closures**.

``since`` is the Date header of the last answer before the read asked for anything (the location's,
when the target resolved it; whole seconds, the server's clock, the one that stamps ``updatedDate``),
less :data:`MARGIN` for the rounding and for clocks of Wix's servers that differ a little: an
entity written while a read runs is therefore asked for again by the next one. So every list and
Query is asked for at once, and each Count once its Query has answered: two round trips.

When every Query answers nothing and every Count is the kept list's length, the kept lists are
the site's: the kept snapshot stays as it is (its ``since`` still precedes everything it holds),
and its lists are not even decoded unless a plan is made (:class:`Answers`; the plan memo keys the
read by the hash of the kept lists, engine/snapshots.py, and of the lists read whole).

Whenever anything is unclear (no Date header, a kept snapshot of another shape or other locations,
no count), the service or the whole site is read in full. A plan from a
snapshot that was wrong all the same is refused by ``apply``, which always reads in full and
compares the fingerprint (the stale-plan rule).
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from reconciler.canonical import JsonObject
from reconciler.engine.snapshots import Kept, lists_hash
from reconciler.engine.vocabulary import Kind
from reconciler.targets.wix_menus import online
from reconciler.targets.wix_menus.capabilities import namespace
from reconciler.targets.wix_menus.client import SERVICES, MenusApi
from reconciler.targets.wix_menus.raw import SETTINGS, RawSite

FORMAT = "reconcile-live-menus/1"
MARGIN = timedelta(seconds=5)
CHANGED = ("item", "variant", "modifier", "group")  # asked for what changed; the others are listed in full
WHOLE = tuple(s for s in SERVICES if s not in CHANGED)


@dataclass
class Answers:
    """One read of the site through a kept snapshot, and a hash of all it holds (``digest``)."""

    api: MenusApi
    locations: frozenset[str] | None
    whole: dict[str, list[JsonObject]]  # the services listed in full, the settings and the closures
    changed: dict[str, list[JsonObject]] | None  # the other services' lists; None: the kept ones hold
    kept: Kept | None
    since: str | None  # this read's, for a new snapshot
    digest: str | None

    async def raw(self) -> RawSite:
        """The site as a full read would return it (the kept lists decoded when they hold)."""
        changed, digest = self.changed, self.digest
        if changed is None:
            previous = _usable(self.kept.document() if self.kept is not None else None, self.locations)
            if previous is None:  # a kept snapshot whose lists cannot be read after all: read them whole
                changed, digest = dict(zip(CHANGED, await _whole(self.api), strict=True)), None
            else:
                changed = {service: previous["lists"][service] for service in CHANGED}
        lists = {**self.whole, **changed}
        ordered = {service: lists[service] for service in SERVICES}  # the order a full read has
        ordered[SETTINGS] = self.whole[SETTINGS]
        ordered[namespace(Kind.CLOSURE)] = self.whole[namespace(Kind.CLOSURE)]
        return RawSite(ordered, self.locations, digest=digest)

    def keep(self) -> JsonObject | Kept | None:
        """The snapshot to keep: the kept one when it holds, a new one, or none (no Date to date it)."""
        if self.changed is None:
            return self.kept
        if self.since is None:
            return None
        return {
            "format": FORMAT,
            "since": self.since,
            "locations": sorted(self.locations) if self.locations is not None else None,
            "lists": {service: self.changed[service] for service in CHANGED},
        }


async def answers(api: MenusApi, locations: frozenset[str] | None, kept: Kept | None) -> Answers:
    """The site read as what changed since ``kept``, every list and Query at once, then the Counts."""
    since = _since(api.session.server_date)  # an answer that came back before anything below was asked for
    previous = _usable_head(kept, locations)
    first = [api.updated_since(s, previous) if previous else api.list_all(s) for s in CHANGED]
    whole_lists, (settings, exceptions), found = await asyncio.gather(
        asyncio.gather(*(api.list_all(service) for service in WHOLE)),
        online.fetch(api.session),
        asyncio.gather(*first),
    )
    whole = {**dict(zip(WHOLE, whole_lists, strict=True)), SETTINGS: settings, namespace(Kind.CLOSURE): exceptions}
    changed: dict[str, list[JsonObject]] | None = dict(zip(CHANGED, found, strict=True))
    if previous is not None and kept is not None:
        # After each Query has answered (see the module's docstring: not in the same round trip).
        counted = await asyncio.gather(*(api.count(s, before=previous) for s in CHANGED))
        counts = dict(zip(CHANGED, counted, strict=True))
        if not any(found) and all(counts[s] == kept.sizes.get(s) for s in CHANGED):
            changed = None  # nothing updated, nothing deleted: the kept lists are the site's
        else:
            changed = await _merged_all(api, kept, locations, dict(zip(CHANGED, found, strict=True)), counts)
    lists = kept.lists if changed is None and kept is not None else lists_hash(_changed_lists(changed))
    where = sorted(locations) if locations is not None else None
    digest = hashlib.sha256(orjson.dumps([FORMAT, where, lists, whole], option=orjson.OPT_NON_STR_KEYS)).hexdigest()
    return Answers(api, locations, whole, changed, kept, since, digest)


async def refresh(
    api: MenusApi, locations: frozenset[str] | None, kept: JsonObject | Kept | None
) -> tuple[RawSite, JsonObject | Kept | None]:
    """The site as a full read would return it now, and the snapshot to keep (None: keep none)."""
    found = await answers(api, locations, Kept.of(kept) if isinstance(kept, dict) else kept)
    return await found.raw(), found.keep()


def _changed_lists(changed: dict[str, list[JsonObject]] | None) -> dict[str, list[JsonObject]]:
    return {service: (changed or {})[service] for service in CHANGED}


async def _whole(api: MenusApi) -> list[list[JsonObject]]:
    return list(await asyncio.gather(*(api.list_all(service) for service in CHANGED)))


async def _merged_all(
    api: MenusApi,
    kept: Kept,
    locations: frozenset[str] | None,
    updated: dict[str, list[JsonObject]],
    counts: dict[str, int | None],
) -> dict[str, list[JsonObject]]:
    """Each service's kept list with what was updated merged in; listed in full where an entity was
    deleted (or created while this read ran: the Count differs), or anything is unclear."""
    previous = _usable(kept.document(), locations)
    if previous is None:
        return dict(zip(CHANGED, await _whole(api), strict=True))
    since = previous["since"]
    merged = {service: _merged(previous["lists"][service], updated[service]) for service in CHANGED}
    left = {s: _unchanged(previous["lists"][s], updated[s], since) for s in CHANGED}
    again = [s for s in CHANGED if merged[s] is None or left[s] is None or counts[s] != left[s]]
    listed = dict(zip(again, await asyncio.gather(*(api.list_all(s) for s in again)), strict=True))
    return {service: listed[service] if service in listed else merged[service] or [] for service in CHANGED}


def keep(raw: RawSite, date_header: str | None, seconds: float) -> JsonObject | None:
    """The snapshot of a whole read (``read.fetch``) that took ``seconds`` and whose last answer
    carried ``date_header``. Its lists were all asked for less than ``seconds`` before that answer,
    so ``since`` (that Date less :data:`MARGIN`) is before any of them only if the read was quick:
    None (keep nothing, the next read is a full one) when it took half the margin or more."""
    since = _since(date_header)
    if since is None or seconds >= MARGIN.total_seconds() / 2 or raw.only is not None:
        return None
    if any(not isinstance(raw.lists.get(service), list) for service in CHANGED):
        return None
    return {
        "format": FORMAT,
        "since": since,
        "locations": sorted(raw.locations) if raw.locations is not None else None,
        "lists": {service: raw.lists[service] for service in CHANGED},
    }


def _unchanged(kept: list[JsonObject], updated: list[JsonObject], since: str) -> int | None:
    """How many kept entities the Query did not return, all stamped before ``since`` (so a Count of
    ``updatedDate < since`` finds each of them if none was deleted); None when one of them is not
    (it was updated since, yet not returned: it is gone), or has no date we can read."""
    fresh = {entity.get("id") for entity in updated}
    moment = _instant(since)
    left = 0
    for entity in kept:
        if entity.get("id") in fresh:
            continue
        stamped = _instant(entity.get("updatedDate"))
        if moment is None or stamped is None or stamped >= moment:
            return None
        left += 1
    return left


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _merged(kept: list[JsonObject], updated: list[JsonObject]) -> list[JsonObject] | None:
    fresh: dict[str, JsonObject] = {}
    for entity in updated:
        wix_id = entity.get("id")
        if not isinstance(wix_id, str) or wix_id in fresh:
            return None
        fresh[wix_id] = entity
    merged = [fresh.pop(str(entity["id"]), entity) for entity in kept]
    return merged + [entity for entity in updated if str(entity["id"]) in fresh]


def _since(date_header: str | None) -> str | None:
    """The RFC 3339 time (milliseconds, UTC, as ``updatedDate`` is written) MARGIN before ``date_header``."""
    if not date_header:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    moment = moment.astimezone(UTC) - MARGIN
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _usable_head(kept: Kept | None, locations: frozenset[str] | None) -> str | None:
    """The ``since`` of the kept snapshot when its head is one of ours, for these locations, with a
    list of every service asked for what changed; else None (the site is read in full)."""
    if kept is None or not all(service in kept.sizes for service in CHANGED):
        return None
    return _since_of(kept.head, locations)


def _since_of(kept: JsonObject | None, locations: frozenset[str] | None) -> str | None:
    if not isinstance(kept, dict) or kept.get("format") != FORMAT or not isinstance(kept.get("since"), str):
        return None
    if kept.get("locations") != (sorted(locations) if locations is not None else None):
        return None
    try:
        datetime.strptime(kept["since"], "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return None
    return str(kept["since"])


def _usable(kept: JsonObject | None, locations: frozenset[str] | None) -> dict[str, Any] | None:
    """The kept snapshot when it is one of ours, for these locations, in the expected shape; else None."""
    since = _since_of(kept, locations)
    if since is None or not isinstance(kept, dict):
        return None
    lists = kept.get("lists")
    if not isinstance(lists, dict):
        return None
    for service in CHANGED:
        entities = lists.get(service)
        if not isinstance(entities, list) or not all(
            isinstance(e, dict) and isinstance(e.get("id"), str) for e in entities
        ):
            return None
    return {"since": since, "lists": lists}
