"""Menu hours, holiday closures and online ordering on Menus (New), through Wix's Online Orders
APIs (docs/wix-online-orders.md): what Menus (New) itself cannot hold.

    menu hours            → the menu's Menu Ordering Settings: ``availability`` WEEKLY_SCHEDULE
                            (no hours: ALWAYS_AVAILABLE)
    not for online orders → the same settings' ``onlineOrderingEnabled`` (a menu whose platforms
                            include none of site, mobile site and Wix app)
    holiday closures      → Availability Exceptions of the location's operation, blocking all
                            fulfilment methods; one exception closes the whole operation, so a
                            closure is held only when every menu of the catalog has it

A closure is its own entity (kind ``closure``, id ``<start>/<end>``): created at the end of the
cut-over, renamed in place, deleted at clean-up. Exceptions reconcile did not create (a manager's
pause) are never read as ours, unless one has exactly a desired closure's period (adopted).
Settings are written with Upsert By Menu Id, so a menu built in the same run needs no settings id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.canonical import JsonObject
from reconciler.engine.essence import Essence
from reconciler.engine.vocabulary import Kind
from reconciler.model.catalog import Catalog, Menu

OPERATION = "operation:current"  # the ids key of the location's operation, once known
ONLINE = frozenset({"site", "mobile_site", "wix_app"})
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOSURES_OF_SOME = "holiday closures of only some menus (a Wix closure closes the whole location)"
SPECIAL_OPENINGS = "special openings (special_hours with available: true)"


# --- the essence ---------------------------------------------------------------------------------
def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def weekly(spans: Iterable[tuple[str, int, int]]) -> list[JsonObject]:
    """Per-day ranges, merged and sorted: the one form both sides are compared in."""
    by_day: dict[str, list[list[int]]] = {}
    for day, start, end in sorted(spans, key=lambda s: (DAYS.index(s[0]), s[1], s[2])):
        ranges = by_day.setdefault(day, [])
        if ranges and start <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], end)
        else:
            ranges.append([start, end])
    return [
        {"day": day, "start": _hhmm(start), "end": _hhmm(end)} for day in DAYS for start, end in by_day.get(day, [])
    ]


def hours_of(menu: Menu) -> list[JsonObject]:
    """A menu's weekly windows, split at midnight (Wix's ranges end on their own day)."""
    spans: list[tuple[str, int, int]] = []
    for window in menu.hours:
        first, last = DAYS.index(window.day), DAYS.index(window.close_day or window.day)
        days = [DAYS[(first + offset) % 7] for offset in range((last - first) % 7 + 1)]
        for position, day in enumerate(days):
            start = _minutes(window.open) if position == 0 else 0
            end = _minutes(window.close) if position == len(days) - 1 else 24 * 60
            if end > start:
                spans.append((day, start, end))
    return weekly(spans)


def online(menu: Menu) -> bool:
    return bool(set(menu.platforms) & ONLINE)


def closures(catalog: Catalog, lose: Any) -> Essence:
    """The closures every menu shares, as entities; the rest reported through ``lose``."""
    out: Essence = {}
    periods = [{(s.start, s.end): s for s in m.special_hours if not s.available} for m in catalog.menus]
    shared = set.intersection(*(set(p) for p in periods)) if periods else set()
    for menu, own in zip(catalog.menus, periods, strict=True):
        if any(s.available for s in menu.special_hours):
            lose(SPECIAL_OPENINGS, f"menu {menu.id}")
        if set(own) - shared:
            lose(CLOSURES_OF_SOME, f"menu {menu.id}")
    for start, end in sorted(shared):
        name = next((p[(start, end)].name for p in periods if p[(start, end)].name), None)
        out[(Kind.CLOSURE, f"{start}/{end}")] = {"start": start, "end": end, "name": name}
    return out


# --- Wix shapes ----------------------------------------------------------------------------------
def _time(hhmm: str) -> JsonObject:
    minutes = _minutes(hhmm) % (24 * 60)  # 24:00 is sent as 00:00, the end of the day
    return {"hours": minutes // 60, "minutes": minutes % 60}


def availability(hours: list[JsonObject]) -> JsonObject:
    if not hours:
        return {"type": "ALWAYS_AVAILABLE"}
    days = [
        {
            "dayOfWeek": day.upper(),
            "timeRanges": [
                {"startTime": _time(h["start"]), "endTime": _time(h["end"])} for h in hours if h["day"] == day
            ],
        }
        for day in DAYS
        if any(h["day"] == day for h in hours)
    ]
    return {"type": "WEEKLY_SCHEDULE", "weeklyScheduleOptions": {"availableTimes": days}}


def live_hours(raw: JsonObject | None) -> list[JsonObject]:
    kind = (raw or {}).get("type") or "ALWAYS_AVAILABLE"
    if kind == "ALWAYS_AVAILABLE":
        return []
    if kind != "WEEKLY_SCHEDULE":  # a dated schedule set elsewhere: never equal to weekly hours
        return [{"day": "dated", "start": "", "end": str(kind)}]
    spans = []
    for day in ((raw or {}).get("weeklyScheduleOptions") or {}).get("availableTimes") or []:
        for span in day.get("timeRanges") or []:
            start, end = (span.get(k) or {} for k in ("startTime", "endTime"))
            begin = (start.get("hours") or 0) * 60 + (start.get("minutes") or 0)
            finish = (end.get("hours") or 0) * 60 + (end.get("minutes") or 0) or 24 * 60
            spans.append((str(day.get("dayOfWeek", "")).lower(), begin, finish))
    return weekly(s for s in spans if s[0] in DAYS)


def settings_record(raw: JsonObject | None) -> JsonObject:
    """The menu fields a Menu Ordering Settings object holds (defaults when there is none yet)."""
    return {
        "online_ordering": (raw or {}).get("onlineOrderingEnabled") is not False,
        "hours": live_hours((raw or {}).get("availability")),
    }


def closure_record(raw: JsonObject) -> JsonObject:
    return {"start": _utc(raw.get("startTime")), "end": _utc(raw.get("endTime")), "name": raw.get("name") or None}


def _utc(value: Any) -> str:
    text = str(value or "")
    return text.replace(".000Z", "Z").replace("+00:00", "Z")
