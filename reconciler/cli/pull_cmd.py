"""`reconcile pull CATALOG`: write the live edits a plan finds (its drift) into the YAML, as a minimal diff.

The thin command: plan (read only) each location like `plan --refresh-only` does, turn the drift into
field edits (:mod:`reconciler.engine.pull`), patch each file's text (:mod:`reconciler.yamlio.patch`),
check that the result is a valid catalog, print the diff, and write the files atomically (unless
`--dry-run`). Bad input, or a result that would not be valid, leaves every file exactly as it was.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from reconciler.cli import deadline, site_cmds
from reconciler.cli.options import selection_options, target_options
from reconciler.cli.protected import locate_protected
from reconciler.engine.availability import now_utc, read_layer
from reconciler.engine.essence import Essence
from reconciler.engine.planning import make_plan
from reconciler.engine.protect import last_applied
from reconciler.engine.pull import Pulled, pulled
from reconciler.engine.targeting import Selection
from reconciler.engine.thresholds import Thresholds
from reconciler.errors import CatalogInvalid, ConfigError, Problem, ReconcileError
from reconciler.files import read_text, write_text
from reconciler.model.catalog import Catalog, CatalogPart
from reconciler.model.effective import effective, find_location
from reconciler.model.pulled import FieldEdit, apply_edits
from reconciler.state.mapping import MappingStore
from reconciler.state.paths import state_dir as resolve_state_dir
from reconciler.state.storage import Storage
from reconciler.targets.registry import open_site
from reconciler.yamlio.key import catalog_files
from reconciler.yamlio.load import load_catalog, parse_part
from reconciler.yamlio.patch import NotCanonical, patched
from reconciler.yamlio.source import read


@click.command()
@click.argument("catalog", type=click.Path(exists=True))
@target_options
@selection_options
@click.option("--dry-run", "--diff", "dry_run", is_flag=True, help="Print the diff the pull would make; write nothing.")
@locate_protected
def pull(catalog, target, location, state_dir, only, exclude, dry_run):
    """Write the live side's edits (what `plan --refresh-only` lists) into the catalog YAML."""
    desired = load_catalog(catalog)
    state = resolve_state_dir(state_dir)
    selection = Selection.parse(only, exclude)
    found = deadline.run_async(_pulled(desired, site_cmds.choose(desired, location), target, state, selection))
    changed = _patch(catalog, desired, found.edits)
    for line in found.skipped:
        click.echo(f"not pulled: {line}", err=True)
    for file, (old, new) in changed.items():
        shown = os.path.relpath(file) if not os.path.relpath(file).startswith("..") else file
        click.echo("".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), shown, shown)), nl=False)
    count = len(found.edits)
    if not changed:
        click.echo("Nothing to pull: the catalog already holds every live edit it can." if not count else "")
        return
    if dry_run:
        click.echo(f"Would pull {count} live edit(s) into {len(changed)} file(s); nothing was written (--dry-run).")
        return
    for file, (_, new) in changed.items():
        write_text(Path(file), new)
    click.echo(f"Pulled {count} live edit(s) into {', '.join(changed)}. Review the diff, then commit it.")


async def _pulled(
    catalog: Catalog, chosen: object, target: str | None, state: Path, selection: Selection | None
) -> Pulled:
    store, layer = Storage(state).mapping(), Storage(state).availability()
    thresholds = Thresholds(max_update_share=1.0, max_remove_share=1.0)  # nothing is applied
    out = Pulled()
    try:
        layered = read_layer(layer, now_utc())
        if isinstance(chosen, site_cmds.Single):
            place = find_location(catalog, chosen.location) if catalog.locations and chosen.location else None
            async with site_cmds.open_single(chosen, target, state) as opened:
                planned = await make_plan(chosen.catalog, opened, store, thresholds, True, layered)
                written = _written(store, await opened.scope(), opened)
                return pulled(catalog, place, planned.plan.changes, opened.entities, selection, out, written)
        assert isinstance(chosen, list)
        names = [loc.wix for loc in chosen if loc.id is None]
        async with open_site(target or "sandbox", state, catalog.currency, names) as opener:
            for place in chosen:  # one location at a time: each is its own plan, against its own target
                async with opener(place.wix) as opened:
                    planned = await make_plan(effective(catalog, place), opened, store, thresholds, True, layered)
                    written = _written(store, await opened.scope(), opened)
                    pulled(catalog, place, planned.plan.changes, opened.entities, selection, out, written)
        return out
    finally:
        store.close()
        layer.close()


def _written(store: MappingStore, scope: str, target: Any) -> Essence | None:
    """The essence of the catalog last applied here (None when the journal has none, or it no longer loads)."""
    last = last_applied(store, scope)
    if last is None:
        return None
    try:
        essence: Essence = target.project(Catalog.model_validate(last[1]))[0]
    except (ValidationError, ReconcileError):
        return None
    return essence


def _patch(catalog: str, desired: Catalog, edits: list[FieldEdit]) -> dict[str, tuple[str, str]]:
    """Each file the edits change: (its text now, its text after); checked to be a valid catalog."""
    files = catalog_files(catalog)
    changed: dict[str, tuple[str, str]] = {}
    for file in files:
        text = read_text(file)
        located, problems = read(text, str(file), comments=True)
        part, problems = parse_part(located) if located is not None and not problems else (None, problems)
        if part is None:
            raise CatalogInvalid(problems)
        data = part.model_dump()
        if not apply_edits(data, edits):
            continue
        try:
            new = patched(text, part, CatalogPart.model_validate(data), desired.currency)
        except NotCanonical as exc:
            raise ConfigError(f"{file}: {exc}; nothing was written") from None
        if new != text:
            changed[str(file)] = (text, new)
    if changed:
        _check(catalog, files, changed)
    return changed


def _check(catalog: str, files: list[Path], changed: dict[str, tuple[str, str]]) -> None:
    """Load the pulled catalog from a scratch copy: what would be written must be a valid catalog."""
    root = Path(catalog)
    with tempfile.TemporaryDirectory(prefix="reconcile-pull-") as scratch:
        for file in files:
            relative = file.relative_to(root) if root.is_dir() else Path(file.name)
            copy = Path(scratch) / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(changed[str(file)][1] if str(file) in changed else read_text(file), encoding="utf-8")
        try:
            load_catalog(Path(scratch) if root.is_dir() else Path(scratch) / root.name)
        except CatalogInvalid as exc:
            problems = [Problem(catalog, 0, 0, p.path, p.message) for p in exc.problems]
            raise CatalogInvalid(problems) from None


def register(cli: click.Group) -> None:
    cli.add_command(pull)
