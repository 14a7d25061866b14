"""The reserved ``/_emulator/`` HTTP API: knobs and state hooks for tests and benchmarks.

No auth, never counted, never delayed or faulted. Errors use the Wix envelope.

    GET    /_emulator/health                 {"status": "ok", "apis": [...], "operations": [...]}
    GET    /_emulator/counters[?site=ID]     {"total": N, "operations": {"listItems": 2, ...}}
    GET    /_emulator/requests[?since=SEQ][&site=ID]
                                             [{seq, method, path, operation, status, fault, executed, site}]
    POST   /_emulator/reset                  zero counters, empty the request log
    GET    /_emulator/latency                {"ms": 0}
    POST   /_emulator/latency                {"ms": 50}
    GET    /_emulator/faults                 {"rules": [...]} with per-rule "seen"/"fired"
    POST   /_emulator/faults                 {"rules": [...]} (replaces the rules; see faults.py)
    DELETE /_emulator/faults
    POST   /_emulator/archive                {"catalogId", "kind": "section"|"item"|"menu"|"catalog",
                                              "id", "archived": true, "scope": "live"|"draft"}
    POST   /_emulator/seed                   {"locations": N, "names": [...], "currency", "demo",
                                              "app": "v3"|"menus"|"both", "dishes": "MIN-MAX",
                                              "contentSeed": 0, "site": ID}  -> {"locations": [...]}
                                             {"sites": N, "locations": M, ...}  -> {"sites": [...]}
    GET    /_emulator/sites                  {"sites": [{"id", "name", "createdDate"}]} (seeded sites)
    GET    /_emulator/rate-limit             {"perMinute": N|null, "sites": {ID: N|null}}
    POST   /_emulator/rate-limit             {"perMinute": N|null, "site": ID|"default"} (no site: all)
    POST   /_emulator/wipe                   empty the whole state
    GET    /_emulator/settings[?site=ID]     {"currency": "USD"}
    POST   /_emulator/settings               {"currency": "EUR", "site": ID}

Called by ``core.Emulator.handle``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconciler.emulator import seed as seeding
from reconciler.emulator import sites
from reconciler.emulator.errors import FORMAT, WixError, application_error, violation
from reconciler.emulator.faults import FaultRuleInvalid
from reconciler.emulator.outcome import Outcome, error_outcome, json_outcome
from reconciler.emulator.store import SITE, site_container
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
    return emulator.counters(params.str("site"))


def _requests(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    return emulator.requests(params.int("since", 0), params.str("site"))


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


def _int_field(body: dict[str, Any], key: str, default: int | None) -> int | None:
    value = body.get(key, default)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise violation(key, "expected an integer", FORMAT)
    return value


def parse_dishes(value: Any) -> tuple[int, int] | None:
    """``"100-300"``, ``"200"``, ``200`` or ``[100, 300]`` → (min, max); None stays None."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return value[0], value[1]
    if isinstance(value, str):
        low, _, high = value.partition("-")
        if low.strip().isdigit() and (not high or high.strip().isdigit()):
            return int(low), int(high or low)
    raise ValueError(f"dishes must be MIN-MAX or a number, got {value!r}")


def _location_json(entry: seeding.SeededLocation) -> dict[str, Any]:
    return {"locationId": entry.location_id, "name": entry.name, "catalogId": entry.catalog_id, "dishes": entry.dishes}


def _seed(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    count = _int_field(body, "locations", 1) or 0
    names = body.get("names")
    demo = body.get("demo", False)
    if names is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        raise violation("names", "expected a list of strings", FORMAT)
    if not isinstance(demo, bool):
        raise violation("demo", "expected true or false", FORMAT)
    app = body.get("app", seeding.V3_APP)
    if app not in seeding.APP_CHOICES:
        raise violation("app", f"must be one of {', '.join(seeding.APP_CHOICES)}", FORMAT)
    site = body.get("site")
    if site is not None and not isinstance(site, str):
        raise violation("site", "expected a site id", FORMAT)
    dishes = parse_dishes(body.get("dishes"))
    content_seed = _int_field(body, "contentSeed", 0) or 0
    currency = body.get("currency") or emulator.currency
    site_count = _int_field(body, "sites", None)
    if site_count is not None:
        made = seeding.seed_sites(emulator.store, site_count, count, currency, demo, app, dishes, content_seed, names)
        return {
            "sites": [
                {
                    "siteId": entry.site_id,
                    "name": entry.name,
                    "token": entry.token,
                    "locations": [_location_json(location) for location in entry.locations],
                }
                for entry in made
            ]
        }
    seeded = seeding.seed(
        emulator.store,
        count,
        names,
        currency=currency,
        demo=demo,
        app=app,
        site=site,
        dishes=dishes,
        content_seed=content_seed,
    )
    return {"locations": [_location_json(entry) for entry in seeded]}


def _sites(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    with emulator.store.read() as tx:
        return {"sites": sites.listing(tx)}


def _get_rate_limit(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    return emulator.rate_limits()


def _set_rate_limit(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    site = body.get("site")
    if site is not None and not isinstance(site, str):
        raise violation("site", 'expected a site id or "default"', FORMAT)
    return emulator.set_rate_limit(body.get("perMinute"), site)


def _site_container(value: Any) -> str:
    if value is None or value == sites.DEFAULT_SITE.label:
        return SITE
    if not isinstance(value, str):
        raise violation("site", "expected a site id", FORMAT)
    return site_container(value)


def _wipe(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    seeding.reset(emulator.store)
    return {}


def _get_settings(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    return {"currency": emulator.site_currency(_site_container(params.str("site")))}


def _set_settings(emulator: Emulator, params: Params, body: dict[str, Any]) -> Any:
    container = _site_container(body.get("site"))
    if "currency" in body:
        emulator.set_currency(body["currency"], container)
    return {"currency": emulator.site_currency(container)}


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
    ("GET", "sites"): _sites,
    ("GET", "rate-limit"): _get_rate_limit,
    ("POST", "rate-limit"): _set_rate_limit,
    ("POST", "wipe"): _wipe,
    ("GET", "settings"): _get_settings,
    ("POST", "settings"): _set_settings,
}
