"""The ten bulk endpoints of a draft catalog (reference §3.2 #5-13, §9.1).

Every bulk call takes 1 to 20 elements. Schema violations anywhere in the request (array size, a
bad enum inside element 7, ...) fail the whole call with 400 before anything is written. Otherwise
each element runs in its own savepoint: an element that breaks a business rule (not found,
archived, invalid dish option, ...) is rolled back alone and reported with ``success: false`` and
its ``error``, the call still answers 200, and ``bulkActionMetadata`` counts both outcomes
(``undetailedFailures`` is always 0). ``returnFullEntity: false`` leaves ``entity`` out (U17).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.emulator.errors import FORMAT, MAX_SIZE, MIN_SIZE, REQUIRED_FIELD, WixError
from reconciler.emulator.faults import check_element
from reconciler.emulator.routing import Call
from reconciler.emulator.v3 import enums, items, menus, sections
from reconciler.emulator.v3.repo import CatalogScope
from reconciler.emulator.v3.scopes import draft_scope
from reconciler.emulator.v3.validate import Checker

CheckElement = Callable[[Checker, Any, str], None]
ApplyElement = Callable[[CatalogScope, Any], dict[str, Any]]
ElementId = Callable[[Any], "str | None"]
Warm = Callable[[CatalogScope, list[Any]], None]


def _no_id(_element: Any) -> str | None:
    return None


def run(
    call: Call,
    key: str,
    check: CheckElement,
    apply: ApplyElement,
    element_id: ElementId = _no_id,
    warm: Warm | None = None,
) -> dict[str, Any]:
    """``warm``: look up at once what the elements will check one by one (the draft view keeps it)."""
    checker = Checker()
    elements = call.body.get(key)
    if elements is None:
        checker.add(key, "is required", REQUIRED_FIELD)
    elif not isinstance(elements, list):
        checker.add(key, "expected an array", FORMAT)
    elif len(elements) < enums.BULK_MIN:
        checker.add(key, f"must have at least {enums.BULK_MIN} element", MIN_SIZE)
    elif len(elements) > enums.BULK_MAX:
        checker.add(key, f"must have at most {enums.BULK_MAX} elements", MAX_SIZE)
    else:
        for index, element in enumerate(elements):
            check(checker, element, f"{key}[{index}]")
    return_full = call.body.get("returnFullEntity")
    checker.boolean(return_full, "returnFullEntity")
    checker.raise_if_any()

    scope = draft_scope(call)
    if warm is not None:
        warm(scope, elements)
    results: list[dict[str, Any]] = []
    successes = 0
    for index, element in enumerate(elements):
        # `error` only on a failure: the SDK types it ApplicationError | undefined, never null.
        metadata: dict[str, Any] = {"id": element_id(element), "originalIndex": index, "success": True}
        result: dict[str, Any] = {"entityMetadata": metadata}
        try:
            with call.tx.savepoint():
                check_element(index)
                entity = apply(scope, element)
        except WixError as exc:
            scope.forget()  # the element's writes were rolled back with its savepoint
            metadata["success"] = False
            metadata["error"] = exc.application_json()
        else:
            successes += 1
            metadata["id"] = entity["id"]
            if return_full is not False:
                result["entity"] = entity
        results.append(result)
    return {
        "results": results,
        "bulkActionMetadata": {
            "totalSuccesses": successes,
            "totalFailures": len(results) - successes,
            "undetailedFailures": 0,
        },
    }


# --- element checks and actions ------------------------------------------------------------------


def _obj(element: Any, key: str) -> dict[str, Any]:
    value = element.get(key) if isinstance(element, dict) else None
    return value if isinstance(value, dict) else {}


def _check_wrapped(message_key: str, check_message: str) -> CheckElement:
    """An element ``{menuId[, sectionId], <message_key>: {...}}``."""

    def check(checker: Checker, element: Any, path: str) -> None:
        element = checker.obj(element, path)
        if element is None:
            return
        checker.string(element.get("menuId"), f"{path}.menuId")
        checker.string(element.get("sectionId"), f"{path}.sectionId")
        getattr(checker, check_message)(element.get(message_key), f"{path}.{message_key}")

    return _object(check)


def _object(check: CheckElement) -> CheckElement:
    """Elements of this array must be JSON objects."""

    def checked(checker: Checker, element: Any, path: str) -> None:
        if not isinstance(element, dict):
            checker.add(path, "expected an object", FORMAT)
        else:
            check(checker, element, path)

    return checked


def _check_id(checker: Checker, element: Any, path: str) -> None:
    checker.string(element, path)


def _own_id(element: Any) -> str | None:
    ident = element.get("id") if isinstance(element, dict) else None
    return ident if isinstance(ident, str) else None


def _section_id(element: Any) -> str | None:
    return _own_id(_obj(element, "section"))


def handle_create_variations(call: Call) -> dict[str, Any]:
    return run(call, "variations", Checker.new_variation, lambda scope, el: items.create_variation(scope, el["name"]))


def _choices_of(item: dict[str, Any]) -> list[Any]:
    """The item ids an item's dish options name (their facts are checked: rules.check_dish_options)."""
    found: list[Any] = []
    for option in _obj(item, "dishOptions").get("values") or []:
        for branch in ("selection", "extras", "deselection"):
            for choice in _obj(option, branch).get("availableChoices") or []:
                found.append(choice.get("itemId") if isinstance(choice, dict) else None)
    return found


def _warm_choices(item_of: Callable[[Any], dict[str, Any]]) -> Warm:
    """One lookup of every choice the elements name, instead of one per element."""

    def warm(scope: CatalogScope, elements: list[Any]) -> None:
        scope.items.facts([ident for element in elements for ident in _choices_of(item_of(element))])

    return warm


def handle_create_dishes(call: Call) -> dict[str, Any]:
    return run(
        call,
        "createDishRequests",
        _check_wrapped("dish", "item"),
        lambda scope, el: items.create_dish(scope, el.get("menuId"), el.get("sectionId"), _obj(el, "dish")),
        warm=_warm_choices(lambda el: _obj(el, "dish")),
    )


def handle_update_items(call: Call) -> dict[str, Any]:
    return run(
        call,
        "items",
        _object(Checker.item),
        lambda scope, el: items.update(scope, _own_id(el), el),
        _own_id,
        warm=_warm_choices(lambda el: el if isinstance(el, dict) else {}),
    )


def handle_create_menus(call: Call) -> dict[str, Any]:
    return run(call, "menus", _object(Checker.menu), menus.create)


def handle_update_menus(call: Call) -> dict[str, Any]:
    return run(call, "menus", _object(Checker.menu), lambda scope, el: menus.update(scope, _own_id(el), el), _own_id)


def handle_archive_menus(call: Call) -> dict[str, Any]:
    return run(call, "ids", _check_id, lambda scope, ident: menus.set_archived(scope, ident, True), lambda ident: ident)


def handle_unarchive_menus(call: Call) -> dict[str, Any]:
    return run(
        call, "ids", _check_id, lambda scope, ident: menus.set_archived(scope, ident, False), lambda ident: ident
    )


def handle_create_sections(call: Call) -> dict[str, Any]:
    return run(
        call,
        "createSectionRequests",
        _check_wrapped("section", "section"),
        lambda scope, el: sections.create(scope, el.get("menuId"), _obj(el, "section")),
    )


def handle_update_sections(call: Call) -> dict[str, Any]:
    return run(
        call,
        "updateSectionsRequests",
        _check_wrapped("section", "section"),
        lambda scope, el: sections.update(scope, el.get("menuId"), _section_id(el), _obj(el, "section")),
        _section_id,
    )
