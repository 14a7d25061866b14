"""A saved plan is applied only as far as it proves to be what was reviewed.

A plan file's checksum catches an accident, not an attacker: anyone who can edit the file can
recompute it. So ``apply --plan`` trusts nothing in the file that it can check instead:

1. **Known calls only** (:func:`unknown_calls`): every operation must be one the target declares
   (its SDK name, method and path template, :attr:`Target.known_calls`); a path outside the API
   (``/../../_emulator/wipe``), an unknown call or a changed method is refused before anything is
   sent.
2. **The same target**: the plan's scope (target and location) and catalog id must be the resolved
   target's.
3. **Calls re-derived from the reviewed changes** (:func:`rederive`): the plan carries the desired
   catalog it was made from; the plan is made again from it against the live catalog (which must
   not have moved: that is a stale plan) and must come out the same: the same changes, calls, ids,
   revisions and mapping. Operations that differ from what the changes make are refused.
4. **The safety verdict is recomputed** with the thresholds in force at apply time; the file's own
   verdict (and its notes) are not believed.

What is then applied is the re-derived plan, equal to the file in everything but the verdict.
Optional HMAC authentication of plan files (``RECONCILE_PLAN_KEY``) lives in
:mod:`reconciler.engine.planfile`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.engine.availability import Layer
from reconciler.engine.calltemplates import CallTemplate
from reconciler.engine.plan import Operation, Plan
from reconciler.engine.planfile import seal
from reconciler.engine.planning import make_plan
from reconciler.engine.safety import assess
from reconciler.engine.targeting import Selection
from reconciler.engine.thresholds import Thresholds
from reconciler.errors import PlanFileInvalid, StalePlan
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import MappingStore

if TYPE_CHECKING:
    from reconciler.targets.base import Target

MAX_SHOWN = 10


def unknown_calls(operations: Iterable[Operation], templates: Iterable[CallTemplate]) -> list[str]:
    """Why each operation is not a call the target makes (empty when all are)."""
    by_call: dict[str, list[CallTemplate]] = {}
    for template in templates:
        by_call.setdefault(template.call, []).append(template)
    problems = []
    for position, operation in enumerate(operations):
        known = by_call.get(operation.call)
        # repr: a hostile file's text reaches the terminal escaped, never as control sequences.
        shown = f"operation {position} ({operation.call[:80]!r} {operation.method[:10]!r} {operation.path[:120]!r})"
        if not known:
            problems.append(f"{shown}: not a call this target makes")
        elif not any(t.matches(operation) for t in known):
            problems.append(f"{shown}: the method or path is not the API's for this call")
    return problems


def check_calls(plan: Plan, templates: Iterable[CallTemplate], source: str) -> None:
    problems = unknown_calls(plan.operations, templates)
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:MAX_SHOWN])
        more = f"\n  … and {len(problems) - MAX_SHOWN} more" if len(problems) > MAX_SHOWN else ""
        raise PlanFileInvalid(f"{source} holds calls outside the target's API; nothing was sent:\n{shown}{more}")


async def review_saved(
    saved: Plan,
    target: Target[Any, Any],
    store: MappingStore,
    thresholds: Thresholds,
    source: str,
    layer: Layer | None = None,
    authenticated: bool = False,
) -> Plan:
    """The plan to apply for a saved plan: checked call by call, then made again and compared.

    ``layer``: the availability layer in force now, as ``apply`` of a catalog would read it.
    ``authenticated``: the plan's signature was checked under ``RECONCILE_PLAN_KEY``.
    """
    check_calls(saved, type(target).known_calls, source)
    return await rederive(saved, target, store, thresholds, source, layer, authenticated)


async def rederive(
    saved: Plan,
    target: Target[Any, Any],
    store: MappingStore,
    thresholds: Thresholds,
    source: str,
    layer: Layer | None = None,
    authenticated: bool = False,
) -> Plan:
    """The plan made again from the saved plan's desired catalog; refused unless it is the same plan."""
    if not saved.desired:
        return await _without_catalog(saved, target, thresholds, source, authenticated)
    try:
        desired = Catalog.model_validate(saved.desired)
    except ValueError as exc:
        raise PlanFileInvalid(f"{source}: the catalog it carries is not valid ({str(exc)[:300]!r})") from None
    await _same_target(saved, target, source)
    planned = (await make_plan(desired, target, store, thresholds, saved.live_updates, layer)).plan
    if planned.live_fingerprint != saved.live_fingerprint:
        raise StalePlan(saved.moved(planned.live_hashes))
    differences = _differences(saved, planned)
    if differences and saved.changes:
        # A targeted plan (--only/--exclude) is made again for exactly the entities it changes.
        chosen = Selection(frozenset((str(c.kind), c.id) for c in saved.changes))
        targeted = (await make_plan(desired, target, store, thresholds, saved.live_updates, layer, chosen)).plan
        if not _differences(saved, targeted):
            planned, differences = targeted, []
    if differences:
        raise PlanFileInvalid(
            f"{source} does not do what its changes say: made again from the catalog it carries, against the "
            "same live catalog, the plan differs in " + ", ".join(differences) + ". It was edited after it was "
            "made; nothing was sent. Run `reconcile plan --out` again."
        )
    return planned


async def _same_target(saved: Plan, target: Target[Any, Any], source: str) -> None:
    described = await target.describe()
    if (described.scope, described.catalog_id) != (saved.target.scope, saved.target.catalog_id):
        raise PlanFileInvalid(
            f"{source} was made for {saved.target.scope!r} (catalog {saved.target.catalog_id!r}), "
            f"not for {described.scope} (catalog {described.catalog_id}); nothing was sent"
        )


async def _without_catalog(
    saved: Plan, target: Target[Any, Any], thresholds: Thresholds, source: str, authenticated: bool
) -> Plan:
    """A plan that carries no catalog (``rollback --out``) cannot be made again: stale, or applied only if signed.

    Signed, its calls were made by reconcile (the signature covers them) against the live catalog
    that is live now (the fingerprint says so); its target is still checked, and its verdict is
    made again with the thresholds in force (over the entity count it was signed with).
    """
    await _same_target(saved, target, source)
    raw = await target.fetch()
    if raw.fingerprint() != saved.live_fingerprint:
        raise StalePlan(saved.moved(raw.hashes()))
    if not authenticated:
        raise PlanFileInvalid(
            f"{source} does not carry the catalog it was made from (a rollback plan does not), so apply cannot make "
            "it again to check it; nothing was sent. Apply it where RECONCILE_PLAN_KEY is set and it was signed "
            "with it, or make it again."
        )
    return seal(dataclasses.replace(saved, safety=assess(saved.changes, saved.safety.existing, thresholds)))


_COMPARED = ("target", "changes", "operations", "ids", "revisions", "mapping", "notes")


def _differences(saved: Plan, planned: Plan) -> list[str]:
    """The fields in which the saved plan is not the plan made again (its verdict is never believed)."""
    return [name for name in _COMPARED if getattr(saved, name) != getattr(planned, name)]
