"""The Wix Restaurants Menus (New) calls reconcile makes: seven services, one table.

Paths, envelopes, bulk result keys and paging block names differ per service and are easy to get
wrong (see ../shared/reference/wix-menus-new.md §7), so each service is described once in
``SERVICES`` and every call is built from that description. Operation names are
``<service>.<function>``, which the emulator's counters use too.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from reconciler.canonical import JsonObject
from reconciler.http import Session, listing

PAGE = 500  # cursor paging limit on List endpoints


@dataclass(frozen=True)
class MenusService:
    name: str  # operation prefix: menus, sections, items, variants, labels, modifiers, modifierGroups
    base: str  # canonical path prefix
    collection: str  # path segment and list key: "menus", "modifier-groups", …
    list_key: str  # key of the entities in list and create bodies: "menus", "modifierGroups", …
    entity: str  # envelope of one entity: "menu", "modifierGroup", …
    title: str  # capitalised plural for function names: "Menus", "ModifierGroups", …
    bulk_update_path: str  # the path segment used by bulk update and delete (spelling traps!)
    create_limit: int = 100
    delete_limit: int = 100
    paged: bool = True

    @property
    def singular_title(self) -> str:
        return self.entity[0].upper() + self.entity[1:]


SERVICES = {
    "menu": MenusService("menus", "/restaurants/menus-menu/v1", "menus", "menus", "menu", "Menus", "menus"),
    "section": MenusService(
        "sections", "/restaurants/menus-section/v1", "sections", "sections", "section", "Sections", "sections"
    ),
    "item": MenusService("items", "/restaurants/menus-item/v1", "items", "items", "item", "Items", "items"),
    "variant": MenusService(
        "variants",
        "/restaurants/item-variants/v1",
        "variants",
        "variants",
        "variant",
        "Variants",
        "variants",
        delete_limit=200,
    ),
    "label": MenusService(
        "labels",
        "/restaurants/item-labels/v1",
        "labels",
        "labels",
        "label",
        "Labels",
        "labels",
        delete_limit=200,
        paged=False,
    ),
    "modifier": MenusService(
        "modifiers",
        "/restaurants/item-modifiers/v1",
        "modifiers",
        "modifiers",
        "modifier",
        "Modifiers",
        "modifiers",
        delete_limit=200,
    ),
    "group": MenusService(
        "modifierGroups",
        "/restaurants/item-modifier-group/v1",
        "modifier-groups",
        "modifierGroups",
        "modifierGroup",
        "ModifierGroups",
        "modifiers-groups",
        delete_limit=200,
    ),
}


def bulk_create(service: str) -> tuple[str, str, str]:
    """(operation, method, path) of a bulk create."""
    s = SERVICES[service]
    return f"{s.name}.bulkCreate{s.title}", "POST", f"{s.base}/bulk/{s.collection}/create"


def bulk_update(service: str) -> tuple[str, str, str]:
    s = SERVICES[service]
    # The SDK itself is inconsistent: bulkUpdateMenu/Section/Item, but bulkUpdateVariants/Modifiers/…
    title = s.singular_title if service in ("menu", "section", "item") else s.title
    return f"{s.name}.bulkUpdate{title}", "POST", f"{s.base}/bulk/{s.bulk_update_path}/update"


def bulk_delete(service: str, ids: list[str]) -> tuple[str, str, str]:
    s = SERVICES[service]
    return (
        f"{s.name}.bulkDelete{s.title}",
        "DELETE",
        f"{s.base}/bulk/{s.bulk_update_path}/delete?" + urlencode([("ids", i) for i in ids]),
    )


def single_create(service: str) -> tuple[str, str, str]:
    s = SERVICES[service]
    return f"{s.name}.create{s.singular_title}", "POST", f"{s.base}/{s.collection}"


def single_update(service: str, wix_id: str) -> tuple[str, str, str]:
    s = SERVICES[service]
    return f"{s.name}.update{s.singular_title}", "PATCH", f"{s.base}/{s.collection}/{wix_id}"


def single_delete(service: str, wix_id: str) -> tuple[str, str, str]:
    s = SERVICES[service]
    return f"{s.name}.delete{s.singular_title}", "DELETE", f"{s.base}/{s.collection}/{wix_id}"


class MenusApi:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def call(
        self, operation: str, method: str, path: str, body: JsonObject | None = None, idempotent: bool = True
    ) -> JsonObject:
        return await self.session.call(operation, method, path, json_body=body, idempotent=idempotent)

    async def list_all(self, service: str) -> list[JsonObject]:
        """Every entity of a service, following cursors (labels are unpaged)."""
        s = SERVICES[service]
        operation = f"{s.name}.list{s.title}"
        path = f"{s.base}/{s.collection}"
        if not s.paged:
            return listing(await self.session.call(operation, "GET", path), s.list_key, operation)
        found: list[JsonObject] = []
        cursor = None
        while True:
            params = [("paging.limit", str(PAGE))] + ([("paging.cursor", cursor)] if cursor else [])
            page = await self.session.call(operation, "GET", path, params=params)
            found.extend(listing(page, s.list_key, operation))
            paging = page.get("pagingMetadata") or page.get("metadata")
            meta: JsonObject = paging if isinstance(paging, dict) else {}
            found_cursors = meta.get("cursors")
            cursors: JsonObject = found_cursors if isinstance(found_cursors, dict) else {}
            following = cursors.get("next")
            cursor = following if isinstance(following, str) else None
            if not cursor or not meta.get("hasNext", True) or not page.get(s.list_key):
                return found

    async def count(self, service: str, before: str | None = None) -> int | None:
        """How many entities the service holds, or with ``before`` (RFC 3339) those whose
        ``updatedDate`` is before it (None: the answer gave no count, e.g. TOO_MANY_TO_COUNT comes
        back as an error instead). Menus and sections have no Count endpoint (§2)."""
        s = SERVICES[service]
        # The SDK counts modifiers at the alias path (the canonical base has no /count: §1.1).
        base = "/restaurants/menus/v1" if service == "modifier" else s.base
        body: JsonObject = {"filter": {"updatedDate": {"$lt": before}}} if before is not None else {}
        answer = await self.session.call(
            f"{s.name}.count{s.title}", "POST", f"{base}/{s.collection}/count", json_body=body
        )
        found = answer.get("count")
        return found if isinstance(found, int) and not isinstance(found, bool) else None

    async def updated_since(self, service: str, since: str) -> list[JsonObject]:
        """The service's entities whose ``updatedDate`` is at or after ``since`` (RFC 3339), in the
        Query's default order, following cursors (later pages send only the cursor: §1.3)."""
        s = SERVICES[service]
        operation = f"{s.name}.query{s.title}"
        path = f"{s.base}/{s.collection}/query"
        query: JsonObject = {"filter": {"updatedDate": {"$gte": since}}, "cursorPaging": {"limit": PAGE}}
        found: list[JsonObject] = []
        while True:
            page = await self.session.call(operation, "POST", path, json_body={"query": query})
            found.extend(listing(page, s.list_key, operation))
            paging = page.get("pagingMetadata")
            meta: JsonObject = paging if isinstance(paging, dict) else {}
            cursors = meta.get("cursors")
            following = cursors.get("next") if isinstance(cursors, dict) else None
            if not isinstance(following, str) or not following or not meta.get("hasNext", True):
                return found
            query = {"cursorPaging": {"limit": PAGE, "cursor": following}}

    async def fetch_by_ids(self, service: str, ids: list[str]) -> list[JsonObject]:
        """Current versions (with revisions) of some entities; used before compensating updates."""
        s = SERVICES[service]
        if not ids:
            return []
        if not s.paged:
            wanted = set(ids)
            return [e for e in await self.list_all(service) if e.get("id") in wanted]
        id_param = {"group": "modifierGroupIds"}.get(service, f"{service}Ids")
        found: list[JsonObject] = []
        for start in range(0, len(ids), PAGE):
            params = [(id_param, i) for i in ids[start : start + PAGE]] + [("paging.limit", str(PAGE))]
            operation = f"{s.name}.list{s.title}"
            page = await self.session.call(operation, "GET", f"{s.base}/{s.collection}", params=params)
            found.extend(listing(page, s.list_key, operation))
        return found
