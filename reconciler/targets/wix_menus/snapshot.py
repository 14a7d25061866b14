"""Read a Menus (New) site as what changed since the last read (``Target.refresh``).

The live snapshot this target keeps (``keep``) is the raw read itself, each list exactly as the
API returned it, plus ``since``: a time on the *server's* clock before any list of that read was
asked for. The next read then asks each service only for what changed:

- **items, variants, modifiers, modifier groups**: Query ``updatedDate >= since`` (every write,
  derived changes included, moves ``updatedDate``: §1.5, §2.11), merged into the kept list by id
  (an entity updated in place keeps its position; List and Query both order by creation, so new
  entities come last, in the order the Query returned them); then Count: when the merged list
  does not hold exactly as many entities as the service, something was deleted (or created while
  this read ran) and that service is listed in full. The Count comes after the Query, so a
  deletion made before the Count is never mistaken for nothing;
- **menus and sections** have no Count endpoint, so a deletion could not be noticed: they are
  listed in full every time (a site's menus and sections are few); so are **labels** (one unpaged
  list) and the Online Orders **settings** and **closures**.

``since`` is the Date header of the first answers of the read (whole seconds, the server's
clock, the one that stamps ``updatedDate``), less :data:`MARGIN` for the rounding and for clocks
of Wix's servers that differ a little: an entity written while a read runs is therefore asked for
again by the next one. Whenever anything is unclear (no Date header, a kept snapshot of another
shape or other locations, no count), the service or the whole site is read in full. A plan from a
snapshot that was wrong all the same is refused by ``apply``, which always reads in full and
compares the fingerprint (the stale-plan rule).
"""

from __future__ import annotations

import asyncio
import email.utils
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.canonical import JsonObject
from reconciler.engine.vocabulary import Kind
from reconciler.targets.wix_menus import online
from reconciler.targets.wix_menus.capabilities import namespace
from reconciler.targets.wix_menus.client import SERVICES, MenusApi
from reconciler.targets.wix_menus.raw import SETTINGS, RawSite

FORMAT = "reconcile-live-menus/1"
MARGIN = timedelta(seconds=5)
CHANGED = ("item", "variant", "modifier", "group")  # asked for what changed; the others are listed in full
WHOLE = tuple(s for s in SERVICES if s not in CHANGED)


async def refresh(
    api: MenusApi, locations: frozenset[str] | None, kept: JsonObject | None
) -> tuple[RawSite, JsonObject | None]:
    """The site as a full read would return it now, and the snapshot to keep (None: keep none)."""
    whole, (settings, exceptions) = await asyncio.gather(
        asyncio.gather(*(api.list_all(service) for service in WHOLE)), online.fetch(api.session)
    )
    since = _since(api.session.server_date)  # the first answers came back before any list below was asked for
    previous = _usable(kept, locations)
    if previous is None:
        changed = await asyncio.gather(*(api.list_all(service) for service in CHANGED))
    else:
        changed = await asyncio.gather(*(_refreshed(api, service, previous) for service in CHANGED))
    lists = {**dict(zip(WHOLE, whole, strict=True)), **dict(zip(CHANGED, changed, strict=True))}
    lists = {service: lists[service] for service in SERVICES}  # the order a full read has
    lists[SETTINGS] = settings
    lists[namespace(Kind.CLOSURE)] = exceptions
    raw = RawSite(lists, locations)
    if since is None:
        return raw, None
    return raw, {
        "format": FORMAT,
        "since": since,
        "locations": sorted(locations) if locations is not None else None,
        "lists": {service: lists[service] for service in CHANGED},
    }


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


async def _refreshed(api: MenusApi, service: str, previous: dict[str, Any]) -> list[JsonObject]:
    updated = await api.updated_since(service, previous["since"])
    merged = _merged(previous["lists"][service], updated)
    if merged is None or await api.count(service) != len(merged):
        return await api.list_all(service)  # deleted (or created meanwhile), or unclear: list it all
    return merged


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


def _usable(kept: JsonObject | None, locations: frozenset[str] | None) -> dict[str, Any] | None:
    """The kept snapshot when it is one of ours, for these locations, in the expected shape; else None."""
    if not isinstance(kept, dict) or kept.get("format") != FORMAT or not isinstance(kept.get("since"), str):
        return None
    if kept.get("locations") != (sorted(locations) if locations is not None else None):
        return None
    try:
        datetime.strptime(kept["since"], "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
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
    return {"since": kept["since"], "lists": lists}
