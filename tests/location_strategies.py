"""Hypothesis strategies for catalogs of several locations: a valid base, then locations, presence and overrides."""

from __future__ import annotations

from hypothesis import strategies as st

from reconciler.model.catalog import Catalog
from reconciler.model.locations import ChoiceOverride, Location, Override, VisibleOverride
from tests.strategies import catalogs, money

PLACES = ("Downtown", "Airport", "Campus", "Harbor")


@st.composite
def overrides(draw, catalog: Catalog) -> dict:
    """An overlay for one location: some dishes, variations, choices, menus and sections overridden."""

    def some(ids: list[str]) -> list[str]:
        return draw(st.lists(st.sampled_from(ids), unique=True, max_size=3)) if ids else []

    def item(ident: str) -> Override:
        fields = {
            "price": draw(st.none() | money()),
            "in_stock": draw(st.none() | st.booleans()),
            "visible": draw(st.none() | st.booleans()),
        }
        if all(v is None for v in fields.values()):
            fields["price"] = draw(money())
        return Override(id=ident, **fields)

    sections = [s.id for m in catalog.menus for s in m.sections]
    pairs = [(g.id, c.item) for g in catalog.option_groups for c in g.choices]
    chosen_pairs = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3)) if pairs else []
    return {
        "dishes": [item(d) for d in some([d.id for d in catalog.dishes])],
        "variations": [item(v) for v in some([v.id for v in catalog.variations])],
        "choices": [ChoiceOverride(group=g, item=i, price=draw(money())) for g, i in chosen_pairs],
        "menus": [VisibleOverride(id=m, visible=draw(st.booleans())) for m in some([m.id for m in catalog.menus])],
        "sections": [VisibleOverride(id=s, visible=draw(st.booleans())) for s in some(sections)],
    }


@st.composite
def presence(draw, names: list[str]) -> dict:
    roll = draw(st.integers(0, 5))
    if roll == 0:
        return {"only_at": draw(st.lists(st.sampled_from(names), min_size=1, unique=True))}
    if roll == 1:
        return {"except_at": draw(st.lists(st.sampled_from(names), min_size=1, unique=True))}
    return {"only_at": None, "except_at": None}


@st.composite
def chains(draw, placed: bool = True, max_dishes: int = 6) -> Catalog:
    """A valid base catalog with 1–4 locations, each with an overlay; ``placed``: with only_at/except_at too."""
    base = draw(catalogs(max_dishes=max_dishes))
    names = draw(st.lists(st.sampled_from(PLACES), min_size=1, max_size=4, unique=True))
    locations = []
    for index, name in enumerate(names):
        ident = draw(st.none() | st.just(f"wix-{index}"))
        locations.append(Location(name=name, id=ident, **draw(overrides(base))))
    if not placed:
        return base.model_copy(update={"locations": locations})

    def place(entity):
        return entity.model_copy(update=draw(presence(names)))

    menus = [place(m).model_copy(update={"sections": [place(s) for s in m.sections]}) for m in base.menus]
    dishes = [place(d) for d in base.dishes]
    return base.model_copy(update={"menus": menus, "dishes": dishes, "locations": locations})
