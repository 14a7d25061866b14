"""Rollback: the plan that puts back what one applied run changed, as the journal recorded it.

The journal keeps, for every entity a run touched, its live record before the run
(:mod:`reconciler.engine.journal`), and the run's plan says what the run left it as (the hash in
``plan.mapping``). Rolling back reads the live side, and

1. finds what moved since: an entity the run created or updated that is now gone or different,
   or one it removed that is back. Rollback refuses (naming them) unless forced; forced, those
   are put back too;
2. makes the desired state: the live catalog as it is now, with every touched entity as it was
   before the run (and what the run created taken away);
3. plans it like any plan (:func:`reconciler.engine.planning.plan_against`): the target's own
   calls, its removal verbs, safety, fingerprint and checksum. It is applied like any plan, so it
   is atomic and refused when stale.

Wix ids: Catalogs v3 never deletes, so what the run unlisted or archived comes back with its Wix
id; Menus (New) deleted it, so it is recreated with a new id, and the plan says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reconciler.engine.essence import Essence, Key
from reconciler.engine.journal import read_before
from reconciler.engine.ownership import hash_matches
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import from_json
from reconciler.engine.planning import Planned, plan_against
from reconciler.engine.settle import settle
from reconciler.engine.thresholds import Thresholds
from reconciler.engine.vocabulary import Action
from reconciler.errors import ConfigError, ReconcileError
from reconciler.state.mapping import JournalRun, MappingStore

if TYPE_CHECKING:
    from reconciler.targets.base import Target


class LiveMoved(ReconcileError):
    """The live side changed since the run: rolling back would undo someone else's edit."""

    exit_code = 4

    def __init__(self, run_id: str, moved: list[str]):
        self.moved = moved
        shown = "\n".join(f"  - {m}" for m in moved[:30])
        more = f"\n  … and {len(moved) - 30} more" if len(moved) > 30 else ""
        super().__init__(
            f"the live catalog changed since run {run_id[:12]} in what it touched; rolling back would undo "
            f"these edits:\n{shown}{more}\nCheck them, then roll back with --force to put them back too."
        )


@dataclass
class Rollback:
    run: JournalRun
    planned: Planned[Any]
    moved: list[str]  # what the live side changed since the run (put back only with force)


def find_run(store: MappingStore, run_id: str | None) -> JournalRun:
    """The run to roll back: ``run_id`` (or a unique prefix of it), else the last applied run."""
    if run_id is None:
        applied = [r for r in store.runs(limit=10_000) if r.status == "applied"]
        if not applied:
            raise ConfigError("no applied run in the journal to roll back (see `reconcile history`)")
        run_id = applied[0].run_id
    found = store.journal(run_id)
    if found is None:
        raise ConfigError(f'no run "{run_id}" in the journal (or the prefix is not unique); see `reconcile history`')
    if found.run.status != "applied":
        raise ConfigError(f"run {found.run.run_id[:12]} did not apply ({found.run.status}): there is nothing to undo")
    if not found.before or not found.plan:
        raise ConfigError(
            f"run {found.run.run_id[:12]} recorded no before-state (an apply from before the journal kept one, "
            "or one made without it); it cannot be rolled back"
        )
    done = store.undone(found.run.run_id)
    if done:
        raise ConfigError(f"run {found.run.run_id[:12]} was already rolled back by run {done[0].run_id[:12]}")
    return found


def run_plan(run: JournalRun) -> Plan:
    return from_json(run.plan, f"the plan of run {run.run.run_id[:12]}")


async def plan_rollback(
    run: JournalRun, target: Target[Any, Any], store: MappingStore, thresholds: Thresholds, force: bool
) -> Rollback:
    original = run_plan(run)
    scope = await target.scope()
    if scope != run.run.scope:
        raise ConfigError(f"run {run.run.run_id[:12]} applied to {run.run.scope}, not to {scope}")
    raw = await target.fetch()
    entries = settle(store, scope, raw, write=False)
    live = target.interpret(raw, entries, {})
    before = read_before(run.before)
    moved = moved_since(original, before, live.essence, target)
    if moved and not force:
        raise LiveMoved(run.run.run_id, moved)
    desired = restored(live.essence, original, before)
    planned = await plan_against(target, raw, live, desired, thresholds, notes=(_about(run),))
    return Rollback(run, _with_notes(planned, target), moved)


def moved_since(plan: Plan, before: dict[Key, Any], live: Essence, target: Target[Any, Any]) -> list[str]:
    namespace = target.capabilities.namespace
    left = {(ns, local_id): applied for ns, local_id, applied in plan.mapping}
    moved = []
    for change in plan.changes:
        now = live.get(change.key)
        what = f'{change.kind} {change.id} "{change.name}"'
        if change.action == Action.REMOVE:
            if now is not None:
                moved.append(f"{what} is back on the live menu")
        elif now is None:
            moved.append(f"{what} is no longer on the live menu")
        elif not hash_matches(left.get((namespace(change.kind), change.id)), now):
            moved.append(f"{what} was edited")
        if change.action != Action.CREATE and before.get(change.key) is None:
            moved.append(f"{what}: its before-state was not recorded, it stays as it is now")
    return moved


def restored(live: Essence, plan: Plan, before: dict[Key, Any]) -> Essence:
    desired = dict(live)
    for change in plan.changes:
        was = before.get(change.key)
        if change.action == Action.CREATE:
            desired.pop(change.key, None)
        elif was is not None:
            desired[change.key] = was
    return desired


def _about(run: JournalRun) -> str:
    who = f" by {run.who}" if run.who else ""
    return f"rollback of run {run.run.run_id[:12]} ({run.run.summary}{who})"


def _with_notes(planned: Planned[Any], target: Target[Any, Any]) -> Planned[Any]:
    """Name what comes back with its Wix id and what is recreated with a new one (an API that deletes)."""
    namespace = target.capabilities.namespace
    back = [c for c in planned.plan.changes if c.action == Action.CREATE]
    kept = [c for c in back if f"{namespace(c.kind)}:{c.id}" in planned.plan.ids]
    new = [c for c in back if c not in kept]
    notes = list(planned.plan.notes)
    if kept:
        notes.append("comes back with its Wix id: " + ", ".join(f"{c.kind} {c.id}" for c in kept))
    if new:
        notes.append(
            f"{target.label} deleted these, so they are recreated with new Wix ids: "
            + ", ".join(f"{c.kind} {c.id}" for c in new)
        )
    if notes == list(planned.plan.notes):
        return planned
    from dataclasses import replace

    from reconciler.engine.planfile import seal

    return Planned(seal(replace(planned.plan, notes=tuple(notes), checksum="")), planned.desired, planned.live)
