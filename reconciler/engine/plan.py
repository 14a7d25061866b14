"""A plan is a frozen value: what changes, the exact API calls that make it so, and what it assumed.

It records a fingerprint of the live state it was computed against, so ``apply --plan`` can refuse
a stale plan and say what moved, and a checksum over its own content, so a plan edited after
review is refused too. ``apply`` executes ``operations`` exactly, in ``step`` order; it never diffs
again. A plan holds catalog data only: no credential, token or base URL with secrets.

The JSON form (``to_json``) is the documented, versioned schema used by ``--format json`` and by
saved plan files (docs/plan-format.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields

from reconciler.canonical import sha256
from reconciler.engine.capabilities import Capabilities, KindSpec, TargetInfo
from reconciler.engine.diff import Change, FieldChange
from reconciler.engine.vocabulary import Action, Kind, Namespace, Phase, Removal
from reconciler.errors import ApplyFailed, PlanFileInvalid

PLAN_FORMAT = "reconcile-plan"
# 2: the target section is typed: its capabilities (kinds with titles, id namespaces and removal
#    verbs; drafts), and no catalog id on Menus (New). Version 1 also gained revisions, phases and
#    undo late in its life; plans of version 1 are refused.
PLAN_VERSION = 2


@dataclass(frozen=True)
class Operation:
    """One API call. ``body`` may hold placeholders: ``{"$ref": "<kind>:<local id>"}`` for a Wix id
    and ``{"$rev": "<kind>:<local id>"}`` for the revision an update must name (Menus (New))."""

    step: int  # dependency level: every call in a step depends only on earlier steps
    call: str  # the SDK function name, e.g. "bulkCreateDishes" or "items.bulkUpdateItems"
    method: str
    path: str  # relative to the API prefix, ids filled in
    body: dict | None
    summary: str  # e.g. "create 3 dishes"
    binds: tuple[tuple[int, str, str], ...] = ()  # (result index, namespace, local id) of created ids
    idempotent: bool = True
    phase: Phase | None = None  # for targets without drafts: build, cut-over or clean-up
    undo: dict | None = None  # how to put back what this call changes (compensation), if it can be


@dataclass
class Built:
    """What a target's planner returns: the calls, and what they rely on."""

    operations: tuple[Operation, ...]
    ids: dict[str, str]
    mapping: tuple[tuple[str, str, str], ...]
    changes: tuple[Change, ...]
    notes: tuple[str, ...]
    revisions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """The safety verdict on a plan (engine.safety): an unsafe plan is shown, but apply needs --force."""

    unsafe: bool = False
    reasons: tuple[str, ...] = ()
    existing: int = 0


@dataclass(frozen=True)
class Plan:
    target: TargetInfo
    live_fingerprint: str
    live_hashes: dict[str, str]  # "kind:id" -> hash, to say what moved when a plan is stale
    changes: tuple[Change, ...]
    operations: tuple[Operation, ...]
    ids: dict[str, str]  # "<namespace>:<local id>" -> Wix id, for entities that exist already
    mapping: tuple[tuple[str, str, str], ...]  # (namespace, local id, desired hash) after apply
    notes: tuple[str, ...] = ()
    safety: Verdict = field(default_factory=Verdict)
    revisions: dict[str, str] = field(default_factory=dict)  # "<namespace>:<local id>" -> revision at plan time
    checksum: str = ""

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(map(str, Action), 0)
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def empty(self) -> bool:
        return not self.changes

    def summary_line(self) -> str:
        c = self.counts
        verb = self.target.capabilities.removal
        return f"Plan: {c['create']} to create, {c['update']} to update, {c['remove']} to {verb}"

    def sealed(self) -> Plan:
        """The same plan with its checksum filled in."""
        body = _content(self)
        return Plan(**{**self.__dict__, "checksum": _checksum(body)})


def ref(namespace: str, local_id: str) -> dict[str, str]:
    """The placeholder of an entity's Wix id, filled in when the call runs."""
    return {"$ref": f"{namespace}:{local_id}"}


def rev(namespace: str, local_id: str) -> dict[str, str]:
    """The placeholder of the revision an update must name, as read at plan time."""
    return {"$rev": f"{namespace}:{local_id}"}


def fill_placeholders(body: object, ids: dict[str, str], revisions: dict[str, str] | None = None) -> object:
    """A call body with every ``{"$ref": key}`` replaced by a Wix id and ``{"$rev": key}`` by a revision."""
    if isinstance(body, dict):
        for marker, table in (("$ref", ids), ("$rev", revisions or {})):
            if set(body) == {marker}:
                if body[marker] not in table:
                    raise ApplyFailed(f"internal error: no {marker[1:]} for {body[marker]} when it was needed")
                return table[body[marker]]
        return {k: fill_placeholders(v, ids, revisions) for k, v in body.items()}
    if isinstance(body, list):
        return [fill_placeholders(v, ids, revisions) for v in body]
    return body


def _content(plan: Plan) -> dict:
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
        "operations": [_operation_json(o) for o in plan.operations],
        "ids": plan.ids,
        "revisions": plan.revisions,
        "mapping": [list(m) for m in plan.mapping],
        "notes": list(plan.notes),
        "safety": {
            "unsafe": plan.safety.unsafe,
            "reasons": list(plan.safety.reasons),
            "existing": plan.safety.existing,
        },
    }


def _operation_json(op: Operation) -> dict:
    return {**{f.name: getattr(op, f.name) for f in fields(Operation)}, "phase": op.phase or ""}


def _target_json(target: TargetInfo) -> dict:
    capabilities = target.capabilities
    return {
        **{f.name: getattr(target, f.name) for f in fields(TargetInfo) if f.name != "capabilities"},
        "capabilities": {
            "kinds": [{f.name: getattr(k, f.name) for f in fields(KindSpec)} for k in capabilities.kinds],
            "drafts": capabilities.drafts,
            "removal": capabilities.removal,
            "cannot_hold": list(capabilities.cannot_hold),
        },
    }


def _target_from_json(data: dict) -> TargetInfo:
    declared = data["capabilities"]
    capabilities = Capabilities(
        kinds=tuple(
            KindSpec(Kind(k["kind"]), k["title"], Namespace(k["namespace"]), Removal(k["removal"]))
            for k in declared["kinds"]
        ),
        drafts=declared["drafts"],
        removal=Removal(declared["removal"]),
        cannot_hold=tuple(declared["cannot_hold"]),
    )
    return TargetInfo(**{**{k: v for k, v in data.items() if k != "capabilities"}, "capabilities": capabilities})


def _change_json(change: Change) -> dict:
    return {
        "action": change.action,
        "kind": change.kind,
        "id": change.id,
        "name": change.name,
        "drift": change.drift,
        "notes": list(change.notes),
        "fields": [{"path": f.path, "before": f.before, "after": f.after} for f in change.fields],
    }


def _checksum(body: dict) -> str:
    """sha256 over canonical JSON (:mod:`reconciler.canonical`)."""
    return "sha256:" + sha256(body)


def to_json(plan: Plan) -> str:
    """Deterministic, human-diffable JSON (sorted keys); the same plan gives the same bytes."""
    return (
        json.dumps({**_content(plan), "checksum": plan.checksum}, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    )


def from_json(text: str, source: str = "plan file") -> Plan:
    """Load a saved plan, refusing anything unreadable or whose checksum does not match."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PlanFileInvalid(f"{source} is not a reconcile plan (not JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
        raise PlanFileInvalid(f"{source} is not a reconcile plan")
    if data.get("version") != PLAN_VERSION:
        raise PlanFileInvalid(
            f"{source} has plan format version {data.get('version')}; this reconcile reads version {PLAN_VERSION}"
        )
    claimed = data.pop("checksum", None)
    if claimed != _checksum(data):
        raise PlanFileInvalid(
            f"{source}: checksum does not match its content; the plan was changed after it "
            "was made. Run `reconcile plan --out` again."
        )
    try:
        plan = Plan(
            target=_target_from_json(data["target"]),
            live_fingerprint=data["live_fingerprint"],
            live_hashes=data["live_hashes"],
            changes=tuple(
                Change(
                    Action(c["action"]),
                    Kind(c["kind"]),
                    c["id"],
                    c["name"],
                    tuple(FieldChange(f["path"], f["before"], f["after"]) for f in c["fields"]),
                    c["drift"],
                    tuple(c["notes"]),
                )
                for c in data["changes"]
            ),
            operations=tuple(
                Operation(
                    o["step"],
                    o["call"],
                    o["method"],
                    o["path"],
                    o["body"],
                    o["summary"],
                    tuple(tuple(b) for b in o["binds"]),
                    o["idempotent"],
                    Phase(o["phase"]) if o["phase"] else None,
                    o["undo"],
                )
                for o in data["operations"]
            ),
            ids=data["ids"],
            mapping=tuple(tuple(m) for m in data["mapping"]),
            notes=tuple(data["notes"]),
            safety=Verdict(data["safety"]["unsafe"], tuple(data["safety"]["reasons"]), data["safety"]["existing"]),
            revisions=data["revisions"],
            checksum=claimed,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileInvalid(f"{source} is missing or mangles a field ({exc})") from None
    return plan
