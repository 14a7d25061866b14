"""serve's incremental translation: only the changed POS objects translated, spliced into the held import.

A webhook sync of serve holds the last import (catalog, notes, placed, stock signals and the YAML
text) and the read it came from. When the POS read is incremental (``Source.read_changes``), the
source's ``partial_reads`` hook cuts from the held read and the new one the changed objects alone,
each with everything they refer to (:class:`Partial`: an item, its categories, modifier lists,
taxes and images). Both are translated by the source's own ``translate``: *before* must give, for
every entity it makes, exactly the held import's entity (so the translation of the objects alone is
the whole translation's, collisions of ids and discount limits included); *after* replaces it. The
splice is refused (and the sync translates the whole read, saying why) whenever the change could
reach anything else: an entity made or lost, a menu or a dish's place changed, other notes or
placed ids, a choice that takes money off (its limit spans every dish offering it), another
currency, several locations.

The YAML is spliced the same way: each changed entity's list entry, written alone in the canonical
form (an entry of a block sequence depends on nothing around it), replaces the old entry's exact
bytes, found once in its list. The proof that the text reads back as the catalog (what
:func:`reconciler.sources.service.validate_text` does for a whole import) is then of the spliced
entries alone, parsed and validated by the loader as a catalog file of their own, plus the rules
across the catalog (:func:`reconciler.model.rules.check`): the rest of the text is the bytes that
were proven before. docs/serve.md tells the argument; tests/sources/test_splice.py checks it
against a whole import on random sequences of POS changes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from reconciler.model import rules
from reconciler.model.catalog import Catalog, CatalogPart
from reconciler.sources.base import ImportNote, ImportOptions, ImportResult, Source
from reconciler.sources.errors import SourceInvalid
from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.load import parse_part
from reconciler.yamlio.source import read

TABLES = ("dishes", "variations", "option_groups")
_TOP_LEVEL = re.compile(r"\n[^ \n-]")
Entity = Any  # a Dish, Variation or option group of the catalog model


@dataclass(frozen=True)
class Partial:
    """The answer of ``Source.partial_reads``: the changed objects alone, as held and as now."""

    before: Any  # a read of only the changed objects as held, with everything they refer to
    after: Any  # the same, as the POS holds them now
    own: frozenset[str]  # the POS ids only these objects' translation speaks of (an item, its variations)
    detail: str  # for the log: what changed


class Unsure(Exception):
    """The splice cannot be sure it equals a whole translation: translate the whole read."""


@dataclass(frozen=True)
class Spliced:
    text: str
    result: ImportResult
    changed: int  # entities replaced


def splice(
    source: Source, held_text: str, held: ImportResult, held_raw: Any, raw: Any, options: ImportOptions
) -> Spliced:
    """The import of ``raw`` from the held one (of ``held_raw``) and the changed objects alone; raises
    :class:`Unsure` (with why) whenever that might differ from a whole translation of ``raw``."""
    if held.catalog.locations or options.across_locations or len(source.locations(raw)) > 1:
        raise Unsure("a catalog of several locations")
    partial = source.partial_reads(held_raw, raw)
    if isinstance(partial, str):
        raise Unsure(partial)
    if not partial.own:
        return Spliced(held_text, held, 0)
    try:
        before, after = (source.translate(r, options) for r in (partial.before, partial.after))
    except SourceInvalid as exc:
        raise Unsure(f"the changed objects alone do not translate ({exc.problems[0].reason[:120]})") from None
    _same_frame(held, before, after)
    replaced = _replaced(held.catalog, before.catalog, after.catalog)
    result = ImportResult(
        _catalog(held.catalog, replaced),
        _notes(held.notes, before.notes, after.notes, partial.own),
        _placed(held.placed, before.placed, after.placed, partial.own),
        _stock(held.stock, before.stock, after.stock),
    )
    text = held_text
    for table, old, new in replaced:
        text = _splice_entry(
            text, table, _entry(old, table, held.catalog.currency), _entry(new, table, held.catalog.currency)
        )
    _prove(text, replaced, held.catalog, after.catalog)
    return Spliced(text, result, len(replaced))


def _same_frame(held: ImportResult, before: ImportResult, after: ImportResult) -> None:
    """What the changed objects' translation must leave as it was for the splice to be the whole one."""
    currency = held.catalog.currency
    if before.catalog.currency != currency or after.catalog.currency != currency:
        raise Unsure(f"the changed objects alone are not priced in {currency}")
    if before.catalog.menus != after.catalog.menus:
        raise Unsure("a menu or section the changed objects are in changed")
    for table in TABLES:
        ids = [{e.id for e in getattr(r.catalog, table)} for r in (before, after)]
        if ids[0] != ids[1]:
            raise Unsure(f"{table} made or lost")
    for result in (before, after):
        for group in result.catalog.option_groups:
            if any(c.price < 0 for c in group.choices):
                raise Unsure(f"option group {group.id!r} takes money off (its limit spans every dish offering it)")


def _replaced(held: Catalog, before: Catalog, after: Catalog) -> list[tuple[str, Entity, Entity]]:
    """(table, held entity, new entity) for each entity the change touches; the held one must be the
    one the changed objects alone make."""
    out = []
    for table in TABLES:
        index = {e.id: e for e in getattr(held, table)}
        new = {e.id: e for e in getattr(after, table)}
        for old in getattr(before, table):
            if index.get(old.id) != old:
                raise Unsure(f"{old.id!r} in the held import is not what its POS objects alone make")
            if new[old.id] != old:
                out.append((table, old, new[old.id]))
    return out


def _catalog(held: Catalog, replaced: list[tuple[str, Entity, Entity]]) -> Catalog:
    """The held catalog with those entities replaced, in place (ids, order and references unchanged)."""
    update: dict[str, list] = {}
    for table in TABLES:
        swap = {old.id: new for t, old, new in replaced if t == table}
        if swap:
            update[table] = [swap.get(e.id, e) for e in getattr(held, table)]
    return held.model_copy(update=update) if update else held


def _notes(held: list[ImportNote], before: list[ImportNote], after: list[ImportNote], own: frozenset[str]):
    """A note is about one POS object: those of the changed objects are the new translation's; any
    other must be the same before and after (the whole import's notes are a set)."""
    mine = {n for n in held if n.object_id in own}
    if mine != {n for n in before if n.object_id in own}:
        raise Unsure("the held notes of the changed objects are not what they alone make")
    if {n for n in before if n.object_id not in own} != {n for n in after if n.object_id not in own}:
        raise Unsure("the change alters notes of other objects")
    return sorted((set(held) - mine) | {n for n in after if n.object_id in own})


def _placed(held: dict, before: dict, after: dict, own: frozenset[str]) -> dict[str, tuple[str, ...]]:
    for key in (before.keys() | after.keys()) - own:
        if before.get(key) != after.get(key):
            raise Unsure(f"the change alters where POS object {key!r} went")
    mine = {k: v for k, v in before.items() if k in own}
    if {k: v for k, v in held.items() if k in own} != mine:
        raise Unsure("the held placement of the changed objects is not what they alone make")
    if {k for k in after if k in own} != mine.keys():
        raise Unsure("the changed objects are placed, or left out, anew")
    return {k: after[k] if k in own else v for k, v in held.items()}  # the held order: the whole import's


def _stock(held: list, before: list, after: list) -> list:
    """Signals are made per object read (a shared modifier's once per item offering it): a multiset."""
    kept = Counter(held)
    kept.subtract(Counter(before))
    if any(n < 0 for n in kept.values()):
        raise Unsure("the held stock signals are not what the changed objects alone make")
    return sorted([*kept.elements(), *after], key=lambda s: s.pos_ids)


def _entry(entity: Entity, table: str, currency: str) -> str:
    """The entity's list entry as the whole file writes it (``  - id: …`` and its lines)."""
    text = dump_catalog(CatalogPart(**{table: [entity]}), currency=currency)
    head = f"{table}:\n"
    if not text.startswith(head):
        raise Unsure(f"{table} entry not written as a block list")
    return text[len(head) :]


def _splice_entry(text: str, table: str, old: str, new: str) -> str:
    """``text`` with the list entry ``old`` of ``table`` (found exactly once, whole) replaced by ``new``."""
    head = f"\n{table}:\n"
    start = text.find(head)
    if start < 0:
        raise Unsure(f"no {table} list in the held text")
    start += len(head)
    end = _next_top_level(text, start)
    at = text.find(old, start, end)
    while at >= 0 and not _whole_entry(text, at, len(old), end):
        at = text.find(old, at + 1, end)
    if at < 0:
        raise Unsure(f"the held {table} entry is not in the held text as written")
    return text[:at] + new + text[at + len(old) :]


def _next_top_level(text: str, start: int) -> int:
    """Where the next top-level key starts (a line that begins with neither a space nor ``-``), or the end."""
    found = _TOP_LEVEL.search(text, start - 1)
    return found.start() + 1 if found else len(text)


def _whole_entry(text: str, at: int, length: int, end: int) -> bool:
    after = at + length
    return text[at - 1] == "\n" and (after == end or text.startswith("  - ", after))


def _prove(text: str, replaced: list[tuple[str, Entity, Entity]], held: Catalog, after: Catalog) -> None:
    """The text reads back as the catalog: the rest of it is bytes already proven to read back as the
    held catalog, so the spliced entries are read back, through the loader, as a file of their own.
    The rules across a catalog hold: between unchanged entities as before; for a changed one, in
    ``after`` (the changed objects' own catalog, holding all they refer to) provided every entity
    that refers to it is there too."""
    for table, _, new in replaced:
        fragment = f"{table}:\n" + _entry(new, table, held.currency)
        located, problems = read(fragment, "spliced entry")
        part, problems = parse_part(located) if located is not None and not problems else (None, problems)
        if part is None or getattr(part, table) != [new]:
            raise Unsure(f"the spliced {table} entry does not read back as written")
    violations = rules.check(after)
    if violations:
        raise Unsure(f"the changed objects' own catalog breaks a rule: {violations[0].message[:120]}")
    inside = {e.id for table in TABLES for e in getattr(after, table)}
    changed = {new.id for _, _, new in replaced}
    for item in [*held.dishes, *held.variations]:
        if item.id not in inside and changed.intersection(item.options):
            raise Unsure(f"{item.id!r} offers a changed option group but is not among the changed objects")
    for group in held.option_groups:
        if group.id not in inside and changed.intersection(c.item for c in group.choices):
            raise Unsure(f"option group {group.id!r} offers a changed item but is not among the changed objects")
