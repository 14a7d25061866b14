"""Read Clover v3 inventory JSON into typed records.

The export (and what :mod:`.api` assembles from the API) is one object holding the answers of
the inventory endpoints, each either ``{"elements": [...]}`` as Clover returns it or a bare list::

    {"merchant": {"id", "currency"},                    GET /v3/merchants/{mId}
     "items": ...,                                      /items?expand=categories,modifierGroups,options,menuItem
     "categories": ...,                                 /categories?expand=items
     "modifier_groups": ...,                            /modifier_groups?expand=modifiers
     "item_groups": ...}                                /item_groups

Prices are integers in the currency's smallest unit; ids are Clover's 13-character ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.sources.errors import SourceInvalid, SourceProblem
from reconciler.sources.shape import ShapeChecker, Where

SECTIONS = ("items", "categories", "modifier_groups", "item_groups")


@dataclass(slots=True)
class Item:
    id: str
    name: str
    price: int | None
    price_type: str
    unit_name: str | None
    hidden: bool
    available: bool
    deleted: bool
    group_id: str | None
    category_ids: list[str]
    modifier_group_ids: list[str]
    option_names: list[str]
    description: str | None
    image: str | None


@dataclass(slots=True)
class Category:
    id: str
    name: str
    sort_order: int | None
    deleted: bool
    item_ids: list[str]


@dataclass(slots=True)
class Modifier:
    id: str
    name: str
    price: int
    available: bool


@dataclass(slots=True)
class ModifierGroup:
    id: str
    name: str
    min: int | None
    max: int | None
    sort_order: int | None
    order: list[str]  # modifierIds, the POS's modifier order
    modifiers: list[Modifier] = field(default_factory=list)


@dataclass(slots=True)
class Inventory:
    currency: str | None
    items: dict[str, Item]
    categories: dict[str, Category]
    groups: dict[str, ModifierGroup]
    item_groups: dict[str, str]  # item group id -> name


def parse(raw: object) -> Inventory:
    if not isinstance(raw, dict) or not any(key in raw for key in SECTIONS):
        raise SourceInvalid(
            "clover",
            [
                SourceProblem(
                    "file", "", "", "not a Clover inventory: expected an object with items, categories, modifier_groups"
                )
            ],
        )
    return _Reader().inventory(raw)


class _Reader:
    def __init__(self) -> None:
        self.check = ShapeChecker("clover")

    def inventory(self, raw: dict) -> Inventory:
        merchant = raw.get("merchant") if isinstance(raw.get("merchant"), dict) else {}
        where = Where("merchant", str(merchant.get("id") or ""))
        currency = self.check.text(merchant, "currency", where, "currency") or self.check.text(
            merchant, "defaultCurrency", where, "defaultCurrency"
        )
        inventory = Inventory(
            currency=currency,
            items=self._all(raw, "items", "item", self._item),
            categories=self._all(raw, "categories", "category", self._category),
            groups=self._all(raw, "modifier_groups", "modifier group", self._group),
            item_groups=self._all(raw, "item_groups", "item group", self._item_group),
        )
        self.check.raise_if_any()
        return inventory

    def _elements(self, value: object, where: Where, field_name: str) -> list:
        if value is None:
            return []
        if isinstance(value, dict):
            value = value.get("elements", [])
        if not isinstance(value, list):
            self.check.problem(where, field_name, "expected a list or {\"elements\": [...]}")
            return []
        return value

    def _all(self, raw: dict, key: str, kind: str, read) -> dict:
        out = {}
        for k, obj in enumerate(self._elements(raw.get(key), Where("file", ""), key)):
            ident = obj.get("id") if isinstance(obj, dict) else None
            if not isinstance(ident, str) or not ident:
                self.check.problem(Where(kind, ""), f"{key}[{k}].id", "missing required field (expected text)")
                continue
            if ident in out:
                continue  # a repeated page: the first copy stands
            out[ident] = read(obj, Where(kind, ident))
        return out

    def _ids(self, obj: dict, key: str, where: Where) -> list[str]:
        ids = []
        for k, ref in enumerate(self._elements(obj.get(key), where, key)):
            if isinstance(ref, dict) and isinstance(ref.get("id"), str):
                ids.append(ref["id"])
            else:
                self.check.problem(where, f"{key}[{k}]", "expected {\"id\": ...}")
        return ids

    def _item(self, obj: dict, where: Where) -> Item:
        price_type = self.check.text(obj, "priceType", where, "priceType") or "FIXED"
        group = obj.get("itemGroup")
        menu_item = obj.get("menuItem") if isinstance(obj.get("menuItem"), dict) else {}
        options = self._elements(obj.get("options"), where, "options")
        return Item(
            id=where.id,
            name=self.check.text(obj, "name", where, "name", required=True) or "",
            price=self.check.integer(obj, "price", where, "price", required=price_type == "FIXED"),
            price_type=price_type,
            unit_name=self.check.text(obj, "unitName", where, "unitName"),
            hidden=self.check.flag(obj, "hidden", where, "hidden", False),
            available=self.check.flag(obj, "available", where, "available", True),
            deleted=obj.get("deletedTime") is not None or obj.get("deleted") is True,
            group_id=group.get("id") if isinstance(group, dict) and isinstance(group.get("id"), str) else None,
            category_ids=self._ids(obj, "categories", where),
            modifier_group_ids=self._ids(obj, "modifierGroups", where),
            option_names=[o["name"] for o in options if isinstance(o, dict) and isinstance(o.get("name"), str)],
            description=menu_item.get("description") if isinstance(menu_item.get("description"), str) else None,
            image=menu_item.get("imageFilename") if isinstance(menu_item.get("imageFilename"), str) else None,
        )

    def _category(self, obj: dict, where: Where) -> Category:
        return Category(
            id=where.id,
            name=self.check.text(obj, "name", where, "name", required=True) or "",
            sort_order=self.check.integer(obj, "sortOrder", where, "sortOrder"),
            deleted=self.check.flag(obj, "deleted", where, "deleted", False),
            item_ids=self._ids(obj, "items", where),
        )

    def _group(self, obj: dict, where: Where) -> ModifierGroup:
        modifiers = []
        for k, m in enumerate(self._elements(obj.get("modifiers"), where, "modifiers")):
            ident = m.get("id") if isinstance(m, dict) else None
            if not isinstance(ident, str):
                self.check.problem(where, f"modifiers[{k}].id", "missing required field (expected text)")
                continue
            sub = Where("modifier", ident)
            modifiers.append(
                Modifier(
                    id=ident,
                    name=self.check.text(m, "name", sub, "name", required=True) or "",
                    price=self.check.integer(m, "price", sub, "price") or 0,
                    available=self.check.flag(m, "available", sub, "available", True),
                )
            )
        order = self.check.text(obj, "modifierIds", where, "modifierIds") or ""
        return ModifierGroup(
            id=where.id,
            name=self.check.text(obj, "name", where, "name", required=True) or "",
            min=self.check.integer(obj, "minRequired", where, "minRequired"),
            max=self.check.integer(obj, "maxAllowed", where, "maxAllowed"),
            sort_order=self.check.integer(obj, "sortOrder", where, "sortOrder"),
            order=[part.strip() for part in order.split(",") if part.strip()],
            modifiers=modifiers,
        )

    def _item_group(self, obj: dict, where: Where) -> str:
        return self.check.text(obj, "name", where, "name") or ""
