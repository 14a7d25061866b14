"""The plan's note for what a target had to leave out, worded the same on every target."""

from __future__ import annotations

SHOWN = 8  # entities named in one note; the rest are counted


def left_out(api: str, what: str, who: list[str]) -> str:
    """ "not supported by <api>, left out: <what>: a, b and 3 more" (``what`` is a ``cannot_hold`` phrase)."""
    shown = ", ".join(who[:SHOWN])
    named = f"{shown} and {len(who) - SHOWN} more" if len(who) > SHOWN else shown
    return f"not supported by {api}, left out: {what}: {named}"
