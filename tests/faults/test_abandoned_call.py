"""A call of a step that the client stops waiting for still runs on the server.

Catalogs v3 runs the calls of one plan step concurrently. When one of them fails ambiguously (a
timeout), the executor discards the draft and starts over in a fresh one. A sibling call already
sent is not undone by the client giving up on it: the server runs it anyway, and the draft is
addressed by catalog id, so if the client moved on, that write lands in the *next* attempt's draft
and is published as a duplicate. (In-process, the emulator runs each call in a worker thread that a
cancelled wait abandons; the sweep saw it once under CPU load as two duplicate dips.)

The ordering is forced with events, not time: the sibling (``bulkCreateVariations``) is held by the
server until its neighbour ``bulkCreateMenus`` has timed out; if the client then sends its discard
before the sibling has answered, the server runs the sibling only once the fresh draft exists, as a
slow server would. The promise: the published catalog has every entity once.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil

import httpx

from reconciler.emulator import SANDBOX_TOKEN
from reconciler.http import Session
from reconciler.targets.registry import SANDBOX_URL
from reconciler.targets.wix_v3.target import WixV3Target
from tests.engine.harness import Harness
from tests.faults.campaign import Bed, census, desired
from tests.support.faults import rule

HELD, FAILING = "bulkCreateVariations", "bulkCreateMenus"
# Event-loop turns the held call gives the client to send its next request before the server runs
# it. Turns, not seconds: between the neighbour's failure and the discard being sent the client
# waits on nothing (no thread, no socket), so a client that does not wait sends it within a few.
TURNS = 1000


class _Server(httpx.AsyncBaseTransport):
    """The emulator as a remote server: a request once sent runs to its end, listened to or not."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.inner = harness.emulator.transport()
        self.failed = asyncio.Event()  # the neighbour timed out
        self.redrafted = asyncio.Event()  # a second draft was created
        self.log: list[tuple[str, str]] = []  # ("sent" | "answered", operation), in order
        self.running: list[asyncio.Future] = []
        self.held_once = False

    def _name(self, request: httpx.Request) -> str:
        found = self.harness.emulator.router.match(request.method, request.url.path)
        return found.route.operation if found else request.url.path

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        name = self._name(request)
        self.log.append(("sent", name))
        work = asyncio.ensure_future(self._serve(request, name))
        self.running.append(work)
        return await asyncio.shield(work)  # the client may stop waiting; the server does not stop

    async def _serve(self, request: httpx.Request, name: str) -> httpx.Response:
        if name == HELD and not self.held_once:
            self.held_once = True
            await self._hold()
        if name == "publishDraftCatalog":  # whatever the server still runs lands before the publish
            await asyncio.gather(*(w for w in self.running if w is not asyncio.current_task()), return_exceptions=True)
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.HTTPError:
            if name == FAILING:
                self.failed.set()
            raise
        self.log.append(("answered", name))
        if name == "createDraftCatalog" and sum(1 for e in self.log if e == ("answered", name)) == 2:
            self.redrafted.set()
        return response

    async def _hold(self) -> None:
        await self.failed.wait()
        for _ in range(TURNS):
            if ("sent", "discardDraftCatalog") in self.log:
                await self.redrafted.wait()  # the client moved on: the write reaches the server late
                return
            await asyncio.sleep(0)  # one loop turn, no time: let the client act on the failure


class _ServerHarness(Harness):
    server: _Server | None = None

    @contextlib.asynccontextmanager
    async def target(self):
        self.server = _Server(self)
        async with httpx.AsyncClient(transport=self.server, base_url=SANDBOX_URL, timeout=30) as client:
            session = Session(client, {"Authorization": SANDBOX_TOKEN}, [SANDBOX_TOKEN], self.policy)
            yield WixV3Target(session, self.location, label="sandbox")


def test_a_sibling_call_sent_before_a_timeout_is_answered_before_the_draft_is_discarded(tmp_path):
    bed = Bed.build("v3", tmp_path / "bed")
    shutil.copytree(bed.root / "base", tmp_path / "case")
    h = _ServerHarness(tmp_path / "case", new_site=False, api="v3")
    catalog, _ = desired()
    h.set_faults([rule(FAILING, "timeout", nth=1)])
    h.apply(catalog, verify=False)
    log = h.server.log if h.server else []
    assert h.server is not None and h.server.held_once and h.server.failed.is_set(), "the race was not staged"
    assert log.index(("answered", HELD)) < log.index(("sent", "discardDraftCatalog")), log
    h.clear_faults()
    again = h.apply(catalog, verify=False)
    assert again.differences == []
    left = census(h.snapshot())
    assert left == bed.census_after, sorted(map(str, (left - bed.census_after) + (bed.census_after - left)))
    h.store.close()
