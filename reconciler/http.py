"""One HTTP session for every remote API (Wix and each POS): limits, retries, typed errors, redaction.

:class:`Session` wraps an ``httpx.AsyncClient`` (:meth:`Session.call`, the Wix targets) or an
``httpx.Client`` (:meth:`Session.call_sync`, the POS readers and ``serve``'s change probes). Both
drivers run the same :class:`_Call`, so the rules are the same everywhere:

Limits, per call (:mod:`reconciler.limits`):

* the whole call, retries and waits included, ends within ``RECONCILE_HTTP_TIMEOUT`` seconds
  (default 60): a server that never answers, or drips its answer a byte at a time, is given up
  on, with a message naming the variable that raises the limit;
* an answer larger than ``RECONCILE_MAX_RESPONSE_MB`` (default 256 MiB) is refused while it
  is being read, never held in memory whole;
* JSON is decoded by :mod:`reconciler.jsonio` (no NaN, bounded nesting).

Retry policy (explicit, as kopf has TemporaryError/PermanentError):

* 429 is always retried: a throttled request was not executed. ``Retry-After`` is honoured up
  to :data:`reconciler.limits.RETRY_AFTER_MAX` seconds; a server that asks for longer gets an
  error saying so at once, rather than a wait of days or an early retry it asked us not to make.
* 5xx, timeouts and dropped connections are retried only for *idempotent* calls (reads, updates,
  archives). A create whose response was lost may have happened; retrying it could create a
  duplicate, so the caller gets a :class:`TemporaryApiError` and decides (the v3 executor throws
  the whole draft away and starts a fresh one).
* Other 4xx raise :class:`PermanentApiError` at once (401/403 with a hint about the token).

Backoff is exponential with full jitter, capped; the jitter source and the sleep are injectable
so tests are deterministic without sleeping.

Every message and error body passes the one redactor (:mod:`reconciler.redact`) with the
session's credentials, and is cut to :data:`BODY_LIMIT` characters after that.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson

from reconciler import jsonio, limits
from reconciler.errors import ApiError, PermanentApiError, TemporaryApiError
from reconciler.redact import Redactor

log = logging.getLogger(__name__)

BODY_LIMIT = 600  # characters of an error body kept in messages
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0  # between two chunks of an answer; the whole call has its own limit


@dataclass
class RetryPolicy:
    attempts: int = 5  # total tries for a retryable call
    base_delay: float = 0.25
    max_delay: float = 8.0
    jitter: Callable[[float], float] = field(default=lambda cap: random.uniform(0, cap))
    budget: float | None = None  # seconds for a whole call; None: RECONCILE_HTTP_TIMEOUT

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return self.jitter(min(self.max_delay, self.base_delay * (2**attempt)))


@dataclass
class CallStats:
    """Counts of calls by operation, for summaries and benchmarks."""

    calls: dict[str, int] = field(default_factory=dict)

    def count(self, operation: str) -> None:
        self.calls[operation] = self.calls.get(operation, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.calls.values())


class Session:
    """Sends JSON requests with auth headers, within limits, retrying per policy, redacting secrets."""

    def __init__(
        self,
        client: httpx.AsyncClient | httpx.Client,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] | Redactor | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], Any] | None = None,
        api: str = "the Wix API",
    ) -> None:
        self.client = client
        self.headers = dict(headers or {})
        self.redact = secrets if isinstance(secrets, Redactor) else Redactor(secrets or ())
        self.policy = policy or RetryPolicy()
        self.stats = CallStats()
        self.api = api
        self._sleep = sleep
        self.server_date: str | None = None  # the latest answer's Date: the server's clock, not ours

    async def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json_body: object | None = None,
        params: list[tuple[str, str]] | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """One call with an ``httpx.AsyncClient``; the decoded JSON object (a non-object is ``{"value": …}``)."""
        call = _Call(self, operation, method, path, json_body, params, headers, idempotent)
        outcome = await self._exchange(call, decode=True)
        return outcome if isinstance(outcome, dict) else {"value": outcome}

    async def call_bytes(
        self, operation: str, method: str, path: str, *, params: list[tuple[str, str]] | None = None
    ) -> bytes:
        """A read whose answer is kept as it came, undecoded (the plan memo hashes it: decoded only on a
        miss, by jsonio.answer); one that is not JSON is then read again through :meth:`call`."""
        call = _Call(self, operation, method, path, None, params, None, True)
        outcome = await self._exchange(call, decode=False)
        assert isinstance(outcome, bytes)
        return outcome

    async def _exchange(self, call: _Call, decode: bool) -> Any:
        assert isinstance(self.client, httpx.AsyncClient)
        sleep = self._sleep or asyncio.sleep
        while True:
            self.stats.count(call.operation)
            try:
                async with asyncio.timeout(call.left()):
                    response = await self.client.send(call.request(), stream=True)
                    self.server_date = response.headers.get("date") or self.server_date
                    try:
                        body = await call.read_async(response)
                    finally:
                        await response.aclose()
                outcome = call.outcome(response, body) if decode or response.status_code >= 400 else body
            except TimeoutError:
                outcome = call.timed_out()
            except httpx.HTTPError as exc:
                outcome = call.failed(exc)
            if not isinstance(outcome, ApiError):
                return outcome
            await sleep(call.wait_or_raise(outcome))

    def call_sync(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json_body: object | None = None,
        params: list[tuple[str, str]] | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> Any:
        """One call with an ``httpx.Client``; the decoded JSON, whatever its type."""
        assert isinstance(self.client, httpx.Client)
        call = _Call(self, operation, method, path, json_body, params, headers, idempotent)
        sleep = self._sleep or time.sleep
        while True:
            self.stats.count(operation)
            try:
                response = self.client.send(call.request(), stream=True)
                self.server_date = response.headers.get("date") or self.server_date
                try:
                    body = call.read_sync(response)
                finally:
                    response.close()
                outcome = call.outcome(response, body)
            except TimeoutError:
                outcome = call.timed_out()
            except httpx.HTTPError as exc:
                outcome = call.failed(exc)
            if not isinstance(outcome, ApiError):
                return outcome
            sleep(call.wait_or_raise(outcome))


class _Call:
    """One logical call: its request, its time budget and attempts, and what each answer means."""

    def __init__(self, session: Session, operation, method, path, json_body, params, headers, idempotent) -> None:
        self.session = session
        self.operation = operation
        self.method = method
        self.path = path
        self.content = None if json_body is None else orjson.dumps(json_body)
        self.params = params
        self.headers = {**session.headers, **(headers or {})}
        if self.content is not None:
            self.headers.setdefault("Content-Type", "application/json")
        self.idempotent = idempotent
        self.attempt = 0
        self.budget = session.policy.budget if session.policy.budget is not None else limits.http_timeout()
        self.until = time.monotonic() + self.budget
        self.max_bytes = limits.max_response_bytes()

    def left(self) -> float:
        return max(0.001, self.until - time.monotonic())

    def request(self) -> httpx.Request:
        left = self.left()
        timeout = httpx.Timeout(min(READ_TIMEOUT, left), connect=min(CONNECT_TIMEOUT, left))
        return self.session.client.build_request(
            self.method, self.path, params=self.params, content=self.content, headers=self.headers, timeout=timeout
        )

    # -- reading, within the limits ------------------------------------------------------------------
    def _check_length(self, response: httpx.Response) -> None:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise _TooLarge()

    async def read_async(self, response: httpx.Response) -> bytes:
        self._check_length(response)
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():  # decoded: a compressed bomb stops at the limit too
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge()
            chunks.append(chunk)
        return b"".join(chunks)

    def read_sync(self, response: httpx.Response) -> bytes:
        self._check_length(response)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge()
            if time.monotonic() > self.until:  # a server dripping its answer: each read is quick
                raise TimeoutError()
            chunks.append(chunk)
        return b"".join(chunks)

    # -- what an answer means --------------------------------------------------------------------------
    def outcome(self, response: httpx.Response, body: bytes) -> Any:
        """The decoded answer, or the error it is."""
        status = response.status_code
        if status < 400:
            if not body.strip():
                return {}
            try:
                return jsonio.loads(body)
            except jsonio.JsonInvalid as exc:
                return TemporaryApiError(
                    message=f"{self.session.api} answered with something that is not JSON ({exc})",
                    status=status,
                    operation=self.operation,
                    body=self._body(body),
                )
        message, code = jsonio.error_message(body)
        message = self._text(message or response.reason_phrase or "request failed")
        if status == 429 or status >= 500:
            return TemporaryApiError(
                message=message,
                status=status,
                code=code,
                operation=self.operation,
                body=self._body(body),
                retry_after=_retry_after(response),
            )
        if status in (401, 403):
            message += " (check the access token or API key)"
        return PermanentApiError(
            message=message, status=status, code=code, operation=self.operation, body=self._body(body)
        )

    def timed_out(self) -> ApiError:
        return TemporaryApiError(
            message=f"timed out: no complete answer from {self.session.api} within {self.budget:g} s, so the call "
            f"may or may not have been executed (raise the limit with {limits.HTTP_TIMEOUT_VARIABLE})",
            operation=self.operation,
        )

    def failed(self, exc: httpx.HTTPError) -> ApiError:
        if isinstance(exc, httpx.TimeoutException):
            return self.timed_out()
        if isinstance(exc, _TooLarge) or isinstance(exc.__cause__, _TooLarge):
            return PermanentApiError(
                message=f"the answer from {self.session.api} is larger than {self.max_bytes / limits.MIB:,.0f} MiB "
                f"(raise the limit with {limits.RESPONSE_MB_VARIABLE})",
                operation=self.operation,
            )
        if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError)):
            return PermanentApiError(message=self._text(f"cannot send the request: {exc}"), operation=self.operation)
        return TemporaryApiError(
            message=self._text(f"{type(exc).__name__}: {exc}") or f"cannot reach {self.session.api}",
            operation=self.operation,
        )

    def wait_or_raise(self, error: ApiError) -> float:
        """Seconds to wait before the next attempt; raises ``error`` when there is none."""
        if isinstance(error, PermanentApiError):
            raise error
        if not self.idempotent and error.status != 429:
            raise error
        self.attempt += 1
        policy = self.session.policy
        if self.attempt >= policy.attempts:
            raise error
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None and retry_after > limits.RETRY_AFTER_MAX:
            error.message += (
                f"; it asked to wait {retry_after:g} s before trying again (Retry-After), longer than the "
                f"{limits.RETRY_AFTER_MAX:g} s reconcile waits"
            )
            raise error
        wait = policy.delay(self.attempt - 1, retry_after)
        if time.monotonic() + wait >= self.until:
            raise error  # no time left for another attempt
        log.info(
            "retrying %s after %s (attempt %d, waiting %.2fs)",
            self.operation,
            error.status or "error",
            self.attempt,
            wait,
        )
        return wait

    def _text(self, text: str) -> str:
        return self.session.redact(text)[:BODY_LIMIT]

    def _body(self, body: bytes) -> str:
        text = self.session.redact(body[: BODY_LIMIT * 8].decode("utf-8", "replace"))
        return text[:BODY_LIMIT] + ("…" if len(text) > BODY_LIMIT or len(body) > BODY_LIMIT * 8 else "")


class _TooLarge(httpx.HTTPError):
    def __init__(self) -> None:
        super().__init__("the answer is too large")


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from ``Retry-After`` (a number or an HTTP date); None when absent or unreadable."""
    value = (response.headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.replace(".", "", 1).isdigit() and value.isascii():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def request_json(
    client: httpx.Client,
    method: str,
    path: str,
    *,
    operation: str,
    params: Mapping[str, Any] | None = None,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    secret: str | None = None,
    sleep: Callable[[float], None] | None = None,
    api: str = "the POS API",
) -> Any:
    """One call with a synchronous client that already carries base URL and auth (the POS readers)."""
    session = Session(client, secrets=[secret] if secret else (), sleep=sleep, api=api)
    return session.call_sync(operation, method, path, json_body=body, params=params, headers=headers)


def listing(data: Any, key: str, operation: str) -> list[dict[str, Any]]:
    """``data[key]`` as a list of objects (absent: empty); any other shape is the API's error, named."""
    value = data.get(key) if isinstance(data, dict) else None
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise PermanentApiError(
            message=f'the answer\'s "{key}" is not a list of objects; the API answered in an unexpected shape',
            operation=operation,
        )
    return value
