"""Settle what an earlier apply left half-recorded: staged mapping rows, and creates never answered.

An apply stages the id mapping before it publishes and commits it after. If the process died in
between, the rows are still pending. Whether they belong in the mapping depends on whether the
publish happened, which the live catalog tells: if any Wix id that run created exists live, the
publish went through. Settling first is what keeps a crash after publish from causing duplicates.

On a target without drafts a create is live the moment it runs, so an apply records each create
before sending it (an *intent*). A run killed while a create was in flight leaves intents: the
target recognises the entities they made among those nobody knows (``RawLive.find_intended``),
and they become that run's pending rows, settled like the others. The next plan then reuses them
(still wanted) or deletes them (detached leftovers), so a crash never leaves an untracked copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.state.mapping import Entry, MappingStore, Row

if TYPE_CHECKING:
    from reconciler.targets.base import RawLive


def settle(store: MappingStore, scope: str, raw: RawLive, write: bool) -> list[Entry]:
    """The mapping as it should be; with ``write`` the store is brought in line."""
    entries = {(e.namespace, e.local_id): e for e in store.entries(scope)}
    pending = store.pending(scope)
    taken = {e.wix_id for e in entries.values()} | {r.wix_id for rows in pending.values() for r in rows}
    for run_id, intents in store.intents(scope).items():
        found = raw.find_intended(intents, taken)
        adopted = [Entry(intents[i].namespace, intents[i].local_id, wix_id) for i, wix_id in sorted(found.items())]
        taken |= set(found.values())
        pending.setdefault(run_id, []).extend(adopted)
        if write:
            store.add_pending(scope, run_id, adopted)
            store.forget_intents(scope, run_id)
    live_ids = raw.existing_ids()
    for run_id, rows in pending.items():
        new_ids = [
            r.wix_id
            for r in rows
            if (r.namespace, r.local_id) not in entries or entries[(r.namespace, r.local_id)].wix_id != r.wix_id
        ]
        published = any(wix_id in live_ids for wix_id in new_ids)
        if published:
            entries.update({(r.namespace, r.local_id): r for r in rows})
        if write:
            (store.commit if published else store.drop)(scope, run_id)
    return sorted(entries.values(), key=lambda e: (e.namespace, e.local_id))


def settled_without_live(store: MappingStore, scope: str) -> list[Row] | None:
    """What :func:`settle` returns, as rows (``Entry.row``, in any order), when the live read has no
    say in it (no run left staged rows or intents); None when it has: then the read must be decoded
    and settled."""
    if store.pending(scope) or store.intents(scope):
        return None
    return store.rows(scope)
