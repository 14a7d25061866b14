"""Options plan and apply share: what a plan may change (safety thresholds) and which changes it keeps."""

from __future__ import annotations

import click

from reconciler.cli.plan_files import SHARE
from reconciler.engine.targeting import Selection


def selection_options(command):
    for option in reversed(
        [
            click.option(
                "--only",
                metavar="KIND:ID[,...]",
                help="Plan only these entities' changes, e.g. dish:margherita,section:pizzas (still one draft).",
            ),
            click.option("--exclude", metavar="KIND:ID[,...]", help="Leave these entities' changes out of the plan."),
        ]
    ):
        command = option(command)
    return command


def selection_of(only: str | None, exclude: str | None, chosen: object) -> Selection | None:
    """The entities ``--only``/``--exclude`` name; for several locations, each location's plan keeps the same ones."""
    return Selection.parse(only, exclude)


def safety_options(command):
    for option in reversed(
        [
            click.option(
                "--max-update-share", type=SHARE, help="Unsafe above this share of updated entities (default 0.30)."
            ),
            click.option(
                "--max-remove-share", type=SHARE, help="Unsafe above this share of removed entities (default 0.30)."
            ),
            click.option(
                "--safety-min-entities",
                type=click.IntRange(0, 10**9),
                help="Thresholds apply from this many live entities (default 10).",
            ),
            click.option("--no-live-updates", is_flag=True, help="Use a draft even for a single-entity change."),
        ]
    ):
        command = option(command)
    return command
