"""Saved plans and plan files at the command line: loading them (signatures checked), where ``--out`` may write."""

from __future__ import annotations

import math
import os
from pathlib import Path

import click

from reconciler.engine.plan import Plan
from reconciler.engine.planfile import PLAN_KEY_VARIABLE, is_signed, load, plan_key
from reconciler.engine.siteplan import SitePlan
from reconciler.errors import ApplyOutcomeUnknown, ConfigError
from reconciler.files import read_text, same_file


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


def cancelled(message: str) -> ApplyOutcomeUnknown:
    return ApplyOutcomeUnknown(
        f"{message}. The apply was cancelled: a draft it had started is discarded, and a publish that was "
        "under way is settled by the next run (plan or apply)"
    )


def load_saved(plan_file: str) -> Plan | SitePlan:
    """The saved plan, its signature checked when ``RECONCILE_PLAN_KEY`` is set."""
    text = read_text(plan_file)
    key = plan_key()
    plan = load(text, plan_file, key)
    if key is None and is_signed(text):
        click.echo(
            f"Warning: {plan_file} is signed, but {PLAN_KEY_VARIABLE} is not set: its signature was not checked.",
            err=True,
        )
    return plan


def refuse_out_onto_catalog(out: Path, catalog: Path) -> None:
    """``--out`` must not replace the catalog, nor add a file a directory catalog would read."""
    if same_file(out, catalog):
        raise ConfigError(f"--out {out} is the catalog itself; save the plan to another file")
    if catalog.is_dir() and out.suffix in (".yaml", ".yml"):
        inside = Path(os.path.abspath(out)).is_relative_to(Path(os.path.abspath(catalog)))
        if inside:
            raise ConfigError(f"--out {out} is inside the catalog directory {catalog}; save the plan elsewhere")
