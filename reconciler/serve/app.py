"""The HTTP side of ``serve``: one webhook endpoint per POS, and ``/healthz``. Starlette, no sync work.

``POST /webhooks/<pos>`` (one per POS of a configured catalog; the rest are 404):

1. read the raw body (at most 1 MiB) and verify its signature with the source's
   ``verify_webhook`` (:mod:`reconciler.sources.base`); a bad or missing one is answered 401 and
   nothing else happens: no queue row, no POS or Wix call. An unsigned set-up message the source
   recognises (``webhook_handshake``: Clover's verification code) is logged and answered 200;
2. parse the events (``parse_webhook``) and route each to the catalogs configured for its account;
3. put one row per (catalog, event) on the durable queue, which drops duplicates, wake the worker,
   and answer 200 at once. Syncing happens in the worker, never in the request.

If the queue cannot store an event the answer is 503, so the POS delivers it again.

``GET /healthz``: queue depth, events given up since the catalog's last good sync ("degraded"),
and per catalog what is pending or running and the last sync.
Built by :mod:`reconciler.serve.server`; the lifespan starts and stops the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from reconciler import limits
from reconciler.redact import Redactor
from reconciler.serve.config import CatalogConfig, ServeConfig
from reconciler.serve.history import History
from reconciler.serve.jsonlog import emit
from reconciler.serve.queue import Item, Queue
from reconciler.serve.secrets import account_of, catalog_environ
from reconciler.serve.status import WebhookOutcome
from reconciler.serve.worker import Worker
from reconciler.sources.base import Event, Source, Verdict, WebhookKey
from reconciler.sources.errors import WebhookInvalid
from reconciler.sources.registry import get_source

MAX_BODY = limits.WEBHOOK_MAX_BODY
BODY_TIMEOUT = 10.0  # seconds for a whole webhook body to arrive


@dataclass
class ServeContext:
    """Everything the endpoints need, built once at start-up."""

    config: ServeConfig
    queue: Queue
    history: History
    worker: Worker
    environ: Mapping[str, str]
    cancel: Callable[[], int] = lambda: 0  # Syncer.cancel_running: abandon applies after the grace period
    recovered: int = 0  # queue rows a previous process had claimed, returned to pending at start-up
    started: float = field(default_factory=time.time)
    redact: Redactor = field(default_factory=Redactor)  # every answer passes it (/healthz is unauthenticated)

    def catalogs_for(self, pos: str) -> list[CatalogConfig]:
        return [c for c in self.config.catalogs if c.source == pos]

    def webhook_keys(self, source: Source) -> list[WebhookKey]:
        """One key per distinct secret (and URL) among the catalogs of this POS."""
        env = source.env
        keys = []
        for catalog in self.catalogs_for(source.name):
            have = catalog_environ(catalog, self.environ)
            if have.get(env.webhook_secret):
                keys.append(
                    WebhookKey(have[env.webhook_secret], have.get(env.webhook_url, "") if env.webhook_url else "")
                )
        return list(dict.fromkeys(keys))

    def verify(self, source: Source, headers: Mapping[str, str], body: bytes) -> Verdict:
        return source.verify_webhook({k.lower(): v for k, v in headers.items()}, body, self.webhook_keys(source))

    def route(self, event: Event) -> list[CatalogConfig]:
        """The catalogs an event is for: those of its account, and those that take any account."""
        found = []
        for catalog in self.catalogs_for(event.pos):
            account = account_of(catalog, self.environ)
            if account is None or account == event.account:
                found.append(catalog)
        return found

    def accept(self, events: list[Event], received: float, variant: str = "") -> dict[str, int]:
        counts = {"accepted": 0, "duplicates": 0, "ignored": 0}
        signed = {"signature_variant": variant} if variant else {}
        for event in events:
            targets = self.route(event) if event.relevant else []
            if not targets:
                counts["ignored"] += 1
                reason = "not a catalog change" if not event.relevant else f"no catalog for account {event.account}"
                emit(
                    "webhook",
                    pos=event.pos,
                    event_id=event.event_id,
                    kind=event.kind,
                    account=event.account,
                    outcome=WebhookOutcome.IGNORED,
                    reason=reason,
                    **signed,
                )
            for catalog in targets:
                fresh = self.queue.put(Item(catalog.name, event.event_id, event.pos, event.kind, received, event.hint))
                counts["accepted" if fresh else "duplicates"] += 1
                emit(
                    "webhook",
                    pos=event.pos,
                    event_id=event.event_id,
                    kind=event.kind,
                    account=event.account,
                    catalog=catalog.name,
                    outcome=WebhookOutcome.QUEUED if fresh else WebhookOutcome.DUPLICATE,
                    **signed,
                )
        return counts

    def health(self) -> dict:
        catalogs = {}
        # Events given up (dead) leave the queue empty, so depth alone would say all is well.
        dead = self.queue.dead(since=self.history.last_success())
        for catalog in self.config.catalogs:
            given_up = dead.get(catalog.name)
            count, last = self.history.stats(catalog.name)
            catalogs[catalog.name] = {
                "source": catalog.source,
                "target": catalog.target,
                "pending": self.queue.depth(catalog.name),
                "running": self.worker.busy(catalog.name),
                "syncs": count,
                "last_sync": None
                if last is None
                else {
                    "id": last.id,
                    "outcome": last.outcome,
                    "summary": last.summary,
                    "finished": _iso(last.finished),
                    "reasons": last.reasons,
                    "events": len(last.events),
                    "plan_file": last.plan_file,
                    "error": last.error,
                },
                "next_periodic": _iso(self.worker.next_periodic.get(catalog.name)),
                "dead": None
                if given_up is None
                else {"events": given_up[0], "last": _iso(given_up[1]), "last_error": given_up[2]},
            }
        dead_events = sum(d[0] for name, d in dead.items() if name in catalogs)
        if not self.worker.alive:
            status = "stopping" if self.worker.stopping.is_set() else "worker-down"
        else:
            status = "degraded" if dead_events else "ok"
        return {
            "status": status,
            "queue_depth": self.queue.depth(),
            "dead_events": dead_events,
            "started": _iso(self.started),
            "catalogs": catalogs,
        }


def _iso(moment: float | None) -> str | None:
    return None if moment is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


class _BodyRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason


async def _body(request: Request) -> bytes:
    """The raw body: at most MAX_BODY bytes, all of it within BODY_TIMEOUT seconds.

    A Content-Length beyond the limit is refused before reading; a client that announces more
    than it sends (or drips it) is cut off at the timeout instead of holding a connection open.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _BodyRefused(413, "body too large")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY:
                    raise _BodyRefused(413, "body too large")
                chunks.append(chunk)
    except TimeoutError:
        raise _BodyRefused(408, f"the body did not arrive within {BODY_TIMEOUT:g} s") from None
    except ClientDisconnect:
        raise _BodyRefused(400, "the client disconnected before sending the whole body") from None
    return b"".join(chunks)


def _json(context: ServeContext, content: object, status: int = 200) -> Response:
    """The one way an answer is made: JSON, redacted (``/healthz`` is unauthenticated)."""
    return Response(
        json.dumps(context.redact.data(content), ensure_ascii=False, allow_nan=False, separators=(",", ":")),
        status_code=status,
        media_type="application/json",
    )


def _answer(
    context: ServeContext, status: int, message: str, pos: str, outcome: WebhookOutcome, **fields: object
) -> Response:
    """Log why a delivery was not queued (at warning level; an error for our own failure), and say so."""
    level = logging.ERROR if status >= 500 else logging.WARNING
    emit("webhook", level, pos=pos, outcome=outcome, **fields)
    return _json(context, {"error": message}, status)


def _refused(context: ServeContext, source: Source, body: bytes, verdict: Verdict, remote: str | None) -> Response:
    """401, unless the unsigned body is the POS's set-up handshake, which is logged for the user."""
    setup = source.webhook_handshake(body)
    if setup is not None:
        emit("webhook-handshake", pos=source.name, code=setup.code, message=setup.message)
        return _json(context, {"status": "verification code received"})
    why = {"reason": verdict.reason, "remote": remote}
    return _answer(context, 401, "invalid or missing signature", source.name, WebhookOutcome.REJECTED, **why)


async def _webhook(context: ServeContext, request: Request) -> Response:
    """``POST /webhooks/<pos>``: the steps of the module docstring."""
    pos = request.path_params["pos"]
    if pos not in {c.source for c in context.config.catalogs}:
        return _json(context, {"error": f"no catalog is configured for {pos}"}, 404)
    source = get_source(pos)
    received = time.time()
    remote = request.client.host if request.client else None
    try:
        body = await _body(request)
    except _BodyRefused as refused:
        return _answer(
            context, refused.status, refused.reason, pos, WebhookOutcome.REJECTED, reason=refused.reason, remote=remote
        )
    headers = dict(request.headers)
    verdict = context.verify(source, headers, body)
    if not verdict.ok:
        return _refused(context, source, body, verdict, remote)
    try:
        events = source.parse_webhook(body, headers)
    except WebhookInvalid as exc:
        return _answer(context, 400, str(exc), pos, WebhookOutcome.INVALID, reason=str(exc), remote=remote)
    try:
        counts = await run_in_threadpool(context.accept, events, received, verdict.variant)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        return _answer(
            context, 503, "could not queue the event; deliver it again", pos, WebhookOutcome.NOT_STORED, error=error
        )
    if counts["accepted"]:
        context.worker.wake()
    return _json(context, counts)


def build_app(context: ServeContext) -> Starlette:
    async def webhook(request: Request) -> Response:
        return await _webhook(context, request)

    async def healthz(request: Request) -> Response:
        report = await run_in_threadpool(context.health)
        # Degraded still takes webhooks: a load balancer must keep sending them (200), a monitor
        # reads "status" and alerts.
        return _json(context, report, 200 if report["status"] in ("ok", "degraded") else 503)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        context.worker.start()
        emit("started", catalogs=[c.name for c in context.config.catalogs], queue_depth=context.queue.depth())
        try:
            yield
        finally:
            grace = context.config.shutdown_grace
            emit("stopping", running=sorted(context.worker.running), grace=grace)
            await run_in_threadpool(context.worker.stop, grace, context.cancel)
            emit("stopped", queue_depth=context.queue.depth())

    return Starlette(
        routes=[Route("/webhooks/{pos}", webhook, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])],
        lifespan=lifespan,
    )
