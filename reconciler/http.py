"""One HTTP session for every remote API: retries, typed errors, and no secret ever in a message.

Retry policy (kept explicit, as kopf does with TemporaryError/PermanentError):

* 429 is always retried: a throttled request was not executed. ``Retry-After`` is honoured.
* 5xx, timeouts and dropped connections are retried only for *idempotent* calls (reads, updates,
  archives). A create whose response was lost may have happened; retrying it could create a
  duplicate, so the caller gets a :class:`TemporaryApiError` and decides (the v3 executor throws
  the whole draft away and starts a fresh one).
* Other 4xx raise :class:`PermanentApiError` at once.

Backoff is exponential with full jitter, capped, and the jitter source is injectable so tests are
deterministic without sleeping longer than needed.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx
import orjson

from reconciler.errors import ApiError, PermanentApiError, TemporaryApiError

log = logging.getLogger(__name__)

BODY_LIMIT = 600  # characters of an error body kept in messages


@dataclass
class RetryPolicy:
    attempts: int = 5  # total tries for a retryable call
    base_delay: float = 0.25
    max_delay: float = 8.0
    jitter: Callable[[float], float] = field(default=lambda cap: random.uniform(0, cap))

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay * 4)
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
    """Sends JSON requests with auth headers, retries per policy, and redacts secrets."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        headers: Mapping[str, str],
        secrets: list[str] | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], object] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.headers = dict(headers)
        self.secrets = [s for s in (secrets or []) if s]
        self.policy = policy or RetryPolicy()
        self.stats = CallStats()
        self._sleep = sleep

    async def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json_body: object | None = None,
        params: list[tuple[str, str]] | None = None,
        idempotent: bool = True,
    ) -> dict:
        attempt = 0
        while True:
            self.stats.count(operation)
            try:
                response = await self.client.request(
                    method,
                    path,
                    headers=self.headers,
                    params=params,
                    content=None if json_body is None else orjson.dumps(json_body),
                )
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                error = TemporaryApiError(
                    message=f"{type(exc).__name__}: {self.redact(str(exc)) or 'connection failed'}",
                    operation=operation,
                )
                if not idempotent:
                    raise error from exc
            else:
                if response.status_code < 400:
                    return _json(response)
                error = self._error(operation, response)
                if isinstance(error, PermanentApiError):
                    raise error
                if not idempotent and response.status_code != 429:
                    raise error
            attempt += 1
            if attempt >= self.policy.attempts:
                raise error
            wait = self.policy.delay(attempt - 1, getattr(error, "retry_after", None))
            log.info(
                "retrying %s after %s (attempt %d, waiting %.2fs)", operation, error.status or "error", attempt, wait
            )
            await self._sleep(wait)

    def _error(self, operation: str, response: httpx.Response) -> ApiError:
        body = self.redact(response.text)[:BODY_LIMIT]
        message, code = _wix_message(response)
        message = self.redact(message or response.reason_phrase or "request failed")
        status = response.status_code
        if status == 429 or status >= 500:
            return TemporaryApiError(
                message=message,
                status=status,
                code=code,
                operation=operation,
                body=body,
                retry_after=_retry_after(response),
            )
        return PermanentApiError(message=message, status=status, code=code, operation=operation, body=body)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def _json(response: httpx.Response) -> dict:
    if not response.content:
        return {}
    try:
        data = orjson.loads(response.content)  # several times faster than json for 10,000-item lists
    except ValueError as exc:
        raise TemporaryApiError(message="the response was not JSON", status=response.status_code) from exc
    return data if isinstance(data, dict) else {"value": data}


def _wix_message(response: httpx.Response) -> tuple[str, str | None]:
    """Message and application error code from Wix's standard error envelope."""
    try:
        data = response.json()
    except ValueError:
        return "", None
    if not isinstance(data, dict):
        return "", None
    details = data.get("details") or {}
    app = details.get("applicationError") or {}
    code = app.get("code")
    message = data.get("message") or app.get("description") or ""
    violations = (details.get("validationError") or {}).get("fieldViolations") or []
    if violations:
        message += ": " + "; ".join(f"{v.get('field')}: {v.get('description')}" for v in violations[:5])
    return str(message), code


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
