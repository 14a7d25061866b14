"""The handlers every Menus (New) service shares, built per :class:`~services.Service`.

Create, Bulk Create, Get, List, Query, Count, Update, Bulk Update, Delete and Bulk Delete, with
the envelopes of §1.3 (``{"item": {...}}``), the bulk result keys of §7.3 and the paging keys of
§7.4. Which service has which endpoint is decided in ``routes.py``.

- List: ``<kind>Ids`` (repeatable, at most 500; unknown ids are skipped), ``paging.limit`` (at most
  500, default 500), ``paging.cursor``, and ``onlyVisible`` for menus, sections and items. Rows come
  in creation order (not in the order of the ids asked for). List Labels takes no parameters and
  returns every label, unpaged.
- Query: ``{"query": {"filter", "sort", "cursorPaging": {"limit", "cursor"}}}`` (``filters.py``,
  ``paging.py``); default limit 100 (500 for items); default order: creation order.
- Update: ``PATCH /<collection>/{id}`` with ``{"<kind>": {"revision", ...}}``; the path id wins over
  the body's. An optional ``mask`` (comma-joined string, ``{"paths": [...]}`` or a list) limits the
  write to those paths, as in bulk updates (where the variants' key is ``fieldMask``).
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.errors import FORMAT, MAX_SIZE, REQUIRED_FIELD, violation
from reconciler.emulator.menus import bulk, dated, entities, filters, paging, repo
from reconciler.emulator.menus.entities import Ctx
from reconciler.emulator.menus.services import BULK_DELETE_MAX, BULK_MAX, LIST_DEFAULT_LIMIT, LIST_IDS_MAX, Service
from reconciler.emulator.menus.validate import Checker, required_object
from reconciler.emulator.routing import Call, Handler, Reply
from reconciler.emulator.wire import dumps_text


def parse_mask(value: Any, path: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("paths")
    items = value if isinstance(value, list) else [value]
    paths: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise violation(path, 'expected "a,b" or {"paths": ["a", "b"]}', FORMAT)
        paths.extend(part.strip() for part in item.split(",") if part.strip())
    return paths


def path_id(call: Call, service: Service, field: str | None = None) -> str:
    ident = call.path["id"]
    repo.check_path_id(ident, field or f"{service.kind}Id")
    return ident


# --- single-entity handlers -----------------------------------------------------------------------


def create(service: Service) -> Handler:
    def handler(call: Call) -> dict[str, Any]:
        checker = Checker()
        required_object(call.body, service.kind, checker)
        if isinstance(call.body.get(service.kind), dict):
            checker.entity(service.kind, call.body[service.kind], service.kind, creating=True)
        checker.raise_if_any()
        ctx = Ctx.of(call)
        entity = entities.create(ctx, service, call.body[service.kind], service.kind)
        ctx.finish()
        return {service.kind: entity}

    return handler


def get(service: Service) -> Handler:
    def handler(call: Call) -> dict[str, Any]:
        return {service.kind: repo.find(call.tx, service, path_id(call, service))}

    return handler


def update(service: Service) -> Handler:
    def handler(call: Call) -> dict[str, Any]:
        ident = path_id(call, service, f"{service.kind}.id")
        checker = Checker()
        required_object(call.body, service.kind, checker)
        if isinstance(call.body.get(service.kind), dict):
            checker.entity(service.kind, call.body[service.kind], service.kind, creating=False)
        checker.raise_if_any()
        mask = parse_mask(call.body.get("mask", call.body.get("fieldMask")), "mask")
        ctx = Ctx.of(call)
        entity = entities.update(ctx, service, ident, call.body[service.kind], mask, service.kind)
        ctx.finish()
        return {service.kind: entity}

    return handler


def delete(service: Service) -> Handler:
    def handler(call: Call) -> dict[str, Any]:
        ctx = Ctx.of(call)
        entities.delete(ctx, service, path_id(call, service))
        ctx.finish()
        return {}

    return handler


# --- reads ----------------------------------------------------------------------------------------


def reply(key: str, rows: list[dict[str, Any]], extra: dict[str, Any]) -> Reply:
    body = dumps_text(extra)[1:-1]
    listed = '{"' + key + '":[' + ",".join(dumps_text(row) for row in rows) + "]"
    return Reply(raw=listed + ("," + body if body else "") + "}")


def list_(service: Service) -> Handler:
    endpoint = f"{service.name}.list{service.title}s"

    def handler(call: Call) -> Reply:
        params = call.params

        def select(state: dict[str, Any] | None) -> paging.Selection:
            if state is None:
                ids = params.list(service.ids_param)
                if len(ids) > LIST_IDS_MAX:
                    raise violation(service.ids_param, f"must have at most {LIST_IDS_MAX} element(s)", MAX_SIZE)
                visible = params.bool("onlyVisible", False) if service.only_visible else False
                state = {"ids": ids, "visible": visible}
            wanted = set(state.get("ids") or [])
            only_visible = bool(state.get("visible"))

            def predicate(entity: dict[str, Any]) -> bool:
                return (not wanted or entity["id"] in wanted) and (not only_visible or entity.get("visible") is True)

            return paging.Selection(state, predicate, [])

        raw_paging = params.raw("paging")
        if raw_paging is not None and not isinstance(raw_paging, dict):
            raise violation("paging", "expected paging.limit and paging.cursor", FORMAT)
        found = paging.page(call.tx, service.kind, endpoint, raw_paging or {}, "paging", LIST_DEFAULT_LIMIT, select)
        return reply(service.plural, found.rows, {service.list_paging_key: found.metadata})

    return handler


def list_unpaged(service: Service) -> Handler:
    def handler(call: Call) -> Reply:
        texts = repo.rows(call.tx, service.kind).texts()
        return Reply(raw='{"' + service.plural + '":[' + ",".join(texts) + "]}")

    return handler


def query_selector(service: Service, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    field_max = 64 if service.name == "variants" else 512

    def select(state: dict[str, Any] | None) -> paging.Selection:
        state = state if state is not None else {"filter": query.get("filter"), "sort": query.get("sort")}
        predicate = filters.compile_filter(service.name, state.get("filter"))
        sort = filters.check_sort(service.name, state.get("sort"), field_max=field_max)
        return paging.Selection(state, predicate, sort, dated.scan(state.get("filter"), predicate))

    return select


def query_object(body: dict[str, Any], key: str = "query") -> dict[str, Any]:
    query = body.get(key)
    if query is None:
        return {}
    if not isinstance(query, dict):
        raise violation(key, "expected an object", FORMAT)
    return query


def query_page(call: Call, service: Service, endpoint: str) -> paging.Page:
    query = query_object(call.body)
    cursor_paging = query.get("cursorPaging") or {}
    if not isinstance(cursor_paging, dict):
        raise violation("query.cursorPaging", "expected an object", FORMAT)
    return paging.page(
        call.tx,
        service.kind,
        endpoint,
        cursor_paging,
        "query.cursorPaging",
        service.query_default_limit,
        query_selector(service, query),
    )


def query(service: Service) -> Handler:
    endpoint = f"{service.name}.query{service.title}s"

    def handler(call: Call) -> Reply:
        found = query_page(call, service, endpoint)
        return reply(service.plural, found.rows, {"pagingMetadata": found.metadata})

    return handler


def count(service: Service) -> Handler:
    def handler(call: Call) -> dict[str, Any]:
        raw = call.body.get("filter")
        predicate = filters.compile_filter(service.name, raw, "filter")
        found = dated.count(call.tx, service.kind, raw, predicate)
        if found is not None:
            return {"count": found}
        return {"count": sum(1 for _seq, entity in paging.entries(call.tx, service.kind) if predicate(entity))}

    return handler


# --- bulk -----------------------------------------------------------------------------------------


def bulk_create(service: Service) -> Handler:
    def handler(call: Call) -> dict[str, Any]:
        checker = Checker()
        elements = bulk.check_array(checker, call.body.get(service.plural), service.plural, BULK_MAX)
        for index, element in enumerate(elements):
            checker.entity(service.kind, element, f"{service.plural}[{index}]", creating=True)
        keep = bulk.return_entity(checker, call.body)
        checker.raise_if_any()
        ctx = Ctx.of(call)
        return bulk.run(
            ctx,
            elements,
            service.create_result,
            keep,
            lambda index, raw: entities.create(ctx, service, raw, f"{service.plural}[{index}]"),
        )

    return handler


def bulk_update(service: Service) -> Handler:
    def element_id(element: Any) -> str | None:
        return element[service.kind]["id"]

    def handler(call: Call) -> dict[str, Any]:
        checker = Checker()
        elements = bulk.check_array(checker, call.body.get(service.plural), service.plural, BULK_MAX)
        masks: list[list[str] | None] = []
        for index, element in enumerate(elements):
            where = f"{service.plural}[{index}]"
            element = checker.obj(element, where)
            mask = None
            if element is not None:
                if element.get(service.kind) is None:
                    checker.add(f"{where}.{service.kind}", "is required", REQUIRED_FIELD)
                message = checker.obj(element.get(service.kind), f"{where}.{service.kind}")
                if message is not None:
                    checker.guid(message.get("id"), f"{where}.{service.kind}.id")
                    checker.entity(service.kind, message, f"{where}.{service.kind}", creating=False)
                mask = parse_mask(element.get("mask", element.get("fieldMask")), f"{where}.mask")
            masks.append(mask)
        keep = bulk.return_entity(checker, call.body)
        checker.raise_if_any()
        ctx = Ctx.of(call)

        def apply(index: int, element: dict[str, Any]) -> dict[str, Any]:
            message = element[service.kind]
            return entities.update(
                ctx, service, message["id"], message, masks[index], f"{service.plural}[{index}].{service.kind}"
            )

        return bulk.run(ctx, elements, service.update_result, keep, apply, element_id)

    return handler


def bulk_delete(service: Service) -> Handler:
    def handler(call: Call) -> dict[str, Any]:
        checker = Checker()
        raw_ids = call.params.raw("ids")
        ids = bulk.check_array(checker, [raw_ids] if isinstance(raw_ids, str) else raw_ids, "ids", BULK_DELETE_MAX)
        for index, ident in enumerate(ids):
            checker.guid(ident, f"ids[{index}]")
        checker.raise_if_any()
        ctx = Ctx.of(call)

        def apply(index: int, ident: str) -> None:
            entities.delete(ctx, service, ident)
            return None

        return bulk.run(ctx, ids, ("itemMetadata", "itemMetadata"), False, apply, lambda ident: ident)

    return handler
