"""Test and benchmark knobs of one running emulator: latency, fault rules, rate limits, counters,
request log.

All off by default. They live in memory, per emulator process, behind one lock (requests arrive
on many threads). Set them in-process through ``Emulator`` methods, or over HTTP under
``/_emulator/`` (see ``admin.py``). Calls to ``/_emulator/`` are never counted, delayed or faulted.

Counters and the request log also know the site of each call (its id, or "default"), so a fleet
run can count calls per site. A rate limit (:class:`RateLimits`) admits at most N calls per site in
any 60 seconds of the emulator's clock (injectable: ``Emulator(now=...)``), as Wix's "200 requests
per minute, per instance"; beyond it a call answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, deque
from typing import Any

from reconciler.emulator.faults import Fault, FaultRule, parse_rules

_LOG_LIMIT = 100_000  # oldest entries fall off; `seq` keeps counting
RATE_WINDOW = 60.0  # seconds: a rate limit counts the calls of the last minute


class RateLimits:
    """Calls admitted per site in a sliding 60-second window. Not thread-safe: :class:`Knobs` locks."""

    def __init__(self) -> None:
        self.per_minute: int | None = None  # every site
        self.per_site: dict[str, int | None] = {}  # overrides, by site label; None: no limit
        self._admitted: dict[str, deque[float]] = {}

    @staticmethod
    def _check(limit: Any) -> int | None:
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ValueError(f"perMinute must be an integer >= 1 or null (no limit), got {limit!r}")
        return limit

    def set(self, limit: Any, site: str | None = None) -> None:
        limit = self._check(limit)
        if site is None:
            self.per_minute = limit
            self.per_site.clear()
        else:
            self.per_site[site] = limit

    def to_json(self) -> dict[str, Any]:
        return {"perMinute": self.per_minute, "sites": dict(self.per_site)}

    def admit(self, site: str, now: float) -> float | None:
        """Count one call for ``site`` at ``now`` (seconds); None if admitted, else the seconds until
        the oldest call in the window leaves it (the ``Retry-After``). Refused calls do not count."""
        limit = self.per_site.get(site, self.per_minute)  # an override may be None: no limit
        if limit is None:
            return None
        window = self._admitted.setdefault(site, deque())
        while window and window[0] <= now - RATE_WINDOW:
            window.popleft()
        if len(window) >= limit:
            return max(window[0] + RATE_WINDOW - now, 0.001)
        window.append(now)
        return None


def retry_after_header(seconds: float) -> str:
    """Whole seconds, rounded up (a client that waits that long is admitted)."""
    return str(max(1, math.ceil(seconds)))


class Knobs:
    def __init__(self, latency_ms: float = 0):
        self._lock = threading.Lock()
        self._latency_ms = float(latency_ms)
        self._rules: list[FaultRule] = []
        self._total = 0
        self._operations: Counter[str] = Counter()
        self._site_totals: Counter[str] = Counter()
        self._site_operations: dict[str, Counter[str]] = {}
        self._log: deque[dict[str, Any]] = deque(maxlen=_LOG_LIMIT)
        self._seq = 0
        self._rates = RateLimits()

    # --- latency -------------------------------------------------------------------------------
    @property
    def latency_seconds(self) -> float:
        return self._latency_ms / 1000

    def latency(self) -> dict[str, Any]:
        return {"ms": self._latency_ms}

    def set_latency(self, ms: float) -> None:
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms < 0:
            raise ValueError(f"latency must be a number of milliseconds >= 0, got {ms!r}")
        with self._lock:
            self._latency_ms = float(ms)

    # --- faults --------------------------------------------------------------------------------
    def set_faults(self, rules: Any) -> list[dict[str, Any]]:
        parsed = parse_rules(rules)
        with self._lock:
            self._rules = parsed
        return self.faults()

    def clear_faults(self) -> None:
        with self._lock:
            self._rules = []

    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.to_json() for rule in self._rules]

    def decide_fault(self, operation: str, site: str | None = None) -> Fault | None:
        """``site``: the seeded site the call is for (None: the default site)."""
        with self._lock:
            # Every matching rule counts the call (so "the Nth call" means the Nth call of that
            # operation); the first rule that fires decides it.
            hits = [rule for rule in self._rules if rule.matches(operation, site) and rule.decide()]
            if not hits:
                return None
            rule = hits[0]
            rule.fired += 1
            return Fault(
                rule.fault, rule.phase, rule.retry_after, rule.delay_ms, operation, rule.entity, rule.set, rule.element
            )

    # --- rate limits ------------------------------------------------------------------------------
    def set_rate_limit(self, per_minute: Any, site: str | None = None) -> dict[str, Any]:
        """At most ``per_minute`` calls per site per minute (None: no limit); ``site`` (a label):
        for that site only, else for every site (clearing per-site overrides)."""
        with self._lock:
            self._rates.set(per_minute, site)
            return self._rates.to_json()

    def rate_limits(self) -> dict[str, Any]:
        with self._lock:
            return self._rates.to_json()

    def admit(self, site: str, now: float) -> float | None:
        with self._lock:
            return self._rates.admit(site, now)

    # --- counters and the request log ------------------------------------------------------------
    def record(
        self,
        method: str,
        path: str,
        operation: str | None,
        status: int | None,
        fault: str | None = None,
        executed: bool = True,
        site: str | None = None,
    ) -> None:
        """``site``: the label of the site the call was for (None when it was not authenticated)."""
        with self._lock:
            self._seq += 1
            self._total += 1
            if operation:
                self._operations[operation] += 1
            if site is not None:
                self._site_totals[site] += 1
                if operation:
                    self._site_operations.setdefault(site, Counter())[operation] += 1
            self._log.append(
                {
                    "seq": self._seq,
                    "method": method,
                    "path": path,
                    "operation": operation,
                    "status": status,
                    "fault": fault,
                    "executed": executed,
                    "site": site,
                }
            )

    def counters(self, site: str | None = None) -> dict[str, Any]:
        """Every call, or (``site``: a label) the authenticated calls for one site."""
        with self._lock:
            if site is None:
                return {"total": self._total, "operations": dict(sorted(self._operations.items()))}
            operations = self._site_operations.get(site, Counter())
            return {"total": self._site_totals[site], "operations": dict(sorted(operations.items()))}

    def requests(self, since: int = 0, site: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                dict(entry) for entry in self._log if entry["seq"] > since and (site is None or entry["site"] == site)
            ]

    def reset_counters(self) -> None:
        """Zero the counters and empty the request log (latency and faults stay)."""
        with self._lock:
            self._total = 0
            self._operations.clear()
            self._site_totals.clear()
            self._site_operations.clear()
            self._log.clear()
            self._seq = 0
