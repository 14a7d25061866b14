"""Giving live entities our ids: through the id mapping, else by adoption, else ``wix:<id>``.

Shared by every target's reader. Adoption pairs an unmapped live entity with an unmapped desired
entity of the same kind and name (a section only within its menu), so the first sync of an
existing site, or one after the local state was lost, duplicates nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.canonical import JsonObject
from reconciler.engine.essence import Essence, Key
from reconciler.engine.ownership import hash_matches
from reconciler.engine.vocabulary import Kind
from reconciler.state.mapping import Entry

NamespaceOf = Callable[[Kind], str]  # kind -> its id namespace, as the target's capabilities declare
# (kind, our id, desired record) -> the parent a live entity must have to be adopted as it: a
# section's menu; with a ParentOf, a menu's location too, and a location's own dish its location
ParentOf = Callable[[Kind, str, JsonObject], "str | None"]
STRICT = (Kind.SECTION, Kind.MENU)  # adopted only within their parent; other kinds fall back to any


def section_parent(kind: Kind, local_id: str, fields: JsonObject) -> str | None:
    return fields.get("menu") if kind == Kind.SECTION else None


class Namer:
    def __init__(
        self,
        entries: list[Entry],
        desired: Essence,
        existing: set[str],
        namespace: NamespaceOf,
        parent_of: ParentOf = section_parent,
    ) -> None:
        """``existing``: Wix ids that are live now (a mapping to anything else is free to re-adopt)."""
        self.namespace = namespace
        self.by_wix = {(e.namespace, e.wix_id): e.local_id for e in entries}
        self.local_to_wix = {(e.namespace, e.local_id): e.wix_id for e in entries}
        self.names: dict[str, str] = {}  # Wix id -> local id, for everything reached
        self.adopted: list[Key] = []
        self._taken = {key for key, wix in self.local_to_wix.items() if wix in existing}
        self._candidates: dict[tuple[Kind, str | None, str], list[str]] = {}
        for (kind, local_id), fields in desired.items():
            parent = parent_of(kind, local_id, fields)
            self._candidates.setdefault((kind, parent, fields.get("name", "")), []).append(local_id)

    def name(self, kind: Kind, wix_id: str, display_name: str, parent: str | None = None) -> str:
        namespace = self.namespace(kind)
        local_id = self.by_wix.get((namespace, wix_id))
        if local_id is None:
            local_id = self._adopt(kind, display_name, parent)
            if local_id is None:
                local_id = f"wix:{wix_id}"
            else:
                self.local_to_wix[(namespace, local_id)] = wix_id
                self.adopted.append((kind, local_id))
        self.names[wix_id] = local_id
        return local_id

    def local(self, wix_id: str) -> str:
        return self.names.get(wix_id) or f"wix:{wix_id}"

    def _adopt(self, kind: Kind, display_name: str, parent: str | None) -> str | None:
        tries = [parent] if kind in STRICT else list(dict.fromkeys([parent, None]))
        for within in tries:
            for local_id in self._candidates.get((kind, within, display_name), []):
                key = (self.namespace(kind), local_id)
                if key not in self._taken:
                    self._taken.add(key)
                    return local_id
        return None


def drifted(live: Essence, entries: list[Entry], namespace: NamespaceOf) -> frozenset[Key]:
    """Live records that differ from what reconcile last wrote: edits made outside reconcile."""
    applied = {(e.namespace, e.local_id): e.applied_hash for e in entries}
    return frozenset(
        key
        for key, fields in live.items()
        if applied.get((namespace(key[0]), key[1])) is not None
        and not hash_matches(applied[(namespace(key[0]), key[1])], fields)
    )
