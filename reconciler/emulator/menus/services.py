"""The seven Menus (New) services as data: names, envelope keys, result keys, paging keys, limits.

Everything that differs between services and is not behaviour lives here (reference §1.4, §7.3,
§7.4, §7.15), so the generic handlers in ``crud.py`` read one :class:`Service` instead of branching.
"""

from __future__ import annotations

from dataclasses import dataclass

API = "menus-v1"  # the store's ``api`` value for every Menus (New) row

MENU = "menu"
SECTION = "section"
ITEM = "item"
VARIANT = "variant"
LABEL = "label"
MODIFIER = "modifier"
GROUP = "modifierGroup"

PAGING = "pagingMetadata"
METADATA = "metadata"


@dataclass(frozen=True)
class Service:
    name: str  # operation prefix: "items" in "items.createItem"
    kind: str  # store kind and envelope key: "item" -> {"item": {...}}
    plural: str  # list key and bulk-create array key: "items"
    title: str  # SDK function stem: "Item" -> createItem, getItem, ...
    base: str  # canonical path prefix
    collection: str  # path segment: "/items"
    ids_param: str  # List filter: "itemIds"
    name_max: int
    list_paging_key: str  # §7.4: "pagingMetadata" or "metadata"
    create_result: tuple[str, str]  # §7.3: bulk create (metadata key, entity key)
    update_result: tuple[str, str]  # §7.3: bulk update (metadata key, entity key)
    only_visible: bool  # List takes onlyVisible
    query_default_limit: int
    location_field: str | None  # "businessLocationId", "businessLocationIds" or None
    # The prefix Wix serves the same paths under on a site's own domain, and what the SDK emits for
    # any host that is not a Wix API host (e.g. the emulator's 127.0.0.1:PORT): its "_" mapping.
    site_base: str = ""

    @property
    def what(self) -> str:
        return {GROUP: "modifier group"}.get(self.kind, self.kind)


MENUS = Service(
    "menus",
    MENU,
    "menus",
    "Menu",
    "/restaurants/menus-menu/v1",
    "/menus",
    "menuIds",
    500,
    PAGING,
    ("menuMetadata", "menu"),
    ("menuMetadata", "menu"),
    True,
    100,
    "businessLocationId",
    site_base="/_api/restaurants-menus-menu/v1",
)
SECTIONS = Service(
    "sections",
    SECTION,
    "sections",
    "Section",
    "/restaurants/menus-section/v1",
    "/sections",
    "sectionIds",
    500,
    PAGING,
    ("itemMetadata", "item"),
    ("sectionMetadata", "section"),
    True,
    100,
    "businessLocationId",
    site_base="/_api/restaurants-menus-section/v1",
)
ITEMS = Service(
    "items",
    ITEM,
    "items",
    "Item",
    "/restaurants/menus-item/v1",
    "/items",
    "itemIds",
    200,
    PAGING,
    ("itemMetadata", "item"),
    ("itemMetadata", "item"),
    True,
    500,
    "businessLocationIds",
    site_base="/_api/restaurants-menus-item/v1",
)
VARIANTS = Service(
    "variants",
    VARIANT,
    "variants",
    "Variant",
    "/restaurants/item-variants/v1",
    "/variants",
    "variantIds",
    200,
    METADATA,
    ("itemMetadata", "variant"),
    ("itemMetadata", "variant"),
    False,
    100,
    "businessLocationIds",
    site_base="/_api/restaurants-menus-item-variant/v1",
)
LABELS = Service(
    "labels",
    LABEL,
    "labels",
    "Label",
    "/restaurants/item-labels/v1",
    "/labels",
    "labelIds",
    50,
    PAGING,
    ("itemMetadata", "label"),
    ("itemMetadata", "label"),
    False,
    100,
    None,
    site_base="/_api/restaurants-menus-item-labels/v1",
)
MODIFIERS = Service(
    "modifiers",
    MODIFIER,
    "modifiers",
    "Modifier",
    "/restaurants/item-modifiers/v1",
    "/modifiers",
    "modifierIds",
    200,
    METADATA,
    ("itemMetadata", "modifier"),
    ("itemMetadata", "modifier"),
    False,
    100,
    "businessLocationIds",
    site_base="/_api/restaurants-menus-item-modifier/v1",
)
GROUPS = Service(
    "modifierGroups",
    GROUP,
    "modifierGroups",
    "ModifierGroup",
    "/restaurants/item-modifier-group/v1",
    "/modifier-groups",
    "modifierGroupIds",
    100,
    METADATA,
    ("itemMetadata", "modifierGroup"),
    ("itemMetadata", "modifierGroup"),
    False,
    100,
    "businessLocationIds",
    site_base="/_api/restaurants-modifier-group/v1",
)

ALL: tuple[Service, ...] = (MENUS, SECTIONS, ITEMS, VARIANTS, LABELS, MODIFIERS, GROUPS)
BY_NAME = {service.name: service for service in ALL}
BY_KIND = {service.kind: service for service in ALL}

# §7.15 limits
BULK_MAX = 100  # bulk create / update elements
BULK_DELETE_MAX = 200  # ids per bulk delete (documented for four services; applied to all, §6.10)
LIST_IDS_MAX = 500  # *Ids on List (List Items has no documented max; 500 applied, §6.10)
PAGE_MAX = 500  # paging.limit / cursorPaging.limit
LIST_DEFAULT_LIMIT = 500  # §6.7: List without paging.limit returns up to 500
SEARCH_DEFAULT_LIMIT = 500
DESCRIPTION_MAX = 1500
SECTION_IDS_MAX = 100
ITEM_IDS_MAX = 300
ITEM_LABELS_MAX = 10
ITEM_GROUPS_MAX = 25  # §6.13: the current SDK's 25, not the older page's 20
PRICE_VARIANTS_MAX = 500
GROUP_MODIFIERS_MAX = 500
SELECTIONS_MAX = 25
ITEM_IMAGES_MAX = 15
SECTION_IMAGES_MAX = 100
URL_PARAM_MAX = 500
SEO_KEYWORDS_MAX = 5
LOCATIONS_MAX = 100  # Duplicate *: businessLocationIds
SORT_MAX = 4  # sort entries per query (documented for variants; applied to all)
SORT_FIELD_MAX = 512
CURSOR_MAX = 16000
