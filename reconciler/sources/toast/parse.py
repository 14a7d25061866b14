"""Read a Toast Menus v2 document (``GET /menus/v2/menus``) into typed records.

The document is one restaurant location::

    {restaurantGuid, menus[] → menuGroups[] (nested menuGroups[], menuItems[]),
     modifierGroupReferences {"<referenceId>": ModifierGroup},
     modifierOptionReferences {"<referenceId>": ModifierOption}}

Items point to modifier groups, and groups to options, by integer ``referenceId``; every
reference must resolve. A list of documents (several locations) is accepted when ``location``
names one of them by ``restaurantGuid``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.sources.errors import SourceInvalid, SourceProblem
from reconciler.sources.shape import ShapeChecker, Where


@dataclass(slots=True)
class Node:
    """Fields shared by menus, groups, items, modifier groups and options."""

    guid: str
    name: str | None
    description: str | None = None
    image: str | None = None
    visibility: list[str] | None = None  # None: the field was absent


@dataclass(slots=True)
class MenuItem(Node):
    price: float | int | None = None
    pricing_strategy: str | None = None
    size_guid: str | None = None
    group_refs: list[str] = field(default_factory=list)
    has_portions: bool = False
    calories: float | int | None = None  # Toast's allergens field is reserved (empty): only calories


@dataclass(slots=True)
class MenuGroup(Node):
    items: list[MenuItem] = field(default_factory=list)
    groups: list[MenuGroup] = field(default_factory=list)


@dataclass(slots=True)
class Menu(Node):
    always_available: bool = True
    schedule: list[dict] = field(default_factory=list)
    groups: list[MenuGroup] = field(default_factory=list)


@dataclass(slots=True)
class ModifierGroup(Node):
    min: int | None = None
    max: int | None = None
    required_mode: str | None = None
    pricing_strategy: str | None = None
    option_refs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ModifierOption(Node):
    price: float | int | None = None
    is_default: bool = False
    group_refs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Restaurant:
    guid: str
    menus: list[Menu]
    groups: dict[str, ModifierGroup]  # referenceId (as text) -> group
    options: dict[str, ModifierOption]


def parse(raw: object, location: str | None, link: bool = False) -> Restaurant:
    """``link``: identify entities by ``multiLocationId``, the id they share across the restaurants of
    a group (an import of several locations into one catalog), instead of this location's ``guid``."""
    document = _pick(raw, location)
    return _Reader(link).restaurant(document)


def restaurants(raw: object) -> list[str]:
    """The restaurant GUIDs of a menus document, or of a list of them, in order."""
    documents = raw if isinstance(raw, list) else [raw]
    return [d["restaurantGuid"] for d in documents if isinstance(d, dict) and isinstance(d.get("restaurantGuid"), str)]


def _pick(raw: object, location: str | None) -> dict:
    if isinstance(raw, list):
        found = [d for d in raw if isinstance(d, dict) and (location is None or d.get("restaurantGuid") == location)]
        if len(found) == 1:
            return found[0]
        message = (
            f"no restaurant document has restaurantGuid {location!r}"
            if location and not found
            else "the file holds several restaurant documents; choose one with --location <restaurantGuid>"
        )
        raise SourceInvalid("toast", [SourceProblem("file", "", "", message)])
    if not isinstance(raw, dict) or "menus" not in raw:
        raise SourceInvalid(
            "toast",
            [
                SourceProblem(
                    "file",
                    "",
                    "",
                    "not a Toast menus document: expected an object with \"menus\" (GET /menus/v2/menus)",
                )
            ],
        )
    if location is not None and raw.get("restaurantGuid") not in (None, location):
        raise SourceInvalid(
            "toast",
            [
                SourceProblem(
                    "Restaurant",
                    str(raw.get("restaurantGuid")),
                    "restaurantGuid",
                    f"is not the requested location {location!r}",
                )
            ],
        )
    return raw


class _Reader:
    def __init__(self, link: bool = False) -> None:
        self.check = ShapeChecker("toast")
        self.link = link
        self.alias: dict[str, str] = {}  # guid -> the id it has when linked by multiLocationId

    def restaurant(self, doc: dict) -> Restaurant:
        where = Where("Restaurant", doc.get("restaurantGuid") if isinstance(doc.get("restaurantGuid"), str) else "")
        groups = {}
        for ref, entry in self._refs(doc, "modifierGroupReferences", where).items():
            groups[ref] = self._modifier_group(entry, ref)
        options = {}
        for ref, entry in self._refs(doc, "modifierOptionReferences", where).items():
            options[ref] = self._option(entry, ref)
        menus = [self._menu(m, k) for k, m in enumerate(self.check.sequence(doc, "menus", where, "menus", True))]
        restaurant = Restaurant(where.id, [m for m in menus if m], groups, options)
        self._resolve(restaurant)
        self.check.raise_if_any()
        return restaurant

    def _refs(self, doc: dict, key: str, where: Where) -> dict[str, dict]:
        table = self.check.mapping(doc, key, where, key) or {}
        out = {}
        for ref, entry in table.items():
            if isinstance(entry, dict):
                out[str(ref)] = entry
            else:
                self.check.problem(where, f"{key}[{ref}]", "expected an object")
        return out

    def _node(self, obj: dict, where: Where) -> dict:
        """The fields every Toast entity has; field paths are relative to the object."""
        visibility = self.check.sequence(obj, "visibility", where, "visibility") if "visibility" in obj else None
        images = obj.get("images") if isinstance(obj.get("images"), list) else []
        image = self.check.text(obj, "image", where, "image") or next(
            (i if isinstance(i, str) else i.get("url") for i in images if isinstance(i, (str, dict))), None
        )
        return {
            "guid": where.id,
            "name": self.check.text(obj, "name", where, "name"),
            "description": self.check.text(obj, "description", where, "description"),
            "image": image if isinstance(image, str) else None,
            "visibility": [v for v in visibility if isinstance(v, str)] if visibility is not None else None,
        }

    def _where(self, obj: object, kind: str, path: str) -> Where | None:
        if not isinstance(obj, dict):
            self.check.problem(Where(kind, ""), path, "expected an object")
            return None
        guid = obj.get("guid")
        if not isinstance(guid, str) or not guid:
            self.check.problem(Where(kind, ""), f"{path}.guid", "missing required field (expected text)")
            return None
        shared = obj.get("multiLocationId")
        if self.link and isinstance(shared, (str, int)) and not isinstance(shared, bool) and str(shared):
            self.alias[guid] = f"m{shared}"
            return Where(kind, f"m{shared}")  # the same at every location of the group
        return Where(kind, guid)

    def _menu(self, obj: object, k: int) -> Menu | None:
        where = self._where(obj, "Menu", f"menus[{k}]")
        if where is None:
            return None
        availability = self.check.mapping(obj, "availability", where, "availability") or {}
        return Menu(
            **self._node(obj, where),
            always_available=self.check.flag(
                availability, "alwaysAvailable", where, "availability.alwaysAvailable", True
            ),
            schedule=[
                s
                for s in self.check.sequence(availability, "schedule", where, "availability.schedule")
                if isinstance(s, dict)
            ],
            groups=self._groups(obj, where),
        )

    def _groups(self, obj: dict, where: Where) -> list[MenuGroup]:
        out = []
        for k, entry in enumerate(self.check.sequence(obj, "menuGroups", where, "menuGroups")):
            sub = self._where(entry, "MenuGroup", f"{where.type} {where.id}: menuGroups[{k}]")
            if sub is None:
                continue
            items = []
            for j, item in enumerate(self.check.sequence(entry, "menuItems", sub, "menuItems")):
                parsed = self._item(item, sub, j)
                if parsed:
                    items.append(parsed)
            out.append(MenuGroup(**self._node(entry, sub), items=items, groups=self._groups(entry, sub)))
        return out

    def _item(self, obj: object, group: Where, j: int) -> MenuItem | None:
        where = self._where(obj, "MenuItem", f"MenuGroup {group.id}: menuItems[{j}]")
        if where is None:
            return None
        rules = self.check.mapping(obj, "pricingRules", where, "pricingRules") or {}
        return MenuItem(
            **self._node(obj, where),
            price=self.check.number(obj, "price", where, "price"),
            pricing_strategy=self.check.text(obj, "pricingStrategy", where, "pricingStrategy"),
            size_guid=self._linked(
                self.check.text(rules, "sizeSpecificPricingGuid", where, "pricingRules.sizeSpecificPricingGuid")
            ),
            group_refs=self._ref_list(obj, "modifierGroupReferences", where),
            has_portions=bool(obj.get("portions")),
            calories=self.check.number(obj, "calories", where, "calories"),
        )

    def _linked(self, guid: str | None) -> str | None:
        return self.alias.get(guid, guid) if guid is not None else None

    def _ref_list(self, obj: dict, key: str, where: Where) -> list[str]:
        refs = []
        for k, ref in enumerate(self.check.sequence(obj, key, where, key)):
            if isinstance(ref, bool) or not isinstance(ref, (int, str)):
                self.check.problem(where, f"{key}[{k}]", "expected a referenceId (integer)")
            else:
                refs.append(str(ref))
        return refs

    def _modifier_group(self, obj: dict, ref: str) -> ModifierGroup:
        where = self._where(obj, "ModifierGroup", f"modifierGroupReferences[{ref}]") or Where("ModifierGroup", "")
        return ModifierGroup(
            **self._node(obj, where),
            min=self.check.integer(obj, "minSelections", where, "minSelections"),
            max=self.check.integer(obj, "maxSelections", where, "maxSelections"),
            required_mode=self.check.text(obj, "requiredMode", where, "requiredMode"),
            pricing_strategy=self.check.text(obj, "pricingStrategy", where, "pricingStrategy"),
            option_refs=self._ref_list(obj, "modifierOptionReferences", where),
        )

    def _option(self, obj: dict, ref: str) -> ModifierOption:
        where = self._where(obj, "ModifierOption", f"modifierOptionReferences[{ref}]") or Where("ModifierOption", "")
        return ModifierOption(
            **self._node(obj, where),
            price=self.check.number(obj, "price", where, "price"),
            is_default=self.check.flag(obj, "isDefault", where, "isDefault", False),
            group_refs=self._ref_list(obj, "modifierGroupReferences", where),
        )

    def _resolve(self, restaurant: Restaurant) -> None:
        """Every referenceId must name an entry of the document's reference tables."""

        def items(groups: list[MenuGroup]):
            for g in groups:
                yield from g.items
                yield from items(g.groups)

        for menu in restaurant.menus:
            for item in items(menu.groups):
                for ref in item.group_refs:
                    if ref not in restaurant.groups:
                        self.check.problem(
                            Where("MenuItem", item.guid),
                            "modifierGroupReferences",
                            f"no modifier group has referenceId {ref}",
                        )
        for group in restaurant.groups.values():
            for ref in group.option_refs:
                if ref not in restaurant.options:
                    self.check.problem(
                        Where("ModifierGroup", group.guid),
                        "modifierOptionReferences",
                        f"no modifier option has referenceId {ref}",
                    )
        for option in restaurant.options.values():
            for ref in option.group_refs:
                if ref not in restaurant.groups:
                    self.check.problem(
                        Where("ModifierOption", option.guid),
                        "modifierGroupReferences",
                        f"no modifier group has referenceId {ref}",
                    )
