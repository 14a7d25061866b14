"""The forms a Square catalog arrives in, reduced to one list of CatalogObjects (still camel or snake case).

Accepted shapes (all decoded JSON):

* a ListCatalog or SearchCatalogObjects response ``{"objects": [...], "related_objects": [...]}``,
  or a list of such pages, or a bare list of CatalogObjects (REST, snake_case);
* a batch upsert body ``{"batches": [{"objects": [...]}]}`` or a single ``{"object": {...}}``;
* Square's sample seed data: ``{"#Temp Id": {"data": CatalogObject, "image": {"url": ...}}}``;
* the GraphQL sample's ``{"catalog": [...], "customers": [...]}``.

The SDK-request forms are camelCase; :func:`snake_keys` converts them, so one reader
(:mod:`.parse`) serves both. Also used by the tests' fake Square API.
"""

from __future__ import annotations

import re

from reconciler.sources.errors import SourceInvalid, SourceProblem

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
_OPAQUE_MAPS = {"custom_attribute_values"}  # their keys are data, not field names


def snake_keys(value: object) -> object:
    """camelCase keys → snake_case, recursively (snake_case keys are left as they are)."""
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            name = _CAMEL.sub(r"_\1", key).lower() if isinstance(key, str) else key
            out[name] = inner if name in _OPAQUE_MAPS else snake_keys(inner)
        return out
    return value


def raw_objects(raw: object) -> tuple[list[object], dict[str, str]]:
    """The CatalogObjects of any accepted form (still camel or snake), and seed image URLs."""
    seed_images: dict[str, str] = {}
    if isinstance(raw, list):
        if raw and all(
            isinstance(p, dict) and ("objects" in p or "related_objects" in p or "relatedObjects" in p) for p in raw
        ):
            return [o for page in raw for o in _page_objects(page)], seed_images
        return list(raw), seed_images
    if not isinstance(raw, dict):
        raise _not_square(f"expected a JSON object or list, found {type(raw).__name__}")
    if "objects" in raw or "related_objects" in raw or "relatedObjects" in raw:
        return _page_objects(raw), seed_images
    if isinstance(raw.get("catalog"), list):
        return list(raw["catalog"]), seed_images
    if isinstance(raw.get("batches"), list):
        return [o for b in raw["batches"] if isinstance(b, dict) for o in (b.get("objects") or [])], seed_images
    if isinstance(raw.get("object"), dict):
        return [raw["object"]], seed_images
    if "type" in raw and "id" in raw:
        return [raw], seed_images
    if raw and all(isinstance(v, dict) and "data" in v for v in raw.values()):
        objects = []
        for entry in raw.values():
            objects.append(entry["data"])
            image = entry.get("image")
            data = entry["data"]
            if isinstance(image, dict) and isinstance(image.get("url"), str) and isinstance(data, dict):
                seed_images[str(data.get("id"))] = image["url"]
        return objects, seed_images
    if not raw:
        return [], seed_images
    raise _not_square(
        "expected a ListCatalog/SearchCatalogObjects response, a list of catalog objects, "
        "or Square seed data ({\"#id\": {\"data\": ...}})"
    )


def _page_objects(page: dict) -> list[object]:
    objects = page.get("objects") or []
    related = page.get("related_objects") or page.get("relatedObjects") or []
    if not isinstance(objects, list) or not isinstance(related, list):
        raise _not_square("\"objects\" and \"related_objects\" must be lists")
    return [*objects, *related]


def _not_square(message: str) -> SourceInvalid:
    return SourceInvalid("square", [SourceProblem("file", "", "", f"not a Square catalog: {message}")])
