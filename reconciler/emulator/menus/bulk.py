"""Bulk create, update and delete: per-element outcomes, never atomic (§3.4, §7.2, §7.3).

A schema violation anywhere in the request (array size 1-100, 1-200 ids for deletes, a bad field in
element 7, a missing ``revision`` or ``id``) fails the whole call with 400 before anything is
written. Otherwise every element runs in its own savepoint: one that breaks a rule (404 not found,
409 stale revision, 428 missing pricing, a dangling reference, a modifier-group rule) is rolled
back alone and reported with ``success: false`` and ``error {code, description, data}``; the others
commit. A stale revision is code ``INVALID_REVISION`` (§1.5); a validation error inside one element
is code ``INVALID_ARGUMENT`` with its ``fieldViolations`` in ``data``.

Results come in request order with ``originalIndex``; the metadata key (``itemMetadata``,
``menuMetadata``, ``sectionMetadata``) and the entity key differ per service (``services.py``).
The entity appears only when ``returnEntity`` is true (default false). A failed create has no ``id``.
``bulkActionMetadata.undetailedFailures`` is always 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.emulator.errors import FORMAT, MAX_SIZE, MIN_SIZE, REQUIRED_FIELD, WixError
from reconciler.emulator.faults import check_element
from reconciler.emulator.menus.entities import Ctx
from reconciler.emulator.menus.validate import Checker

Apply = Callable[[int, Any], "dict[str, Any] | None"]


def check_array(checker: Checker, value: Any, path: str, maximum: int) -> list[Any]:
    if value is None:
        checker.add(path, "is required", REQUIRED_FIELD)
        return []
    if not isinstance(value, list):
        checker.add(path, "expected an array", FORMAT)
        return []
    if not value:
        checker.add(path, "must have at least 1 element", MIN_SIZE)
    if len(value) > maximum:
        checker.add(path, f"must have at most {maximum} elements", MAX_SIZE)
    return value


def return_entity(checker: Checker, body: dict[str, Any]) -> bool:
    value = body.get("returnEntity")
    checker.boolean(value, "returnEntity")
    return value is True


def element_error(error: WixError) -> dict[str, Any]:
    if error.is_validation:
        return {
            "code": "INVALID_ARGUMENT",
            "description": error.message,
            "data": {"fieldViolations": [violation.to_json() for violation in error.violations]},
        }
    return error.application_json()


def run(
    ctx: Ctx,
    elements: list[Any],
    keys: tuple[str, str],
    keep_entity: bool,
    apply: Apply,
    element_id: Callable[[Any], str | None] = lambda element: None,
) -> dict[str, Any]:
    """Apply each element in its own savepoint and assemble ``{results, bulkActionMetadata}``."""
    meta_key, entity_key = keys
    results: list[dict[str, Any]] = []
    successes = 0
    for index, element in enumerate(elements):
        ident = element_id(element)
        error: dict[str, Any] | None = None
        entity: dict[str, Any] | None = None
        try:
            with ctx.tx.savepoint():
                check_element(index)
                entity = apply(index, element)
        except WixError as exc:
            error = element_error(exc)
        if entity is not None:
            ident = entity["id"]
        metadata: dict[str, Any] = {"id": ident} if ident is not None else {}
        metadata.update({"originalIndex": index, "success": error is None})
        if error is not None:
            metadata["error"] = error
        else:
            successes += 1
        result: dict[str, Any] = {meta_key: metadata}
        if entity is not None and keep_entity:
            result[entity_key] = entity
        results.append(result)
    ctx.finish()
    return {
        "results": results,
        "bulkActionMetadata": {
            "totalSuccesses": successes,
            "totalFailures": len(results) - successes,
            "undetailedFailures": 0,
        },
    }
