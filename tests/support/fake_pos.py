"""Fake Square, Toast and Clover catalog APIs for tests: real HTTP on 127.0.0.1, state in memory.

One :class:`FakePos` per POS serves a catalog from a JSON file or dict through a starlette app:

* Square: ``GET /v2/locations`` (only when the data has ``locations``);
  ``GET /v2/catalog/list`` (``types``, ``cursor``; pages of ``page_size``, default 100)
  and ``POST /v2/catalog/search`` (``object_types``, ``cursor``, ``limit``, ``begin_time``
  (exclusive), ``include_deleted_objects``; answers carry ``latest_time``);
* Toast: ``GET /menus/v2/menus``, ``GET /menus/v2/metadata`` and the stock API's
  ``GET /stock/v1/inventory`` (``stock``: the records at risk, OUT_OF_STOCK or QUANTITY; the
  ``Toast-Restaurant-External-ID`` header must name the document's restaurant);
* Clover: ``GET /v3/merchants/{mId}`` and ``…/items|categories|modifier_groups|item_groups``
  with ``offset``/``limit`` paging and ``filter=modifiedTime>=<ms>``; expanded nested lists are
  capped at 100 as Clover does, with ``…/categories/{id}/items`` and
  ``…/modifier_groups/{id}/modifiers`` for the full lists.

Every POS route checks ``Authorization: Bearer <token>`` and is counted. Tests (or another
process) drive the fake through control routes, which need no token:

* ``GET /_fake/catalog`` the current data; ``POST /_fake/catalog`` replace it (JSON body);
* ``POST /_fake/price`` ``{"id": ..., "amount": ...}``: one price (Square variation or modifier
  in minor units, Toast item or option GUID in major units, Clover item or modifier in cents);
* ``POST /_fake/delete`` ``{"id": ...}``: a tombstone (Square ``is_deleted``, Clover
  ``deletedTime``/``deleted``; Toast drops the item from the document);
* ``POST /_fake/upsert`` ``{"object": {...}}`` (Square): UpsertCatalogObject, as Square does it:
  the object (with its nested variations or modifiers) replaces the one of its id, or is added;
  it and every object nested in it get a new ``version`` and ``updated_at``;
* ``POST /_fake/fail`` ``{"status": 503, "times": 1}``: the next POS requests fail so;
* ``GET /_fake/requests`` ``{"total": n, "counts": {path: n}}``; ``POST /_fake/requests/reset``.

Every change moves a logical clock (Square ``updated_at``/``version``, Toast ``lastUpdated``,
Clover ``modifiedTime``), so incremental reads see it. Run it in a thread::

    fake = FakePos("square", "catalog.json", token="t", page_size=2)
    with fake.running() as url:
        ...

or as a process, whose first stdout line is its URL::

    python -m tests.support.fake_pos --pos square --data FILE --port 0 --token TOKEN
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import socket
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reconciler.sources.square.forms import raw_objects, snake_keys

POSES = ("square", "toast", "clover")
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
CLOVER_EXPANSION_CAP = 100


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _parse_iso(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"code": "FAKE_POS", "detail": message}], "message": message}, status_code=status)


class FakePos:
    """The state of one fake POS and the starlette app serving it."""

    def __init__(self, pos: str, data: dict | list | str | Path, token: str = "test-token", page_size: int = 100):
        if pos not in POSES:
            raise ValueError(f"unknown POS {pos!r}")
        self.pos = pos
        self.token = token
        self.page_size = page_size
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, str, dict[str, str]]] = []
        self.tick = 0  # logical clock: every change is one second after the latest time seen
        self.base = _EPOCH
        self.failures: list[int] = []  # statuses the next POS requests answer with
        self.data: Any = None
        self.stock: list[dict[str, Any]] = []  # Toast's stock API: MenuItemInventory records (set by tests)
        self.set_catalog(json.loads(Path(data).read_text(encoding="utf-8")) if isinstance(data, (str, Path)) else data)
        self.app = Starlette(routes=self._routes())

    # -- state -------------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.base + timedelta(seconds=self.tick)

    def _seen(self, moment: datetime | None) -> None:
        """Keep the clock after every time found in loaded data, so changes sort after them."""
        if moment is not None and moment.tzinfo is not None and moment > self.now:
            self.base, self.tick = moment, 0

    def set_catalog(self, data: Any) -> None:
        with self.lock:
            self.tick += 1
            self.data = getattr(self, f"_load_{self.pos}")(copy.deepcopy(data))

    def set_price(self, ident: str, amount: int | float) -> None:
        with self.lock:
            self.tick += 1
            if not getattr(self, f"_price_{self.pos}")(ident, amount):
                raise KeyError(ident)

    def delete(self, ident: str) -> None:
        with self.lock:
            self.tick += 1
            if not getattr(self, f"_delete_{self.pos}")(ident):
                raise KeyError(ident)

    def upsert(self, obj: dict) -> None:
        """Square UpsertCatalogObject: replace the object of this id (or add it), with new versions."""
        if self.pos != "square":
            raise ValueError("upsert is Square's")
        with self.lock:
            self.tick += 1
            obj = snake_keys(copy.deepcopy(obj))
            index = next((k for k, held in enumerate(self.data) if held.get("id") == obj.get("id")), None)
            before = [] if index is None else [self.data[index], *self._square_children(self.data[index])]
            versions = {o.get("id"): o.get("version") for o in before}
            for each in (obj, *self._square_children(obj)):  # Square counts on from the stored version
                each["version"] = versions.get(each.get("id")) or 0
            self._square_touch(obj, *self._square_children(obj))
            if index is None:
                self.data.append(obj)
            else:
                self.data[index] = obj

    def fail_next(self, status: int, times: int = 1) -> None:
        with self.lock:
            self.failures.extend([status] * times)

    def count(self, path: str) -> int:
        with self.lock:
            return self.counts[path]

    @property
    def total_requests(self) -> int:
        with self.lock:
            return sum(self.counts.values())

    # -- serving -------------------------------------------------------------------------------------

    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve on 127.0.0.1 (a free port) in a thread; yields the base URL."""
        sock = _listening_socket(0)
        server = uvicorn.Server(uvicorn.Config(self.app, lifespan="off", log_level="warning", access_log=False))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            sock.close()

    def _routes(self) -> list[Route]:
        routes = [
            Route("/_fake/catalog", self._get_catalog, methods=["GET"]),
            Route("/_fake/catalog", self._post_catalog, methods=["POST"]),
            Route("/_fake/price", self._post_price, methods=["POST"]),
            Route("/_fake/delete", self._post_delete, methods=["POST"]),
            Route("/_fake/upsert", self._post_upsert, methods=["POST"]),
            Route("/_fake/fail", self._post_fail, methods=["POST"]),
            Route("/_fake/requests", self._get_requests, methods=["GET"]),
            Route("/_fake/requests/reset", self._reset_requests, methods=["POST"]),
        ]
        pos_routes = {
            "square": [
                ("/v2/catalog/list", self._square_list, "GET"),
                ("/v2/catalog/search", self._square_search, "POST"),
                ("/v2/locations", self._square_locations, "GET"),
            ],
            "toast": [
                ("/menus/v2/menus", self._toast_menus, "GET"),
                ("/menus/v2/metadata", self._toast_metadata, "GET"),
                ("/stock/v1/inventory", self._toast_stock, "GET"),
            ],
            "clover": [
                ("/v3/merchants/{mid}", self._clover_merchant, "GET"),
                ("/v3/merchants/{mid}/{kind}", self._clover_list, "GET"),
                ("/v3/merchants/{mid}/{kind}/{oid}/{child}", self._clover_children, "GET"),
            ],
        }[self.pos]
        for path, handler, method in pos_routes:
            routes.append(Route(path, self._guarded(handler), methods=[method]))
        return routes

    def _guarded(self, handler):
        async def endpoint(request: Request):
            with self.lock:
                self.counts[request.url.path] += 1
                self.log.append((request.method, request.url.path, dict(request.query_params)))
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return _error(401, "missing or wrong bearer token")
            with self.lock:
                failure = self.failures.pop(0) if self.failures else None
            if failure is not None:
                return _error(failure, "injected failure")
            try:
                body = await request.json() if request.method == "POST" else None
            except ValueError:
                return _error(400, "the body is not JSON")
            with self.lock:
                return handler(request, body)

        return endpoint

    async def _get_catalog(self, request: Request) -> JSONResponse:
        with self.lock:
            return JSONResponse(self.data)

    async def _post_catalog(self, request: Request) -> JSONResponse:
        self.set_catalog(await request.json())
        return JSONResponse({"ok": True})

    async def _post_price(self, request: Request) -> JSONResponse:
        body = await request.json()
        try:
            self.set_price(body["id"], body["amount"])
        except KeyError:
            return _error(404, f"no priced object {body.get('id')!r}")
        return JSONResponse({"ok": True})

    async def _post_delete(self, request: Request) -> JSONResponse:
        body = await request.json()
        try:
            self.delete(body["id"])
        except KeyError:
            return _error(404, f"no object {body.get('id')!r}")
        return JSONResponse({"ok": True})

    async def _post_upsert(self, request: Request) -> JSONResponse:
        body = await request.json()
        try:
            self.upsert(body["object"])
        except (KeyError, ValueError, TypeError) as exc:
            return _error(400, f"not an upsert: {exc}")
        return JSONResponse({"ok": True})

    async def _post_fail(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.fail_next(int(body["status"]), int(body.get("times", 1)))
        return JSONResponse({"ok": True})

    async def _get_requests(self, request: Request) -> JSONResponse:
        with self.lock:
            return JSONResponse({"total": sum(self.counts.values()), "counts": dict(self.counts)})

    async def _reset_requests(self, request: Request) -> JSONResponse:
        with self.lock:
            self.counts.clear()
            self.log.clear()
        return JSONResponse({"ok": True})

    def _page(self, items: list, offset: int, limit: int) -> list:
        return items[offset : offset + limit]

    # -- Square ------------------------------------------------------------------------------------

    def _load_square(self, data: Any) -> list[dict]:
        # The merchant's locations, when the data names them (as a ListLocations answer would).
        self.square_locations = data.get("locations") if isinstance(data, dict) else None
        objects, _ = raw_objects(data)
        out = []
        out = [snake_keys(o) for o in objects]
        for obj in out:
            self._seen(_parse_iso(obj.get("updated_at")))
        self.tick += 1
        for obj in out:  # every object has its own version and time in Square, nested ones too
            for each in (obj, *self._square_children(obj)):
                each.setdefault("version", 1)
                each.setdefault("updated_at", _iso(self.now))
        return out

    def _square_touch(self, *objects: dict) -> None:
        for obj in objects:
            obj["version"] = int(obj.get("version") or 0) + 1
            obj["updated_at"] = _iso(self.now)

    def _square_children(self, obj: dict) -> list[dict]:
        data = obj.get("item_data") or obj.get("modifier_list_data") or {}
        return [c for c in (data.get("variations") or data.get("modifiers") or []) if isinstance(c, dict)]

    def _price_square(self, ident: str, amount: int) -> bool:
        found = False
        for obj in self.data:
            for child in [obj, *self._square_children(obj)]:
                if child.get("id") != ident:
                    continue
                data = child.get("item_variation_data") or child.get("modifier_data")
                if data is None:
                    continue
                data.setdefault("price_money", {"currency": "USD"})["amount"] = amount
                self._square_touch(child)
                if child is not obj:
                    self._square_touch(obj)  # a nested change bumps its item or list too
                found = True
        return found

    def _delete_square(self, ident: str) -> bool:
        for obj in self.data:
            if obj.get("id") == ident:
                obj["is_deleted"] = True
                self._square_touch(obj)
                return True
        return False

    def _square_visible(self, types: set[str] | None, include_deleted: bool, begin: str | None) -> list[dict]:
        out = []
        for obj in self.data:
            if obj.get("is_deleted") and not include_deleted:
                continue
            candidates = [obj]
            if types is not None:
                candidates += [c for c in self._square_children(obj) if c.get("type") in types]
            for candidate in candidates:
                if types is not None and candidate.get("type") not in types:
                    continue
                if begin is not None and str(candidate.get("updated_at") or obj.get("updated_at")) <= begin:
                    continue
                out.append(candidate)
        return out

    @staticmethod
    def _cursor(offset: int) -> str:
        return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()

    @staticmethod
    def _offset(cursor: str | None) -> int | None:
        if not cursor:
            return 0
        try:
            kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
            return int(number) if kind == "offset" else None
        except (ValueError, UnicodeDecodeError):
            return None

    def _square_page(self, objects: list[dict], cursor: str | None, limit: int) -> dict | JSONResponse:
        offset = self._offset(cursor)
        if offset is None:
            return _error(400, "invalid cursor")
        page: dict[str, Any] = {"objects": copy.deepcopy(self._page(objects, offset, limit))}
        if offset + limit < len(objects):
            page["cursor"] = self._cursor(offset + limit)
        return page

    def _square_list(self, request: Request, body: None):
        types = request.query_params.get("types")
        wanted = {t.strip().upper() for t in types.split(",") if t.strip()} if types else None
        page = self._square_page(
            self._square_visible(wanted, False, None), request.query_params.get("cursor"), self.page_size
        )
        return page if isinstance(page, JSONResponse) else JSONResponse(page)

    def _square_locations(self, request: Request, body: None):
        if self.square_locations is None:
            return _error(404, "this fake merchant has no locations list")
        return JSONResponse({"locations": self.square_locations})

    def _square_search(self, request: Request, body: Any):
        body = body if isinstance(body, dict) else {}
        types = body.get("object_types")
        limit = body.get("limit")
        limit = min(limit, 1000) if isinstance(limit, int) and limit > 0 else self.page_size
        objects = self._square_visible(
            {t.upper() for t in types} if types else {o.get("type") for o in self.data},
            bool(body.get("include_deleted_objects")),
            body.get("begin_time"),
        )
        page = self._square_page(objects, body.get("cursor"), limit)
        if isinstance(page, JSONResponse):
            return page
        page["latest_time"] = max((str(o.get("updated_at")) for o in self.data), default=_iso(self.now))
        return JSONResponse(page)

    # -- Toast -------------------------------------------------------------------------------------

    def _load_toast(self, data: Any) -> dict:
        if not isinstance(data, dict):
            raise ValueError("a Toast catalog is one menus document (an object)")
        self._seen(_parse_iso(data.get("lastUpdated")))
        self.tick += 1
        data["lastUpdated"] = _iso(self.now)
        return data

    def _toast_walk(self) -> Iterator[dict]:
        def groups(entries):
            for group in entries or []:
                yield from group.get("menuItems") or []
                yield from groups(group.get("menuGroups"))

        for menu in self.data.get("menus") or []:
            yield from groups(menu.get("menuGroups"))
        yield from (self.data.get("modifierOptionReferences") or {}).values()

    def _price_toast(self, ident: str, amount: float) -> bool:
        found = False
        for entity in self._toast_walk():
            if entity.get("guid") == ident:
                entity["price"] = amount
                found = True
        self.data["lastUpdated"] = _iso(self.now)
        return found

    def _delete_toast(self, ident: str) -> bool:
        found = False

        def prune(entries):
            nonlocal found
            for group in entries or []:
                before = len(group.get("menuItems") or [])
                group["menuItems"] = [i for i in group.get("menuItems") or [] if i.get("guid") != ident]
                found = found or len(group["menuItems"]) != before
                prune(group.get("menuGroups"))

        for menu in self.data.get("menus") or []:
            prune(menu.get("menuGroups"))
        self.data["lastUpdated"] = _iso(self.now)
        return found

    def _toast_check(self, request: Request) -> JSONResponse | None:
        restaurant = request.headers.get("toast-restaurant-external-id")
        if not restaurant:
            return _error(400, "missing Toast-Restaurant-External-ID header")
        if restaurant != self.data.get("restaurantGuid"):
            return _error(403, "unknown restaurant")
        return None

    def _toast_menus(self, request: Request, body: None):
        return self._toast_check(request) or JSONResponse(self.data)

    def _toast_stock(self, request: Request, body: None):
        """The stock API: the MenuItemInventory records at risk (OUT_OF_STOCK, QUANTITY); IN_STOCK ones are left out."""
        listed = [e for e in self.stock if e.get("status") in ("OUT_OF_STOCK", "QUANTITY")]
        return self._toast_check(request) or JSONResponse(listed)

    def _toast_metadata(self, request: Request, body: None):
        return self._toast_check(request) or JSONResponse(
            {"restaurantGuid": self.data.get("restaurantGuid"), "lastUpdated": self.data["lastUpdated"]}
        )

    # -- Clover ------------------------------------------------------------------------------------

    def _load_clover(self, data: Any) -> dict:
        if not isinstance(data, dict):
            raise ValueError("a Clover catalog is an object of items, categories, modifier_groups, item_groups")
        out = {"merchant": data.get("merchant") or {"id": "MERCHANT", "currency": "USD"}}
        for key in ("items", "categories", "modifier_groups", "item_groups"):
            value = data.get(key) or []
            out[key] = value.get("elements", []) if isinstance(value, dict) else value
            for obj in out[key]:
                if isinstance(obj.get("modifiedTime"), int):
                    self._seen(datetime.fromtimestamp(obj["modifiedTime"] / 1000, tz=UTC))
        self.tick += 1
        for key in ("items", "categories", "modifier_groups", "item_groups"):
            for obj in out[key]:
                obj.setdefault("modifiedTime", _ms(self.now))
        return out

    def _clover_touch(self, obj: dict) -> None:
        obj["modifiedTime"] = _ms(self.now)

    def _price_clover(self, ident: str, amount: int) -> bool:
        for item in self.data["items"]:
            if item.get("id") == ident:
                item["price"] = amount
                self._clover_touch(item)
                return True
        for group in self.data["modifier_groups"]:
            for modifier in (group.get("modifiers") or {}).get("elements") or []:
                if modifier.get("id") == ident:
                    modifier["price"] = amount
                    self._clover_touch(group)
                    return True
        return False

    def _delete_clover(self, ident: str) -> bool:
        for key in ("items", "categories", "modifier_groups", "item_groups"):
            for obj in self.data[key]:
                if obj.get("id") == ident:
                    if key == "items":
                        obj["deletedTime"] = _ms(self.now)
                    else:
                        obj["deleted"] = True
                    self._clover_touch(obj)
                    return True
        return False

    def _clover_merchant(self, request: Request, body: None):
        if request.path_params["mid"] != self.data["merchant"].get("id"):
            return _error(404, "unknown merchant")
        return JSONResponse(self.data["merchant"])

    def _clover_paging(self, request: Request) -> tuple[int, int] | JSONResponse:
        try:
            offset = int(request.query_params.get("offset", "0"))
            limit = int(request.query_params.get("limit", "100"))
        except ValueError:
            return _error(400, "offset and limit must be integers")
        if offset < 0 or limit < 1:
            return _error(400, "offset must be ≥ 0 and limit ≥ 1")
        return offset, min(limit, 1000)

    def _clover_filtered(self, request: Request, objects: list[dict]) -> list[dict] | JSONResponse:
        include_deleted = False
        for text in request.query_params.getlist("filter"):
            if text.startswith("modifiedTime>="):
                try:
                    since = int(text.partition(">=")[2])
                except ValueError:
                    return _error(400, f"bad filter {text!r}")
                objects = [o for o in objects if int(o.get("modifiedTime") or 0) >= since]
            elif text == "deleted=true":
                include_deleted = True
            else:
                return _error(400, f"unsupported filter {text!r}")
        if not include_deleted:
            objects = [o for o in objects if o.get("deletedTime") is None and o.get("deleted") is not True]
        return objects

    def _clover_list(self, request: Request, body: None):
        kind = request.path_params["kind"]
        if request.path_params["mid"] != self.data["merchant"].get("id") or kind not in (
            "items",
            "categories",
            "modifier_groups",
            "item_groups",
        ):
            return _error(404, "not found")
        paging = self._clover_paging(request)
        objects = self._clover_filtered(request, self.data[kind])
        for answer in (paging, objects):
            if isinstance(answer, JSONResponse):
                return answer
        offset, limit = paging
        page = copy.deepcopy(self._page(objects, offset, limit))
        for obj in page:  # Clover caps expanded collections at 100 elements
            for nested in ("items", "modifiers", "categories", "modifierGroups"):
                if isinstance(obj.get(nested), dict) and isinstance(obj[nested].get("elements"), list):
                    obj[nested]["elements"] = obj[nested]["elements"][:CLOVER_EXPANSION_CAP]
        return JSONResponse({"elements": page, "href": str(request.url)})

    def _clover_children(self, request: Request, body: None):
        kind, oid, child = (request.path_params[k] for k in ("kind", "oid", "child"))
        if (kind, child) not in (("categories", "items"), ("modifier_groups", "modifiers")):
            return _error(404, "not found")
        parent = next((o for o in self.data[kind] if o.get("id") == oid), None)
        if request.path_params["mid"] != self.data["merchant"].get("id") or parent is None:
            return _error(404, "not found")
        paging = self._clover_paging(request)
        if isinstance(paging, JSONResponse):
            return paging
        elements = (parent.get(child) or {}).get("elements") or []
        if child == "items":
            by_id = {i.get("id"): i for i in self.data["items"]}
            elements = [by_id.get(ref.get("id"), ref) for ref in elements]
        offset, limit = paging
        return JSONResponse({"elements": copy.deepcopy(self._page(elements, offset, limit))})


def _listening_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    return sock


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.support.fake_pos", description=__doc__.splitlines()[0])
    parser.add_argument("--pos", choices=POSES, required=True)
    parser.add_argument("--data", required=True, help="JSON catalog file")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default="test-token")
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args(argv)
    fake = FakePos(args.pos, args.data, token=args.token, page_size=args.page_size)
    sock = _listening_socket(args.port)
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    server = uvicorn.Server(uvicorn.Config(fake.app, lifespan="off", log_level="warning", access_log=False))
    server.run(sockets=[sock])


if __name__ == "__main__":
    main(sys.argv[1:])
