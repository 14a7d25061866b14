"""Recognise the entities a create made when its answer never came back, by what it was sent.

Menus (New) has no idempotency key and ignores client-supplied ids, so a create whose answer was
lost (a timeout, a dropped connection, a 5xx after the server ran it, or a process killed while
waiting) leaves entities whose ids nobody knows. Before sending a create, the run records what it
is about to send (an *intent*: the service, our id, the payload and the time); the marker that
finds the entity again is that content. An entity is the one an intent made when it is of the
intent's service, holds exactly what was sent (compared on the fields reconcile manages, the way
the reader sees them), is known to nobody (not mapped, not read at plan time, not already
claimed), and was created no earlier than the intent was recorded (minus a clock margin).

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


def match(
    service: str,
    payloads: Sequence[JsonObject],
    entities: Iterable[JsonObject],
    taken: set[str],
    since: float | None = None,
) -> dict[int, str]:
    """Which of ``entities`` the creates of ``payloads`` made: payload index -> Wix id."""
    candidates: dict[str, list[str]] = {}
    for entity in entities:
        wix_id = entity.get("id")
        if not wix_id or wix_id in taken:
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
