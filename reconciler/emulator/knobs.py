"""Test and benchmark knobs of one running emulator: latency, fault rules, counters, request log.

All off by default. They live in memory, per emulator process, behind one lock (requests arrive
on many threads). Set them in-process through ``Emulator`` methods, or over HTTP under
``/_emulator/`` (see ``admin.py``). Calls to ``/_emulator/`` are never counted, delayed or faulted.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Any

from reconciler.emulator.faults import Fault, FaultRule, parse_rules

_LOG_LIMIT = 100_000  # oldest entries fall off; `seq` keeps counting


class Knobs:
    def __init__(self, latency_ms: float = 0):
        self._lock = threading.Lock()
        self._latency_ms = float(latency_ms)
        self._rules: list[FaultRule] = []
        self._total = 0
        self._operations: Counter[str] = Counter()
        self._log: deque[dict[str, Any]] = deque(maxlen=_LOG_LIMIT)
        self._seq = 0

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

    def decide_fault(self, operation: str) -> Fault | None:
        with self._lock:
            # Every matching rule counts the call (so "the Nth call" means the Nth call of that
            # operation); the first rule that fires decides it.
            hits = [rule for rule in self._rules if rule.matches(operation) and rule.decide()]
            if not hits:
                return None
            rule = hits[0]
            rule.fired += 1
            return Fault(
                rule.fault, rule.phase, rule.retry_after, rule.delay_ms, operation, rule.entity, rule.set, rule.element
            )

    # --- counters and the request log ------------------------------------------------------------
    def record(
        self,
        method: str,
        path: str,
        operation: str | None,
        status: int | None,
        fault: str | None = None,
        executed: bool = True,
    ) -> None:
        with self._lock:
            self._seq += 1
            self._total += 1
            if operation:
                self._operations[operation] += 1
            self._log.append(
                {
                    "seq": self._seq,
                    "method": method,
                    "path": path,
                    "operation": operation,
                    "status": status,
                    "fault": fault,
                    "executed": executed,
                }
            )

    def counters(self) -> dict[str, Any]:
        with self._lock:
            return {"total": self._total, "operations": dict(sorted(self._operations.items()))}

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._log if entry["seq"] > since]

    def reset_counters(self) -> None:
        """Zero the counters and empty the request log (latency and faults stay)."""
        with self._lock:
            self._total = 0
            self._operations.clear()
            self._log.clear()
            self._seq = 0
