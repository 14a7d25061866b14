"""The in-place updates of a Menus (New) run, one entity each, and what is known of their fate.

A cut-over call updates many entities at once, but each element succeeds or fails on its own, an
answer can be lost after the server ran the call, and someone else may write the same entity in
between. So the executor tracks every element as a :class:`Write`: what it sends, what the entity
held at plan time, and whether this run's write *landed* (an answer said so), *may* have landed
(an answer was lost), or neither. Only those two are this run's to undo; the undo reads the entity
first and puts back the before-state only where the entity still holds what this run wrote.

Used by ``execute`` (the cut-over) and ``undo`` (compensation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reconciler.canonical import JsonObject
from reconciler.engine.plan import Operation, fill_placeholders
from reconciler.engine.vocabulary import Namespace, Phase
from reconciler.errors import ApiError, ApplyFailed, TemporaryApiError
from reconciler.targets import media
from reconciler.targets.wix_menus import client, convert, ordering_calls
from reconciler.targets.wix_menus.capabilities import KIND_OF
from reconciler.targets.wix_menus.records import record

PATH_REF = re.compile(r"\{([a-z]+:[^{}]+)\}")

# What each phase may do, by SDK function (``<service>.<function>``): the promise of the executor's
# messages (a failure before the cut-over leaves the live site as it was) holds only for these.
_PHASE_CALLS = {
    Phase.BUILD: (".create", ".bulkCreate"),
    Phase.CUT_OVER: (".update", ".bulkUpdate"),
    Phase.CLEAN_UP: (".delete", ".bulkDelete"),
}


def check_shape(operations: tuple[Operation, ...]) -> None:
    """Refuse, before any call, a plan whose calls do not do what their phase promises."""
    wrong = [op for op in operations if not _fits(op)]
    if wrong:
        raise ApplyFailed(
            f"{len(wrong)} call(s) of the plan do not fit their phase (creates build, updates with an undo cut "
            f"over, deletes clean up), the first {wrong[0].call[:80]!r}; nothing was sent"
        )


def _fits(op: Operation) -> bool:
    if ordering_calls.handles(op) or media.handles(op):  # Online Orders, images: run by their own modules
        return True
    if op.phase is None or op.phase not in _PHASE_CALLS:
        return False
    if not any(word in op.call for word in _PHASE_CALLS[op.phase]):
        return False
    return op.phase != Phase.CUT_OVER or op.undo is not None


@dataclass
class Write:
    service: str
    key: str  # "<service>:<local id>", how messages name it
    wix_id: str
    sent: JsonObject  # the fields written (placeholders filled; no id, no revision)
    before: JsonObject | None  # what those fields held at plan time; None for an entity this run built
    revision: str | None  # the revision the next send names
    mask: str | None  # the element's field mask, for bulk updates (variants take none)
    landed: bool = False  # an answer confirmed it
    lost: bool = False  # an answer was lost: it may have landed
    errors: list[str] = field(default_factory=list)

    @property
    def mine(self) -> bool:
        """This run's write, as far as it can know: the undo considers it."""
        return self.landed or self.lost


def writes_of(op: Operation, ids: dict[str, str], revisions: dict[str, str]) -> list[Write]:
    """One :class:`Write` per element of a cut-over call, placeholders filled."""
    spec = service_of(op)
    service = service_key(op)
    body = op.body or {}
    if spec.list_key in body:
        raw = [(e.get(spec.entity, e), e.get("mask")) for e in body[spec.list_key]]
    else:
        raw = [(body.get(spec.entity) or {}, None)]
    befores = (op.undo or {}).get("elements") or [None] * len(raw)
    found = []
    for (entity, mask), before in zip(raw, befores, strict=False):
        key = (entity.get("id") or {}).get("$ref") if isinstance(entity.get("id"), dict) else None
        filled = fill_placeholders(entity, ids, revisions)
        wix_id = filled.get("id") or PATH_REF.sub(lambda m: ids[m.group(1)], op.path).rsplit("/", 1)[-1]
        sent = {k: v for k, v in filled.items() if k not in ("id", "revision")}
        found.append(Write(service, key or f"{service}:{wix_id}", wix_id, sent, before, filled.get("revision"), mask))
    return found


def update_call(service: str, writes: list[Write], fields: str = "sent") -> tuple[str, str, str, JsonObject]:
    """(operation, method, path, body) writing ``fields`` ("sent" or "before") of these entities."""
    spec = client.SERVICES[service]

    def entity(w: Write) -> JsonObject:
        return {"id": w.wix_id, "revision": w.revision, **(w.sent if fields == "sent" else (w.before or {}))}

    if service == "label":  # no bulk update for labels: one write per call
        [only] = writes
        operation, method, path = client.single_update(service, only.wix_id)
        return operation, method, path, {spec.entity: entity(only)}
    elements = []
    for w in writes:
        element: JsonObject = {spec.entity: entity(w)}
        if service != "variant":
            element["mask"] = w.mask or convert.mask(service)
        elements.append(element)
    operation, method, path = client.bulk_update(service)
    return operation, method, path, {spec.list_key: elements, "returnEntity": False}


def gone(code: str) -> bool:
    """Whether a delete's element error says the entity is not there (a lost answer's delete landed,
    or someone deleted it): the delete's aim holds. A missing *reference* is another matter."""
    return code.endswith("NOT_FOUND") and not code.startswith("REFERENCED")


def bulk_outcomes(response: JsonObject, count: int) -> list[tuple[bool, str, str]]:
    """Per element of a bulk answer, in request order: (succeeded, error code, description)."""
    outcomes: list[tuple[bool, str, str]] = [(False, "NO_RESULT", "no result for this element")] * count
    for position, result in enumerate(response.get("results") or []):
        meta: JsonObject = next((v for k, v in result.items() if k.endswith("Metadata")), {}) or {}
        index = meta.get("originalIndex", position)
        if not isinstance(index, int) or not 0 <= index < count:
            continue
        error = meta.get("error") or {}
        outcomes[index] = (bool(meta.get("success")), str(error.get("code", "")), str(error.get("description", "")))
    return outcomes


def bulk_results(response: JsonObject) -> dict[int, JsonObject]:
    """The entity (or at least its id) each successful element of a bulk create answered, by index."""
    found: dict[int, JsonObject] = {}
    for position, result in enumerate(response.get("results") or []):
        meta: JsonObject = next((v for k, v in result.items() if k.endswith("Metadata")), {}) or {}
        if not meta.get("success"):
            continue
        entity = next((v for k, v in result.items() if not k.endswith("Metadata")), None) or {}
        found[meta.get("originalIndex", position)] = {**entity, "id": meta.get("id") or entity.get("id")}
    return found


def ambiguous(exc: ApiError) -> bool:
    """Whether the call may have run although it failed: its answer was lost (5xx, timeout, reset).

    A 429 was not executed (and the session already retried it); other 4xx were refused."""
    return isinstance(exc, TemporaryApiError) and exc.status != 429


def same(service: str, current: JsonObject, fields: JsonObject) -> bool:
    """Whether writing ``fields`` onto ``current`` would change nothing that reconcile manages."""
    kind = KIND_OF[Namespace(service)]
    identity = lambda wix_id: wix_id  # noqa: E731 - compare in Wix ids
    return record(kind, {**current, **fields}, identity, None) == record(kind, current, identity, None)


def service_key(op: Operation) -> str:
    prefix = op.call.split(".", 1)[0]
    return next(kind for kind, spec in client.SERVICES.items() if spec.name == prefix)


def service_of(op: Operation) -> client.MenusService:
    return client.SERVICES[service_key(op)]


def references(service: str, entity: JsonObject) -> set[str]:
    """The Wix ids an entity points at (a child it makes reachable)."""
    if service == "menu":
        return set(entity.get("sectionIds") or [])
    if service == "section":
        return set(entity.get("itemIds") or [])
    if service == "item":
        refs = {g.get("id") for g in entity.get("modifierGroups") or []}
        refs |= {label.get("id") for label in entity.get("labels") or []}
        refs |= {v.get("variantId") for v in (entity.get("priceVariants") or {}).get("variants") or []}
        return {r for r in refs if r}
    if service == "group":
        return {m.get("id") for m in entity.get("modifiers") or [] if m.get("id")}
    return set()


def regroup(writes: list[Write]) -> list[list[Write]]:
    """Writes to send again, as few calls as the API allows (labels one by one)."""
    groups: dict[str, list[Write]] = {}
    singles = []
    for w in writes:
        if w.service == "label":
            singles.append([w])
        else:
            groups.setdefault(w.service, []).append(w)
    limit = {s: client.SERVICES[s].create_limit for s in groups}
    chunks = [ws[i : i + limit[s]] for s, ws in groups.items() for i in range(0, len(ws), limit[s])]
    return chunks + singles
