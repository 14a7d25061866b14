"""Which failures of a site's step are worth retrying, and the back-off both engines use.

Temporary (retried with exponential back-off): throttling, 5xx and dropped connections that the
HTTP session's own retries did not absorb, a lock another apply holds, an apply that stopped with
the live catalog unchanged for a temporary reason, an outcome the next run settles.
Permanent (never retried): bad fleet files and catalogs, missing credentials, 4xx answers,
unsafe plans, a verify that found differences. Anything unexpected is permanent too: a bug
retried a thousand times is still a bug, and it should show in `fleet status` at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from reconciler.errors import (
    ApplyFailed,
    ApplyOutcomeUnknown,
    LockHeld,
    PermanentApiError,
    TemporaryApiError,
)

TEMPORARY = (TemporaryApiError, LockHeld, ApplyOutcomeUnknown, httpx.TransportError, TimeoutError)


def is_temporary(exc: BaseException) -> bool:
    if isinstance(exc, ApplyFailed):
        cause = exc.__cause__
        return not isinstance(cause, PermanentApiError)
    return isinstance(exc, TEMPORARY)


@dataclass(frozen=True)
class Backoff:
    """The same numbers configure the local loop and Temporal's RetryPolicy."""

    attempts: int = 5
    initial: float = 1.0
    coefficient: float = 2.0
    maximum: float = 30.0

    def delay(self, attempt: int) -> float:
        return min(self.maximum, self.initial * self.coefficient ** (attempt - 1))


BACKOFF = Backoff()


async def retrying(
    call: Callable[[], Awaitable[object]],
    backoff: Backoff = BACKOFF,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> object:
    """Run ``call``; retry temporary failures with back-off, up to ``backoff.attempts`` tries."""
    attempt = 1
    while True:
        try:
            return await call()
        except Exception as exc:
            if not is_temporary(exc) or attempt >= backoff.attempts:
                raise
        await sleep(backoff.delay(attempt))
        attempt += 1
