"""Cross-reference rules of ``locations:`` and ``only_at``/``except_at`` (model/locations.py).

Every override must name a location's entity that exists, every ``only_at``/``except_at`` a
location the catalog lists, and every location's effective catalog must be valid on its own: a
dish offered as an option choice must be at every location where a dish offering it is. Called by
:func:`reconciler.model.rules.check` and :func:`reconciler.model.rules.warnings`; each violation
carries the path the YAML layer turns into ``file:line:column``.
"""

from __future__ import annotations

from collections.abc import Iterator

from reconciler.model.catalog import Catalog, Orderable
from reconciler.model.effective import present_dishes
from reconciler.model.locations import Location, Override, Presence
from reconciler.paths import Path

Found = tuple[Path, str]


def check(catalog: Catalog) -> Iterator[Found]:
    if catalog.location is not None and catalog.locations:
        yield (
            ("location",),
            (
                "a catalog names either one location (`location:`) or several (`locations:`), not both; "
                "move it into `locations:`"
            ),
        )
    yield from _unique_locations(catalog)
    yield from _placements(catalog)
    for index, location in enumerate(catalog.locations):
        yield from _overrides(catalog, index, location)
    yield from _choices_present(catalog)


def warnings(catalog: Catalog) -> Iterator[Found]:
    """Valid, but probably not meant: overrides with no effect, dishes at no location."""
    if not catalog.locations:
        return
    present = {loc.key: present_dishes(catalog, loc) for loc in catalog.locations}
    anywhere = set().union(*present.values())
    for i, dish in enumerate(catalog.dishes):
        if dish.id not in anywhere:
            yield ("dishes", i, "id"), f'dish "{dish.id}" is at no location (see only_at/except_at and its sections)'
    dishes: dict[str, Orderable] = {d.id: d for d in catalog.dishes}
    variations: dict[str, Orderable] = {v.id: v for v in catalog.variations}
    for i, location in enumerate(catalog.locations):
        for k, override in enumerate(location.dishes):
            base = dishes.get(override.id)
            if base is not None and override.id not in present[location.key]:
                yield (
                    ("locations", i, "dishes", k, "id"),
                    f'dish "{override.id}" is not at location "{location.key}"; this override has no effect',
                )
            elif base is not None and _same(override, base):
                yield ("locations", i, "dishes", k, "id"), "every value here equals the base value; remove the entry"
        for k, override in enumerate(location.variations):
            base = variations.get(override.id)
            if base is not None and _same(override, base):
                yield (
                    ("locations", i, "variations", k, "id"),
                    "every value here equals the base value; remove the entry",
                )


def _same(override: Override, base: Orderable) -> bool:
    return all(getattr(override, f) in (None, getattr(base, f)) for f in ("price", "in_stock", "visible"))


def _unique_locations(catalog: Catalog) -> Iterator[Found]:
    seen: dict[str, int] = {}
    for i, location in enumerate(catalog.locations):
        for field in ("name", "id"):
            value = getattr(location, field)
            if value is None:
                continue
            if value in seen and seen[value] != i:
                yield ("locations", i, field), f'location "{value}" is listed twice (first as locations[{seen[value]}])'
            else:
                seen.setdefault(value, i)


def _placed(catalog: Catalog) -> Iterator[tuple[Path, Presence]]:
    for i, menu in enumerate(catalog.menus):
        yield ("menus", i), menu
        for j, section in enumerate(menu.sections):
            yield ("menus", i, "sections", j), section
    for i, dish in enumerate(catalog.dishes):
        yield ("dishes", i), dish


def _placements(catalog: Catalog) -> Iterator[Found]:
    for path, entity in _placed(catalog):
        for field in ("only_at", "except_at"):
            refs = getattr(entity, field)
            if refs is None:
                continue
            if not catalog.locations:
                yield (*path, field), f"{field} names locations, but the catalog has no `locations:` list"
                continue
            for k, ref in enumerate(refs):
                if not any(loc.named(ref) for loc in catalog.locations):
                    yield (*path, field, k), f'no location in `locations:` is named "{ref}"{_known(catalog)}'


def _known(catalog: Catalog) -> str:
    return "; they are: " + ", ".join(dict.fromkeys(f'"{loc.key}"' for loc in catalog.locations))


def _overrides(catalog: Catalog, index: int, location: Location) -> Iterator[Found]:
    dishes = {d.id for d in catalog.dishes}
    variations = {v.id for v in catalog.variations}
    menus = {m.id for m in catalog.menus}
    sections = {s.id for m in catalog.menus for s in m.sections}
    groups = {g.id: {c.item for c in g.choices} for g in catalog.option_groups}
    here: Path = ("locations", index)
    lists: list[tuple[str, list[str], set[str], str, set[str], str]] = [
        ("menus", [o.id for o in location.menus], menus, "menu", set(), ""),
        ("sections", [o.id for o in location.sections], sections, "section", set(), ""),
        (
            "dishes",
            [o.id for o in location.dishes],
            dishes,
            "dish",
            variations,
            "is a variation; override it under variations:",
        ),
        (
            "variations",
            [o.id for o in location.variations],
            variations,
            "variation",
            dishes,
            "is a dish; override it under dishes:",
        ),
    ]
    for key, overridden, known, noun, other, other_message in lists:
        seen: set[str] = set()
        for k, ident in enumerate(overridden):
            path = (*here, key, k, "id")
            if ident in seen:
                yield path, f'{noun} "{ident}" is overridden twice at this location'
            seen.add(ident)
            if ident in known:
                continue
            if ident in other:
                yield path, f'"{ident}" {other_message}'
            else:
                yield path, f'no {noun} has id "{ident}"'
    pairs: set[tuple[str, str]] = set()
    for k, choice in enumerate(location.choices):
        path = (*here, "choices", k)
        if choice.group not in groups:
            yield (*path, "group"), f'no option group has id "{choice.group}"'
        elif choice.item not in groups[choice.group]:
            yield (*path, "item"), f'option group "{choice.group}" offers no choice "{choice.item}"'
        elif (choice.group, choice.item) in pairs:
            yield (*path, "item"), f'the choice "{choice.item}" of "{choice.group}" is overridden twice here'
        pairs.add((choice.group, choice.item))


def _choices_present(catalog: Catalog) -> Iterator[Found]:
    """A dish offered as a choice must be at every location where a dish offering it is."""
    if not catalog.locations:
        return
    dishes = {d.id: d for d in catalog.dishes}
    offered_dishes = {c.item for g in catalog.option_groups for c in g.choices if c.item in dishes}
    if not offered_dishes:
        return
    for location in catalog.locations:
        present = present_dishes(catalog, location)
        users: dict[str, str] = {}  # group id -> a dish of this location that offers it
        for item in [*(dishes[d] for d in sorted(present)), *catalog.variations]:
            for group_id in item.options:
                users.setdefault(group_id, item.id)
        for g, group in enumerate(catalog.option_groups):
            if group.id not in users:
                continue
            for k, choice in enumerate(group.choices):
                if choice.item in dishes and choice.item not in present:
                    yield (
                        ("option_groups", g, "choices", k, "item"),
                        f'location "{location.key}" has "{users[group.id]}", which offers this choice, but not the '
                        f'dish "{choice.item}" itself; make both be at the same locations',
                    )
