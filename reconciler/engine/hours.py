"""When an 86 ends: ``--until 22:00``, ``--for 2h``, ``--until-close``, in the location's time zone.

Pure functions of the caller's ``now`` (an aware datetime) and the location's IANA zone; what they
return is an aware UTC datetime. A wall-clock time that has already passed today means tomorrow
(an 86 "until 02:00" at 23:00 ends after midnight). "Until close" is the end of the opening window
of the dish's menus that is open now (the catalog's ``hours:``, in the location's time).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from reconciler.errors import ConfigError
from reconciler.model.catalog import DAYS, Catalog, OpeningWindow

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_duration(text: str) -> timedelta:
    """ "2h", "90m", "1h30m", "1d": a positive duration."""
    found = _DURATION.match(text.strip())
    if not found or not any(found.groups()):
        raise ConfigError(f'--for "{text}" is not a duration such as 2h, 90m or 1h30m')
    days, hours, minutes, seconds = (int(g or 0) for g in found.groups())
    span = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if span <= timedelta(0):
        raise ConfigError(f'--for "{text}" is not a positive duration')
    return span


def parse_until(text: str, zone: str, now: datetime) -> datetime:
    """ "22:00" (the next 22:00 at the location), "2026-12-24T22:00" (location time) or a UTC/offset time."""
    tz = ZoneInfo(zone)
    clock = _CLOCK.match(text.strip())
    if clock:
        local_now = now.astimezone(tz)
        wanted = time(int(clock.group(1)), int(clock.group(2)))
        moment = datetime.combine(local_now.date(), wanted, tz)
        if moment <= local_now:
            moment = datetime.combine(local_now.date() + timedelta(days=1), wanted, tz)
        return moment.astimezone(UTC)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f'--until "{text}" is not a time such as 22:00 or 2026-12-24T22:00') from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    if moment <= now:
        raise ConfigError(f"--until {text} has already passed (it is {now.astimezone(tz):%Y-%m-%d %H:%M} there)")
    return moment.astimezone(UTC)


def _windows_now(window: OpeningWindow, local_now: datetime) -> datetime | None:
    """The close of ``window`` when it is open at ``local_now`` (this week's or last week's occurrence)."""
    tz = local_now.tzinfo
    for weeks_back in (0, 1):
        start_day = local_now.date() - timedelta(days=(local_now.weekday() - DAYS.index(window.day)) % 7)
        start_day -= timedelta(days=7 * weeks_back)
        hh, mm = (int(p) for p in window.open.split(":"))
        start = datetime.combine(start_day, time(hh, mm), tz)
        close_day = DAYS.index(window.close_day or window.day)
        span_days = (close_day - DAYS.index(window.day)) % 7
        ch, cm = (int(p) for p in window.close.split(":"))
        end = datetime.combine(start_day + timedelta(days=span_days), time(0, 0), tz) + timedelta(hours=ch, minutes=cm)
        if end <= start:
            end += timedelta(days=7)
        if start <= local_now < end:
            return end
    return None


def until_close(catalog: Catalog, entity: str, zone: str, now: datetime) -> datetime:
    """The end of the opening window, open now, of a menu that offers ``entity`` (the latest of them)."""
    local_now = now.astimezone(ZoneInfo(zone))
    menus = [m for m in catalog.menus if _offers(m, entity, catalog)] or list(catalog.menus)
    if not any(m.hours for m in menus):
        raise ConfigError(
            f"--until-close: no menu offering {entity} has opening hours (`hours:`); give --until or --for"
        )
    closes = [c for m in menus for w in m.hours if (c := _windows_now(w, local_now)) is not None]
    if not closes:
        raise ConfigError(
            f"--until-close: the menus offering {entity} are closed now "
            f"({local_now:%a %H:%M} at the location); give --until or --for"
        )
    return max(closes).astimezone(UTC)


def _offers(menu: object, entity: str, catalog: Catalog) -> bool:
    dishes = {d for s in getattr(menu, "sections", []) for d in s.dishes}
    if entity in dishes:
        return True
    groups = {g.id: g for g in catalog.option_groups}
    return any(
        c.item == entity
        for d in catalog.dishes
        if d.id in dishes
        for g in d.options
        if g in groups
        for c in groups[g].choices
    )
