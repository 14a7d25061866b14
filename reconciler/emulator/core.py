"""The emulator: one object that answers HTTP-shaped requests, with no web framework inside.

``Emulator.handle(method, path, query, headers, body)`` returns an :class:`~outcome.Outcome`
(unpacks as ``status, headers, body``). Around it, two thin wire layers share every code path:
``asgi_app()`` (starlette, for ``reconcile emulator serve``) and ``transport()`` (an httpx transport
for ``httpx.Client`` and ``httpx.AsyncClient``, the in-process "sandbox" target).

One request: ``/_emulator/...`` goes to the admin API (no auth, never counted); anything else is
routed, authenticated and given its site (``Authorization: <token>`` or ``Bearer <token>``, and
``wix-site-id``: ``sites.resolve``), checked against the site's rate limit (429 + ``Retry-After``),
the fault rules and the site's installed apps (an API may need one: 404 ``APP_NOT_INSTALLED``), and
run by its handler inside one store transaction on that site, then recorded in the counters and
request log. A ``touch`` fault first simulates a concurrent edit of one entity (in its
own transaction, through the owning API's ``touch`` hook), then runs the call normally.
"""

from __future__ import annotations

import email.utils
import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from reconciler.emulator import admin, sites
from reconciler.emulator.apis import default_apis
from reconciler.emulator.errors import WixError, application_error
from reconciler.emulator.faults import (
    AFTER,
    DROP,
    ELEMENT,
    TIMEOUT,
    TOUCH,
    Fault,
    FaultRuleInvalid,
    failing_element,
    parse_rules,
)
from reconciler.emulator.knobs import Knobs, retry_after_header
from reconciler.emulator.outcome import Outcome, error_outcome
from reconciler.emulator.routing import Api, Call, Match, Reply, Router, Site, utc_now
from reconciler.emulator.seed import CURRENCY_KEY, DEFAULT_CURRENCY, installed_apps
from reconciler.emulator.sites import DEFAULT_SITE, SiteRef
from reconciler.emulator.store import SITE, Store
from reconciler.emulator.wire import Params, dumps, parse_body, parse_query

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "sandbox-local-token"
RATE_LIMIT = "rate-limit"  # how the request log names a call refused by the rate limit
ADMIN_PREFIX = "/_emulator"

_FAULT_CODES = {500: "INTERNAL", 502: "BAD_GATEWAY", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


def rate_limited(wait: float) -> WixError:
    error = application_error(
        429, "RESOURCE_EXHAUSTED", "rate limit exceeded: too many requests for this site in the last minute"
    )
    error.headers = [("retry-after", retry_after_header(wait))]
    return error


def _header_dict(headers: Headers | None) -> dict[str, str]:
    if headers is None:
        return {}
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return {str(key).lower(): str(value) for key, value in pairs}


def _query_pairs(query: str | bytes | Iterable[tuple[str, str]] | None) -> list[tuple[str, str]]:
    if query is None:
        return []
    if isinstance(query, bytes):
        query = query.decode("latin-1")
    if isinstance(query, str):
        return parse_qsl(query, keep_blank_values=True)
    return [(str(key), str(value)) for key, value in query]


class Emulator:
    """A Wix API emulator over a :class:`~store.Store`. Thread-safe; one per server or sandbox."""

    def __init__(
        self,
        store: Store,
        token: str = SANDBOX_TOKEN,
        currency: str | None = None,
        latency_ms: float = 0,
        apis: list[Api] | None = None,
        now: Callable[[], datetime] = utc_now,
    ):
        if not token:
            raise ValueError("the emulator needs a non-empty token")
        self.store = store
        self._token = token
        self._now = now
        self.knobs = Knobs(latency_ms)
        self.router = Router(apis if apis is not None else default_apis())
        if currency:
            self.set_currency(currency)

    # --- the request path --------------------------------------------------------------------------
    def handle(
        self,
        method: str,
        path: str,
        query: str | bytes | Iterable[tuple[str, str]] | None = None,
        headers: Headers | None = None,
        body: bytes = b"",
    ) -> Outcome:
        method = method.upper()
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            return admin.handle(self, method, path, _query_pairs(query), body)
        outcome = self._api_call(method, path, query, headers, body)
        # Every API answer carries a request id, errors included (clients report it; Wix's SDK
        # puts it on the error it throws).
        outcome.headers.append(("x-wix-request-id", str(uuid.uuid4())))
        # And a Date from the emulator's own clock, the one its createdDate/updatedDate stamps come
        # from (as any HTTP server's answer does; the HTTP server adds none of its own).
        outcome.headers.append(("date", email.utils.format_datetime(self._now().astimezone(UTC), usegmt=True)))
        return outcome

    def _api_call(
        self,
        method: str,
        path: str,
        query: str | bytes | Iterable[tuple[str, str]] | None,
        headers: Headers | None,
        body: bytes,
    ) -> Outcome:
        match = self.router.match(method, path)
        if match is None:
            outcome = error_outcome(application_error(404, "NOT_FOUND", f"no endpoint for {method} {path}"))
            self.knobs.record(method, path, None, outcome.status)
            return outcome
        operation = match.route.operation
        try:
            by_url = match.route.site_of
            site = SiteRef(by_url(match.path_params)) if by_url else self._site(_header_dict(headers))
        except WixError as error:  # 401, or 404 SITE_NOT_FOUND
            outcome = error_outcome(error)
            self.knobs.record(method, path, operation, outcome.status)
            return outcome
        wait = self.knobs.admit(site.label, self._now().timestamp())
        if wait is not None:
            outcome = error_outcome(rate_limited(wait))
            self.knobs.record(method, path, operation, outcome.status, RATE_LIMIT, False, site.label)
            return outcome
        fault = self.knobs.decide_fault(operation, site.id)
        executed = True
        if fault is None:
            outcome = self._execute(match, site, _query_pairs(query), body, headers)
        elif fault.kind == TOUCH:  # a concurrent edit lands first, then the call runs normally
            failed = self._touch(fault, site)
            executed = failed is None
            outcome = self._execute(match, site, _query_pairs(query), body, headers) if failed is None else failed
        elif fault.kind == ELEMENT:  # the call runs; one of its bulk elements fails as a business rule would
            with failing_element(fault.element):
                outcome = self._execute(match, site, _query_pairs(query), body, headers)
        else:
            executed = fault.phase == AFTER
            if executed:  # executed for real; only the response is lost
                self._execute(match, site, _query_pairs(query), body, headers)
            outcome = self._fault_outcome(fault)
        status = None if outcome.action else outcome.status
        self.knobs.record(method, path, operation, status, fault.kind if fault else None, executed, site.label)
        return outcome

    def _site(self, headers: dict[str, str]) -> SiteRef:
        """The site a request speaks for (``sites.resolve``); raises 401 or 404."""
        value = headers.get("authorization", "").strip()
        if value[:7].lower() == "bearer ":
            value = value[7:].strip()
        requested = headers.get("wix-site-id", "").strip() or None
        return sites.resolve(self.store, self._token, value, requested)

    def _execute(
        self, match: Match, site_ref: SiteRef, query: list[tuple[str, str]], raw_body: bytes, headers: Headers | None
    ) -> Outcome:
        route = match.route
        raw = route.site_of is not None  # a bytes upload
        try:
            params = Params(parse_query(query))
            body = {} if raw else parse_body(raw_body)
            container = site_ref.container
            transaction = self.store.write(container) if route.writes else self.store.read(container)
            with transaction as tx:
                if match.api.app is not None and match.api.app not in installed_apps(tx):
                    raise application_error(
                        404,
                        "APP_NOT_INSTALLED",
                        f"the site does not have the restaurant app {match.api.app!r} installed",
                        {"app": match.api.app},
                    )
                site = Site(currency=tx.meta(CURRENCY_KEY) or DEFAULT_CURRENCY, now=self._now, id=site_ref.id)
                call = Call(tx, match.path_params, params, body, site, raw_body if raw else b"", _header_dict(headers))
                result = route.handler(call)
        except WixError as error:
            return error_outcome(error)
        except sqlite3.OperationalError:
            log.exception("store unavailable during %s", route.operation)
            return error_outcome(application_error(503, "UNAVAILABLE", "the emulator's store is busy; try again"))
        except Exception:  # a bug in a handler: answer like a server would, keep the traceback in the log
            log.exception("unhandled error in %s", route.operation)
            return error_outcome(application_error(500, "INTERNAL", "internal error in the emulator"))
        reply = result if isinstance(result, Reply) else Reply(payload=result)
        body_bytes = reply.raw.encode("utf-8") if reply.raw is not None else dumps(reply.payload)
        outcome = Outcome(reply.status, body=body_bytes)
        outcome.headers += reply.headers
        return outcome

    def _toucher(self, service: str) -> Api | None:
        return next((api for api in self.router.apis if api.touch and service in api.touch_services), None)

    def _touch(self, fault: Fault, site: SiteRef = DEFAULT_SITE) -> Outcome | None:
        """Apply a touch fault's concurrent edit; an error outcome (the call is not run) if it cannot."""
        assert fault.entity is not None
        service, ident = fault.entity["service"], fault.entity["id"]
        api = self._toucher(service)
        try:
            if api is None or api.touch is None:
                raise application_error(400, "UNKNOWN_SERVICE", f"no API can touch service {service!r}")
            with self.store.write(site.container) as tx:
                api.touch(tx, service, ident, dict(fault.set or {}), self._now())
        except WixError as error:
            return error_outcome(
                application_error(
                    500,
                    "TOUCH_FAILED",
                    f"injected touch of {service} {ident!r} failed: {error.message}",
                    fault.entity,
                )
            )
        return None

    @staticmethod
    def _fault_outcome(fault: Fault) -> Outcome:
        if fault.kind == DROP:
            return Outcome(0, action=DROP)
        if fault.kind == TIMEOUT:
            outcome = error_outcome(application_error(504, "DEADLINE_EXCEEDED", "injected fault: the call timed out"))
            outcome.action = TIMEOUT
            outcome.hold_seconds = fault.delay_ms / 1000
            return outcome
        status = fault.status or 500
        if status == 429:
            error = application_error(429, "RESOURCE_EXHAUSTED", "injected fault: too many requests")
            seconds = fault.retry_after
            error.headers = [("retry-after", str(int(seconds)) if float(seconds).is_integer() else str(seconds))]
        else:
            code = _FAULT_CODES.get(status, "INJECTED_FAULT")
            error = application_error(status, code, f"injected fault: HTTP {status}")
        return error_outcome(error)

    def latency_for(self, path: str) -> float:
        """Seconds the wire layer waits before handling ``path`` (never for ``/_emulator``)."""
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            return 0.0
        return self.knobs.latency_seconds

    # --- wire layers -------------------------------------------------------------------------------
    def asgi_app(self) -> Any:
        from reconciler.emulator.asgi import build_app

        return build_app(self)

    def transport(self) -> Any:
        from reconciler.emulator.transport import EmulatorTransport

        return EmulatorTransport(self)

    # --- knobs, in-process -------------------------------------------------------------------------
    def counters(self, site: str | None = None) -> dict[str, Any]:
        """Every call; or, ``site`` (a site id, or "default"), the authenticated calls for one site."""
        return self.knobs.counters(site)

    def requests(self, since: int = 0, site: str | None = None) -> list[dict[str, Any]]:
        return self.knobs.requests(since, site)

    def set_rate_limit(self, per_minute: int | None, site: str | None = None) -> dict[str, Any]:
        """At most ``per_minute`` calls per site in any minute of the emulator's clock (None: no
        limit); ``site`` (an id, or "default") for one site, else for every site."""
        return self.knobs.set_rate_limit(per_minute, site)

    def rate_limits(self) -> dict[str, Any]:
        return self.knobs.rate_limits()

    def reset_counters(self) -> None:
        self.knobs.reset_counters()

    def set_latency(self, ms: float) -> None:
        self.knobs.set_latency(ms)

    def set_faults(self, rules: Any) -> list[dict[str, Any]]:
        parsed = parse_rules(rules)
        for rule in parsed:
            if rule.fault == TOUCH and rule.entity and self._toucher(rule.entity["service"]) is None:
                services = sorted({s for api in self.router.apis for s in api.touch_services})
                raise FaultRuleInvalid(
                    f"touch: unknown service {rule.entity['service']!r} (one of {', '.join(services) or 'none'})"
                )
        return self.knobs.set_faults(parsed)

    def clear_faults(self) -> None:
        self.knobs.clear_faults()

    def faults(self) -> list[dict[str, Any]]:
        return self.knobs.faults()

    # --- state hooks -------------------------------------------------------------------------------
    @property
    def currency(self) -> str:
        """The default site's currency."""
        return self.site_currency()

    def site_currency(self, site: str = SITE) -> str:
        """A site's currency (``site``: its container, ``store.site_container(id)``)."""
        with self.store.read(site) as tx:
            return tx.meta(CURRENCY_KEY) or DEFAULT_CURRENCY

    def set_currency(self, currency: str, site: str = SITE) -> None:
        if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
            raise ValueError(f"currency must be a 3-letter ISO 4217 code, got {currency!r}")
        with self.store.write(site) as tx:
            tx.set_meta(CURRENCY_KEY, currency.upper())

    def archive(
        self, catalog_id: str, kind: str, entity_id: str | None = None, archived: bool = True, scope: str = "live"
    ) -> dict[str, Any]:
        """U15: archive (or unarchive) a section, item, menu or catalog, as no public endpoint can."""
        from reconciler.emulator.v3 import admin as v3_admin

        with self.store.write() as tx:
            return v3_admin.set_archived(tx, catalog_id, kind, entity_id, archived, scope)
