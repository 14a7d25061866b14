"""A thin test client for the Menus (New) API: paths per service, envelopes, assertion shortcuts."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.emulator.helpers import app_error, ok, violated, violations

__all__ = [
    "ALIAS",
    "BASE",
    "COLLECTION",
    "KIND",
    "PLURAL",
    "Wix",
    "app_error",
    "new_guid",
    "ok",
    "violated",
    "violations",
]

ALIAS = "/restaurants/menus/v1"
BASE = {
    "menus": "/restaurants/menus-menu/v1",
    "sections": "/restaurants/menus-section/v1",
    "items": "/restaurants/menus-item/v1",
    "variants": "/restaurants/item-variants/v1",
    "labels": "/restaurants/item-labels/v1",
    "modifiers": "/restaurants/item-modifiers/v1",
    "modifierGroups": "/restaurants/item-modifier-group/v1",
}
COLLECTION = {
    "menus": "/menus",
    "sections": "/sections",
    "items": "/items",
    "variants": "/variants",
    "labels": "/labels",
    "modifiers": "/modifiers",
    "modifierGroups": "/modifier-groups",
}
KIND = {
    "menus": "menu",
    "sections": "section",
    "items": "item",
    "variants": "variant",
    "labels": "label",
    "modifiers": "modifier",
    "modifierGroups": "modifierGroup",
}
PLURAL = {service: service for service in KIND}
BULK_SEGMENT = {**{s: c.strip("/") for s, c in COLLECTION.items()}, "modifierGroups": "modifiers-groups"}
MINIMAL: dict[str, dict[str, Any]] = {
    "menus": {"name": "Menu"},
    "sections": {"name": "Section"},
    "items": {"name": "Item", "priceInfo": {"price": "10.00"}},
    "variants": {"name": "Variant"},
    "labels": {"name": "Label"},
    "modifiers": {"name": "Modifier"},
    "modifierGroups": {"name": "Group"},
}


def new_guid() -> str:
    return str(uuid.uuid4())


class Wix:
    def __init__(self, client: httpx.Client):
        self.client = client

    # --- raw requests ------------------------------------------------------------------------------
    def url(self, service: str, suffix: str = "", alias: bool = False) -> str:
        return (ALIAS if alias else BASE[service]) + COLLECTION[service] + suffix

    def bulk_url(self, service: str, action: str) -> str:
        segment = BULK_SEGMENT[service]
        if action == "create":
            segment = COLLECTION[service].strip("/")
        return f"{BASE[service]}/bulk/{segment}/{action}"

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.client.post(path, json=body)

    # --- entity calls (asserting success) ---------------------------------------------------------
    def create(self, service: str, **fields: Any) -> dict[str, Any]:
        body = {**MINIMAL[service], **fields}
        return ok(self.client.post(self.url(service), json={KIND[service]: body}))[KIND[service]]

    def create_raw(self, service: str, entity: dict[str, Any]) -> httpx.Response:
        return self.client.post(self.url(service), json={KIND[service]: entity})

    def get(self, service: str, ident: str) -> dict[str, Any]:
        return ok(self.client.get(self.url(service, f"/{ident}")))[KIND[service]]

    def update_raw(self, service: str, ident: str, entity: dict[str, Any], **extra: Any) -> httpx.Response:
        return self.client.patch(self.url(service, f"/{ident}"), json={KIND[service]: {"id": ident, **entity}, **extra})

    def update(self, service: str, ident: str, revision: str, **fields: Any) -> dict[str, Any]:
        return ok(self.update_raw(service, ident, {"revision": revision, **fields}))[KIND[service]]

    def delete(self, service: str, ident: str) -> httpx.Response:
        return self.client.delete(self.url(service, f"/{ident}"))

    def bulk_create(self, service: str, entities: list[dict[str, Any]], **extra: Any) -> httpx.Response:
        return self.client.post(self.bulk_url(service, "create"), json={PLURAL[service]: entities, **extra})

    def bulk_update(self, service: str, elements: list[dict[str, Any]], **extra: Any) -> httpx.Response:
        return self.client.post(self.bulk_url(service, "update"), json={PLURAL[service]: elements, **extra})

    def bulk_delete(self, service: str, ids: list[str]) -> httpx.Response:
        return self.client.delete(self.bulk_url(service, "delete"), params=[("ids", i) for i in ids])

    def list(self, service: str, **params: Any) -> dict[str, Any]:
        return ok(self.client.get(self.url(service), params=params))

    def query(self, service: str, query: dict[str, Any]) -> httpx.Response:
        return self.client.post(self.url(service, "/query"), json={"query": query})

    def count(self, service: str, filter: dict[str, Any] | None = None) -> int:
        body = {} if filter is None else {"filter": filter}
        return ok(self.client.post(self.url(service, "/count"), json=body))["count"]

    def many(self, service: str, count: int, **fields: Any) -> list[dict[str, Any]]:
        """``count`` entities made by bulk create (100 per call), returned whole, in order."""
        made: list[dict[str, Any]] = []
        for start in range(0, count, 100):
            batch = [
                {**MINIMAL[service], "name": f"{service} {i}", **fields} for i in range(start, min(count, start + 100))
            ]
            body = ok(self.bulk_create(service, batch, returnEntity=True))
            made += [result[_entity_key(service, "create")] for result in body["results"]]
        return made


def _entity_key(service: str, action: str) -> str:
    if service == "sections" and action == "create":
        return "item"
    return KIND[service]
