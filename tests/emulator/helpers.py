"""Request helpers for the emulator suite: paths, minimal valid bodies, and assertion shortcuts."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

V3 = "/restaurants/v3"
PREFIXES = ("/restaurants/v3", "/v3")


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    )
    return response.json()


def app_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert a Wix application error envelope with this status and code; return the error."""
    assert response.status_code == status, f"expected {status} {code}, got {response.status_code} {response.text}"
    body = response.json()
    assert set(body) == {"message", "details"}, body
    error = body["details"]["applicationError"]
    assert error["code"] == code, body
    assert isinstance(error["description"], str) and error["description"]
    assert "data" in error
    return error


def violations(response: httpx.Response) -> list[dict[str, str]]:
    """Assert a 400 validation error envelope; return its field violations."""
    assert response.status_code == 400, f"expected 400, got {response.status_code} {response.text}"
    body = response.json()
    assert set(body) == {"message", "details"}, body
    found = body["details"]["validationError"]["fieldViolations"]
    assert found, body
    for violation in found:
        assert set(violation) == {"field", "description", "violatedRule"}, violation
    return found


def violated(response: httpx.Response, field: str, rule: str | None = None) -> None:
    found = violations(response)
    matching = [v for v in found if v["field"] == field and (rule is None or v["violatedRule"] == rule)]
    assert matching, f"no violation of {field} ({rule}) in {found}"


def new_guid() -> str:
    return str(uuid.uuid4())


def catalog_path(catalog_id: str, prefix: str = V3) -> str:
    return f"{prefix}/catalogs/{catalog_id}"


def draft_path(catalog_id: str, prefix: str = V3) -> str:
    return f"{prefix}/draft-catalogs/{catalog_id}"


def create_menu(api: httpx.Client, catalog_id: str, **fields: Any) -> dict[str, Any]:
    return ok(api.post(f"{catalog_path(catalog_id)}/menus", json={"menu": {"name": "Menu", **fields}}))["menu"]


def create_section(api: httpx.Client, catalog_id: str, menu_id: str, **fields: Any) -> dict[str, Any]:
    path = f"{catalog_path(catalog_id)}/menus/{menu_id}/sections"
    return ok(api.post(path, json={"section": {"name": "Section", **fields}}))["section"]


def create_dish(api: httpx.Client, catalog_id: str, menu_id: str, section_id: str, **fields: Any) -> dict[str, Any]:
    path = f"{catalog_path(catalog_id)}/menus/{menu_id}/sections/{section_id}/items"
    return ok(api.post(path, json={"dish": {"name": "Dish", "price": {"value": "10.00"}, **fields}}))["dish"]


def create_variation(api: httpx.Client, catalog_id: str, name: str = "Variation") -> dict[str, Any]:
    return ok(api.post(f"{catalog_path(catalog_id)}/variations", json={"name": name}))["variation"]


def menu_section_dish(api: httpx.Client, catalog_id: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A menu holding a section holding a dish, each as now stored (after the U13 appends)."""
    menu = create_menu(api, catalog_id)
    section = create_section(api, catalog_id, menu["id"])
    dish = create_dish(api, catalog_id, menu["id"], section["id"])
    menu = ok(api.get(f"{catalog_path(catalog_id)}/menus/{menu['id']}"))["menu"]
    section = ok(api.get(f"{catalog_path(catalog_id)}/menus/{menu['id']}/sections/{section['id']}"))["section"]
    return menu, section, dish


def create_draft(api: httpx.Client, catalog_id: str) -> dict[str, Any]:
    return ok(api.post(f"{draft_path(catalog_id)}/create", json={"catalogId": catalog_id}))["catalog"]


def publish(api: httpx.Client, catalog_id: str) -> dict[str, Any]:
    return ok(api.post(f"{draft_path(catalog_id)}/publish", json={"catalogId": catalog_id}))["catalog"]


def bulk(api: httpx.Client, catalog_id: str, what: str, body: dict[str, Any]) -> httpx.Response:
    return api.post(f"{draft_path(catalog_id)}/bulk/{what}", json=body)


def list_of(api: httpx.Client, catalog_id: str, kind: str, **params: Any) -> list[dict[str, Any]]:
    return ok(api.get(f"{catalog_path(catalog_id)}/{kind}", params=params))[kind]


def discount_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Lunch 10%",
        "active": True,
        "type": "OFF_ORDER",
        "percentage": "10",
        "condition": {
            "fulfillmentTypes": ["PICKUP_OR_DINE_IN"],
            "platforms": ["SITE", "MOBILE_SITE"],
            "minOrderPrice": {"value": "20.00"},
        },
    }
    body.update(overrides)
    return body
