"""Schema checks for Menus (New) request bodies: types, lengths and sizes of §2 and §7.15.

Each method walks one input message and records every violation (the caller raises them together
as one 400 ``validationError``). Read-only fields (``id``, ``revision`` on create, dates, derived
``businessLocationId(s)``) and unknown fields are not checked: they are ignored. ``revision`` is
required on every update (a missing one is a 400 here; a stale one is a 409 later). Referenced ids
must be GUIDs and may not repeat inside one array (§6.9). Money is a decimal string >= 0 with at most
3 decimals; a JSON number or an object is a 400.

Rules that need the stored entity (pricing one-of presence after a merge, modifier-group selection
rules, references to existing entities) live in ``rules.py``.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.emulator.checks import Checker as BaseChecker
from reconciler.emulator.errors import FORMAT, MAX, MAX_LENGTH, MAX_SIZE, MIN, MIN_LENGTH, REQUIRED_FIELD
from reconciler.emulator.menus import services as S
from reconciler.emulator.wire import is_guid

_MONEY = re.compile(r"^-?\d+(\.\d+)?$")
_REVISION = re.compile(r"^\d{1,18}$")


class Checker(BaseChecker):
    # --- primitives ------------------------------------------------------------------------------
    def text(self, value: Any, path: str, maximum: int, minimum: int = 0) -> None:
        text = self.string(value, path)
        if text is None:
            return
        if len(text) < minimum:
            self.add(path, f"must have at least {minimum} character(s)", MIN_LENGTH)
        if len(text) > maximum:
            self.add(path, f"must have at most {maximum} characters", MAX_LENGTH)

    def name(self, message: dict[str, Any], path: str, maximum: int, creating: bool) -> None:
        if creating and message.get("name") is None:
            self.add(f"{path}.name", "is required", REQUIRED_FIELD)
        self.text(message.get("name"), f"{path}.name", maximum, minimum=1)

    def guid(self, value: Any, path: str, required: bool = True) -> None:
        if value is None:
            if required:
                self.add(path, "is required", REQUIRED_FIELD)
        elif not is_guid(value):
            self.add(path, f"{value!r} is not a GUID", FORMAT)

    def sized(self, value: Any, path: str, maximum: int) -> list[Any]:
        items = self.array(value, path)
        if items is None:
            return []
        if len(items) > maximum:
            self.add(path, f"must have at most {maximum} element(s)", MAX_SIZE)
        return items

    def guids(self, value: Any, path: str, maximum: int) -> None:
        seen: set[str] = set()
        for index, ident in enumerate(self.sized(value, path, maximum)):
            self.guid(ident, f"{path}[{index}]")
            self._unique(ident, seen, f"{path}[{index}]")

    def _unique(self, ident: Any, seen: set[str], path: str) -> None:
        if isinstance(ident, str):
            if ident in seen:
                self.add(path, f"duplicate id {ident}", FORMAT)
            seen.add(ident)

    def money(self, value: Any, path: str, required: bool = True) -> None:
        if value is None:
            if required:
                self.add(path, "is required", REQUIRED_FIELD)
            return
        if not isinstance(value, str) or not _MONEY.match(value):
            self.add(path, 'expected a decimal number as a string, e.g. "12.50"', FORMAT)
        elif value.startswith("-"):
            self.add(path, "must be at least 0", MIN)
        else:
            self.decimal(value, path, max_scale=3)

    def count(self, value: Any, path: str, maximum: int) -> None:
        if value is None:
            return
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, "expected an integer", FORMAT)
        elif value < 0:
            self.add(path, "must be at least 0", MIN)
        elif value > maximum:
            self.add(path, f"must be at most {maximum}", MAX)

    def image(self, value: Any, path: str) -> None:
        image = self.obj(value, path)
        if image is None:
            return
        for key in ("id", "url", "altText", "filename"):
            self.string(image.get(key), f"{path}.{key}")
        for key in ("height", "width"):
            self.int32(image.get(key), f"{path}.{key}")

    def images(self, value: Any, path: str, maximum: int) -> None:
        for index, image in enumerate(self.sized(value, path, maximum)):
            self.image(image, f"{path}[{index}]")

    def extended_fields(self, value: Any, path: str) -> None:
        fields = self.obj(value, path)
        if fields is not None:
            self.obj(fields.get("namespaces"), f"{path}.namespaces")

    def revision(self, message: dict[str, Any], path: str) -> None:
        value = message.get("revision")
        if value is None or value == "":
            self.add(f"{path}.revision", "revision must not be empty", REQUIRED_FIELD)
        elif isinstance(value, bool) or not _REVISION.match(str(value)):
            self.add(f"{path}.revision", "expected an int64 as a string", FORMAT)

    # --- entities --------------------------------------------------------------------------------
    def entity(self, kind: str, value: Any, path: str, creating: bool) -> None:
        """One entity message (create or update); ``path`` is its envelope key."""
        message = self.obj(value, path)
        if message is None:
            if value is None:
                self.add(path, "is required", REQUIRED_FIELD)
            return
        service = S.BY_KIND[kind]
        if not creating:
            self.revision(message, path)
        self.name(message, path, service.name_max, creating)
        getattr(self, f"_{kind}")(message, path, creating)
        self.extended_fields(message.get("extendedFields"), f"{path}.extendedFields")

    def _menu(self, menu: dict[str, Any], path: str, creating: bool) -> None:
        self.text(menu.get("description"), f"{path}.description", S.DESCRIPTION_MAX)
        self.boolean(menu.get("visible"), f"{path}.visible")
        self.guids(menu.get("sectionIds"), f"{path}.sectionIds", S.SECTION_IDS_MAX)
        self.text(menu.get("urlQueryParam"), f"{path}.urlQueryParam", S.URL_PARAM_MAX)
        self.seo_data(menu.get("seoData"), f"{path}.seoData")
        if creating:
            self.guid(menu.get("businessLocationId"), f"{path}.businessLocationId", required=False)

    def seo_data(self, value: Any, path: str) -> None:
        seo = self.obj(value, path)
        if seo is None:
            return
        for index, tag in enumerate(self.array(seo.get("tags"), f"{path}.tags") or []):
            where = f"{path}.tags[{index}]"
            tag = self.obj(tag, where)
            if tag is None:
                continue
            self.string(tag.get("type"), f"{where}.type")
            self.string(tag.get("children"), f"{where}.children")
            self.obj(tag.get("props"), f"{where}.props")
            self.obj(tag.get("meta"), f"{where}.meta")
            self.boolean(tag.get("custom"), f"{where}.custom")
            self.boolean(tag.get("disabled"), f"{where}.disabled")
        settings = self.obj(seo.get("settings"), f"{path}.settings")
        if settings is None:
            return
        self.boolean(settings.get("preventAutoRedirect"), f"{path}.settings.preventAutoRedirect")
        for index, keyword in enumerate(
            self.sized(settings.get("keywords"), f"{path}.settings.keywords", S.SEO_KEYWORDS_MAX)
        ):
            where = f"{path}.settings.keywords[{index}]"
            keyword = self.obj(keyword, where)
            if keyword is not None:
                self.string(keyword.get("term"), f"{where}.term")
                self.boolean(keyword.get("isMain"), f"{where}.isMain")
                self.string(keyword.get("origin"), f"{where}.origin")

    def _section(self, section: dict[str, Any], path: str, creating: bool) -> None:
        self.text(section.get("description"), f"{path}.description", S.DESCRIPTION_MAX)
        self.image(section.get("image"), f"{path}.image")
        self.images(section.get("additionalImages"), f"{path}.additionalImages", S.SECTION_IMAGES_MAX)
        self.guids(section.get("itemIds"), f"{path}.itemIds", S.ITEM_IDS_MAX)
        self.boolean(section.get("visible"), f"{path}.visible")

    def _refs(self, value: Any, path: str, maximum: int) -> None:
        seen: set[str] = set()
        for index, ref in enumerate(self.sized(value, path, maximum)):
            ref = self.obj(ref, f"{path}[{index}]")
            if ref is not None:
                self.guid(ref.get("id"), f"{path}[{index}].id")
                self._unique(ref.get("id"), seen, f"{path}[{index}].id")

    def price_info(self, value: Any, path: str) -> None:
        info = self.obj(value, path)
        if info is not None:
            self.money(info.get("price"), f"{path}.price")

    def _item(self, item: dict[str, Any], path: str, creating: bool) -> None:
        self.text(item.get("description"), f"{path}.description", S.DESCRIPTION_MAX)
        self.image(item.get("image"), f"{path}.image")
        self.images(item.get("additionalImages"), f"{path}.additionalImages", S.ITEM_IMAGES_MAX)
        self._refs(item.get("labels"), f"{path}.labels", S.ITEM_LABELS_MAX)
        self._refs(item.get("modifierGroups"), f"{path}.modifierGroups", S.ITEM_GROUPS_MAX)
        for key in ("visible", "featured"):
            self.boolean(item.get(key), f"{path}.{key}")
        settings = self.obj(item.get("orderSettings"), f"{path}.orderSettings")
        if settings is not None:
            for key in ("inStock", "acceptSpecialRequests"):
                self.boolean(settings.get(key), f"{path}.orderSettings.{key}")
        self.one_of(item, ("priceInfo", "priceVariants"), path)
        self.price_info(item.get("priceInfo"), f"{path}.priceInfo")
        price_variants = self.obj(item.get("priceVariants"), f"{path}.priceVariants")
        if price_variants is not None:
            where = f"{path}.priceVariants.variants"
            seen: set[str] = set()
            for index, variant in enumerate(self.sized(price_variants.get("variants"), where, S.PRICE_VARIANTS_MAX)):
                variant = self.obj(variant, f"{where}[{index}]")
                if variant is None:
                    continue
                self.guid(variant.get("variantId"), f"{where}[{index}].variantId")
                self._unique(variant.get("variantId"), seen, f"{where}[{index}].variantId")
                info = self.obj(variant.get("priceInfo"), f"{where}[{index}].priceInfo")
                if info is None and variant.get("price") is not None:
                    self.money(variant.get("price"), f"{where}[{index}].price")
                else:
                    self.money((info or {}).get("price"), f"{where}[{index}].priceInfo.price")

    def _variant(self, variant: dict[str, Any], path: str, creating: bool) -> None:
        pass

    def _label(self, label: dict[str, Any], path: str, creating: bool) -> None:
        self.image(label.get("icon"), f"{path}.icon")

    def _modifier(self, modifier: dict[str, Any], path: str, creating: bool) -> None:
        self.boolean(modifier.get("inStock"), f"{path}.inStock")

    def _modifierGroup(self, group: dict[str, Any], path: str, creating: bool) -> None:
        where = f"{path}.modifiers"
        seen: set[str] = set()
        for index, modifier in enumerate(self.sized(group.get("modifiers"), where, S.GROUP_MODIFIERS_MAX)):
            modifier = self.obj(modifier, f"{where}[{index}]")
            if modifier is None:
                continue
            self.guid(modifier.get("id"), f"{where}[{index}].id")
            self._unique(modifier.get("id"), seen, f"{where}[{index}].id")
            self.boolean(modifier.get("preSelected"), f"{where}[{index}].preSelected")
            charge = self.obj(modifier.get("additionalChargeInfo"), f"{where}[{index}].additionalChargeInfo")
            if charge is not None:
                self.money(
                    charge.get("additionalCharge"),
                    f"{where}[{index}].additionalChargeInfo.additionalCharge",
                    required=False,
                )
            self.money(modifier.get("additionalCharge"), f"{where}[{index}].additionalCharge", required=False)
        rule = self.obj(group.get("rule"), f"{path}.rule")
        if rule is not None:
            self.boolean(rule.get("required"), f"{path}.rule.required")
            for key in ("minSelections", "maxSelections"):
                self.count(rule.get(key), f"{path}.rule.{key}", S.SELECTIONS_MAX)


def required_object(body: dict[str, Any], key: str, checker: Checker) -> None:
    if body.get(key) is None:
        checker.add(key, "is required", REQUIRED_FIELD)
    else:
        checker.obj(body.get(key), key)
