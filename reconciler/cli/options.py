"""The options of `reconcile plan` and `apply` (and of the commands that take a target).

Apart from the commands, so that defining `plan` imports nothing of the planner: a plan the plan
memo answers (plan_answer.py) runs with no more than the command line, the state and the reader.
"""

from __future__ import annotations

import math

import click

from reconciler.targets.readers import TARGETS


class Share(click.ParamType):
    """A share from 0 to 1: ``nan`` or ``inf`` would silently turn the safety check off."""

    name = "SHARE"

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or not 0 <= number <= 1:
            self.fail(f"{value!r} is not a number from 0 to 1", param, ctx)
        return number


SHARE = Share()


def target_options(command):
    options = [
        click.option(
            "--target",
            type=click.Choice(TARGETS),
            default=None,
            help="Where the live catalog is (default: sandbox, the embedded emulator).",
        ),
        click.option(
            "--location",
            help="Wix business location, by name or id (default: the catalog's `location`, or the only one).",
        ),
        click.option(
            "--state-dir",
            type=click.Path(file_okay=False),
            envvar="RECONCILE_STATE_DIR",
            help="Local state (mapping, sandbox, locks). Default .reconcile/ or RECONCILE_STATE_DIR.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


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


refresh_option = click.option(
    "--refresh-only",
    is_flag=True,
    help="List the records edited on the live side outside reconcile (drift), field by field; plan nothing.",
)
