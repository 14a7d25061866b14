"""The emulator as an httpx transport, for running a client against it in-process (the "sandbox").

``EmulatorTransport`` works with both ``httpx.Client`` and ``httpx.AsyncClient``::

    client = httpx.Client(transport=emulator.transport(), base_url="http://sandbox")

It goes through the same ``Emulator.handle`` as the HTTP server. Latency is slept (``anyio.sleep``
in async use, so concurrent requests overlap); a ``drop`` fault raises ``httpx.RemoteProtocolError``
and a ``timeout`` fault raises ``httpx.ReadTimeout``, as a real connection would.
"""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING

import anyio
import anyio.to_thread
import httpx

from reconciler.emulator.faults import DROP, TIMEOUT
from reconciler.emulator.outcome import Outcome

if TYPE_CHECKING:
    from reconciler.emulator.core import Emulator


class EmulatorTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    def __init__(self, emulator: Emulator):
        self.emulator = emulator

    def _call(self, request: httpx.Request, body: bytes) -> Outcome:
        return self.emulator.handle(
            request.method, request.url.path, request.url.query, request.headers.multi_items(), body
        )

    @staticmethod
    def _response(outcome: Outcome, request: httpx.Request) -> httpx.Response:
        if outcome.action == DROP:
            raise httpx.RemoteProtocolError("injected fault: the connection was dropped", request=request)
        if outcome.action == TIMEOUT:
            raise httpx.ReadTimeout("injected fault: the call timed out", request=request)
        return httpx.Response(outcome.status, headers=outcome.headers, content=outcome.body, request=request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        delay = self.emulator.latency_for(request.url.path)
        if delay > 0:
            time.sleep(delay)
        return self._response(self._call(request, body), request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        delay = self.emulator.latency_for(request.url.path)
        if delay > 0:
            await anyio.sleep(delay)
        outcome = await anyio.to_thread.run_sync(functools.partial(self._call, request, body))
        return self._response(outcome, request)
