"""Saved plans and plan files at the command line: loading them (signatures checked), where ``--out`` may write."""

from __future__ import annotations

import os
from pathlib import Path

import click

from reconciler.engine.plan import Plan
from reconciler.engine.planfile import is_signed, load
from reconciler.engine.plankey import PLAN_KEY_VARIABLE, plan_key
from reconciler.engine.siteplan import SitePlan
from reconciler.errors import ApplyOutcomeUnknown, ConfigError
from reconciler.files import read_text, same_file


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
