"""A plan's JSON form: what ``plan --format json`` prints and ``plan --out`` saves, with its schema.

The document is the plan's own values as JSON (every field, keys sorted: the same plan gives the
same bytes), plus ``format``, ``version``, a ``summary`` and a ``checksum`` over everything else.
Its JSON Schema (schemas/plan.schema.json, ``reconcile schema --plan``) is generated from the same
types that :func:`from_json` validates a saved plan against, so the two cannot drift. A saved plan
of another version is refused by name; docs/plan-format.md tells what each version changed.

The checksum catches accidents, not attackers: anyone who can edit the file can recompute it.
``apply --plan`` therefore trusts a plan only as far as :mod:`reconciler.engine.review` proves it,
and where plans travel between machines (a CI job that plans, another that applies) they can be
authenticated: with ``RECONCILE_PLAN_KEY`` set, ``plan`` adds a ``signature`` (HMAC-SHA256 of the
checksum under that key) and ``apply --plan`` refuses a plan without a valid one.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from dataclasses import fields, replace
from typing import Annotated, Any, Literal, NotRequired

import orjson
from pydantic import ConfigDict, StringConstraints, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict  # pydantic reads typing's TypedDict only from Python 3.12

from reconciler import jsonio
from reconciler.canonical import canonical_json, sha256
from reconciler.engine.capabilities import KindSpec, TargetInfo
from reconciler.engine.diff import Change
from reconciler.engine.plan import Operation, Plan, Verdict
from reconciler.engine.plankey import PLAN_KEY_VARIABLE
from reconciler.engine.siteplan import LocationPlan, SitePlan
from reconciler.errors import PlanFileInvalid

PLAN_FORMAT = "reconcile-plan"
PLAN_VERSION = 5
# What each version changed: the message that refuses an older plan says it.
VERSIONS = {  # docs/plan-format.md has the same table
    1: "the first format",
    2: "target.capabilities (kinds, titles, id namespaces, removal verbs, drafts)",
    3: "a call outside a phase has phase null",
    4: "a plan of several locations: `locations` holds one plan per location, with a summary across them",
    5: "desired and live_updates (what a plan was made from: apply makes it again and compares); "
    "an optional signature (RECONCILE_PLAN_KEY)",
}
SCHEMA_ID = "https://reconcile.dev/schemas/plan.schema.json"
_SIGNATURE = r"^hmac-sha256:[0-9a-f]{64}$"
Signature = Annotated[str, StringConstraints(pattern=_SIGNATURE)]


class Summary(TypedDict):
    create: int
    update: int
    remove: int
    operations: int
    steps: int
    unsafe: bool


@with_config(ConfigDict(extra="forbid"))
class Document(TypedDict):
    """Every key of a plan file (``checksum`` covers all the others)."""

    format: Literal["reconcile-plan"]
    version: int
    checksum: Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
    signature: NotRequired[Signature]  # not under the checksum
    summary: Summary
    target: TargetInfo
    live_fingerprint: str
    live_hashes: dict[str, str]  # Wix id -> hash of the live entity the plan saw
    changes: list[Change]
    operations: list[Operation]
    ids: dict[str, str]  # "<namespace>:<our id>" -> Wix id
    revisions: dict[str, str]  # "<namespace>:<our id>" -> revision read at plan time
    mapping: list[tuple[str, str, str]]  # (namespace, our id, hash apply verifies)
    notes: list[str]
    safety: Verdict
    desired: dict[str, Any]  # the catalog the plan was made from (its model as JSON, defaults left out)
    live_updates: bool


class SiteSummary(TypedDict):
    locations: int
    changed: int  # locations whose plan has changes
    create: int
    update: int
    remove: int
    operations: int
    unsafe: list[str]  # locations whose plan is unsafe


@with_config(ConfigDict(extra="forbid"))
class LocationDocument(TypedDict):
    location: str  # the location's key in the catalog
    plan: Document  # a whole plan, with its own checksum: it applies on its own


@with_config(ConfigDict(extra="forbid"))
class SiteDocument(TypedDict):
    """A plan of several locations (``checksum`` covers all the other keys, the location plans too)."""

    format: Literal["reconcile-plan"]
    version: int
    checksum: Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
    signature: NotRequired[Signature]
    summary: SiteSummary
    locations: list[LocationDocument]


# Built on first use, not at import: building the three validators is ~20 ms of every command's
# start-up, and most commands (a plan printed as text) never read a plan file.
@functools.cache
def _adapter(which: str) -> TypeAdapter[Any]:
    shapes: dict[str, Any] = {"plan": Document, "site": SiteDocument, "any": Document | SiteDocument}
    return TypeAdapter(shapes[which])


def seal(plan: Plan) -> Plan:
    """The same plan with its checksum filled in; it keeps the canonical JSON the checksum hashed, which
    the journal writes as is (``journal.plan_text``; a plan replaced since is a new object without it)."""
    body = canonical_json(_content(plan))
    sealed = replace(plan, checksum="sha256:" + hashlib.sha256(body).hexdigest())
    object.__setattr__(sealed, "canonical", body)
    return sealed


def signature(checksum: str, key: str) -> str:
    """HMAC-SHA256 of the checksum (which covers every other field) under ``key``."""
    return "hmac-sha256:" + hmac.new(key.encode("utf-8"), checksum.encode("ascii"), hashlib.sha256).hexdigest()


def to_json(plan: Plan | SitePlan, key: str | None = None) -> str:
    """Deterministic, human-diffable JSON (sorted keys); the same plan gives the same bytes.

    With ``key``, the document carries a ``signature`` that :func:`load` checks.
    """
    body = _site_content(plan) if isinstance(plan, SitePlan) else _content(plan)
    document = {**body, "checksum": plan.checksum}
    if key:
        document["signature"] = signature(plan.checksum, key)
    return dumps_document(document)


def dumps_document(document: dict[str, Any]) -> str:
    """Sorted keys, two-space indent, UTF-8 as is: the bytes ``json.dumps(document, sort_keys=True,
    indent=2, ensure_ascii=False)`` gives, made by orjson (a 10,000-dish plan: 0.18 s instead of 3.7 s;
    every apply journals its plan, so this is in the write phase). A value orjson does not take
    (a key that is not a string, an integer beyond 64 bits) goes the json module's way."""
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode() + "\n"
    except TypeError:
        return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def seal_site(site: SitePlan) -> SitePlan:
    """The same plan of several locations with its checksum filled in (each location's plan is sealed)."""
    return SitePlan(site.locations, _checksum(_site_content(site)))


def _site_content(site: SitePlan) -> dict[str, Any]:
    counts = site.counts
    return {
        "format": PLAN_FORMAT,
        "version": PLAN_VERSION,
        "summary": {
            "locations": len(site.locations),
            "changed": sum(not entry.plan.empty for entry in site.locations),
            **counts,
            "operations": site.operations,
            "unsafe": site.unsafe,
        },
        "locations": [
            {"location": entry.location, "plan": {**_content(entry.plan), "checksum": entry.plan.checksum}}
            for entry in site.locations
        ],
    }


def is_signed(text: str) -> bool:
    """Whether a plan file carries a signature (checked only when a key is given to :func:`load`)."""
    try:
        data = jsonio.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and "signature" in data


def from_json(text: str, source: str = "plan file", key: str | None = None) -> Plan:
    """Load a saved plan, refusing another version, a changed one, or one that breaks the schema."""
    loaded = load(text, source, key)
    if isinstance(loaded, SitePlan):
        raise PlanFileInvalid(
            f"{source} is a plan of {len(loaded.locations)} locations; apply it with `reconcile apply --plan`"
        )
    return loaded


def load(text: str, source: str = "plan file", key: str | None = None) -> Plan | SitePlan:
    """Load a saved plan of one location or of several (``locations``), checking every checksum.

    With ``key``, a plan without a valid signature under it is refused as well.
    """
    try:
        data = jsonio.loads(text)
    except ValueError as exc:
        raise PlanFileInvalid(f"{source} is not a reconcile plan (not JSON: {str(exc)[:200]})") from None
    if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
        raise PlanFileInvalid(f"{source} is not a reconcile plan")
    _check_version(data.get("version"), source)
    signed = data.pop("signature", None)
    if key is not None:
        _check_signature(signed, data.get("checksum"), key, source)
    _check_sum(data, source)
    if "locations" not in data:
        return _plan(_validated(_adapter("plan"), text, source))
    for entry in data["locations"] if isinstance(data["locations"], list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("plan"), dict):
            _check_sum(dict(entry["plan"]), f'{source}, location "{entry.get("location")}"')
    site = _validated(_adapter("site"), text, source)
    return SitePlan(
        tuple(LocationPlan(entry["location"], _plan(entry["plan"])) for entry in site["locations"]),
        site["checksum"],
    )


def _check_sum(data: dict[str, Any], source: str) -> None:
    claimed = data.pop("checksum", None)
    if claimed != _checksum(data):
        raise PlanFileInvalid(
            f"{source}: checksum does not match its content; the plan was changed after it "
            "was made. Run `reconcile plan --out` again."
        )


def _validated(adapter: TypeAdapter[Any], text: str, source: str) -> Any:
    try:
        return adapter.validate_json(text, strict=True)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:10])
        raise PlanFileInvalid(
            f"{source} does not follow the plan format (schemas/plan.schema.json): {problems}"
        ) from None


def _plan(document: Document) -> Plan:
    return Plan(
        target=document["target"],
        live_fingerprint=document["live_fingerprint"],
        live_hashes=document["live_hashes"],
        changes=tuple(document["changes"]),
        operations=tuple(document["operations"]),
        ids=document["ids"],
        mapping=tuple(document["mapping"]),
        notes=tuple(document["notes"]),
        safety=document["safety"],
        revisions=document["revisions"],
        desired=document["desired"] or None,  # {}: a plan made without a catalog (tests, renderers)
        live_updates=document["live_updates"],
        checksum=document["checksum"],
    )


def _check_signature(signed: object, checksum: object, key: str, source: str) -> None:
    if signed is None:
        raise PlanFileInvalid(
            f"{source} is not signed, and {PLAN_KEY_VARIABLE} is set: only plans signed with that key are "
            f"applied. Make the plan with `reconcile plan --out` where {PLAN_KEY_VARIABLE} is set."
        )
    if not (isinstance(signed, str) and isinstance(checksum, str) and checksum.isascii()) or not hmac.compare_digest(
        signed, signature(checksum, key)
    ):
        raise PlanFileInvalid(
            f"{source}: its signature does not match {PLAN_KEY_VARIABLE}: it was signed with another key, or "
            "changed after it was signed. Nothing was sent."
        )


def plan_schema() -> dict[str, Any]:
    """The JSON Schema of a plan file, generated from the types :func:`from_json` validates with."""
    schema = _adapter("any").json_schema(mode="validation")
    for definition in schema.get("$defs", {}).values():
        _close(definition)
        if definition.get("title") in ("Document", "SiteDocument"):
            definition["properties"]["format"] = {"const": PLAN_FORMAT}
            definition["properties"]["version"] = {"const": PLAN_VERSION}
            definition["required"] = [name for name in definition["required"] if name != "signature"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "reconcile plan",
        "description": f"A plan made by `reconcile plan --out` (format version {PLAN_VERSION}; docs/plan-format.md).",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def schema_text() -> str:
    return json.dumps(plan_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _close(schema: dict[str, Any]) -> None:
    """A plan file holds every field of every value, and nothing else."""
    if "properties" in schema:
        schema["required"] = sorted(schema["properties"])
        schema["additionalProperties"] = False
        for prop in schema["properties"].values():
            prop.pop("default", None)


def _check_version(version: object, source: str) -> None:
    if version == PLAN_VERSION:
        return
    made = f"version {version}" if isinstance(version, int) else "no version"
    newer = [f"{v}: {what}" for v, what in sorted(VERSIONS.items()) if isinstance(version, int) and v > version]
    since = f" (since then, {'; '.join(newer)})" if newer else ""
    raise PlanFileInvalid(
        f"{source} is a plan of format {made}; this reconcile reads version {PLAN_VERSION}{since}. "
        "Make the plan again with `reconcile plan --out`."
    )


def _content(plan: Plan) -> dict[str, Any]:
    return {
        "format": PLAN_FORMAT,
        "version": PLAN_VERSION,
        "target": _target_json(plan.target),
        "summary": {
            **plan.counts,
            "operations": len(plan.operations),
            "steps": len({o.step for o in plan.operations}),
            "unsafe": plan.safety.unsafe,
        },
        "live_fingerprint": plan.live_fingerprint,
        "live_hashes": plan.live_hashes,
        "changes": [_change_json(c) for c in plan.changes],
        # Shallow: asdict() would deep-copy every call body, a third of a 10,000-dish plan's time.
        "operations": [{f: getattr(o, f) for f in _OPERATION_FIELDS} for o in plan.operations],
        "ids": plan.ids,
        "revisions": plan.revisions,
        "mapping": [list(m) for m in plan.mapping],
        "notes": list(plan.notes),
        "safety": {
            "unsafe": plan.safety.unsafe,
            "reasons": list(plan.safety.reasons),
            "existing": plan.safety.existing,
        },
        "desired": plan.desired or {},
        "live_updates": plan.live_updates,
    }


_OPERATION_FIELDS = tuple(f.name for f in fields(Operation))


def _target_json(target: TargetInfo) -> dict[str, Any]:
    declared = target.capabilities
    return {
        **{f.name: getattr(target, f.name) for f in fields(TargetInfo) if f.name != "capabilities"},
        "capabilities": {
            "kinds": [{f.name: getattr(k, f.name) for f in fields(KindSpec)} for k in declared.kinds],
            "drafts": declared.drafts,
            "removal": declared.removal,
            "cannot_hold": list(declared.cannot_hold),
        },
    }


def _change_json(change: Change) -> dict[str, Any]:
    return {
        "action": change.action,
        "kind": change.kind,
        "id": change.id,
        "name": change.name,
        "drift": change.drift,
        "notes": list(change.notes),
        "fields": [{"path": f.path, "before": f.before, "after": f.after} for f in change.fields],
    }


def _checksum(body: dict[str, Any]) -> str:
    """sha256 over canonical JSON (:mod:`reconciler.canonical`)."""
    return "sha256:" + sha256(body)
