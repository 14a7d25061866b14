"""Fault-injection rules: make chosen calls fail the way real networks and servers fail.

A rule, as JSON (``POST /_emulator/faults {"rules": [...]}``) or as a dict to ``Emulator.set_faults``::

    {"operation": "publishDraftCatalog",  # an SDK function name, or "*" for any API call
     "fault": "drop",                     # "500" (or any 4xx/5xx status), "429", "drop", "timeout"
     "nth": 2,                            # the 2nd matching call (1-based) is the first to fail ...
     "times": 1,                          # ... and this many consecutive matching calls fail
     "probability": null, "seed": null,   # instead of nth: fail each call with this chance (seeded)
     "phase": "after",                    # "before": not executed; "after": executed, response lost
     "retryAfter": 1,                     # seconds, sent as Retry-After with "429"
     "delayMs": 30000,                    # "timeout": how long the response is held
     "site": null}                        # only calls for this seeded site (its id); null: any site

The ``"touch"`` fault does not fail the call: just before it executes, the emulator simulates a
concurrent edit of one entity (its revision goes up by 1, ``updatedDate`` changes, and the optional
``set`` fields are written), then runs the call normally::

    {"operation": "items.bulkUpdateItem", "fault": "touch", "nth": 2,
     "entity": {"service": "items", "id": "<item id>"}, "set": {"name": "Edited elsewhere"}}

The ``"element"`` fault fails one element of a bulk call (``"element": k``, 0-based, default 0) as
a business rule would: that element is rolled back and reported with ``success: false`` (code
``INJECTED_FAILURE``), the other elements run, and the call answers 200::

    {"operation": "bulkUpdateItems", "fault": "element", "element": 3}

(Catalogs v3 entities are touched as ``v3.menus``, ``v3.sections`` and ``v3.items``, in the live
catalog: see ``v3/touch.py``.)

Without ``nth`` and ``probability`` a rule fails the next ``times`` matching calls. Every rule counts
every call it matches; when several would fail the same call, the first in the list decides it. Used by
``knobs.Knobs``; what each fault does on the wire is up to ``asgi.py`` and ``transport.py``.
"""

from __future__ import annotations

import contextlib
import contextvars
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reconciler.emulator.errors import application_error

DROP = "drop"
TIMEOUT = "timeout"
TOUCH = "touch"
ELEMENT = "element"
BEFORE = "before"
AFTER = "after"

_KEYS = {
    "operation",
    "fault",
    "nth",
    "times",
    "probability",
    "seed",
    "phase",
    "retryAfter",
    "delayMs",
    "entity",
    "set",
    "element",
    "site",
}


class FaultRuleInvalid(ValueError):
    pass


def _int(raw: dict[str, Any], key: str, default: int | None, minimum: int) -> int | None:
    value = raw.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise FaultRuleInvalid(f"{key} must be an integer >= {minimum}, got {value!r}")
    return value


@dataclass
class FaultRule:
    operation: str = "*"
    fault: str = "500"
    nth: int | None = None
    times: int = 1
    probability: float | None = None
    seed: int | None = None
    phase: str = BEFORE
    retry_after: float = 1
    delay_ms: int = 30_000
    entity: dict[str, str] | None = None  # "touch": {"service", "id"}
    set: dict[str, Any] | None = None  # "touch": fields the simulated concurrent edit writes
    element: int = 0  # "element": which element of a bulk call fails (0-based)
    site: str | None = None  # only calls for this seeded site; None: calls for any site
    seen: int = 0  # matching calls this rule has counted
    fired: int = 0  # calls it has failed
    _burst_left: int = field(default=0, repr=False)
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def from_json(cls, raw: Any) -> FaultRule:
        if isinstance(raw, FaultRule):
            return cls.from_json(raw.to_json())
        if not isinstance(raw, dict):
            raise FaultRuleInvalid(f"a fault rule must be an object, got {raw!r}")
        unknown = set(raw) - _KEYS - {"seen", "fired"}
        if unknown:
            raise FaultRuleInvalid(f"unknown fault rule keys: {', '.join(sorted(unknown))}")
        operation = raw.get("operation", "*")
        if not isinstance(operation, str) or not operation:
            raise FaultRuleInvalid("operation must be an SDK function name or '*'")
        fault = str(raw.get("fault", "500"))
        if fault not in (DROP, TIMEOUT, TOUCH, ELEMENT) and not (fault.isdigit() and 400 <= int(fault) <= 599):
            raise FaultRuleInvalid(
                f"fault must be an HTTP error status, 'drop', 'timeout', 'touch' or 'element', got {fault!r}"
            )
        if "element" in raw and fault != ELEMENT:
            raise FaultRuleInvalid("element belongs to 'element' rules only")
        entity, changes = _touch_target(raw, fault)
        phase = raw.get("phase", BEFORE)
        if phase not in (BEFORE, AFTER):
            raise FaultRuleInvalid(f"phase must be 'before' or 'after', got {phase!r}")
        probability = raw.get("probability")
        if probability is not None:
            if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1:
                raise FaultRuleInvalid(f"probability must be a number from 0 to 1, got {probability!r}")
            probability = float(probability)
        nth = _int(raw, "nth", None, 1)
        if nth is not None and probability is not None:
            raise FaultRuleInvalid("give nth or probability, not both")
        retry_after = raw.get("retryAfter", 1)
        if isinstance(retry_after, bool) or not isinstance(retry_after, (int, float)) or retry_after < 0:
            raise FaultRuleInvalid(f"retryAfter must be a number of seconds >= 0, got {retry_after!r}")
        seed = raw.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise FaultRuleInvalid(f"seed must be an integer, got {seed!r}")
        site = raw.get("site")
        if site is not None and not (isinstance(site, str) and site):
            raise FaultRuleInvalid(f"site must be a site id, got {site!r}")
        rule = cls(
            site=site,
            operation=operation,
            fault=fault,
            nth=nth,
            times=_int(raw, "times", 1, 1) or 1,
            probability=probability,
            seed=seed,
            phase=phase,
            retry_after=retry_after,
            delay_ms=_int(raw, "delayMs", 30_000, 0) or 0,
            entity=entity,
            set=changes,
            element=_int(raw, "element", 0, 0) or 0,
        )
        rule._rng = random.Random(seed)
        return rule

    def to_json(self) -> dict[str, Any]:
        touch = {"entity": self.entity, "set": self.set} if self.fault == TOUCH else {}
        element = {"element": self.element} if self.fault == ELEMENT else {}
        return {
            **touch,
            **element,
            "operation": self.operation,
            "fault": self.fault,
            "nth": self.nth,
            "times": self.times,
            "probability": self.probability,
            "seed": self.seed,
            "phase": self.phase,
            "retryAfter": self.retry_after,
            "delayMs": self.delay_ms,
            "site": self.site,
            "seen": self.seen,
            "fired": self.fired,
        }

    def matches(self, operation: str, site: str | None = None) -> bool:
        """``site``: the seeded site the call is for (None: the default site)."""
        return self.operation in ("*", operation) and (self.site is None or self.site == site)

    def decide(self) -> bool:
        """Count one matching call; say whether this rule would fail it. The caller locks."""
        self.seen += 1
        if self.probability is not None:
            if self._burst_left > 0:
                self._burst_left -= 1
                hit = True
            else:
                hit = self._rng.random() < self.probability
                if hit:
                    self._burst_left = self.times - 1
        else:
            first = self.nth or 1
            hit = first <= self.seen < first + self.times
        return hit


def _touch_target(raw: dict[str, Any], fault: str) -> tuple[dict[str, str] | None, dict[str, Any] | None]:
    """A touch rule's ``entity`` ({"service", "id"}) and optional ``set``; other rules take neither."""
    if fault != TOUCH:
        if "entity" in raw or "set" in raw:
            raise FaultRuleInvalid("entity and set belong to 'touch' rules only")
        return None, None
    entity = raw.get("entity")
    if not (
        isinstance(entity, dict)
        and set(entity) == {"service", "id"}
        and all(isinstance(entity[key], str) and entity[key] for key in ("service", "id"))
    ):
        raise FaultRuleInvalid('a touch rule needs "entity": {"service": "<service>", "id": "<entity id>"}')
    changes = raw.get("set")
    if changes is not None and not isinstance(changes, dict):
        raise FaultRuleInvalid("set must be an object of fields to write")
    return dict(entity), changes


@dataclass(frozen=True)
class Fault:
    """A decision: this call fails this way."""

    kind: str  # "drop", "timeout", "touch", or an HTTP status such as "500" / "429"
    phase: str
    retry_after: float
    delay_ms: int
    operation: str
    entity: dict[str, str] | None = None
    set: dict[str, Any] | None = None
    element: int = 0

    @property
    def status(self) -> int | None:
        return int(self.kind) if self.kind.isdigit() else None


# The element of the bulk call being executed that an "element" fault fails (None: no such fault).
_failing_element: contextvars.ContextVar[int | None] = contextvars.ContextVar("failing_element", default=None)


@contextlib.contextmanager
def failing_element(index: int) -> Iterator[None]:
    """While a call executes: its bulk element ``index`` fails (see ``injected_element_failure``)."""
    token = _failing_element.set(index)
    try:
        yield
    finally:
        _failing_element.reset(token)


def check_element(index: int) -> None:
    """Bulk runners call this inside each element's savepoint: an "element" fault fails it here."""
    if _failing_element.get() == index:
        raise application_error(400, "INJECTED_FAILURE", f"injected fault: element {index} failed", {"index": index})


def parse_rules(raw: Any) -> list[FaultRule]:
    if isinstance(raw, dict) and "rules" in raw:
        raw = raw["rules"]
    if not isinstance(raw, list):
        raise FaultRuleInvalid('expected {"rules": [...]} or a list of rules')
    return [FaultRule.from_json(item) for item in raw]
