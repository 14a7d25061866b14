"""The Wix Restaurants Catalogs v3 API (reference ``wix-catalogs-v3.md``): its 32 endpoints.

:func:`api` returns the route table, every route served under both ``/restaurants/v3`` (the
documented prefix) and ``/v3`` (what the SDK emits), per U1. Each route names the SDK function it
emulates; counters and fault rules use that name.
"""

from __future__ import annotations

from reconciler.emulator.routing import Api, Handler, Route
from reconciler.emulator.v3 import bulk, catalogs, discounts, drafts, items, menus, sections, touch

PREFIXES = ("/restaurants/v3", "/v3")

C = "/catalogs/{catalogId}"
D = "/draft-catalogs/{catalogId}"

# (SDK function, method, path after the prefix, handler, writes)
ENDPOINTS: tuple[tuple[str, str, str, Handler, bool], ...] = (
    ("listCatalogs", "GET", "/catalogs", catalogs.handle_list, False),
    ("createDraftCatalog", "POST", f"{D}/create", drafts.handle_create, True),
    ("publishDraftCatalog", "POST", f"{D}/publish", drafts.handle_publish, True),
    ("discardDraftCatalog", "DELETE", f"{D}/discard", drafts.handle_discard, True),
    ("bulkCreateVariations", "POST", f"{D}/bulk/variations/create", bulk.handle_create_variations, True),
    ("bulkCreateDishes", "POST", f"{D}/bulk/dishes/create", bulk.handle_create_dishes, True),
    ("bulkUpdateItems", "POST", f"{D}/bulk/items/update", bulk.handle_update_items, True),
    ("bulkCreateMenus", "POST", f"{D}/bulk/menus/create", bulk.handle_create_menus, True),
    ("bulkUpdateMenus", "POST", f"{D}/bulk/menus/update", bulk.handle_update_menus, True),
    ("bulkArchiveMenus", "POST", f"{D}/bulk/menus/archive", bulk.handle_archive_menus, True),
    ("bulkUnarchiveMenus", "POST", f"{D}/bulk/menus/unarchive", bulk.handle_unarchive_menus, True),
    ("bulkCreateSections", "POST", f"{D}/bulk/sections/create", bulk.handle_create_sections, True),
    ("bulkUpdateSections", "POST", f"{D}/bulk/sections/update", bulk.handle_update_sections, True),
    ("listMenus", "GET", f"{C}/menus", menus.handle_list, False),
    ("getMenu", "GET", f"{C}/menus/{{menuId}}", menus.handle_get, False),
    ("createMenu", "POST", f"{C}/menus", menus.handle_create, True),
    ("updateMenu", "PATCH", f"{C}/menus/{{menuId}}", menus.handle_update, True),
    ("archiveMenu", "POST", f"{C}/menus/{{menuId}}/archive", menus.handle_archive, True),
    ("unarchiveMenu", "POST", f"{C}/menus/{{menuId}}/unarchive", menus.handle_unarchive, True),
    ("listSections", "GET", f"{C}/sections", sections.handle_list, False),
    ("getSection", "GET", f"{C}/menus/{{menuId}}/sections/{{sectionId}}", sections.handle_get, False),
    ("createSection", "POST", f"{C}/menus/{{menuId}}/sections", sections.handle_create, True),
    ("updateSection", "PATCH", f"{C}/menus/{{menuId}}/sections/{{sectionId}}", sections.handle_update, True),
    ("listItems", "GET", f"{C}/items", items.handle_list, False),
    ("getItem", "GET", f"{C}/items/{{itemId}}", items.handle_get, False),
    ("updateItem", "PATCH", f"{C}/items/{{itemId}}", items.handle_update, True),
    ("createDish", "POST", f"{C}/menus/{{menuId}}/sections/{{sectionId}}/items", items.handle_create_dish, True),
    ("createVariation", "POST", f"{C}/variations", items.handle_create_variation, True),
    ("createDiscount", "POST", f"{C}/discounts", discounts.handle_create, True),
    ("getDiscount", "GET", f"{C}/discounts/{{discountId}}", discounts.handle_get, False),
    ("updateDiscount", "PATCH", f"{C}/discounts/{{discountId}}", discounts.handle_update, True),
    ("listDiscounts", "GET", f"{C}/discounts", discounts.handle_list, False),
)


def api() -> Api:
    routes = tuple(
        Route(method, prefix + path, operation, handler, writes)
        for prefix in PREFIXES
        for operation, method, path, handler, writes in ENDPOINTS
    )
    return Api(name="catalogs-v3", routes=routes, touch_services=touch.SERVICES, touch=touch.touch)
