"""Menu availability (Menu Ordering Settings ``availability``) and availability exceptions in time.

Checks what a client sends and answers "is this menu orderable during this time slot", the rule
List Menus Availability Status applies (O4-O6 in docs/wix-online-orders.md):

- ``ALWAYS_AVAILABLE`` takes no options; ``WEEKLY_SCHEDULE`` takes ``weeklyScheduleOptions`` (at most
  7 days, each day once, time ranges of ``{hours 0-23, minutes 0-59}`` that end after they start,
  an end of 00:00 meaning midnight, not overlapping); ``TIMESTAMP_RANGES`` takes
  ``timestampRangesOptions.ranges`` (at most 50, each ending after it starts). The options must be
  those of the type (``ONE_OF_ALIGNMENT``).
- A slot is available when online ordering is on, the whole slot lies inside one available
  window (in the settings' time zone), and no exception that blocks all fulfilment methods of the
  menu's operation overlaps it.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from reconciler.emulator.errors import FORMAT, INVALID_ENUM_VALUE, MAX, MAX_SIZE, MIN, ONE_OF_ALIGNMENT, violation

TYPES = ("ALWAYS_AVAILABLE", "WEEKLY_SCHEDULE", "TIMESTAMP_RANGES")
DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
OPTIONS = {"WEEKLY_SCHEDULE": "weeklyScheduleOptions", "TIMESTAMP_RANGES": "timestampRangesOptions"}


def instant(value: Any, path: str) -> datetime:
    if not isinstance(value, str):
        raise violation(path, "expected an ISO-8601 timestamp", FORMAT)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise violation(path, f"{value!r} is not an ISO-8601 timestamp", FORMAT) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def check_availability(raw: Any, path: str = "menuOrderingSettings.availability") -> dict[str, Any]:
    """The availability as stored (options of other types dropped); raises on anything invalid."""
    if not isinstance(raw, dict):
        raise violation(path, "expected an object", FORMAT)
    kind = raw.get("type")
    if kind not in TYPES:
        raise violation(f"{path}.type", f"must be one of {', '.join(TYPES)}", INVALID_ENUM_VALUE)
    for other_type, key in OPTIONS.items():
        if raw.get(key) is not None and other_type != kind:
            raise violation(f"{path}.{key}", f"is not allowed with type {kind}", ONE_OF_ALIGNMENT)
    out: dict[str, Any] = {"type": kind}
    if kind == "WEEKLY_SCHEDULE":
        out["weeklyScheduleOptions"] = {"availableTimes": _weekly(raw.get("weeklyScheduleOptions"), path)}
    elif kind == "TIMESTAMP_RANGES":
        out["timestampRangesOptions"] = {"ranges": _ranges(raw.get("timestampRangesOptions"), path)}
    return out


def _minutes(raw: Any, path: str) -> int:
    if not isinstance(raw, dict):
        raise violation(path, "expected {hours, minutes}", FORMAT)
    hours, minutes = raw.get("hours", 0), raw.get("minutes", 0)
    for name, value, top in (("hours", hours, 23), ("minutes", minutes, 59)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise violation(f"{path}.{name}", "expected an integer", FORMAT)
        if value < 0 or value > top:
            raise violation(f"{path}.{name}", f"must be between 0 and {top}", MIN if value < 0 else MAX)
    return int(hours) * 60 + int(minutes)


def _weekly(raw: Any, path: str) -> list[dict[str, Any]]:
    where = f"{path}.weeklyScheduleOptions.availableTimes"
    days = (raw or {}).get("availableTimes") if isinstance(raw, dict) else None
    if not isinstance(days, list):
        raise violation(where, "is required for WEEKLY_SCHEDULE", "REQUIRED_FIELD")
    if len(days) > 7:
        raise violation(where, "must have at most 7 elements", MAX_SIZE)
    seen: set[str] = set()
    out = []
    for index, day in enumerate(days):
        at = f"{where}[{index}]"
        name = day.get("dayOfWeek") if isinstance(day, dict) else None
        if name not in DAYS:
            raise violation(f"{at}.dayOfWeek", f"must be one of {', '.join(DAYS)}", INVALID_ENUM_VALUE)
        if name in seen:
            raise violation(f"{at}.dayOfWeek", f"{name} is listed twice", FORMAT)
        seen.add(name)
        spans = []
        for position, span in enumerate(day.get("timeRanges") or []):
            here = f"{at}.timeRanges[{position}]"
            start = _minutes((span or {}).get("startTime") or {}, f"{here}.startTime")
            end = _minutes((span or {}).get("endTime") or {}, f"{here}.endTime") or 24 * 60  # 00:00 = midnight
            if end <= start:
                raise violation(f"{here}.endTime", "must be after startTime", FORMAT)
            spans.append((start, end, span))
        spans.sort(key=lambda s: s[0])
        for (_, end, _), (start, _, _) in itertools.pairwise(spans):
            if start < end:
                raise violation(f"{at}.timeRanges", "time ranges overlap", FORMAT)
        out.append({"dayOfWeek": name, "timeRanges": [_span(s, e) for s, e, _ in spans]})
    return out


def _span(start: int, end: int) -> dict[str, Any]:
    end %= 24 * 60
    return {
        "startTime": {"hours": start // 60, "minutes": start % 60},
        "endTime": {"hours": end // 60, "minutes": end % 60},
    }


def _ranges(raw: Any, path: str) -> list[dict[str, Any]]:
    where = f"{path}.timestampRangesOptions.ranges"
    ranges = (raw or {}).get("ranges") if isinstance(raw, dict) else None
    if not isinstance(ranges, list):
        raise violation(where, "is required for TIMESTAMP_RANGES", "REQUIRED_FIELD")
    if len(ranges) > 50:
        raise violation(where, "must have at most 50 elements", MAX_SIZE)
    for index, span in enumerate(ranges):
        start = instant((span or {}).get("startTime"), f"{where}[{index}].startTime")
        if instant((span or {}).get("endTime"), f"{where}[{index}].endTime") <= start:
            raise violation(f"{where}[{index}].endTime", "must be after startTime", FORMAT)
    return [{"startTime": s["startTime"], "endTime": s["endTime"]} for s in ranges]


def covers(availability: dict[str, Any], zone: str, start: datetime, end: datetime) -> bool:
    """Whether the whole slot [start, end) lies inside one available window."""
    kind = availability.get("type")
    if kind == "ALWAYS_AVAILABLE":
        return True
    if kind == "TIMESTAMP_RANGES":
        spans = (availability.get("timestampRangesOptions") or {}).get("ranges") or []
        return any(instant(s["startTime"], "") <= start and end <= instant(s["endTime"], "") for s in spans)
    local_start, local_end = start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone))
    for day in (availability.get("weeklyScheduleOptions") or {}).get("availableTimes") or []:
        for span in day.get("timeRanges") or []:
            begin = _minutes(span["startTime"], "")
            finish = _minutes(span["endTime"], "") or 24 * 60
            midnight = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
            if DAYS[local_start.weekday()] != day["dayOfWeek"]:
                continue
            if midnight + timedelta(minutes=begin) <= local_start and local_end <= midnight + timedelta(minutes=finish):
                return True
    return False


def overlaps(exception: dict[str, Any], start: datetime, end: datetime) -> bool:
    return instant(exception["startTime"], "") < end and start < instant(exception["endTime"], "")
