"""Which changes a plan keeps (``--only``/``--exclude``; the options are in options.py)."""

from __future__ import annotations

from reconciler.engine.targeting import Selection


def selection_of(only: str | None, exclude: str | None, chosen: object) -> Selection | None:
    """The entities ``--only``/``--exclude`` name; for several locations, each location's plan keeps the same ones."""
    return Selection.parse(only, exclude)
