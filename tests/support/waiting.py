"""Waiting for something to happen in another thread or process: poll with a deadline, never sleep a
fixed time and hope. Every wait in the suite goes through :func:`wait_until`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

POLL = 0.02  # seconds between polls: short enough to add nothing noticeable, long enough not to spin


def wait_until(
    condition: Callable[[], Any], what: str, timeout: float = 30.0, explain: Callable[[], str] = lambda: ""
) -> Any:
    """The first truthy value of ``condition()``; AssertionError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{explain()}")
        time.sleep(POLL)
