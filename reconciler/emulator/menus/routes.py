"""Every Menus (New) endpoint (§1.4): canonical paths, ``/restaurants/menus/v1`` aliases (§1.1),
the site-domain paths (``/_api/restaurants-menus-menu/v1/...``: what Wix serves on a site's own
domain, and what the SDK emits for a host that is not a Wix API host, such as the emulator's
address), and the operation name counters and fault rules use: ``<service>.<SDK function>``.

The canonical prefix differs per service (``/restaurants/menus-item/v1``, ...). The shared alias
prefix ``/restaurants/menus/v1`` maps only the paths §1.1 lists for each service: for modifiers only
their bulk endpoints and Count, for labels not their bulk delete, for modifier groups the misspelt
``bulk/modifiers-groups/{update,delete}`` (§7.5) as well as the collection paths.
"""

from __future__ import annotations

from reconciler.emulator.menus import crud, duplicate, menus, search
from reconciler.emulator.menus.services import ALL, GROUPS, ITEMS, LABELS, MENUS, MODIFIERS, SECTIONS, VARIANTS, Service
from reconciler.emulator.routing import Handler, Route

ALIAS_PREFIX = "/restaurants/menus/v1"

# (service, SDK function, method, path after the service's base, handler, writes)
Endpoint = tuple[Service, str, str, str, Handler, bool]


def _standard(
    service: Service,
    bulk_create: bool,
    bulk_update: bool,
    bulk_delete: bool,
    count: bool,
    bulk_segment: str | None = None,
) -> list[Endpoint]:
    s, t, c = service, service.title, service.collection
    segment = bulk_segment or c.strip("/")
    endpoints: list[Endpoint] = [
        (s, f"create{t}", "POST", c, crud.create(s), True),
        (s, f"get{t}", "GET", f"{c}/{{id}}", crud.get(s), False),
        (s, f"list{t}s", "GET", c, crud.list_unpaged(s) if s is LABELS else crud.list_(s), False),
        (s, f"query{t}s", "POST", f"{c}/query", crud.query(s), False),
        (s, f"update{t}", "PATCH", f"{c}/{{id}}", crud.update(s), True),
        (s, f"delete{t}", "DELETE", f"{c}/{{id}}", crud.delete(s), True),
    ]
    plural = "s" if s in (VARIANTS, MODIFIERS, GROUPS) else ""  # bulkUpdateItem, bulkUpdateVariants
    if bulk_create:
        endpoints.append((s, f"bulkCreate{t}s", "POST", f"/bulk/{c.strip('/')}/create", crud.bulk_create(s), True))
    if bulk_update:
        endpoints.append((s, f"bulkUpdate{t}{plural}", "POST", f"/bulk/{segment}/update", crud.bulk_update(s), True))
    if bulk_delete:
        endpoints.append((s, f"bulkDelete{t}s", "DELETE", f"/bulk/{segment}/delete", crud.bulk_delete(s), True))
    if count:
        endpoints.append((s, f"count{t}s", "POST", f"{c}/count", crud.count(s), False))
    return endpoints


ENDPOINTS: tuple[Endpoint, ...] = (
    *_standard(MENUS, bulk_create=True, bulk_update=True, bulk_delete=False, count=False),
    (
        MENUS,
        "updateExtendedFields",
        "POST",
        "/menus/{id}/updateExtendedFields",
        menus.handle_update_extended_fields,
        True,
    ),
    (MENUS, "duplicateMenu", "POST", "/menus/{id}/duplicate", duplicate.handle_duplicate_menu, True),
    (MENUS, "getMenuSiteUrl", "GET", "/menus-site-url/menus/{id}", menus.handle_get_site_url, False),
    (MENUS, "queryMenusSiteUrl", "POST", "/menus-site-url/menus/query", menus.handle_query_site_urls, False),
    *_standard(SECTIONS, bulk_create=True, bulk_update=True, bulk_delete=True, count=False),
    (SECTIONS, "duplicateSection", "POST", "/sections/{id}/duplicate", duplicate.handle_duplicate_section, True),
    *_standard(ITEMS, bulk_create=True, bulk_update=True, bulk_delete=True, count=True),
    (ITEMS, "searchItems", "POST", "/items/search", search.handle_search, False),
    (ITEMS, "searchItems", "GET", "/items/search", search.handle_search, False),
    (ITEMS, "duplicateItem", "POST", "/items/{id}/duplicate", duplicate.handle_duplicate_item, True),
    *_standard(VARIANTS, bulk_create=True, bulk_update=True, bulk_delete=True, count=True),
    *_standard(LABELS, bulk_create=False, bulk_update=False, bulk_delete=True, count=True),
    *_standard(MODIFIERS, bulk_create=True, bulk_update=True, bulk_delete=True, count=True),
    *_standard(
        GROUPS, bulk_create=True, bulk_update=True, bulk_delete=True, count=True, bulk_segment="modifiers-groups"
    ),
)

_MODIFIER_ALIASES = ("/bulk/modifiers/create", "/bulk/modifiers/update", "/bulk/modifiers/delete", "/modifiers/count")
_GROUP_ALIASES = ("/bulk/modifier-groups/create", "/bulk/modifiers-groups/update", "/bulk/modifiers-groups/delete")


def has_alias(service: Service, path: str) -> bool:
    """Whether §1.1 maps this path under ``/restaurants/menus/v1`` too."""
    if service is MODIFIERS:
        return path in _MODIFIER_ALIASES
    if service is GROUPS:
        return path.startswith("/modifier-groups") or path in _GROUP_ALIASES
    if service is LABELS:
        return path.startswith("/labels")
    segment = service.collection  # "/menus", "/sections", "/items", "/variants"
    return path.startswith((segment, f"/bulk{segment}/"))


def operation(service: Service, function: str) -> str:
    return f"{service.name}.{function}"


def routes() -> tuple[Route, ...]:
    out: list[Route] = []
    for service, function, method, path, handler, writes in ENDPOINTS:
        out.append(Route(method, service.base + path, operation(service, function), handler, writes))
        out.append(Route(method, service.site_base + path, operation(service, function), handler, writes))
        if has_alias(service, path):
            out.append(Route(method, ALIAS_PREFIX + path, operation(service, function), handler, writes))
    return tuple(out)


def operations() -> list[str]:
    return sorted({operation(service, function) for service, function, *_rest in ENDPOINTS})


assert {service for service, *_rest in ENDPOINTS} == set(ALL)
