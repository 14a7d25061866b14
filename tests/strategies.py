"""Hypothesis strategies that generate valid catalogs, shared by model and engine property tests.

``catalogs()`` draws a whole catalog; ``catalogs(currency="JPY")`` prices it in that currency's
minor digits (0 for JPY, 3 for KWD). What to do to a catalog (reorder it, edit one field, grow it
past the bulk limits) is in :mod:`tests.changes`.

Example counts scale with the Hypothesis profile: ``examples(10)`` is 10 in the default profile
and ten times that under ``pytest --hypothesis-profile=thorough`` (profiles: tests/conftest.py).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st

from reconciler.model.catalog import (
    ALL_FULFILLMENT,
    ALL_PLATFORMS,
    DAYS,
    Catalog,
    Choice,
    Deselection,
    Dish,
    Extras,
    Menu,
    OpeningWindow,
    Section,
    Selection,
    SpecialHours,
    Variation,
)

CURRENCIES = {"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}  # and their minor digits
DEFAULT_EXAMPLES = 100  # max_examples of the default profile; a profile with more scales every test


def examples(n: int) -> int:
    """``n`` examples in the default profile, proportionally more in a bigger one (thorough)."""
    return max(1, n * settings().max_examples // DEFAULT_EXAMPLES)


# The catalog refuses control characters (and line/paragraph separators) in names, and all but
# line breaks and tabs in texts.
names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30
).filter(lambda s: s.strip() == s and s.strip() != "")
texts = st.one_of(
    st.none(),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"), include_characters="\n\t"),
        max_size=60,
    ),
)
percent = st.decimals(min_value=Decimal("0"), max_value=Decimal("25"), places=3)
labels = st.lists(st.sampled_from(["vegan", "vegetarian", "spicy", "gluten-free", "new"]), unique=True, max_size=3)
currencies = st.sampled_from(sorted(CURRENCIES))


def money(currency: str = "USD", top: str = "999") -> st.SearchStrategy[Decimal]:
    """Prices in ``currency``'s minor digits, from 0 to ``top``."""
    return st.decimals(min_value=Decimal("0"), max_value=Decimal(top), places=CURRENCIES[currency])


@st.composite
def windows(draw) -> OpeningWindow:
    day = draw(st.sampled_from(DAYS))
    opening = draw(st.sampled_from(["07:00", "11:00", "17:00"]))
    closing = draw(st.sampled_from(["12:00", "15:00", "23:00", "24:00"]))
    if closing <= opening:
        return OpeningWindow(day=day, open=opening, close=closing, close_day=DAYS[(DAYS.index(day) + 1) % 7])
    return OpeningWindow(day=day, open=opening, close=closing)


@st.composite
def visibility(draw) -> dict:
    fields: dict = {}
    if draw(st.booleans()):
        fields["visible"] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        fields["fulfillment"] = draw(st.lists(st.sampled_from(ALL_FULFILLMENT), min_size=1, unique=True))
    if draw(st.integers(0, 3)) == 0:
        fields["platforms"] = draw(st.lists(st.sampled_from(ALL_PLATFORMS), min_size=1, unique=True))
    if draw(st.integers(0, 3)) == 0:
        fields["hours"] = draw(st.lists(windows(), max_size=3))
    if draw(st.integers(0, 6)) == 0:
        fields["special_hours"] = [
            SpecialHours(start="2026-12-25T00:00:00Z", end="2026-12-26T00:00:00Z", available=False, name="Closed")
        ]
    return fields


class _Names:
    """Draws names; with ``unique`` every name of the catalog differs (adoption pairs by name)."""

    def __init__(self, draw, unique: bool) -> None:
        self.draw, self.unique, self.count = draw, unique, 0

    def __call__(self) -> str:
        self.count += 1
        name = self.draw(names)
        return f"{name} #{self.count}" if self.unique else name


@st.composite
def item_fields(draw, ident: str, currency: str = "USD", name=None) -> dict:
    fields = dict(id=ident, name=name() if name else draw(names), price=draw(money(currency)), **draw(visibility()))
    if draw(st.booleans()):
        fields["description"] = draw(texts)
    if draw(st.booleans()):
        fields["tax_rate"] = draw(percent)
    fields["labels"] = draw(labels)
    if draw(st.integers(0, 4)) == 0:
        fields["in_stock"] = False
    if draw(st.integers(0, 4)) == 0:
        fields["special_requests"] = False
    if draw(st.integers(0, 4)) == 0:
        fields["image"] = f"https://img.example.com/{ident}.jpg"
    return fields


@st.composite
def option_group(draw, ident: str, offered: list[str], currency: str, name) -> Selection | Extras | Deselection:
    chosen = draw(st.lists(st.sampled_from(offered), min_size=1, unique=True))
    choices = [Choice(item=c, price=draw(money(currency, "50"))) for c in chosen]
    kind = draw(st.sampled_from(["selection", "extras", "deselection"]))
    common = {"id": ident, "name": name(), "choices": choices}
    if kind == "selection":
        return Selection(type="selection", default=draw(st.none() | st.sampled_from(chosen)), **common)
    if kind == "extras":
        top = draw(st.integers(0, len(chosen)))
        low = draw(st.integers(0, top))
        defaults = draw(st.lists(st.sampled_from(chosen), unique=True, max_size=len(chosen)))
        return Extras(type="extras", min=low, max=draw(st.none() | st.just(top)), defaults=defaults, **common)
    return Deselection(type="deselection", **common)


@st.composite
def catalogs(
    draw,
    max_dishes: int = 6,
    id_prefix: str = "",
    currency: str = "USD",
    min_dishes: int = 1,
    unique_names: bool = False,
) -> Catalog:
    """A valid catalog: every dish in a section, references resolved, option rules respected."""
    p = id_prefix
    name = _Names(draw, unique_names)
    variation_ids = [f"{p}v{i}" for i in range(draw(st.integers(0, 5)))]
    variations = [Variation(**draw(item_fields(v, currency, name))) for v in variation_ids]
    groups = []
    if variation_ids:
        for g in range(draw(st.integers(0, 3))):
            groups.append(draw(option_group(f"{p}g{g}", variation_ids, currency, name)))
    group_ids = [g.id for g in groups]
    dish_ids = [f"{p}d{i}" for i in range(draw(st.integers(min_dishes, max(min_dishes, max_dishes))))]
    dishes = []
    for d in dish_ids:
        fields = draw(item_fields(d, currency, name))
        if group_ids:
            fields["options"] = draw(st.lists(st.sampled_from(group_ids), unique=True, max_size=2))
        dishes.append(Dish(**fields))
    # Sections: partition the dishes, then sprinkle a few into a second section.
    menus = []
    remaining = list(dish_ids)
    section_count = 0
    for m in range(draw(st.integers(1, 3))):
        sections = []
        for _ in range(draw(st.integers(1, 2))):
            take = draw(st.integers(0, len(remaining)))
            listed, remaining = remaining[:take], remaining[take:]
            extra = draw(st.lists(st.sampled_from(dish_ids), unique=True, max_size=2))
            listed += [x for x in extra if x not in listed]
            sections.append(Section(id=f"{p}s{section_count}", name=name(), dishes=listed, **draw(visibility())))
            section_count += 1
        menus.append(Menu(id=f"{p}m{m}", name=name(), description=draw(texts), sections=sections, **draw(visibility())))
    if remaining:
        last = menus[-1].sections[-1]
        fixed = last.model_copy(update={"dishes": last.dishes + [d for d in remaining if d not in last.dishes]})
        menus[-1] = menus[-1].model_copy(update={"sections": [*menus[-1].sections[:-1], fixed]})
    return Catalog(currency=currency, menus=menus, dishes=dishes, variations=variations, option_groups=groups)
