"""The emulator as an ASGI app (starlette), served by uvicorn in ``reconcile emulator serve``.

Every request goes to ``Emulator.handle`` in a worker thread (SQLite calls block), after the
configured latency, awaited with ``asyncio.sleep`` so concurrent requests overlap. Injected faults
that are not plain responses are carried out on the wire:

- ``drop``: the response starts (status line, headers announcing a body) and the connection is
  then closed part-way, so the client sees a protocol error (httpx: ``RemoteProtocolError``);
- ``timeout``: the response is held for the rule's delay, then a 504 is sent to whoever still waits.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from reconciler.emulator.faults import DROP, TIMEOUT

if TYPE_CHECKING:
    from reconciler.emulator.core import Emulator

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
_PROMISED = b'{"message":"this response is cut short by an injected fault"}'


class DroppedResponse(Response):
    """Starts a response and abandons it, so the server closes the connection mid-body."""

    def __init__(self) -> None:
        super().__init__(content=b"", status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(_PROMISED)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": _PROMISED[:10], "more_body": True})
        # Returning without finishing the body makes the server close the connection.


def build_app(emulator: Emulator) -> Starlette:
    async def endpoint(request: Request) -> Response:
        path: str = request.scope["path"]
        query = parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        body = await request.body()
        delay = emulator.latency_for(path)
        if delay > 0:
            await asyncio.sleep(delay)
        outcome = await run_in_threadpool(emulator.handle, request.method, path, query, request.headers.items(), body)
        if outcome.action == DROP:
            return DroppedResponse()
        if outcome.action == TIMEOUT:
            with contextlib.suppress(asyncio.CancelledError):  # shutting down: stop holding, answer now
                await asyncio.sleep(outcome.hold_seconds)
        return Response(content=outcome.body, status_code=outcome.status, headers=dict(outcome.headers))

    app: Any = Starlette(routes=[Route("/{path:path}", endpoint, methods=METHODS)])
    app.state.emulator = emulator
    return app
