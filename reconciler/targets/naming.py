"""Giving live entities our ids: through the id mapping, else by adoption, else ``wix:<id>``.

Shared by every target's reader. Adoption pairs an unmapped live entity with an unmapped desired
entity of the same kind and name (a section only within its menu, a menu within its location), so
the first sync of an existing site, or one after the local state was lost, duplicates nothing.
A reader names everything it reaches (``name``), then ``resolve`` adopts, kind by kind, children
before parents, so that a record's references are in our ids when records are compared: where
several share a name, the content decides, never the order of the live lists (adoption.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reconciler.canonical import JsonObject
from reconciler.engine.essence import Essence, Key
from reconciler.engine.ownership import hash_matches
from reconciler.engine.vocabulary import Kind
from reconciler.state.mapping import Entry
from reconciler.targets import adoption
from reconciler.targets.adoption import Candidate

NamespaceOf = Callable[[Kind], str]  # kind -> its id namespace, as the target's capabilities declare
# (kind, our id, desired record) -> the parent a live entity must have to be adopted as it: a
# section's menu; with a ParentOf, a menu's location too, and a location's own dish its location
ParentOf = Callable[[Kind, str, JsonObject], "str | None"]
# (kind, Wix id, Wix id -> the id to write) -> the live record, as the reader makes it
RecordOf = Callable[[Kind, str, Callable[[str], str]], JsonObject]
STRICT = (Kind.SECTION, Kind.MENU)  # adopted only within their parent; other kinds fall back to any
# Children before parents: what a record refers to is named before the record is compared. Menus
# come before sections only because a section is adopted within its (adopted) menu.
ORDER = (Kind.MODIFIER, Kind.VARIANT, Kind.VARIATION, Kind.OPTION_GROUP, Kind.LABEL, Kind.DISH, Kind.MENU, Kind.SECTION)
UNREACHED = 1 << 40  # the position of what no walk from the menus meets


def section_parent(kind: Kind, local_id: str, fields: JsonObject) -> str | None:
    return fields.get("menu") if kind == Kind.SECTION else None


@dataclass(frozen=True)
class _Unmapped:
    kind: Kind
    wix_id: str
    display_name: str
    parent: str | None
    menu: str | None  # a section's: the Wix id of the live menu listing it (its parent, once named)


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
        self.desired = desired
        self.by_wix = {(e.namespace, e.wix_id): e.local_id for e in entries}
        self.local_to_wix = {(e.namespace, e.local_id): e.wix_id for e in entries}
        self.names: dict[str, str] = {}  # Wix id -> local id, for everything reached
        self.adopted: list[Key] = []
        self.ambiguous: list[Key] = []  # adoptions that content could not decide (paired by position)
        self._taken = {key for key, wix in self.local_to_wix.items() if wix in existing}
        self._candidates: dict[tuple[Kind, str], list[tuple[str, str | None]]] = {}
        for (kind, local_id), fields in desired.items():
            parent = parent_of(kind, local_id, fields)
            self._candidates.setdefault((kind, fields.get("name", "")), []).append((local_id, parent))
        self._met: dict[str, Kind] = {}  # every Wix id named, mapped or not
        self._unmapped: list[_Unmapped] = []
        # ties by content: (kind, its pairs (Wix id, our id), the pairs a parent allows)
        self._contested: list[tuple[Kind, list[tuple[str, str]], set[tuple[str, str]]]] = []

    def name(
        self, kind: Kind, wix_id: str, display_name: str, parent: str | None = None, menu: str | None = None
    ) -> str:
        """Our id for a mapped entity; ``wix:<id>`` for another until ``resolve`` adopts it."""
        self._met.setdefault(wix_id, kind)
        local_id = self.by_wix.get((self.namespace(kind), wix_id))
        if local_id is None:
            self._unmapped.append(_Unmapped(kind, wix_id, display_name, parent, menu))
            local_id = f"wix:{wix_id}"
        self.names[wix_id] = local_id
        return local_id

    def local(self, wix_id: str) -> str:
        return self.names.get(wix_id) or f"wix:{wix_id}"

    def resolve(self, record_of: RecordOf) -> None:
        """Adopt what ``name`` met unmapped, kind by kind in ``ORDER`` (adoption.py decides ties)."""
        unmapped, self._unmapped = self._unmapped, []
        kinds = [*ORDER, *sorted({u.kind for u in unmapped} - set(ORDER))]
        positions = _Positions(self, record_of)
        for kind in kinds:
            buckets: dict[str, list[_Unmapped]] = {}
            for u in unmapped:
                if u.kind == kind:
                    buckets.setdefault(u.display_name, []).append(u)
            for display_name, live in sorted(buckets.items()):
                self._adopt(kind, display_name, live, record_of, positions)
        if self._contested:
            self._by_structure(record_of)

    def _by_structure(self, record_of: RecordOf) -> None:
        """Re-pair the entities of a tie by what the adopted parents list at the same place: a
        "Cheese" that the live group lists where the desired group lists ``cheese-1`` is cheese-1,
        even if a change to the desired cheese-1 made the other "Cheese" the exact match."""
        contested = {wix_id for _, pairs, _ in self._contested for wix_id, _ in pairs}
        ours = {local_id for _, local_id in self.desired}
        votes: dict[tuple[str, str], int] = {}
        for wix_id, kind in self._met.items():
            wanted = self.desired.get((kind, self.names[wix_id]))
            if wanted is None:
                continue  # references compared: Wix ids in the live record, our ids in the desired
            live_refs = [r for r in adoption.strings(record_of(kind, wix_id, str)) if r in self._met]
            want_refs = [r for r in adoption.strings(wanted) if r in ours]
            if len(live_refs) == len(want_refs):
                for live_ref, want_ref in zip(live_refs, want_refs, strict=True):
                    if live_ref in contested:
                        votes[(live_ref, want_ref)] = votes.get((live_ref, want_ref), 0) + 1
        for kind, pairs, eligible in self._contested:
            for wix_id, local_id in adoption.repair(pairs, votes, eligible):
                self.local_to_wix[(self.namespace(kind), local_id)] = wix_id
                self.names[wix_id] = local_id

    def _adopt(
        self, kind: Kind, display_name: str, live: list[_Unmapped], record_of: RecordOf, positions: _Positions
    ) -> None:
        namespace = self.namespace(kind)
        free = [(i, p) for i, p in self._candidates.get((kind, display_name), []) if (namespace, i) not in self._taken]
        if not free:
            return
        lives = [Candidate(u.wix_id, self.names.get(u.menu) if u.menu else u.parent, 0) for u in live]
        wants = [Candidate(i, p, 0) for i, p in free]
        if len(lives) > 1 or len(wants) > 1:
            lives = [Candidate(c.id, c.parent, positions.live(c.id)) for c in lives]
            wants = [Candidate(c.id, c.parent, positions.desired((kind, c.id))) for c in wants]
        records: dict[str, JsonObject] = {}

        def tier_of(lc: Candidate, dc: Candidate) -> int | None:
            if dc.parent == lc.parent:
                return 0
            return 1 if kind not in STRICT and dc.parent is None else None

        def score_of(lc: Candidate, dc: Candidate, tier: int) -> adoption.Score:
            if len(lives) == 1 and len(wants) == 1:
                return (tier, 0, 0, 0)  # nothing to choose between
            if lc.id not in records:
                records[lc.id] = record_of(kind, lc.id, self.local)
            return adoption.score(records[lc.id], self.desired[(kind, dc.id)], tier)

        paired = adoption.pair(lives, wants, tier_of, score_of)
        if any(ambiguous for _, _, ambiguous in paired):
            eligible = {(lc.id, dc.id) for lc in lives for dc in wants if tier_of(lc, dc) is not None}
            self._contested.append((kind, [(wix_id, local_id) for wix_id, local_id, _ in paired], eligible))
        for wix_id, local_id, ambiguous in paired:
            self._taken.add((namespace, local_id))
            self.local_to_wix[(namespace, local_id)] = wix_id
            self.names[wix_id] = local_id
            self.adopted.append((kind, local_id))
            if ambiguous:
                self.ambiguous.append((kind, local_id))


class _Positions:
    """Where a diner meets each entity, live and desired alike (adoption.walk), computed once and
    only when a tie may need it: menus by name (then Wix id / catalog order), each followed by what
    its record lists, in order."""

    def __init__(self, namer: Namer, record_of: RecordOf) -> None:
        self._namer, self._record_of = namer, record_of
        self._live: dict[str, int] | None = None
        self._desired: dict[Key, int] | None = None

    def live(self, wix_id: str) -> int:
        if self._live is None:
            met = self._namer._met
            records = {w: self._record_of(k, w, lambda x: x) for w, k in met.items()}
            menus = sorted((records[w].get("name") or "", w) for w, k in met.items() if k == Kind.MENU)
            self._live = adoption.walk(
                (w for _, w in menus), lambda w: [s for s in adoption.strings(records[w]) if s in met]
            )
        return self._live.get(wix_id, UNREACHED)

    def desired(self, key: Key) -> int:
        if self._desired is None:
            essence = self._namer.desired
            by_id: dict[str, list[Key]] = {}
            for k in essence:
                by_id.setdefault(k[1], []).append(k)
            menus = [k for k in essence if k[0] == Kind.MENU]
            menus.sort(key=lambda k: str(essence[k].get("name") or ""))  # stable: catalog order among equals
            self._desired = adoption.walk(
                menus, lambda k: [r for s in adoption.strings(essence[k]) for r in by_id.get(s, [])]
            )
        return self._desired.get(key, UNREACHED)


def ambiguity_notes(ambiguous: list[Key]) -> list[str]:
    """The plan's word on adoptions that content could not decide, so that a reviewer checks them."""
    if not ambiguous:
        return []
    shown = ", ".join(f"{kind} {local_id}" for kind, local_id in ambiguous[:20])
    more = f" and {len(ambiguous) - 20} more" if len(ambiguous) > 20 else ""
    return [
        f"{len(ambiguous)} adoptions by name could not be decided by content (several live entities of "
        f"that kind and name match as well): paired in the order a diner meets them: {shown}{more}"
    ]


AMBIGUOUS = "; live entities of that name match as well: paired in the order a diner meets them"


def drifted(live: Essence, entries: list[Entry], namespace: NamespaceOf) -> frozenset[Key]:
    """Live records that differ from what reconcile last wrote: edits made outside reconcile."""
    applied = {(e.namespace, e.local_id): e.applied_hash for e in entries}
    return frozenset(
        key
        for key, fields in live.items()
        if applied.get((namespace(key[0]), key[1])) is not None
        and not hash_matches(applied[(namespace(key[0]), key[1])], fields)
    )
