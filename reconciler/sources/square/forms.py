"""The forms a Square catalog arrives in, reduced to one list of CatalogObjects (still camel or snake case).

Accepted shapes (all decoded JSON):

* every Catalog API request or response body that carries catalog objects (the table at
  ``_SINGLE``/``_LISTS`` below): ListCatalog, SearchCatalogObjects, SearchCatalogItems,
  RetrieveCatalogObject and BatchRetrieve (with or without ``related_objects``), UpsertCatalogObject
  and BatchUpsert requests and responses; or a list of such pages, or a bare list of CatalogObjects;
* Square's sample seed data: ``{"#Temp Id": {"data": CatalogObject, "image": {"url": ...}}}``;
* the GraphQL sample's ``{"catalog": [...], "customers": [...]}``.

The SDK-request forms are camelCase; :func:`snake_keys` converts them, so one reader
(:mod:`.parse`) serves both. Also used by the tests' fake Square API.
"""

from __future__ import annotations

import functools
import re

from reconciler.sources.errors import SourceInvalid, SourceProblem

KNOWN_TYPES = frozenset(
    {
        "ITEM",
        "ITEM_VARIATION",
        "CATEGORY",
        "MODIFIER_LIST",
        "MODIFIER",
        "TAX",
        "DISCOUNT",
        "IMAGE",
        "PRICING_RULE",
        "PRODUCT_SET",
        "TIME_PERIOD",
        "MEASUREMENT_UNIT",
        "ITEM_OPTION",
        "ITEM_OPTION_VAL",
        "CUSTOM_ATTRIBUTE_DEFINITION",
        "QUICK_AMOUNTS_SETTINGS",
        "SUBSCRIPTION_PLAN",
        "SUBSCRIPTION_PLAN_VARIATION",
        "AVAILABILITY_PERIOD",
        "SUBSCRIPTION_PRODUCT",
    }
)
# The payload key of each type, where it is not simply "<type>_data" (Square's own exception).
_PAYLOAD_KEY_OF = {"ITEM_OPTION_VAL": "item_option_value_data"}
TYPE_OF_PAYLOAD = {_PAYLOAD_KEY_OF.get(t, f"{t.lower()}_data"): t for t in KNOWN_TYPES}
PAYLOAD = {  # the payload of each type the translation reads
    "ITEM": "item_data",
    "ITEM_VARIATION": "item_variation_data",
    "CATEGORY": "category_data",
    "MODIFIER_LIST": "modifier_list_data",
    "MODIFIER": "modifier_data",
    "TAX": "tax_data",
}


_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
_OPAQUE_MAPS = {"custom_attribute_values"}  # their keys are data, not field names


def snake_keys(value: object) -> object:
    """camelCase keys → snake_case, recursively (snake_case keys are left as they are).

    What is already snake_case is returned as it is, not copied: a Catalog API export is, and a
    copy of a 100,000-object export cost as much memory as the export itself.
    """
    if isinstance(value, list):
        copied: list[object] | None = None
        for index, inner in enumerate(value):
            new = snake_keys(inner)
            if new is not inner:
                copied = copied if copied is not None else list(value)
                copied[index] = new
        return value if copied is None else copied
    if isinstance(value, dict):
        pairs = []
        changed = False
        for key, inner in value.items():
            name = _snake(key) if isinstance(key, str) else key
            nested = isinstance(inner, (dict, list)) and name not in _OPAQUE_MAPS  # a scalar is itself
            new = snake_keys(inner) if nested else inner
            changed = changed or new is not inner or name != key
            pairs.append((name, new))
        return dict(pairs) if changed else value
    return value


@functools.lru_cache(maxsize=4096)
def _snake(key: str) -> str:
    return _CAMEL.sub(r"_\1", key).lower()


def raw_objects(raw: object) -> tuple[list[object], dict[str, str]]:
    """The CatalogObjects of any accepted form (still camel or snake), and seed image URLs."""
    seed_images: dict[str, str] = {}
    if isinstance(raw, list):
        if raw and all(isinstance(p, dict) and _envelope(p) for p in raw):
            return [o for page in raw for o in _envelope_objects(page)], seed_images
        return list(raw), seed_images
    if not isinstance(raw, dict):
        raise _not_square(f"expected a JSON object or list, found {type(raw).__name__}")
    if _envelope(raw):
        return _envelope_objects(raw), seed_images
    if _is_object(raw):
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
    found = ", ".join(sorted(str(k) for k in raw)[:12])
    raise _not_square(
        f"found the keys {found}; expected a Catalog API body (objects, object, catalog_object, items, "
        "batches, related_objects), a list of catalog objects, or Square seed data ({\"#id\": {\"data\": ...}})"
    )


# Where each Catalog API body keeps its objects (keys in snake_case; camelCase is accepted too):
#   ListCatalog, SearchCatalogObjects, BatchRetrieve, BatchUpsert response: objects (+ related_objects)
#   RetrieveCatalogObject response, UpsertCatalogObject request:            object (+ related_objects)
#   UpsertCatalogObject response:                                           catalog_object
#   SearchCatalogItems response:                                            items
#   BatchUpsert request:                                                    batches[].objects
#   the GraphQL sample:                                                     catalog
_SINGLE = ("object", "catalog_object")
_LISTS = ("objects", "related_objects", "items", "catalog")


def _snake(key: object) -> object:
    return _snake_text(key) if isinstance(key, str) else key


@functools.lru_cache(maxsize=4096)
def _snake_text(key: str) -> str:
    """Memoized: an export has a few dozen distinct field names, repeated on every object (a third of
    the translation's time at 10,000 dishes was spent converting the same names again)."""
    return _CAMEL.sub(r"_\1", key).lower()


def _envelope(raw: dict) -> bool:
    keys = {_snake(k) for k in raw}
    if keys & {*_LISTS, "catalog_object"} or isinstance(raw.get("batches"), list):
        return True
    return isinstance(raw.get("object"), dict)  # "object" alone is also a common field name


def _is_object(raw: dict) -> bool:
    """A bare CatalogObject: an id and a type, or an id and one ``*_data`` payload."""
    if "id" not in raw:
        return False
    return "type" in raw or any(isinstance(k, str) and _snake(k).endswith("_data") for k in raw)


def _envelope_objects(page: dict) -> list[object]:
    body = {_snake(k): v for k, v in page.items()}
    out: list[object] = []
    for key in _SINGLE:
        value = body.get(key)
        if value is not None and not isinstance(value, dict):
            raise _not_square(f'"{key}" must be a catalog object')
        if value is not None:
            out.append(value)
    for key in _LISTS:
        value = body.get(key)
        if value is not None and not isinstance(value, list):
            raise _not_square(f'"{key}" must be a list')
        out.extend(value or [])
    batches = body.get("batches")
    if batches is not None:
        if not isinstance(batches, list):
            raise _not_square('"batches" must be a list')
        for batch in batches:
            objects = batch.get("objects") if isinstance(batch, dict) else None
            if not isinstance(objects, list):
                raise _not_square('each of "batches" must have a list "objects"')
            out.extend(objects)
    return out


def _not_square(message: str) -> SourceInvalid:
    return SourceInvalid("square", [SourceProblem("file", "", "", f"not a Square catalog: {message}")])


def locations_of(raw: object) -> list[tuple[str, str]]:
    """The merchant's active locations ``(id, name)`` that came with the catalog, in Square's order.

    ``reconcile import square --from-api`` adds the ListLocations answer as ``"locations"``; an
    export file may carry it the same way (``{"objects": [...], "locations": [...]}``). Without
    it, nothing says which locations exist, and the import is of one location, as before.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("locations"), list):
        return []
    found = []
    for entry in raw["locations"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
            continue
        if entry.get("status") not in (None, "ACTIVE"):
            continue  # an inactive location sells nothing
        name = entry.get("name")
        found.append((entry["id"], name if isinstance(name, str) and name.strip() else entry["id"]))
    return found
