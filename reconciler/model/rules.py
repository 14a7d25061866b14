"""Rules that span several objects of a catalog: ids, references, and Wix's size limits.

:func:`check` returns every violation as ``(path, message)``; the YAML layer turns paths into
``file:line:column``. Shape rules that concern a single object live on the models themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from reconciler.model import feature_rules, location_rules
from reconciler.model.catalog import Catalog
from reconciler.model.money import amounts, decimal_text, excess_digits, minor_digits
from reconciler.paths import Path


@dataclass(frozen=True)
class Violation:
    path: Path
    message: str
    first: Path | None = None  # for duplicates: where the id was first used


def check(catalog: Catalog) -> list[Violation]:
    found: list[Violation] = []
    for rule in (_duplicate_ids, _references, _placement, _precision, location_rules.check, feature_rules.check):
        for item in rule(catalog):
            found.append(item if isinstance(item, Violation) else Violation(*item))
    return found


def _duplicate_ids(catalog: Catalog) -> Iterator[Violation]:
    def scan(kind: str, entries: Sequence[tuple[Path, str]]) -> Iterator[Violation]:
        first: dict[str, Path] = {}
        for path, ident in entries:
            if ident in first:
                yield Violation((*path, "id"), f'{kind} id "{ident}" is used twice', first[ident] + ("id",))
            else:
                first[ident] = path

    yield from scan("menu", [(("menus", i), m.id) for i, m in enumerate(catalog.menus)])
    yield from scan(
        "section",
        [(("menus", i, "sections", j), s.id) for i, m in enumerate(catalog.menus) for j, s in enumerate(m.sections)],
    )
    # Dishes and variations share one namespace: an option choice names either.
    yield from scan(
        "item",
        [(("dishes", i), d.id) for i, d in enumerate(catalog.dishes)]
        + [(("variations", i), v.id) for i, v in enumerate(catalog.variations)],
    )
    yield from scan("option group", [(("option_groups", i), g.id) for i, g in enumerate(catalog.option_groups)])


def _references(catalog: Catalog) -> Iterator[tuple[Path, str]]:
    dishes = {d.id for d in catalog.dishes}
    variations = {v.id for v in catalog.variations}
    groups = {g.id for g in catalog.option_groups}
    for i, menu in enumerate(catalog.menus):
        for j, section in enumerate(menu.sections):
            for k, ref in enumerate(section.dishes):
                if ref in dishes:
                    continue
                if ref in variations:
                    yield (
                        ("menus", i, "sections", j, "dishes", k),
                        f'"{ref}" is a variation; sections list dishes (variations are offered through option groups)',
                    )
                else:
                    yield ("menus", i, "sections", j, "dishes", k), f'no dish has id "{ref}"'
    for kind, items in (("dishes", catalog.dishes), ("variations", catalog.variations)):
        for i, item in enumerate(items):
            for k, ref in enumerate(item.options):
                if ref not in groups:
                    yield (kind, i, "options", k), f'no option group has id "{ref}"'
    for i, group in enumerate(catalog.option_groups):
        for k, choice in enumerate(group.choices):
            if choice.item not in dishes and choice.item not in variations:
                yield ("option_groups", i, "choices", k, "item"), f'no dish or variation has id "{choice.item}"'


def _placement(catalog: Catalog) -> Iterator[tuple[Path, str]]:
    listed = {ref for m in catalog.menus for s in m.sections for ref in s.dishes}
    offers: dict[str, set[str]] = {}  # group id -> what its choices offer (ids may repeat while invalid)
    for group in catalog.option_groups:
        offers.setdefault(group.id, set()).update(c.item for c in group.choices)
    for i, dish in enumerate(catalog.dishes):
        if dish.id not in listed:
            yield (
                ("dishes", i, "id"),
                (
                    f'dish "{dish.id}" is in no section; Wix creates every dish inside a section, '
                    "so list it in one (a hidden section works for dishes offered only as choices)"
                ),
            )
        for k, ref in enumerate(dish.options):
            if dish.id in offers.get(ref, ()):
                yield ("dishes", i, "options", k), f'option group "{ref}" offers the dish "{dish.id}" itself'


def _precision(catalog: Catalog) -> Iterator[tuple[Path, str]]:
    """Every price fits the currency's minor unit: "1.005" is not an amount in USD.

    Every amount of the catalog is checked, wherever the model holds one (a dish's, a variation's
    or a choice's price, and each location's overrides of them): the fields are found by their
    type (:data:`~reconciler.model.money.Money`, ``SignedMoney``), so a price field added later is
    checked too.
    """
    currency = catalog.currency
    excess: dict[Decimal, int] = {}  # by value: equal amounts need as many decimals (a catalog repeats its prices)
    for path, amount in amounts(catalog):
        extra = excess.get(amount)
        if extra is None:
            extra = excess[amount] = excess_digits(amount, currency)
        if extra:
            digits = minor_digits(currency)
            places = f"{digits} decimal place{'s' if digits != 1 else ''}" if digits else "no decimals"
            yield path, f'"{decimal_text(amount)}" has more decimals than {currency} has ({places})'


def warnings(catalog: Catalog) -> list[Violation]:
    """Things that are valid but probably not meant: unused variations and option groups."""
    used_groups = {g for item in [*catalog.dishes, *catalog.variations] for g in item.options}
    offered = {c.item for g in catalog.option_groups if g.id in used_groups for c in g.choices}
    found = [
        Violation(("option_groups", i, "id"), f'option group "{g.id}" is not used by any dish')
        for i, g in enumerate(catalog.option_groups)
        if g.id not in used_groups
    ]
    found += [
        Violation(
            ("variations", i, "id"),
            f'variation "{v.id}" is not offered by any option group in use, so it will not be published',
        )
        for i, v in enumerate(catalog.variations)
        if v.id not in offered
    ]
    return found + [Violation(path, message) for path, message in location_rules.warnings(catalog)]
