"""Business rules of Catalogs v3 that go beyond the SDK's schema annotations (reference §5, §9.1).

They run on the built entity (defaults applied, ``shapes.py``) and raise a 400 application error
naming the broken rule: ``INVALID_AVAILABILITY`` (time format U26, days, same-day close after open,
at most 100 periods), ``INVALID_DISH_OPTION`` (oneof missing, extras arithmetic, default choices),
``ITEM_NOT_FOUND`` (a choice or section item that does not exist), ``INVALID_SECTION_ITEMS`` (a
variation listed in a section), ``INVALID_MENU_SECTIONS`` / ``SECTION_NOT_FOUND`` (a menu listing
a section of another menu, or none), ``INVALID_DISCOUNT_TARGET``.

Called by the entity modules before they write; in bulk calls the error becomes that element's
failure.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.emulator.errors import business_rule
from reconciler.emulator.v3 import enums
from reconciler.emulator.v3.repo import CatalogScope

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _valid_time(value: Any) -> bool:
    return isinstance(value, str) and (value == "24:00" or _TIME.match(value) is not None)


def check_availability(availability: dict[str, Any] | None, path: str) -> None:
    if availability is None:
        return
    periods = availability["periods"]
    if len(periods) > enums.MAX_PERIODS:
        raise business_rule(
            "INVALID_AVAILABILITY", f"{path}.periods: at most {enums.MAX_PERIODS} periods, got {len(periods)}"
        )
    for index, period in enumerate(periods):
        where = f"{path}.periods[{index}]"
        for day_key in ("openDay", "closeDay"):
            if period[day_key] not in enums.DAYS:
                raise business_rule(
                    "INVALID_AVAILABILITY", f"{where}.{day_key}: must be a day of the week, got {period[day_key]!r}"
                )
        for time_key in ("openTime", "closeTime"):
            if not _valid_time(period[time_key]):
                raise business_rule(
                    "INVALID_AVAILABILITY",
                    f"{where}.{time_key}: must be HH:MM from 00:00 to 24:00, got {period[time_key]!r}",
                )
        if period["openDay"] == period["closeDay"] and period["closeTime"] <= period["openTime"]:
            raise business_rule(
                "INVALID_AVAILABILITY", f"{where}: on the same day closeTime must be later than openTime"
            )


def check_visibility(criteria: dict[str, Any] | None, path: str) -> None:
    if criteria is not None:
        check_availability(criteria.get("availability"), f"{path}.availability")


def _choice_ids(choices: list[dict[str, Any]]) -> list[str]:
    return [choice["itemId"] for choice in choices]


def check_dish_options(options: dict[str, Any] | None, scope: CatalogScope, path: str) -> None:
    if options is None:
        return
    referenced: list[str] = []
    for index, option in enumerate(options["values"]):
        where = f"{path}.values[{index}]"
        kind = option["type"]
        if kind == enums.SELECTION:
            selection = option["selection"]
            ids = _choice_ids(selection["availableChoices"])
            default = selection["defaultChoice"]
            if default and default not in ids:
                raise business_rule(
                    "INVALID_DISH_OPTION", f"{where}.selection.defaultChoice {default!r} is not one of the choices"
                )
        elif kind == enums.EXTRAS:
            extras = option["extras"]
            ids = _choice_ids(extras["availableChoices"])
            low, high, count = extras["minChoices"], extras["maxChoices"], len(ids)
            if low < 0 or high < 0:
                raise business_rule(
                    "INVALID_DISH_OPTION", f"{where}.extras: minChoices and maxChoices cannot be negative"
                )
            if low > count:
                raise business_rule(
                    "INVALID_DISH_OPTION", f"{where}.extras: minChoices {low} exceeds the {count} choice(s)"
                )
            if high < low:
                raise business_rule(
                    "INVALID_DISH_OPTION", f"{where}.extras: maxChoices {high} is below minChoices {low}"
                )
            if high > count:
                raise business_rule(
                    "INVALID_DISH_OPTION", f"{where}.extras: maxChoices {high} exceeds the {count} choice(s)"
                )
            stray = [choice for choice in extras["defaultChoices"] if choice not in ids]
            if stray:
                raise business_rule(
                    "INVALID_DISH_OPTION", f"{where}.extras.defaultChoices {stray} are not among the choices"
                )
        elif kind == enums.DESELECTION:
            ids = _choice_ids(option["deselection"]["availableChoices"])
        else:
            raise business_rule(
                "INVALID_DISH_OPTION", f"{where}: exactly one of selection, extras or deselection is required"
            )
        referenced.extend(ids)
    missing = [ident for ident in referenced if not ident]
    if missing:
        raise business_rule("ITEM_NOT_FOUND", f"{path}: every choice needs an itemId")
    found = scope.items.facts(referenced)
    unknown = [ident for ident in dict.fromkeys(referenced) if ident not in found]
    if unknown:
        raise business_rule(
            "ITEM_NOT_FOUND", f"{path}: choice item(s) not found: {', '.join(unknown)}", {"ids": unknown}
        )


def check_section_items(section: dict[str, Any], scope: CatalogScope) -> None:
    ids = section["itemIds"]["values"]
    found = scope.items.facts(ids)
    unknown = [ident for ident in dict.fromkeys(ids) if ident not in found]
    if unknown:
        raise business_rule(
            "ITEM_NOT_FOUND", f"section.itemIds: item(s) not found: {', '.join(unknown)}", {"ids": unknown}
        )
    variations = [ident for ident in dict.fromkeys(ids) if found[ident].subtype == enums.VARIATION]
    if variations:
        raise business_rule(
            "INVALID_SECTION_ITEMS",
            f"section.itemIds lists variation(s) {', '.join(variations)}; sections list dishes only",
            {"ids": variations},
        )


def check_menu_sections(menu: dict[str, Any], scope: CatalogScope) -> None:
    ids = menu["sectionIds"]["values"]
    found = scope.sections.facts(ids)
    unknown = [ident for ident in dict.fromkeys(ids) if ident not in found]
    if unknown:
        raise business_rule(
            "SECTION_NOT_FOUND", f"menu.sectionIds: section(s) not found: {', '.join(unknown)}", {"ids": unknown}
        )
    foreign = [ident for ident in dict.fromkeys(ids) if found[ident].parent != menu["id"]]
    if foreign:
        raise business_rule(
            "INVALID_MENU_SECTIONS",
            f"menu.sectionIds lists section(s) of another menu: {', '.join(foreign)}; a section belongs to one menu",
            {"ids": foreign},
        )


def check_discount_targets(discount: dict[str, Any], scope: CatalogScope) -> None:
    check_availability(discount["condition"].get("availability"), "discount.condition.availability")
    if discount.get("itemIds") is not None:
        ids = discount["itemIds"]["values"]
        found = scope.items.facts(ids)
        bad = [ident for ident in dict.fromkeys(ids) if ident not in found or found[ident].subtype != enums.DISH]
        if bad:
            raise business_rule(
                "INVALID_DISCOUNT_TARGET", f"discount.itemIds must be existing dishes: {', '.join(bad)}", {"ids": bad}
            )
    if discount.get("sectionIds") is not None:
        ids = discount["sectionIds"]["values"]
        found = scope.sections.facts(ids)
        bad = [ident for ident in dict.fromkeys(ids) if ident not in found]
        if bad:
            raise business_rule(
                "INVALID_DISCOUNT_TARGET",
                f"discount.sectionIds must be existing sections: {', '.join(bad)}",
                {"ids": bad},
            )
