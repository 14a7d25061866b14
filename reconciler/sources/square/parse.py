"""Read Square catalog JSON, in any of the forms Square tools produce, into typed records.

:mod:`.forms` reduces every accepted form to one list of CatalogObjects with snake_case keys.
Variations and modifiers may arrive nested in their item or list *and* at top level; they
are merged by id, the highest ``version`` winning. Tombstones (``is_deleted``) are dropped after
merging, so a deletion seen in a later page wins over the older live copy.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from reconciler.sources.shape import ShapeChecker, Where
from reconciler.sources.square.forms import KNOWN_TYPES, PAYLOAD, TYPE_OF_PAYLOAD, raw_objects, snake_keys
from reconciler.sources.square.records import (
    Category,
    Item,
    ListInfo,
    Modifier,
    ModifierList,
    Money,
    Override,
    Presence,
    SquareCatalog,
    Tax,
    Variation,
)
from reconciler.sources.text import html_to_text

_PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,10})?")  # ASCII digits, finite: "NaN" and "1e400" are not rates


def parse(raw: object) -> SquareCatalog:
    objects, seed_images = raw_objects(raw)
    reader = _Reader()
    for index, obj in enumerate(objects):
        reader.top(snake_keys(obj), index)
    out = reader.finish()  # raises SourceInvalid with the problems of both passes
    out.seed_images = seed_images
    return out


class _Reader:
    def __init__(self) -> None:
        self.check = ShapeChecker("square")
        self.latest: dict[str, tuple[int, dict, str]] = {}  # id -> (version, object, parent id)
        self.position: dict[str, int] = {}  # nested variation/modifier id -> index in its parent's list
        self.currencies: dict[str, str] = {}  # every currency code a price carries -> the first object id

    # Pass 1: gather every occurrence (top level and nested), keep the newest per id.

    def top(self, obj: object, index: int) -> None:
        if not isinstance(obj, dict):
            self.check.problem(
                Where("object", f"#{index}"), "", f"expected a catalog object, found {type(obj).__name__}"
            )
            return
        self._remember(obj, "", f"objects[{index}]")

    def _remember(self, obj: dict, parent: str, path: str) -> None:
        if "type" not in obj:
            implied = [TYPE_OF_PAYLOAD[k] for k in obj if k in TYPE_OF_PAYLOAD]
            if len(implied) == 1:  # some exports leave the type out; the payload key says it
                obj["type"] = implied[0]
        kind, ident = obj.get("type"), obj.get("id")
        where = Where(str(kind) if isinstance(kind, str) else "object", ident if isinstance(ident, str) else "")
        if not isinstance(ident, str) or not ident:
            self.check.problem(where, f"{path}.id" if not where.id else "id", "missing required field (expected text)")
            return
        if not isinstance(kind, str):
            found = ", ".join(sorted(k for k in obj if isinstance(k, str) and k.endswith("_data"))) or "none"
            self.check.problem(where, "type", f"missing required field (expected text; payload keys found: {found})")
            return
        if kind not in KNOWN_TYPES:
            self.check.problem(where, "type", f"unknown catalog object type {kind!r}")
            return
        version = obj.get("version") if isinstance(obj.get("version"), int) else 0
        known = self.latest.get(ident)
        # The newest copy wins; on a tie the nested copy (the one its item or list carries).
        if known is None or version > known[0] or (version == known[0] and parent and not known[2]):
            self.latest[ident] = (version, obj, parent or (known[2] if known else ""))
        nested = {"ITEM": ("item_data", "variations"), "MODIFIER_LIST": ("modifier_list_data", "modifiers")}.get(kind)
        if nested and not obj.get("is_deleted"):
            data = self.check.mapping(obj, nested[0], where, nested[0], required=True) or {}
            for k, child in enumerate(self.check.sequence(data, nested[1], where, f"{nested[0]}.{nested[1]}")):
                if isinstance(child, dict):
                    if isinstance(child.get("id"), str):
                        self.position[child["id"]] = k
                    self._remember(child, ident, f"{nested[0]}.{nested[1]}[{k}]")
                else:
                    self.check.problem(where, f"{nested[0]}.{nested[1]}[{k}]", "expected a catalog object")

    # Pass 2: typed records of the live objects.

    def finish(self) -> SquareCatalog:
        out = SquareCatalog()
        variations: list[Variation] = []
        modifiers: list[Modifier] = []
        for ident in sorted(self.latest):
            _, obj, parent = self.latest[ident]
            if obj.get("is_deleted") is True:
                continue
            kind = obj["type"]
            where = Where(kind, ident)
            payload = PAYLOAD.get(kind)
            if payload and not isinstance(obj.get(payload), dict):
                self.check.mapping(obj, payload, where, payload, required=True)
                continue
            if kind == "ITEM":
                out.items[ident] = self._item(obj, where)
            elif kind == "ITEM_VARIATION":
                variations.append(self._variation(obj, where, parent))
            elif kind == "CATEGORY":
                out.categories[ident] = self._category(obj, where)
            elif kind == "MODIFIER_LIST":
                out.lists[ident] = self._list(obj, where)
            elif kind == "MODIFIER":
                modifiers.append(self._modifier(obj, where, parent))
            elif kind == "TAX":
                out.taxes[ident] = self._tax(obj, where)
            elif kind == "IMAGE":
                data = obj.get("image_data") if isinstance(obj.get("image_data"), dict) else {}
                url = self.check.text(data, "url", where, "image_data.url")
                if url:
                    out.images[ident] = url
            elif kind == "ITEM_OPTION":
                data = obj.get("item_option_data") if isinstance(obj.get("item_option_data"), dict) else {}
                out.option_names[ident] = str(data.get("display_name") or data.get("name") or "")
            elif kind in ("DISCOUNT", "PRICING_RULE", "PRODUCT_SET", "SUBSCRIPTION_PLAN", "SUBSCRIPTION_PRODUCT"):
                data = obj.get(f"{kind.lower()}_data")
                name = data.get("name") if isinstance(data, dict) else None
                out.others.append((kind, ident, name if isinstance(name, str) else ""))
        for variation in variations:
            owner = out.items.get(variation.item_id)
            if owner is not None:
                owner.variations[variation.id] = variation
            else:
                out.orphans.append(("ITEM_VARIATION", variation.id, variation.name or "", f"item {variation.item_id}"))
        for modifier in modifiers:
            owner_list = out.lists.get(modifier.list_id or "")
            if owner_list is not None:
                owner_list.modifiers[modifier.id] = modifier
            else:
                out.orphans.append(("MODIFIER", modifier.id, modifier.name, f"modifier list {modifier.list_id}"))
        self.check.raise_if_any()
        out.currencies = dict(sorted(self.currencies.items()))
        return out

    def _ordinal(self, data: dict, where: Where, path: str) -> int | None:
        """The POS ordinal; failing that, the position in the parent's list (Square's own order)."""
        ordinal = self.check.integer(data, "ordinal", where, f"{path}.ordinal")
        return ordinal if ordinal is not None else self.position.get(where.id)

    def _presence(self, obj: dict, where: Where) -> Presence:
        present = self.check.sequence(obj, "present_at_location_ids", where, "present_at_location_ids")
        absent = self.check.sequence(obj, "absent_at_location_ids", where, "absent_at_location_ids")
        return Presence(
            self.check.flag(obj, "present_at_all_locations", where, "present_at_all_locations", True),
            frozenset(p for p in present if isinstance(p, str)),
            frozenset(a for a in absent if isinstance(a, str)),
        )

    def _money(self, data: dict, key: str, where: Where, path: str) -> Money | None:
        money = self.check.mapping(data, key, where, f"{path}.{key}")
        if money is None:
            return None
        amount = self.check.integer(money, "amount", where, f"{path}.{key}.amount", required=True)
        currency = self.check.text(money, "currency", where, f"{path}.{key}.currency", required=True)
        if currency is not None:
            self.currencies.setdefault(currency, where.id)
        return Money(amount, currency) if amount is not None and currency is not None else None

    def _overrides(self, data: dict, where: Where, path: str) -> list[Override]:
        out = []
        for k, entry in enumerate(self.check.sequence(data, "location_overrides", where, f"{path}.location_overrides")):
            sub = f"{path}.location_overrides[{k}]"
            if not isinstance(entry, dict):
                self.check.problem(where, sub, "expected an object")
                continue
            location = self.check.text(entry, "location_id", where, f"{sub}.location_id", required=True)
            if location is None:
                continue
            out.append(
                Override(
                    location,
                    self._money(entry, "price_money", where, sub),
                    self.check.text(entry, "pricing_type", where, f"{sub}.pricing_type"),
                    self.check.flag(entry, "sold_out", where, f"{sub}.sold_out", False),
                    self.check.text(entry, "sold_out_valid_until", where, f"{sub}.sold_out_valid_until"),
                )
            )
        return out

    def _ids(self, data: dict, key: str, where: Where, path: str) -> list[str]:
        values = self.check.sequence(data, key, where, f"{path}.{key}")
        for k, value in enumerate(values):
            if not isinstance(value, str):
                self.check.problem(where, f"{path}.{key}[{k}]", "expected an id (text)")
        return [v for v in values if isinstance(v, str)]

    def _item(self, obj: dict, where: Where) -> Item:
        data = self.check.mapping(obj, "item_data", where, "item_data", required=True) or {}
        p = "item_data"
        categories: list[tuple[str, int | None]] = []
        for k, ref in enumerate(self.check.sequence(data, "categories", where, f"{p}.categories")):
            if isinstance(ref, dict) and isinstance(ref.get("id"), str):
                ordinal = self.check.integer(ref, "ordinal", where, f"{p}.categories[{k}].ordinal")
                categories.append((ref["id"], ordinal))
            else:
                self.check.problem(where, f"{p}.categories[{k}]", "expected {\"id\": ...}")
        legacy = self.check.text(data, "category_id", where, f"{p}.category_id")
        if legacy and legacy not in {c for c, _ in categories}:
            categories.append((legacy, None))
        lists = []
        for k, info in enumerate(self.check.sequence(data, "modifier_list_info", where, f"{p}.modifier_list_info")):
            lists.extend(self._list_info(info, where, f"{p}.modifier_list_info[{k}]"))
        image_ids = self._ids(data, "image_ids", where, p)
        if isinstance(obj.get("image_id"), str) and obj["image_id"] not in image_ids:
            image_ids.insert(0, obj["image_id"])
        options = [
            o["item_option_id"]
            for o in self.check.sequence(data, "item_options", where, f"{p}.item_options")
            if isinstance(o, dict) and isinstance(o.get("item_option_id"), str)
        ]
        return Item(
            id=where.id,
            name=self.check.text(data, "name", where, f"{p}.name", required=True) or "",
            description=(
                self.check.text(data, "description_plaintext", where, f"{p}.description_plaintext")
                or self.check.text(data, "description", where, f"{p}.description")
                or html_to_text(self.check.text(data, "description_html", where, f"{p}.description_html"))
            ),
            categories=categories,
            variations={},
            lists=lists,
            tax_ids=self._ids(data, "tax_ids", where, p),
            image_ids=image_ids,
            product_type=self.check.text(data, "product_type", where, f"{p}.product_type") or "REGULAR",
            archived=self.check.flag(data, "is_archived", where, f"{p}.is_archived", False),
            taxable=self.check.flag(data, "is_taxable", where, f"{p}.is_taxable", True),
            hidden=data.get("ecom_visibility") == "HIDDEN",
            presence=self._presence(obj, where),
            option_ids=options,
            version=obj.get("version") if isinstance(obj.get("version"), int) else 0,
            **self._food(data, where, p),
        )

    def _food(self, data: dict, where: Where, p: str) -> dict:
        """``food_and_beverage_details``: the calorie count, and ingredients (standard ones are allergens)."""
        food = self.check.mapping(data, "food_and_beverage_details", where, f"{p}.food_and_beverage_details") or {}
        p = f"{p}.food_and_beverage_details"
        ingredients = []
        for k, ingredient in enumerate(self.check.sequence(food, "ingredients", where, f"{p}.ingredients")):
            name = isinstance(ingredient, dict) and (ingredient.get("standard_name") or ingredient.get("custom_name"))
            if isinstance(name, str) and name:
                ingredients.append(name)
            else:
                self.check.problem(where, f"{p}.ingredients[{k}]", "expected a standard_name or a custom_name")
        calories = self.check.integer(food, "calorie_count", where, f"{p}.calorie_count")
        return {"calories": calories, "ingredients": ingredients}

    def _list_info(self, info: object, where: Where, path: str) -> list[ListInfo]:
        if not isinstance(info, dict):
            self.check.problem(where, path, "expected an object")
            return []
        list_id = self.check.text(info, "modifier_list_id", where, f"{path}.modifier_list_id", required=True)
        if list_id is None:
            return []
        defaults = {}
        for k, o in enumerate(self.check.sequence(info, "modifier_overrides", where, f"{path}.modifier_overrides")):
            if isinstance(o, dict) and isinstance(o.get("modifier_id"), str):
                if isinstance(o.get("on_by_default"), bool):
                    defaults[o["modifier_id"]] = o["on_by_default"]
            else:
                self.check.problem(where, f"{path}.modifier_overrides[{k}]", "expected {\"modifier_id\": ...}")
        return [
            ListInfo(
                list_id,
                self.check.integer(info, "min_selected_modifiers", where, f"{path}.min_selected_modifiers"),
                self.check.integer(info, "max_selected_modifiers", where, f"{path}.max_selected_modifiers"),
                self.check.flag(info, "enabled", where, f"{path}.enabled", True),
                self.check.integer(info, "ordinal", where, f"{path}.ordinal"),
                defaults,
                info.get("hidden_from_customer_override")
                if isinstance(info.get("hidden_from_customer_override"), str)
                else None,
            )
        ]

    def _variation(self, obj: dict, where: Where, parent: str) -> Variation:
        data = self.check.mapping(obj, "item_variation_data", where, "item_variation_data", required=True) or {}
        p = "item_variation_data"
        item_id = parent or self.check.text(data, "item_id", where, f"{p}.item_id")
        if not item_id:
            self.check.problem(where, f"{p}.item_id", "missing required field (expected the id of its item)")
        return Variation(
            id=where.id,
            item_id=item_id or "",
            name=self.check.text(data, "name", where, f"{p}.name"),
            ordinal=self._ordinal(data, where, p),
            pricing_type=self.check.text(data, "pricing_type", where, f"{p}.pricing_type") or "FIXED_PRICING",
            price=self._money(data, "price_money", where, p),
            overrides=self._overrides(data, where, p),
            presence=self._presence(obj, where),
            measurement_unit=self.check.text(data, "measurement_unit_id", where, f"{p}.measurement_unit_id"),
            version=obj.get("version") if isinstance(obj.get("version"), int) else 0,
        )

    def _category(self, obj: dict, where: Where) -> Category:
        data = self.check.mapping(obj, "category_data", where, "category_data", required=True) or {}
        p = "category_data"
        parent = data.get("parent_category") if isinstance(data.get("parent_category"), dict) else {}
        ordinal = self.check.integer(data, "ordinal", where, f"{p}.ordinal")
        if ordinal is None:
            ordinal = self.check.integer(parent, "ordinal", where, f"{p}.parent_category.ordinal")
        return Category(
            id=where.id,
            name=self.check.text(data, "name", where, f"{p}.name", required=True) or "",
            ordinal=ordinal,
            parent=parent.get("id") if isinstance(parent.get("id"), str) else None,
            kind=self.check.text(data, "category_type", where, f"{p}.category_type") or "REGULAR_CATEGORY",
            online=self.check.flag(data, "online_visibility", where, f"{p}.online_visibility", True),
            presence=self._presence(obj, where),
            image_ids=self._ids(data, "image_ids", where, p),
        )

    def _list(self, obj: dict, where: Where) -> ModifierList:
        data = self.check.mapping(obj, "modifier_list_data", where, "modifier_list_data", required=True) or {}
        p = "modifier_list_data"
        return ModifierList(
            id=where.id,
            name=self.check.text(data, "name", where, f"{p}.name", required=True) or "",
            ordinal=self.check.integer(data, "ordinal", where, f"{p}.ordinal"),
            selection_type=self.check.text(data, "selection_type", where, f"{p}.selection_type"),
            min=self.check.integer(data, "min_selected_modifiers", where, f"{p}.min_selected_modifiers"),
            max=self.check.integer(data, "max_selected_modifiers", where, f"{p}.max_selected_modifiers"),
            text=data.get("modifier_type") == "TEXT",
            hidden=self.check.flag(data, "hidden_from_customer", where, f"{p}.hidden_from_customer", False),
            presence=self._presence(obj, where),
        )

    def _modifier(self, obj: dict, where: Where, parent: str) -> Modifier:
        data = self.check.mapping(obj, "modifier_data", where, "modifier_data", required=True) or {}
        p = "modifier_data"
        return Modifier(
            id=where.id,
            list_id=self.check.text(data, "modifier_list_id", where, f"{p}.modifier_list_id") or parent or None,
            name=self.check.text(data, "name", where, f"{p}.name", required=True) or "",
            ordinal=self._ordinal(data, where, p),
            price=self._money(data, "price_money", where, p),
            on_by_default=self.check.flag(data, "on_by_default", where, f"{p}.on_by_default", False),
            overrides=self._overrides(data, where, p),
            hidden=self.check.flag(data, "hidden_online", where, f"{p}.hidden_online", False),
            children=self._ids(data, "child_modifier_list_ids", where, p),
            presence=self._presence(obj, where),
            version=obj.get("version") if isinstance(obj.get("version"), int) else 0,
        )

    def _tax(self, obj: dict, where: Where) -> Tax:
        data = self.check.mapping(obj, "tax_data", where, "tax_data", required=True) or {}
        text = self.check.text(data, "percentage", where, "tax_data.percentage")
        percentage = None
        if text is not None:
            try:
                percentage = Decimal(text.strip()) if _PERCENT.fullmatch(text.strip()) else None
            except InvalidOperation:
                percentage = None
            if percentage is None or percentage > 100:
                shown = text if len(text) <= 40 else text[:37] + "..."
                self.check.problem(where, "tax_data.percentage", f"{shown!r} is not a percentage from 0 to 100")
                percentage = None
        return Tax(
            id=where.id,
            name=str(data.get("name") or ""),
            percentage=percentage,
            inclusive=data.get("inclusion_type") == "INCLUSIVE",
            enabled=self.check.flag(data, "enabled", where, "tax_data.enabled", True),
        )
