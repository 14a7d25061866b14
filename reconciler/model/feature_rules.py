"""Cross-object rules of the menu features (see :mod:`reconciler.model.features`).

* a choice that takes money off may not take off more than the dish (or variation) it is offered
  on costs, so no order line is negative;
* option groups nest through variations (a choice whose variation has options of its own), and the
  nesting may not loop back to a variation it came from;
* a dish priced on request has no base price for sizes to add to, so its options may not be a
  priced size selection.
"""

from __future__ import annotations

from collections.abc import Iterator

from reconciler.model.catalog import Catalog, Orderable, Selection
from reconciler.paths import Path


def check(catalog: Catalog) -> Iterator[tuple[Path, str]]:
    yield from _discounts(catalog)
    yield from _nesting(catalog)
    yield from _on_request(catalog)


def _discounts(catalog: Catalog) -> Iterator[tuple[Path, str]]:
    groups = {g.id: (i, g) for i, g in enumerate(catalog.option_groups)}
    for item in [*catalog.dishes, *catalog.variations]:
        for ref in item.options:
            if ref not in groups:
                continue
            i, group = groups[ref]
            for k, choice in enumerate(group.choices):
                if choice.price < 0 and item.price + choice.price < 0:
                    yield (
                        ("option_groups", i, "choices", k, "price"),
                        f"takes {-choice.price} off {item.id}, which costs only {item.price}",
                    )


def _nesting(catalog: Catalog) -> Iterator[tuple[Path, str]]:
    groups = {g.id: g for g in catalog.option_groups}
    items: dict[str, Orderable] = {i.id: i for i in [*catalog.dishes, *catalog.variations]}
    for index, variation in enumerate(catalog.variations):
        if not variation.options:
            continue
        seen: set[str] = set()
        queue = [c.item for g in variation.options if g in groups for c in groups[g].choices]
        while queue:
            item_id = queue.pop()
            if item_id == variation.id:
                yield (("variations", index, "options"), f"the options of {variation.id} offer {variation.id} again")
                break
            if item_id in seen or item_id not in items:
                continue
            seen.add(item_id)
            queue += [c.item for g in items[item_id].options if g in groups for c in groups[g].choices]


def _on_request(catalog: Catalog) -> Iterator[tuple[Path, str]]:
    groups = {g.id: g for g in catalog.option_groups}
    for index, dish in enumerate(catalog.dishes):
        if not dish.price_on_request:
            continue
        for k, ref in enumerate(dish.options):
            group = groups.get(ref)
            if isinstance(group, Selection) and any(c.price != 0 for c in group.choices):
                yield (
                    ("dishes", index, "options", k),
                    f'is priced on request, so option group "{ref}" has no base price to add its prices to',
                )
