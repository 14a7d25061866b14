"""Which desired entity an unmapped live entity is adopted as, when several share its name.

Pairing in list order (the first free desired entity of that name) made the plan depend on the
order the Wix lists came in: three live "Extras" groups were taken for each other and every dish
using them showed a group swap. Here the choice is made by content, independently of list order
(docs/ownership.md, "Adoption by name"):

1. among the eligible pairs (same kind and name; the same parent first, then a desired entity
   with no parent, for kinds not adopted strictly within their parent), the exact matches of the
   live record with the desired record come first,
2. then the closest: the most fields equal, then the most list elements in common,
3. then the *position*: the order in which a diner meets the entity walking the menus (menus by
   name, then their sections, dishes, groups, modifiers in the order they list them), the k-th
   live one met paired with the k-th desired one met. The Wix id and the list order are not
   something the user sees or controls; the structure is.

Pairs are taken greedily best first, each live and desired entity at most once. A pair chosen
only by position (another pair as good by content was open to one of them) is *ambiguous*; once
the parents are adopted, the pairs of such a tie are made again by what those parents list at the
same place (``repair``), so that a change to one of two alike namesakes does not swap them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import partial
from itertools import takewhile
from typing import TypeVar

from reconciler.canonical import JsonObject

Node = TypeVar("Node", bound=Hashable)

Score = tuple[int, int, int, int]  # (tier, not exact, -fields equal, -list elements in common), lower is better


@dataclass(frozen=True)
class Candidate:
    id: str  # a live entity's Wix id, or a desired entity's local id
    parent: str | None
    position: int  # where a diner meets it (walk); equal scores pair in this order


def score(live: JsonObject, desired: JsonObject, tier: int) -> Score:
    if live == desired:
        return (tier, 0, 0, 0)
    fields = sum(1 for key, value in live.items() if key in desired and desired[key] == value)
    common = 0
    for key, value in live.items():
        other = desired.get(key)
        if isinstance(value, list) and isinstance(other, list) and value != other:
            wanted = [_dump(v) for v in other]
            for element in value:
                dumped = _dump(element)
                if dumped in wanted:
                    wanted.remove(dumped)
                    common += 1
    return (tier, 1, -fields, -common)


def _dump(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def pair(
    live: list[Candidate],
    desired: list[Candidate],
    tier_of: Callable[[Candidate, Candidate], int | None],
    score_of: Callable[[Candidate, Candidate, int], Score],
) -> list[tuple[str, str, bool]]:
    """(live id, desired id, ambiguous) for each adoption, best pair first (module docstring)."""
    pairs = []
    for lc in live:
        for dc in desired:
            tier = tier_of(lc, dc)
            if tier is not None:
                pairs.append((score_of(lc, dc, tier), lc.position, dc.position, lc.id, dc.id))
    pairs.sort()
    used_live: set[str] = set()
    used_desired: set[str] = set()
    contested: set[tuple[str, str]] = set()  # ("live"/"desired", id) of a tie: every pair it ends in is ambiguous
    out = []
    for index, (best, _, _, live_id, desired_id) in enumerate(pairs):
        if live_id in used_live or desired_id in used_desired:
            continue
        for _, _, _, other_live, other_desired in takewhile(partial(_scored, best), pairs[index + 1 :]):
            open_ = other_live not in used_live and other_desired not in used_desired
            if open_ and (other_live == live_id) != (other_desired == desired_id):  # as good, for one of them
                contested.update({("live", live_id), ("desired", desired_id)})
                contested.update({("live", other_live), ("desired", other_desired)})
        ambiguous = ("live", live_id) in contested or ("desired", desired_id) in contested
        used_live.add(live_id)
        used_desired.add(desired_id)
        out.append((live_id, desired_id, ambiguous))
    return out


def repair(
    pairs: list[tuple[str, str]], votes: dict[tuple[str, str], int], eligible: set[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The pairs of one tie again, among the ``eligible`` (same kind, name and parent rule), best
    voted first (``votes[(live, desired)]``: how many adopted parents list them at the same place);
    a pair no vote moves is kept, and so are all of them unless each is paired again."""
    kept = set(pairs)
    order = sorted(
        (-votes.get((lw, dl), 0), (lw, dl) not in kept, lw, dl)
        for lw, _ in pairs
        for _, dl in pairs
        if (lw, dl) in eligible or (lw, dl) in kept
    )
    used_live: set[str] = set()
    used_desired: set[str] = set()
    out = []
    for _, _, live_id, desired_id in order:
        if live_id not in used_live and desired_id not in used_desired:
            used_live.add(live_id)
            used_desired.add(desired_id)
            out.append((live_id, desired_id))
    return out if len(out) == len(pairs) else pairs  # never leave one of them unpaired


def _scored(best: Score, entry: tuple[Score, int, int, str, str]) -> bool:
    return entry[0] == best


def walk(roots: Iterable[Node], refs: Callable[[Node], Iterable[Node]]) -> dict[Node, int]:
    """Position of each node met depth first from ``roots``, following ``refs`` in order."""
    seen: dict[Node, int] = {}
    stack = list(reversed(list(roots)))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen[node] = len(seen)
        stack.extend(reversed([r for r in refs(node) if r not in seen]))
    return seen


def strings(value: object) -> list[str]:
    """Every string in a record, in order: the references among them are what ``walk`` follows."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []
