"""Search Items (``POST /items/search``, also ``GET /items/search`` with the request in ``.r``).

``{"search": {"cursorPaging", "filter", "sort", "aggregations", "search": {"mode", "expression",
"fields", "fuzzy"}}}`` -> ``{"items", "pagingMetadata", "aggregationData"}``. The filter and sort
follow Query Items (``filters.py``); the default order is creation order (= ``createdDate`` ASC) and
the default limit 500. The free-text part splits ``expression`` into words and matches each,
case-insensitively, as a substring of the given ``fields`` (default ``name`` and ``description``);
``mode`` ``OR`` (default) needs one word to match, ``AND`` every word. ``fuzzy`` is ignored, and
aggregations are accepted but answered with ``{"results": []}``.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.errors import FORMAT, INVALID_ENUM_VALUE, violation
from reconciler.emulator.menus import filters, paging
from reconciler.emulator.menus.crud import reply
from reconciler.emulator.menus.services import ITEM, SEARCH_DEFAULT_LIMIT
from reconciler.emulator.routing import Call, Reply

DEFAULT_FIELDS = ("name", "description")


def _object(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise violation(path, "expected an object", FORMAT)
    return value


def _text_predicate(text: dict[str, Any]):  # type: ignore[no-untyped-def]
    expression = text.get("expression")
    if expression is not None and not isinstance(expression, str):
        raise violation("search.search.expression", "expected a string", FORMAT)
    mode = text.get("mode") or "OR"
    if mode not in ("OR", "AND"):
        raise violation("search.search.mode", "must be OR or AND", INVALID_ENUM_VALUE)
    fields = text.get("fields") or list(DEFAULT_FIELDS)
    if not (isinstance(fields, list) and all(isinstance(field, str) for field in fields)):
        raise violation("search.search.fields", "expected an array of field names", FORMAT)
    words = [word.lower() for word in (expression or "").split()]
    combine = all if mode == "AND" else any

    def predicate(entity: dict[str, Any]) -> bool:
        if not words:
            return True
        haystack = [str(value).lower() for field in fields for value in filters.values_at(entity, field)[0]]
        return combine(any(word in text for text in haystack) for word in words)

    return predicate


def handle_search(call: Call) -> Reply:
    raw = call.body.get("search") if call.body else call.params.raw("search")
    search = _object(raw, "search")
    cursor_paging = _object(search.get("cursorPaging"), "search.cursorPaging")

    def select(state: dict[str, Any] | None) -> paging.Selection:
        if state is None:
            state = {
                "filter": search.get("filter"),
                "sort": search.get("sort"),
                "text": _object(search.get("search"), "search.search"),
            }
        matches = filters.compile_filter("items", state.get("filter"), "search.filter")
        text = _text_predicate(state.get("text") or {})
        sort = filters.check_sort("items", state.get("sort"), "search.sort")
        return paging.Selection(state, lambda entity: matches(entity) and text(entity), sort)

    found = paging.page(
        call.tx, ITEM, "items.searchItems", cursor_paging, "search.cursorPaging", SEARCH_DEFAULT_LIMIT, select
    )
    return reply("items", found.rows, {"pagingMetadata": found.metadata, "aggregationData": {"results": []}})
