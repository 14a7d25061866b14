"""A plan is a frozen value: what changes, the exact API calls that make it so, and what it assumed.

It records a fingerprint of the live state it was computed against, so ``apply --plan`` can refuse
a stale plan and say what moved, and a checksum over its own content, so a plan edited after
review is refused too. ``apply`` executes ``operations`` exactly, in ``step`` order; it never diffs
again. A plan holds catalog data only: no credential, token or base URL with secrets.

Its JSON form, versioned and with a JSON Schema, is :mod:`reconciler.engine.planfile`
(docs/plan-format.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.canonical import JsonObject
from reconciler.engine.capabilities import TargetInfo
from reconciler.engine.diff import Change
from reconciler.engine.vocabulary import Action, Phase
from reconciler.errors import ApplyFailed


@dataclass(frozen=True)
class Operation:
    """One API call. ``body`` may hold placeholders: ``{"$ref": "<kind>:<local id>"}`` for a Wix id
    and ``{"$rev": "<kind>:<local id>"}`` for the revision an update must name (Menus (New))."""

    step: int  # dependency level: every call in a step depends only on earlier steps
    call: str  # the SDK function name, e.g. "bulkCreateDishes" or "items.bulkUpdateItems"
    method: str
    path: str  # relative to the API prefix, ids filled in
    body: JsonObject | None
    summary: str  # e.g. "create 3 dishes"
    binds: tuple[tuple[int, str, str], ...] = ()  # (result index, namespace, local id) of created ids
    idempotent: bool = True
    phase: Phase | None = None  # for targets without drafts: build, cut-over or clean-up
    undo: JsonObject | None = None  # how to put back what this call changes (compensation), if it can be


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
    # What the plan was made from, so a saved plan can be made again and compared (engine.review):
    # the desired catalog (its model as JSON, defaults left out) and whether live updates were allowed.
    desired: dict[str, Any] | None = None
    live_updates: bool = True
    checksum: str = ""  # over the plan's JSON form: planfile.seal() fills it in

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(map(str, Action), 0)
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def empty(self) -> bool:
        """Nothing to do: no change, and no call (a plan may only clean up what an earlier run left)."""
        return not self.changes and not self.operations

    def summary_line(self) -> str:
        c = self.counts
        verb = self.target.capabilities.removal
        line = f"Plan: {c['create']} to create, {c['update']} to update, {c['remove']} to {verb}"
        if not self.changes and self.operations:
            calls = len(self.operations)
            line += f"; {calls} call{'' if calls == 1 else 's'} to clean up what an earlier run left"
        return line

    def moved(self, now: dict[str, str]) -> list[str]:
        """What differs between the live hashes this plan was made against and ``now``, in words."""
        names = {wix: key for key, wix in self.ids.items()}
        moved = []
        for wix_id in sorted(set(self.live_hashes) | set(now)):
            before, after = self.live_hashes.get(wix_id), now.get(wix_id)
            if before == after:
                continue
            what = names.get(wix_id, f"Wix entity {wix_id}")
            state = "appeared" if before is None else "disappeared" if after is None else "changed"
            moved.append(f"{what} {state}")
        return moved


def ref(namespace: str, local_id: str) -> dict[str, str]:
    """The placeholder of an entity's Wix id, filled in when the call runs."""
    return {"$ref": f"{namespace}:{local_id}"}


def rev(namespace: str, local_id: str) -> dict[str, str]:
    """The placeholder of the revision an update must name, as read at plan time."""
    return {"$rev": f"{namespace}:{local_id}"}


def fill_placeholders(body: Any, ids: dict[str, str], revisions: dict[str, str] | None = None) -> Any:
    """A call body with every ``{"$ref": key}`` replaced by a Wix id and ``{"$rev": key}`` by a revision."""
    if isinstance(body, dict):
        if len(body) == 1:
            for marker, table in (("$ref", ids), ("$rev", revisions or {})):
                if marker in body:
                    if body[marker] not in table:
                        raise ApplyFailed(f"internal error: no {marker[1:]} for {body[marker]} when it was needed")
                    return table[body[marker]]
        # Scalars are most of a body (a 10,000-dish create: 520,000 nodes): they are copied as they
        # are, without a call each.
        return {k: fill_placeholders(v, ids, revisions) if isinstance(v, _NESTED) else v for k, v in body.items()}
    if isinstance(body, list):
        return [fill_placeholders(v, ids, revisions) if isinstance(v, _NESTED) else v for v in body]
    return body


_NESTED = (dict, list)
