"""After a publish, read the live catalog again and check it is exactly what the plan wanted.

Where the target can tell what changed since the apply's own read (Menus (New)), only that is read
again, with the target's cheap whole-catalog checks; the comparison is the same either way.

The plan carries the hash of every desired entity, so verification needs neither the YAML nor a
second diff: each desired entity must be live with that hash, and nothing else may be live, except
what the plan removes when the run warned that its clean-up stopped (Menus (New) deletes last; what
it could not delete is hidden or detached, and the next apply deletes it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconciler.canonical import JsonObject
from reconciler.engine.ownership import hash_matches
from reconciler.engine.plan import Plan
from reconciler.engine.targeting import TARGETED_NOTE
from reconciler.engine.vocabulary import Action
from reconciler.state.mapping import Entry, MappingStore

if TYPE_CHECKING:
    from reconciler.targets.base import Target


async def verify(
    plan: Plan,
    target: Target[Any, Any],
    store: MappingStore,
    cleanup_stopped: bool = False,
    kept: JsonObject | None = None,
    entries: list[Entry] | None = None,
) -> list[str]:
    """Differences between the live catalog and the plan's desired state (empty when equal).

    ``kept``: the snapshot of the read apply made under the lock (``Target.keep``). The live side is
    then read as what changed since (``Target.refresh``): the run's own writes and anyone else's,
    plus the target's whole-catalog checks (Menus (New): a Count per service, the menus, sections,
    labels and Online Orders lists whole); a target that cannot tell what changed reads it all.
    ``entries``: the id mapping as the apply left it (``ApplyResult.mapping``); None reads it."""
    scope = await target.scope()
    raw = (await target.refresh(kept))[0] if kept is not None else await target.fetch()
    live = target.interpret(raw, store.entries(scope) if entries is None else entries, {})
    namespace = plan.target.capabilities.namespace
    found = {(namespace(kind), local_id): fields for (kind, local_id), fields in live.essence.items()}
    # Rows of what is not a live entity of the catalog (the images in the Media Manager) are not verified here.
    entities = {spec.namespace for spec in plan.target.capabilities.kinds}
    wanted = {(ns, local_id): applied_hash for ns, local_id, applied_hash in plan.mapping if ns in entities}
    differences = []
    for key, applied_hash in sorted(wanted.items()):
        if key not in found:
            differences.append(f"{key[0]} {key[1]} is missing from the live catalog")
        elif not hash_matches(applied_hash, found[key]):
            differences.append(f"{key[0]} {key[1]} differs from the desired state")
    left = {(namespace(c.kind), c.id) for c in plan.changes if c.action == Action.REMOVE} if cleanup_stopped else set()
    if any(note.startswith(TARGETED_NOTE) for note in plan.notes):
        # A targeted plan answers for what it touched: the rest was left alone on purpose.
        removed = {(namespace(c.kind), c.id) for c in plan.changes if c.action == Action.REMOVE}
        return differences + [f"{k[0]} {k[1]} is still live" for k in sorted((removed - left) & set(found))]
    for key in sorted(set(found) - set(wanted) - left):
        differences.append(f"{key[0]} {key[1]} is live but not in the desired state")
    return differences
