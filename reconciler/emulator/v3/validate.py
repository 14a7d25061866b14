"""Schema checks for Catalogs v3 request bodies: the constraints the SDK annotates (reference §6).

Each ``check`` method walks one input message and records every violation it finds (types, enums,
sizes, min length, ``@max``, decimal formats and ``maxScale``, required fields, both branches of a
oneof); the caller raises them together as one 400 ``validationError``. Read-only fields (``id``,
``type``, ``archived``, ``currency``, ``menuId`` in a section, ``coupon``) and unknown fields are not
checked: they are ignored. Rules that need the store or that the SDK does not annotate (time format,
period count, extras arithmetic, references) live in ``rules.py`` and answer with application errors.

Called by the single-entity handlers and by ``bulk.py`` (with element paths such as
``createDishRequests[3].dish``).
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.checks import Checker as BaseChecker
from reconciler.emulator.errors import INVALID_ENUM_VALUE, MIN_LENGTH, REQUIRED_FIELD
from reconciler.emulator.v3 import enums


class Checker(BaseChecker):
    """The v3 messages: menu, section, item, discount and what they contain."""

    # --- shared messages ----------------------------------------------------------------------
    def money(self, value: Any, path: str) -> None:
        money = self.obj(value, path)
        if money is None:
            return
        if self.required(money, "value", f"{path}.value"):
            self.decimal(money.get("value"), f"{path}.value")

    def availability(self, value: Any, path: str) -> None:
        availability = self.obj(value, path)
        if availability is None:
            return
        periods = self.array(availability.get("periods"), f"{path}.periods")
        for index, period in enumerate(periods or []):
            where = f"{path}.periods[{index}]"
            period = self.obj(period, where)
            if period is None:
                continue
            for day_key in ("openDay", "closeDay"):
                day = period.get(day_key)
                if day is not None and day not in enums.DAYS and day != enums.DAY_UNDEFINED:
                    self.add(f"{where}.{day_key}", f"must be one of {', '.join(enums.DAYS)}", INVALID_ENUM_VALUE)
            for time_key in ("openTime", "closeTime"):
                self.string(period.get(time_key), f"{where}.{time_key}")
        specials = self.array(availability.get("specialHourPeriods"), f"{path}.specialHourPeriods")
        for index, special in enumerate(specials or []):
            where = f"{path}.specialHourPeriods[{index}]"
            special = self.obj(special, where)
            if special is None:
                continue
            self.string(special.get("startDate"), f"{where}.startDate")
            self.string(special.get("endDate"), f"{where}.endDate")
            self.boolean(special.get("available"), f"{where}.available")
            self.string(special.get("eventName"), f"{where}.eventName")

    def visibility(self, value: Any, path: str) -> None:
        criteria = self.obj(value, path)
        if criteria is None:
            return
        self.boolean(criteria.get("visible"), f"{path}.visible")
        if criteria.get("fulfillmentTypes") is not None:
            self.enum_list(criteria["fulfillmentTypes"], f"{path}.fulfillmentTypes", enums.FULFILLMENT_TYPES, 1, 2)
        if criteria.get("platforms") is not None:
            self.enum_list(criteria["platforms"], f"{path}.platforms", enums.PLATFORMS, 1, 5)
        self.availability(criteria.get("availability"), f"{path}.availability")

    def choices(self, value: Any, path: str) -> None:
        for index, choice in enumerate(self.array(value, path) or []):
            where = f"{path}[{index}]"
            choice = self.obj(choice, where)
            if choice is None:
                continue
            self.string(choice.get("itemId"), f"{where}.itemId")
            self.money(choice.get("price"), f"{where}.price")

    def dish_options(self, value: Any, path: str) -> None:
        wrapper = self.obj(value, path)
        if wrapper is None:
            return
        for index, option in enumerate(self.array(wrapper.get("values"), f"{path}.values") or []):
            where = f"{path}.values[{index}]"
            option = self.obj(option, where)
            if option is None:
                continue
            self.string(option.get("name"), f"{where}.name")
            self.one_of(option, tuple(enums.DISH_OPTION_BRANCHES), where)
            selection = self.obj(option.get("selection"), f"{where}.selection")
            if selection is not None:
                self.string(selection.get("defaultChoice"), f"{where}.selection.defaultChoice")
                self.choices(selection.get("availableChoices"), f"{where}.selection.availableChoices")
            extras = self.obj(option.get("extras"), f"{where}.extras")
            if extras is not None:
                self.strings(extras.get("defaultChoices"), f"{where}.extras.defaultChoices")
                self.int32(extras.get("minChoices"), f"{where}.extras.minChoices")
                self.int32(extras.get("maxChoices"), f"{where}.extras.maxChoices")
                self.choices(extras.get("availableChoices"), f"{where}.extras.availableChoices")
            deselection = self.obj(option.get("deselection"), f"{where}.deselection")
            if deselection is not None:
                self.choices(deselection.get("availableChoices"), f"{where}.deselection.availableChoices")

    # --- entities -------------------------------------------------------------------------------
    def menu(self, value: Any, path: str) -> None:
        menu = self.obj(value, path)
        if menu is None:
            return
        for key in ("name", "description", "imageUrl"):
            self.string(menu.get(key), f"{path}.{key}")
        self.visibility(menu.get("visibilityCriteria"), f"{path}.visibilityCriteria")
        self.wrapped_strings(menu.get("sectionIds"), f"{path}.sectionIds")

    def section(self, value: Any, path: str) -> None:
        section = self.obj(value, path)
        if section is None:
            return
        for key in ("name", "description", "imageUrl"):
            self.string(section.get(key), f"{path}.{key}")
        self.wrapped_strings(section.get("itemIds"), f"{path}.itemIds")
        self.visibility(section.get("visibilityCriteria"), f"{path}.visibilityCriteria")

    def item(self, value: Any, path: str) -> None:
        item = self.obj(value, path)
        if item is None:
            return
        for key in ("name", "description", "imageUrl"):
            self.string(item.get(key), f"{path}.{key}")
        self.money(item.get("price"), f"{path}.price")
        self.wrapped_strings(item.get("labels"), f"{path}.labels")
        self.boolean(item.get("inStock"), f"{path}.inStock")
        self.decimal(item.get("taxRate"), f"{path}.taxRate", max_scale=3)
        self.visibility(item.get("visibilityCriteria"), f"{path}.visibilityCriteria")
        self.dish_options(item.get("dishOptions"), f"{path}.dishOptions")
        self.boolean(item.get("acceptSpecialRequest"), f"{path}.acceptSpecialRequest")

    def new_variation(self, value: Any, path: str) -> None:
        """Bulk ``NewVariation``: ``name`` with min length 1."""
        variation = self.obj(value, path)
        if variation is None:
            self.add(path, "is required", REQUIRED_FIELD)
            return
        name = self.string(variation.get("name"), f"{path}.name")
        if not name:
            self.add(f"{path}.name", "must have at least 1 character", MIN_LENGTH)

    def discount(self, value: Any, path: str, creating: bool) -> None:
        discount = self.obj(value, path)
        if discount is None:
            return
        if creating:
            self.required(discount, "name", f"{path}.name")
            if discount.get("active") is None:
                self.add(f"{path}.active", "is required", REQUIRED_FIELD)
        self.string(discount.get("name"), f"{path}.name")
        self.string(discount.get("description"), f"{path}.description")
        self.boolean(discount.get("active"), f"{path}.active")
        kind = discount.get("type")
        if kind is not None and kind not in enums.DISCOUNT_TYPES:
            self.add(f"{path}.type", f"must be one of {', '.join(enums.DISCOUNT_TYPES)}", INVALID_ENUM_VALUE)
        self.one_of(discount, ("amount", "percentage"), path)
        self.one_of(discount, ("sectionIds", "itemIds"), path)
        if creating and discount.get("amount") is None and discount.get("percentage") is None:
            self.add(f"{path}.amount", "one of amount or percentage is required", REQUIRED_FIELD)
        self.money(discount.get("amount"), f"{path}.amount")
        self.decimal(discount.get("percentage"), f"{path}.percentage", max_scale=3)
        self.wrapped_strings(discount.get("sectionIds"), f"{path}.sectionIds")
        self.wrapped_strings(discount.get("itemIds"), f"{path}.itemIds")
        condition = self.obj(discount.get("condition"), f"{path}.condition")
        where = f"{path}.condition"
        if condition is None:
            if creating and discount.get("condition") is None:
                for key in ("fulfillmentTypes", "platforms", "minOrderPrice"):
                    self.add(f"{where}.{key}", "is required", REQUIRED_FIELD)
            return
        for key in ("fulfillmentTypes", "platforms", "minOrderPrice"):
            if creating and condition.get(key) is None:
                self.add(f"{where}.{key}", "is required", REQUIRED_FIELD)
        if condition.get("fulfillmentTypes") is not None:
            self.enum_list(condition["fulfillmentTypes"], f"{where}.fulfillmentTypes", enums.FULFILLMENT_TYPES, 1, 2)
        if condition.get("platforms") is not None:
            self.enum_list(condition["platforms"], f"{where}.platforms", enums.DISCOUNT_PLATFORMS, 1, 3)
        self.availability(condition.get("availability"), f"{where}.availability")
        self.money(condition.get("minOrderPrice"), f"{where}.minOrderPrice")


def required_message(body: dict[str, Any], key: str, checker: Checker) -> None:
    """A request's top-level message (``menu``, ``dish``, ...) must be present and an object."""
    if body.get(key) is None:
        checker.add(key, "is required", REQUIRED_FIELD)
    else:
        checker.obj(body.get(key), key)
