"""The reserved ``/_emulator/`` HTTP API: knobs and state hooks for tests and benchmarks.

No auth, never counted, never delayed or faulted. Errors use the Wix envelope.

    GET    /_emulator/health                 {"status": "ok", "apis": [...], "operations": [...]}
    GET    /_emulator/counters               {"total": N, "operations": {"listItems": 2, ...}}
    GET    /_emulator/requests[?since=SEQ]   [{seq, method, path, operation, status, fault, executed}]
    POST   /_emulator/reset                  zero counters, empty the request log
    GET    /_emulator/latency                {"ms": 0}
    POST   /_emulator/latency                {"ms": 50}
    GET    /_emulator/faults                 {"rules": [...]} with per-rule "seen"/"fired"
    POST   /_emulator/faults                 {"rules": [...]} (replaces the rules; see faults.py)
    DELETE /_emulator/faults
    POST   /_emulator/archive                {"catalogId", "kind": "section"|"item"|"menu"|"catalog",
                                              "id", "archived": true, "scope": "live"|"draft"}
    POST   /_emulator/seed                   {"locations": N, "names": [...], "currency", "demo",
                                              "app": "v3"|"menus"|"both"}
    POST   /_emulator/wipe                   empty the whole state
    GET    /_emulator/settings               {"currency": "USD"}
    POST   /_emulator/settings               {"currency": "EUR"}

Called by ``core.Emulator.handle``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconciler.emulator import seed as seeding
from reconciler.emulator.errors import FORMAT, WixError, application_error, violation
from reconciler.emulator.faults import FaultRuleInvalid
from reconciler.emulator.outcome import Outcome, error_outcome, json_outcome
from reconciler.emulator.wire import Params, parse_body, parse_query

if TYPE_CHECKING:
    from reconciler.emulator.core import Emulator


def handle(emulator: Emulator, method: str, path: str, query: list[tuple[str, str]], raw_body: bytes) -> Outcome:
    action = path.removeprefix("/_emulator").strip("/")
    try:
        body = parse_body(raw_body) if method in ("POST", "PUT", "PATCH") else {}
        handler = _ROUTES.get((method, action))
        if handler is None:
            raise application_error(404, "NOT_FOUND", f"no emulator endpoint {method} {path}")
        return json_outcome(handler(emulator, Params(parse_query(query)), body))
    except WixError as error:
        return error_outcome(error)
    except (FaultRuleInvalid, ValueError) as exc:
        return error_outcome(violation("", str(exc), FORMAT))


def _health(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    return {
        "status": "ok",
        "apis": [api.name for api in emulator.router.apis],
        "operations": emulator.router.operations(),
    }


def _counters(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    return emulator.counters()


def _requests(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    return emulator.requests(params.int("since", 0))


def _reset(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    emulator.reset_counters()
    return emulator.counters()


def _get_latency(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    return emulator.knobs.latency()


def _set_latency(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    emulator.set_latency(body.get("ms", 0))
    return emulator.knobs.latency()


def _get_faults(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    return {"rules": emulator.faults()}


def _set_faults(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    return {"rules": emulator.set_faults(body)}


def _clear_faults(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    emulator.clear_faults()
    return {"rules": []}


def _archive(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    catalog_id = body.get("catalogId")
    if not isinstance(catalog_id, str):
        raise violation("catalogId", "is required", FORMAT)
    archived = body.get("archived", True)
    if not isinstance(archived, bool):
        raise violation("archived", "expected true or false", FORMAT)
    entity = emulator.archive(
        catalog_id, str(body.get("kind", "")), body.get("id"), archived, str(body.get("scope", "live"))
    )
    return {"entity": entity}


def _seed(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    count = body.get("locations", 1)
    names = body.get("names")
    demo = body.get("demo", False)
    if isinstance(count, bool) or not isinstance(count, int):
        raise violation("locations", "expected an integer", FORMAT)
    if names is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        raise violation("names", "expected a list of strings", FORMAT)
    if not isinstance(demo, bool):
        raise violation("demo", "expected true or false", FORMAT)
    app = body.get("app", seeding.V3_APP)
    if app not in seeding.APP_CHOICES:
        raise violation("app", f"must be one of {', '.join(seeding.APP_CHOICES)}", FORMAT)
    currency = body.get("currency") or emulator.currency
    seeded = seeding.seed(emulator.store, count, names, currency=currency, demo=demo, app=app)
    return {
        "locations": [
            {"locationId": entry.location_id, "name": entry.name, "catalogId": entry.catalog_id} for entry in seeded
        ]
    }


def _wipe(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    seeding.reset(emulator.store)
    return {}


def _get_settings(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    return {"currency": emulator.currency}


def _set_settings(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    if "currency" in body:
        emulator.set_currency(body["currency"])
    return {"currency": emulator.currency}


_ROUTES = {
    ("GET", "health"): _health,
    ("GET", "counters"): _counters,
    ("GET", "requests"): _requests,
    ("POST", "reset"): _reset,
    ("GET", "latency"): _get_latency,
    ("POST", "latency"): _set_latency,
    ("GET", "faults"): _get_faults,
    ("POST", "faults"): _set_faults,
    ("DELETE", "faults"): _clear_faults,
    ("POST", "archive"): _archive,
    ("POST", "seed"): _seed,
    ("POST", "wipe"): _wipe,
    ("GET", "settings"): _get_settings,
    ("POST", "settings"): _set_settings,
}
