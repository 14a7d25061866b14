"""The one HTTP session against servers that misbehave: silence, drips, huge or malformed answers.

Both drivers (async for Wix, sync for the POS readers) run the same rules, so each case runs
through both. Time limits are asserted by the errors they produce (their messages name the
variable that raises them), never by measuring how long anything took.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from reconciler.errors import PermanentApiError, TemporaryApiError
from reconciler.http import RetryPolicy, Session, listing
from tests.hostile import servers

pytestmark = pytest.mark.e2e  # real sockets on 127.0.0.1

QUICK = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0, jitter=lambda cap: 0.0, budget=1.5)
SECRET = "hostile-canary-token-0123456789"


def _call(url: str, mode: str, policy: RetryPolicy = QUICK, sleeps: list | None = None, **kwargs):
    recorded = sleeps if sleeps is not None else []
    headers = {"Authorization": SECRET}
    if mode == "sync":
        with httpx.Client(base_url=url) as client:
            session = Session(client, headers, [SECRET], policy, sleep=recorded.append)
            return session.call_sync("listThings", "GET", "/things", **kwargs)

    async def run():
        async def sleep(seconds: float) -> None:
            recorded.append(seconds)

        async with httpx.AsyncClient(base_url=url) as client:
            session = Session(client, headers, [SECRET], policy, sleep=sleep)
            return await session.call("listThings", "GET", "/things", **kwargs)

    return asyncio.run(run())


MODES = ["sync", "async"]


@pytest.mark.parametrize("mode", MODES)
def test_a_server_that_never_answers_is_given_up_on_within_the_budget(mode):
    with servers.silent() as server, pytest.raises(TemporaryApiError) as caught:
        _call(server.url, mode)
    assert "no complete answer" in str(caught.value) and "RECONCILE_HTTP_TIMEOUT" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_a_server_that_drips_its_answer_is_cut_off(mode):
    with servers.drip() as server, pytest.raises(TemporaryApiError) as caught:
        _call(server.url, mode)
    assert "RECONCILE_HTTP_TIMEOUT" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_beyond_the_cap_fails_at_once_saying_so(mode):
    raw = servers.response("429 Too Many Requests", b"{}", {"Retry-After": "999999"})
    sleeps: list[float] = []
    with servers.answer(raw) as server, pytest.raises(TemporaryApiError) as caught:
        _call(server.url, mode, sleeps=sleeps)
    assert len(server.requests) == 1 and sleeps == []
    assert "999999 s" in str(caught.value) and "Retry-After" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_within_the_cap_is_honoured(mode):
    raw = servers.response("429 Too Many Requests", b"{}", {"Retry-After": "0.25"})
    sleeps: list[float] = []
    with servers.answer(raw) as server, pytest.raises(TemporaryApiError):
        _call(server.url, mode, policy=RetryPolicy(attempts=3, budget=30), sleeps=sleeps)
    assert sleeps == [0.25, 0.25] and len(server.requests) == 3


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("length", [True, False], ids=["content-length", "chunked"])
def test_an_answer_over_the_size_limit_is_refused_while_reading(mode, length, monkeypatch):
    monkeypatch.setenv("RECONCILE_MAX_RESPONSE_MB", "1")
    body = json.dumps(["x" * 1000] * 3000).encode()  # 3 MB
    with (
        servers.answer(servers.response("200 OK", body, length=length)) as server,
        pytest.raises(PermanentApiError) as caught,
    ):
        _call(server.url, mode)
    assert "larger than 1 MiB" in str(caught.value) and "RECONCILE_MAX_RESPONSE_MB" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "body",
    [b"not json", b"[NaN]", b"[1e400]", b"[" * 2000 + b"]" * 2000, b'{"a": "\\ud800"}', b"\xff\xfe"],
    ids=["text", "nan", "overflow", "deep", "surrogate", "binary"],
)
def test_an_answer_that_is_not_json_we_accept_is_an_api_error(mode, body):
    with servers.answer(servers.response("200 OK", body)) as server, pytest.raises(TemporaryApiError) as caught:
        _call(server.url, mode)
    assert "not JSON" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_error_bodies_are_redacted_in_every_rendering_and_cut_short(mode):
    echoed = json.dumps({"message": f"bad token {SECRET!r} {json.dumps(SECRET + chr(10))} {SECRET[:14]}…"})
    raw = servers.response("401 Unauthorized", (echoed + " " * 5000).encode())
    with servers.answer(raw) as server, pytest.raises(PermanentApiError) as caught:
        _call(server.url, mode)
    shown = f"{caught.value} {caught.value.body} {caught.value!r}"
    assert SECRET not in shown and SECRET[:12] not in shown
    assert "access token" in str(caught.value) and len(caught.value.body) <= 601


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_connection_is_temporary_and_names_no_secret(mode):
    with servers.silent() as server:
        url = server.url
    with pytest.raises(TemporaryApiError) as caught:
        _call(url, mode)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("shape", [{"catalogs": 7}, {"catalogs": [1, 2]}, {"catalogs": "x"}])
def test_answers_of_the_wrong_shape_are_the_apis_error(shape):
    with pytest.raises(PermanentApiError, match="unexpected shape"):
        listing(shape, "catalogs", "listCatalogs")
    assert listing({"catalogs": None}, "catalogs", "listCatalogs") == []
