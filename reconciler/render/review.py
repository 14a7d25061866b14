"""What changed for a diner: two diner views (before, after) compared menu by menu, dish by dish.

The HTML plan renders this. Every menu, section and dish of the *after* view is listed in its
display order, with its status (added, moved, changed, unchanged) and, for a change, what a diner
would notice: the price before → after, sizes, options and choices, labels, availability. What
is gone is listed where it was, marked removed. A dish listed by a section it was not in before is
"moved from" its old section; one whose place among the dishes it kept company with changed is
"moved" (the longest run of dishes still in order stays put, so one insertion moves nothing).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from reconciler.engine.menuview import CatalogView, ChoiceView, DishView, MenuView, OptionView, SectionView

ADDED, REMOVED, MOVED, CHANGED, UNCHANGED = "added", "removed", "moved", "changed", "unchanged"


@dataclass(frozen=True)
class Delta:
    what: str  # "price", "size 12 inch", "option Toppings: choice Olives"
    before: str  # "" when it is new
    after: str  # "" when it is gone


@dataclass(frozen=True)
class DishEntry:
    dish: DishView  # as it is after the change (before it, when removed)
    status: str
    deltas: tuple[Delta, ...] = ()
    moved_from: str = ""  # the section's name, for a dish listed here that was listed elsewhere
    before: DishView | None = None


@dataclass(frozen=True)
class SectionEntry:
    section: SectionView
    status: str
    dishes: tuple[DishEntry, ...]
    deltas: tuple[Delta, ...] = ()
    moved_from: str = ""

    @property
    def changed(self) -> int:
        return sum(d.status != UNCHANGED for d in self.dishes)


@dataclass(frozen=True)
class MenuEntry:
    menu: MenuView
    status: str
    sections: tuple[SectionEntry, ...]
    deltas: tuple[Delta, ...] = ()


def compare(before: CatalogView, after: CatalogView) -> list[MenuEntry]:
    placed = _placements(before)
    section_home = {s: m.name for m in before.menus for s in m.sections}
    out = []
    for menu in after.menus:
        old = next((m for m in before.menus if m.id == menu.id), None)
        kept = set(old.sections) if old else set()
        steady = _in_order([s for s in menu.sections if s in kept], list(old.sections) if old else [])
        sections = []
        for section_id in menu.sections:
            if section_id not in after.sections:
                continue
            moved_from = section_home.get(section_id, "") if section_id not in kept else ""
            status = MOVED if moved_from or (section_id in kept and section_id not in steady) else ""
            sections.append(_section(after.sections[section_id], before, after, placed, status, moved_from))
        if old:  # sections no longer on this menu, where they were
            for section_id in old.sections:
                if section_id not in menu.sections and section_id in before.sections:
                    sections.append(_gone_section(before.sections[section_id], before, after))
        deltas = _head_deltas(old, menu) if old else ()
        status = ADDED if old is None else CHANGED if deltas else UNCHANGED
        out.append(MenuEntry(menu, status, tuple(sections), deltas))
    for menu in before.menus:
        if all(m.id != menu.id for m in after.menus):
            gone = tuple(
                _gone_section(before.sections[s], before, after) for s in menu.sections if s in before.sections
            )
            out.append(MenuEntry(menu, REMOVED, gone))
    return out


def _placements(view: CatalogView) -> dict[str, str]:
    """dish id -> the name of the first section that lists it."""
    found: dict[str, str] = {}
    for menu in view.menus:
        for section_id in menu.sections:
            section = view.sections.get(section_id)
            for dish_id in section.dishes if section else ():
                found.setdefault(dish_id, section.name if section else "")
    return found


def _section(
    section: SectionView, before: CatalogView, after: CatalogView, placed: dict[str, str], status: str, moved_from: str
) -> SectionEntry:
    old = before.sections.get(section.id)
    kept = set(old.dishes) if old else set()
    steady = _in_order([d for d in section.dishes if d in kept], list(old.dishes) if old else [])
    dishes = []
    for dish_id in section.dishes:
        dish = after.dishes.get(dish_id)
        if dish is None:
            continue
        previous = before.dishes.get(dish_id)
        deltas = _dish_deltas(previous, dish) if previous else ()
        if previous is None:
            dishes.append(DishEntry(dish, ADDED))
        elif dish_id not in kept:
            dishes.append(DishEntry(dish, MOVED, deltas, placed.get(dish_id, ""), previous))
        elif dish_id not in steady:
            dishes.append(DishEntry(dish, MOVED, deltas, "", previous))
        else:
            dishes.append(DishEntry(dish, CHANGED if deltas else UNCHANGED, deltas, "", previous))
    if old:
        for dish_id in old.dishes:
            if dish_id not in section.dishes and dish_id in before.dishes and dish_id not in after.dishes:
                dishes.append(DishEntry(before.dishes[dish_id], REMOVED, before=before.dishes[dish_id]))
    deltas = _head_deltas(old, section) if old else ()
    if not status:
        status = ADDED if old is None else CHANGED if deltas else UNCHANGED
    return SectionEntry(section, status, tuple(dishes), deltas, moved_from)


def _gone_section(section: SectionView, before: CatalogView, after: CatalogView) -> SectionEntry:
    """A section no longer on its menu: its dishes as they were (removed, unless still listed elsewhere)."""
    if section.id in after.sections and any(section.id in m.sections for m in after.menus):
        return SectionEntry(section, MOVED, (), (Delta("menu", "here", "another menu"),))
    dishes = tuple(
        DishEntry(before.dishes[d], REMOVED if d not in after.dishes else MOVED, before=before.dishes[d])
        for d in section.dishes
        if d in before.dishes
    )
    return SectionEntry(section, REMOVED, dishes)


def _in_order(now: list[str], then: list[str]) -> set[str]:
    """The longest run of ``now`` that kept its order from ``then`` (a longest increasing subsequence)."""
    position = {x: i for i, x in enumerate(then)}
    seq = [position[x] for x in now]
    tails: list[int] = []
    index_at: list[int] = []
    parent = [-1] * len(seq)
    for i, value in enumerate(seq):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            index_at.append(i)
        else:
            tails[k], index_at[k] = value, i
        parent[i] = index_at[k - 1] if k else -1
    keep, i = set(), index_at[-1] if index_at else -1
    while i >= 0:
        keep.add(now[i])
        i = parent[i]
    return keep


def _head_deltas(old: MenuView | SectionView, new: MenuView | SectionView) -> tuple[Delta, ...]:
    out = []
    if old.name != new.name:
        out.append(Delta("name", old.name, new.name))
    if old.description != new.description:
        out.append(Delta("description", old.description or "", new.description or ""))
    if old.availability != new.availability:
        out.append(Delta("availability", _words(old.availability), _words(new.availability)))
    return tuple(out)


def _dish_deltas(old: DishView, new: DishView) -> tuple[Delta, ...]:
    if old == new:
        return ()
    out = []
    for what, a, b in (
        ("name", old.name, new.name),
        ("description", old.description or "", new.description or ""),
        ("price", old.price or "", new.price or ""),
        ("labels", ", ".join(old.labels), ", ".join(new.labels)),
        ("availability", _words(old.availability), _words(new.availability)),
    ):
        if a != b:
            out.append(Delta(what, a, b))
    out += _choice_deltas("size", old.sizes, new.sizes)
    olds = {o.id: o for o in old.options}
    news = {o.id: o for o in new.options}
    for key in dict.fromkeys([*olds, *news]):
        out += _option_deltas(olds.get(key), news.get(key))
    if [o.id for o in old.options if o.id in news] != [o.id for o in new.options if o.id in olds]:
        out.append(
            Delta("order of options", ", ".join(o.name for o in old.options), ", ".join(o.name for o in new.options))
        )
    return tuple(out)


def _option_deltas(old: OptionView | None, new: OptionView | None) -> list[Delta]:
    if old is None and new is not None:
        return [Delta(f"option {new.name}", "", _option_text(new))]
    if new is None and old is not None:
        return [Delta(f"option {old.name}", _option_text(old), "")]
    assert old is not None and new is not None
    out = []
    if old.name != new.name:
        out.append(Delta(f"option {new.name}", old.name, new.name))
    if old.rule != new.rule:
        out.append(Delta(f"option {new.name}: rule", old.rule, new.rule))
    return out + _choice_deltas(f"option {new.name}: choice", old.choices, new.choices)


def _choice_deltas(what: str, old: tuple[ChoiceView, ...], new: tuple[ChoiceView, ...]) -> list[Delta]:
    olds, news = {c.id: c for c in old}, {c.id: c for c in new}
    out = []
    for key in dict.fromkeys([*olds, *news]):
        a, b = olds.get(key), news.get(key)
        if a == b:
            continue
        name = (b or a).name  # type: ignore[union-attr]
        out.append(Delta(f"{what} {name}", _choice_text(a), _choice_text(b)))
    if [c for c in olds if c in news] != [c for c in news if c in olds]:
        out.append(Delta(f"{what}s order", ", ".join(c.name for c in old), ", ".join(c.name for c in new)))
    return out


def _choice_text(choice: ChoiceView | None) -> str:
    if choice is None:
        return ""
    flags = [f for f, on in (("preselected", choice.preselected), ("sold out", not choice.in_stock)) if on]
    return f"{choice.name} {choice.price}" + (f" ({', '.join(flags)})" if flags else "")


def _option_text(option: OptionView) -> str:
    return f"{option.name} ({option.rule}): " + ", ".join(_choice_text(c) for c in option.choices)


def _words(values: tuple[str, ...]) -> str:
    return "; ".join(values) or "always"
