"""Query filters and sorting for the Menus (New) Query, Count and Search endpoints (§1.3, §2.11).

A filter is Wix's JSON query language: ``{"field": value}`` (equality), ``{"field": {"$op": x}}``,
and ``$and`` / ``$or`` / ``$not``. Operators: ``$eq $ne $lt $lte $gt $gte $in $nin $hasSome
$hasAll $startsWith $exists``. Each service accepts only the fields and operators §2.11 lists for it
(anything else is a 400), and sorts only on the fields §2.11 marks sortable. SDK spellings
(``_id``, ``_createdDate``, ``_updatedDate``, ``labels._id``) are accepted for the REST names.

Dotted paths reach through arrays (``labels.id`` is every label id of an item). On an array field
``$eq`` means "contains", ``$in``/``$hasSome`` "shares an element", ``$hasAll`` "contains all", and
``$exists`` "is not empty". Dates compare as instants, whatever their ISO-8601 spelling.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from reconciler.emulator.errors import FORMAT, MAX_LENGTH, MAX_SIZE, OTHER, WixError, violation

EQ = frozenset({"$eq", "$ne", "$in", "$nin"})
CMP = frozenset({"$eq", "$ne", "$gt", "$gte", "$lt", "$lte"})
STR = EQ | {"$startsWith"}
ALL = EQ | CMP | {"$startsWith", "$exists"}
SOME = frozenset({"$hasSome", "$hasAll"})
EXISTS = frozenset({"$exists"})
DATES = {"createdDate": CMP, "updatedDate": CMP}
DATE_FIELDS = frozenset({"createdDate", "updatedDate", "startTime", "endTime"})  # compared as instants

FILTERABLE: dict[str, dict[str, frozenset[str]]] = {
    "menus": {
        "id": EQ,
        "sectionIds": frozenset({"$hasSome"}),
        "name": STR,
        "description": STR,
        "urlQueryParam": STR,
        **DATES,
        "visible": frozenset({"$eq", "$ne"}),
    },
    "sections": {
        "id": EQ,
        "name": STR,
        "description": STR,
        "itemIds": frozenset({"$exists", "$hasSome"}),
        "image": EXISTS,
        **DATES,
    },
    "items": {
        "businessLocationIds": SOME,
        **dict.fromkeys(
            ("id", "name", "description", "featured", "visible", "image.id", "createdDate", "updatedDate"), ALL
        ),
        **dict.fromkeys(
            (
                "orderSettings.inStock",
                "orderSettings.acceptSpecialRequests",
                "priceVariants.variants.price",
                "priceVariants.variants.priceInfo.price",
            ),
            EQ | EXISTS,
        ),
        "labels.id": SOME,
        "modifierGroups.id": SOME,
        "priceVariants.variants.variantId": SOME,
    },
    "variants": {"id": EQ, "name": EQ, **DATES},
    "modifiers": {"id": EQ, "name": EQ, **DATES},
    "labels": {"id": EQ, "name": STR, "icon": EXISTS, **DATES},
    "modifierGroups": {
        "id": EQ,
        "name": STR,
        "modifiers.id": frozenset({"$hasSome", "$in", "$nin"}),
        "modifiers.preSelected": frozenset({"$eq", "$ne"}),
        "rule.minSelections": frozenset({"$eq", "$ne"}),
        "rule.maxSelections": frozenset({"$eq", "$ne"}),
        "rule.required": EQ,
        "modifiers": EXISTS,
        "rule": EXISTS,
        **DATES,
    },
    # Online Orders (reconciler/emulator/orders): the fields their Sorting and Filtering pages list
    "menuOrderingSettings": {
        "id": EQ,
        "menuId": EQ,
        "operationId": EQ,
        "businessLocationId": EQ,
        "onlineOrderingEnabled": frozenset({"$eq", "$ne"}),
        "availability.type": EQ,
        **DATES,
    },
    "availabilityExceptions": {
        "id": STR,
        "name": STR,
        "operationId": EQ,
        "available": EQ,
        "affectedFulfillmentMethods.affectedMethods": STR,
        **dict.fromkeys(("createdDate", "updatedDate", "startTime", "endTime"), CMP | {"$in", "$nin"}),
    },
}
SORTABLE: dict[str, frozenset[str]] = {
    "menuOrderingSettings": frozenset({"id", "createdDate", "updatedDate"}),
    "availabilityExceptions": frozenset({"id", "createdDate", "updatedDate", "startTime", "endTime", "name"}),
    "menus": frozenset({"name", "description", "urlQueryParam", "createdDate", "updatedDate"}),
    "items": frozenset(
        {
            "businessLocationIds",
            "id",
            "name",
            "description",
            "featured",
            "visible",
            "image.id",
            "createdDate",
            "updatedDate",
            "orderSettings.inStock",
            "orderSettings.acceptSpecialRequests",
            "priceVariants.variants.price",
            "priceVariants.variants.priceInfo.price",
        }
    ),
}
_LIST_OPERANDS = frozenset({"$in", "$nin", "$hasSome", "$hasAll"})
_SDK_NAMES = {"_id": "id", "_createdDate": "createdDate", "_updatedDate": "updatedDate"}

Predicate = Callable[[dict[str, Any]], bool]


def rest_path(field: str) -> str:
    return ".".join(_SDK_NAMES.get(part, part) for part in field.split("."))


def values_at(entity: Any, path: str) -> tuple[list[Any], bool]:
    """Every value at a dotted path, and whether the path went through an array."""
    nodes, through_array = [entity], False
    for part in path.split("."):
        found: list[Any] = []
        for node in nodes:
            if isinstance(node, dict) and node.get(part) is not None:
                value = node[part]
                if isinstance(value, list):
                    through_array = True
                    found.extend(value)
                else:
                    found.append(value)
        nodes = found
    return [node for node in nodes if node is not None], through_array


def _instant(value: Any) -> Any:
    if isinstance(value, dict) and "$date" in value:
        value = value["$date"]
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value


def _compare(op: str, actual: Any, operand: Any) -> bool:
    try:
        if op == "$gt":
            return actual > operand
        if op == "$gte":
            return actual >= operand
        if op == "$lt":
            return actual < operand
        return actual <= operand
    except TypeError:
        return False


def _test(op: str, values: list[Any], array: bool, operand: Any) -> bool:
    if op == "$eq":
        if isinstance(operand, list):
            return values == operand
        return operand in values if array else values[:1] == [operand]
    if op == "$ne":
        return not _test("$eq", values, array, operand)
    if op in ("$in", "$hasSome"):
        return any(value in operand for value in values)
    if op == "$nin":
        return not any(value in operand for value in values)
    if op == "$hasAll":
        return all(wanted in values for wanted in operand)
    if op == "$exists":
        return bool(values) == bool(operand)
    if op == "$startsWith":
        return any(isinstance(value, str) and value.startswith(operand) for value in values)
    if not values:
        return False
    return _compare(op, values[0], operand)


def _bad(path: str, description: str, rule: str = FORMAT) -> WixError:
    return violation(path, description, rule)


def compile_filter(service: str, raw: Any, path: str = "query.filter") -> Predicate:
    """Check a filter against §2.11 and turn it into a predicate over entity bodies."""
    if raw is None or raw == {}:
        return lambda entity: True
    if not isinstance(raw, dict):
        raise _bad(path, "expected an object")
    allowed = FILTERABLE[service]
    parts: list[Predicate] = []
    for key, condition in raw.items():
        if key in ("$and", "$or"):
            if not isinstance(condition, list) or not condition:
                raise _bad(f"{path}.{key}", "expected a non-empty array of filters")
            subs = [compile_filter(service, sub, f"{path}.{key}[{i}]") for i, sub in enumerate(condition)]
            combine = all if key == "$and" else any
            parts.append(lambda entity, subs=subs, combine=combine: combine(sub(entity) for sub in subs))
        elif key == "$not":
            sub = compile_filter(service, condition, f"{path}.$not")
            parts.append(lambda entity, sub=sub: not sub(entity))
        else:
            parts.append(_field_predicate(key, condition, allowed, f"{path}.{key}"))
    return lambda entity: all(part(entity) for part in parts)


def _field_predicate(key: str, condition: Any, allowed: dict[str, frozenset[str]], path: str) -> Predicate:
    field = rest_path(key)
    if field not in allowed:
        raise _bad(path, f"{key!r} cannot be filtered on (filterable: {', '.join(sorted(allowed))})", OTHER)
    if not (isinstance(condition, dict) and condition and all(op.startswith("$") for op in condition)):
        condition = {"$eq": condition}
    tests: list[tuple[str, Any]] = []
    for op, operand in condition.items():
        if op not in allowed[field]:
            raise _bad(
                path,
                f"operator {op} is not supported on {field} (supported: {', '.join(sorted(allowed[field]))})",
                OTHER,
            )
        if op in _LIST_OPERANDS and not isinstance(operand, list):
            raise _bad(f"{path}.{op}", "expected an array")
        if op == "$exists" and not isinstance(operand, bool):
            raise _bad(f"{path}.{op}", "expected true or false")
        if op == "$startsWith" and not isinstance(operand, str):
            raise _bad(f"{path}.{op}", "expected a string")
        if field in DATE_FIELDS and op not in ("$exists",):
            operand = [_instant(x) for x in operand] if isinstance(operand, list) else _instant(operand)
        tests.append((op, operand))
    dated = field in DATE_FIELDS

    def predicate(entity: dict[str, Any]) -> bool:
        values, array = values_at(entity, field)
        if dated:
            values = [_instant(value) for value in values]
        return all(_test(op, values, array, operand) for op, operand in tests)

    return predicate


# --- sorting ----------------------------------------------------------------------------------------


def check_sort(
    service: str, raw: Any, path: str = "query.sort", field_max: int = 512, max_entries: int = 4
) -> list[tuple[str, bool]]:
    """``[(REST field path, descending), ...]`` from ``[{"fieldName", "order"}]``."""
    if raw is None:
        return []
    specs = raw if isinstance(raw, list) else [raw]
    if len(specs) > max_entries:
        raise _bad(path, f"must have at most {max_entries} element(s)", MAX_SIZE)
    sortable = SORTABLE.get(service, frozenset())
    out: list[tuple[str, bool]] = []
    for index, spec in enumerate(specs):
        where = f"{path}[{index}]"
        if not isinstance(spec, dict) or not isinstance(spec.get("fieldName"), str):
            raise _bad(f"{where}.fieldName", "is required")
        name = spec["fieldName"]
        if len(name) > field_max:
            raise _bad(f"{where}.fieldName", f"must have at most {field_max} characters", MAX_LENGTH)
        field = rest_path(name)
        if field not in sortable:
            raise _bad(
                f"{where}.fieldName",
                f"{name!r} is not sortable"
                + (f" (sortable: {', '.join(sorted(sortable))})" if sortable else " (nothing is)"),
                OTHER,
            )
        order = spec.get("order") or "ASC"
        if order not in ("ASC", "DESC"):
            raise _bad(f"{where}.order", "must be ASC or DESC", "INVALID_ENUM_VALUE")
        out.append((field, order == "DESC"))
    return out


def _rank(value: Any) -> tuple[Any, ...]:
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, (int, float)):
        return (2, value)
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, (list, tuple)):
        return (4, tuple(_rank(item) for item in value))
    return (5, str(value))


def sort_key(entity: dict[str, Any], spec: list[tuple[str, bool]], seq: int) -> list[Any]:
    """The values a cursor remembers for one row: each sort field's value, then the creation seq."""
    key: list[Any] = []
    for field, _descending in spec:
        values, array = values_at(entity, field)
        key.append(values if array else (values[0] if values else None))
    return [*key, seq]


def comparator(spec: list[tuple[str, bool]]) -> Callable[[list[Any], list[Any]], int]:
    directions = [-1 if descending else 1 for _field, descending in spec] + [1]

    def compare(left: list[Any], right: list[Any]) -> int:
        for direction, a, b in zip(directions, left, right, strict=False):
            ra, rb = _rank(a), _rank(b)
            if ra != rb:
                return direction * (1 if ra > rb else -1)
        return 0

    return compare


def ordered(
    entries: list[tuple[list[Any], dict[str, Any]]], spec: list[tuple[str, bool]]
) -> list[tuple[list[Any], dict[str, Any]]]:
    compare = comparator(spec)
    return sorted(entries, key=functools.cmp_to_key(lambda a, b: compare(a[0], b[0])))
