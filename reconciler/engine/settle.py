"""Settle mapping rows that an earlier apply staged but never committed.

An apply stages the id mapping before it publishes and commits it after. If the process died in
between, the rows are still pending. Whether they belong in the mapping depends on whether the
publish happened, which the live catalog tells: if any Wix id that run created exists live, the
publish went through. Settling first is what keeps a crash after publish from causing duplicates.
"""

from __future__ import annotations

from reconciler.state.mapping import Entry, MappingStore


def settle(store: MappingStore, scope: str, live_ids: set[str], write: bool) -> list[Entry]:
    """The mapping as it should be; with ``write`` the store is brought in line."""
    entries = {(e.namespace, e.local_id): e for e in store.entries(scope)}
    for run_id, rows in store.pending(scope).items():
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
