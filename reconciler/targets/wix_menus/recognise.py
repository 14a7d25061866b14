"""Recognise the entities a create made when its answer never came back, by what it was sent.

Menus (New) has no idempotency key and ignores client-supplied ids, so a create whose answer was
lost (a timeout, a dropped connection, a 5xx after the server ran it, or a process killed while
waiting) leaves entities whose ids nobody knows. Before sending a create, the run records what it
is about to send (an *intent*: the service, our id, the payload and the time); the marker that
finds the entity again is that content. An entity is the one an intent made when it is of the
intent's service, holds exactly what was sent (compared on the fields reconcile manages, the way
the reader sees them), is known to nobody (not mapped, not read at plan time, not already
claimed), and was created no earlier than the intent was recorded (minus a clock margin).

It is also no other location's: a chain's locations hold the same dishes, and apply runs locations in
parallel, so another location may have created an entity with exactly that content a moment ago.
An entity reached from another location's menus (its ``businessLocationId(s)`` name a location that
is not this run's) is that location's, and a label some item already uses is someone's: our lost
create's entity is detached (nothing of this run can reference an id it never learned). What stays
ambiguous is two locations *building* the same content at the same moment, before either attaches
it; docs/menus-new-atomicity.md names that window.

Two intents with identical content (two variants both named "Small") are interchangeable: they
take the matching entities in creation order. Entities beyond the intents are never claimed:
they are someone else's.

Used by the executor right after a lost create answer (to carry on instead of rolling back) and by
the next run after a crash (to adopt or delete what the dead run made; see ``read.RawSite``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from reconciler.canonical import JsonObject, fingerprint
from reconciler.engine.sharing import is_shared, parse_ref
from reconciler.engine.vocabulary import Namespace
from reconciler.targets.wix_menus.capabilities import KIND_OF
from reconciler.targets.wix_menus.records import record

CLOCK_MARGIN = 600.0  # seconds: our clock and Wix's may disagree; an intent is never older than its create


def _key(service: str, entity: JsonObject) -> str:
    return fingerprint(record(KIND_OF[Namespace(service)], entity, lambda wix_id: wix_id, None))


def _created_at(entity: JsonObject) -> float | None:
    value = entity.get("createdDate")
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def places(location_id: str) -> frozenset[str]:
    """The business locations a plan is for: its location, or every one a shared plan spans."""
    if is_shared(location_id):
        return frozenset(wix for _, wix in parse_ref(location_id))
    return frozenset({location_id})


def _elsewhere(entity: JsonObject, locations: frozenset[str] | None) -> bool:
    """Reached from (or created for) a location not among ``locations`` (None: the site has one)."""
    if locations is None:
        return False
    at = {str(p) for p in entity.get("businessLocationIds") or []}
    if entity.get("businessLocationId"):
        at.add(str(entity["businessLocationId"]))
    return bool(at - locations)


def labels_in_use(items: Iterable[JsonObject]) -> set[str]:
    """The label ids the listed items use."""
    return {label.get("id") for item in items for label in item.get("labels") or [] if label.get("id")}


def match(
    service: str,
    payloads: Sequence[JsonObject],
    entities: Iterable[JsonObject],
    taken: set[str],
    since: float | None = None,
    *,
    location: frozenset[str] | None = None,
    in_use: set[str] | frozenset[str] = frozenset(),
) -> dict[int, str]:
    """Which of ``entities`` the creates of ``payloads`` made: payload index -> Wix id.

    ``location`` is the run's business locations (``places``); ``in_use`` the ids other entities reference (the
    labels items use): neither another location's entities nor those can be a lost create's."""
    candidates: dict[str, list[str]] = {}
    for entity in entities:
        wix_id = entity.get("id")
        if not wix_id or wix_id in taken or wix_id in in_use or _elsewhere(entity, location):
            continue
        created = _created_at(entity)
        if since is not None and created is not None and created < since - CLOCK_MARGIN:
            continue
        candidates.setdefault(_key(service, entity), []).append(wix_id)
    found: dict[int, str] = {}
    for index, payload in enumerate(payloads):
        waiting = candidates.get(_key(service, payload))
        if waiting:
            found[index] = waiting.pop(0)
    return found
