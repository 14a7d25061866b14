"""One overall deadline per command, so no input and no server can make reconcile run forever.

Every HTTP request has its own timeouts (:mod:`reconciler.http`), and every input its limits
(:mod:`reconciler.limits`); the deadline bounds the whole command on top of them (default
1800 s; ``--deadline SECONDS`` or ``RECONCILE_DEADLINE`` raise or lower it). ``serve`` and the
emulator run until stopped and have none.

Synchronous work (reading and checking YAML, fmt) is interrupted by a SIGALRM timer that raises
:class:`DeadlineExceeded`. Asynchronous work (plan, apply, ``--from-api``) runs in
:func:`run_async`, which cancels the command's task when the time is up, so an apply unwinds
exactly as it does on Ctrl-C (its draft discarded, or its staged mapping kept for the next run
to settle), and then raises the command's own error.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from reconciler import environment, limits
from reconciler.errors import ReconcileError

T = TypeVar("T")

_state: dict[str, float | None] = {"until": None, "seconds": None}


class DeadlineExceeded(ReconcileError):
    """The command ran longer than its deadline and was stopped."""


def _message(what: str = "the command") -> str:
    seconds = _state["seconds"] or limits.DEFAULT_DEADLINE
    return (
        f"{what} did not finish within its deadline of {seconds:g} s and was stopped; "
        f"raise it with --deadline SECONDS or {limits.DEADLINE_VARIABLE}"
    )


def start(value: str | float | None) -> None:
    """Arm the deadline: ``value`` seconds (None: the default)."""
    if value is None:
        seconds = limits.DEFAULT_DEADLINE
    else:
        seconds = environment.parse_number(
            str(value), f"--deadline (or {limits.DEADLINE_VARIABLE})", low=1, high=7 * 24 * 3600
        )
    _state.update(until=time.monotonic() + seconds, seconds=seconds)
    _arm()


def stop() -> None:
    _state.update(until=None, seconds=None)
    _disarm()


def remaining() -> float | None:
    until = _state["until"]
    return None if until is None else max(0.0, until - time.monotonic())


def _on_alarm(signum, frame) -> None:
    raise DeadlineExceeded(_message())


def _arm() -> None:
    left = remaining()
    if left is None or threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


def _disarm() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.setitimer(signal.ITIMER_REAL, 0)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)``, with the result handed back beside the main task, not as its result.

    As it ends, Python 3.11's ``asyncio.run`` asks ``signal.getsignal`` for the SIGINT handler it
    installed, which formats (and drops) an error message holding the repr of that handler: a
    partial holding the main task, whose repr holds its result. For a plan of 10,000 dishes that is
    the whole plan's repr, twice: 0.14 s of a cold ``reconcile plan``'s CPU (py-spy). The repr of a
    task whose result is None costs nothing."""
    box: list[T] = []

    async def main() -> None:
        box.append(await coroutine)

    asyncio.run(main())
    return box[0]


def run_async(coroutine: Coroutine[Any, Any, T], on_timeout: Callable[[str], ReconcileError] | None = None) -> T:
    """:func:`run` within the deadline; at the deadline the task is cancelled.

    ``on_timeout`` builds the error to raise then (an apply says what it leaves behind).
    """
    left = remaining()
    if left is None:
        return run(coroutine)

    async def bounded() -> T:
        async with asyncio.timeout(left):
            return await coroutine

    _disarm()  # the task is cancelled cleanly instead of being interrupted anywhere
    try:
        result = run(bounded())
    except TimeoutError:
        message = _message()
        # The deadline is spent: it must not fire again (re-armed, the timer would go off a
        # millisecond later, in the middle of printing this very error, as a traceback).
        stop()
        raise (on_timeout(message) if on_timeout else DeadlineExceeded(message)) from None
    except BaseException:
        _rearm()
        raise
    _rearm()
    return result


def _rearm() -> None:
    with contextlib.suppress(ValueError):
        _arm()
