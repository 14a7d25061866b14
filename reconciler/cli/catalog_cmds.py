"""`reconcile validate`, `reconcile fmt` and `reconcile schema`: working with catalog files."""

from __future__ import annotations

import sys

import click

from reconciler.engine.planfile import schema_text as plan_schema_text
from reconciler.errors import CatalogInvalid, ConfigError, ExitCode
from reconciler.model.effective import effective, find_location
from reconciler.schema import schema_text
from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.fmt import FormatOutcome, format_paths
from reconciler.yamlio.load import load_catalog


@click.command()
@click.argument("catalogs", nargs=-1, required=True, type=click.Path())
def validate(catalogs: tuple[str, ...]) -> None:
    """Check catalogs (files or directories) and list every problem with file:line:column.

    Exits 0 when every catalog is valid and 1 otherwise.
    """
    failed = 0
    total = 0
    for target in catalogs:
        warnings: list = []
        try:
            catalog = load_catalog(target, warnings)
        except CatalogInvalid as exc:
            failed += 1
            total += len(exc.problems)
            click.echo(exc.render())
            continue
        for warning in warnings:
            click.echo(f"{warning.render()} (warning)")
        sections = sum(len(m.sections) for m in catalog.menus)
        click.echo(
            f"ok {target}: {len(catalog.menus)} menus, {sections} sections, {len(catalog.dishes)} dishes, "
            f"{len(catalog.variations)} variations, {len(catalog.option_groups)} option groups"
        )
    if failed:
        click.echo(f"{total} problem(s) in {failed} of {len(catalogs)} catalog(s)", err=True)
        sys.exit(ExitCode.ERROR)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if any file is not in canonical form.")
@click.option("--drop-comments", is_flag=True, help="Allow rewriting files whose comments fmt cannot keep.")
def fmt(paths: tuple[str, ...], check: bool, drop_comments: bool) -> None:
    """Rewrite catalog files in the one canonical form (key order, quoting, indentation).

    Comments at the top of a file are kept; a file with comments elsewhere is left alone unless
    --drop-comments is given, so fmt never loses what someone wrote.
    """
    results = format_paths(paths, check=check, drop_comments=drop_comments)
    bad = False
    for result in results:
        if result.outcome is FormatOutcome.INVALID:
            bad = True
            click.echo(result.detail)
        elif result.outcome is FormatOutcome.HAS_COMMENTS:
            bad = True
            click.echo(f"{result.file}: not formatted: {result.detail}")
        elif result.outcome is FormatOutcome.WOULD_CHANGE:
            bad = True
            click.echo(f"would reformat {result.file}")
        elif result.outcome is FormatOutcome.CHANGED:
            click.echo(f"reformatted {result.file}")
    if bad:
        sys.exit(ExitCode.ERROR)


@click.command()
@click.option("--part", is_flag=True, help="The schema of one file of a catalog split across a directory.")
@click.option("--plan", "plan", is_flag=True, help="The schema of a saved plan (`reconcile plan --out`) instead.")
def schema(part: bool, plan: bool) -> None:
    """Print the JSON Schema of the catalog YAML format (or of a saved plan)."""
    if part and plan:
        raise click.UsageError("give --part or --plan, not both")
    click.echo(plan_schema_text() if plan else schema_text(part), nl=False)


@click.command("show-effective")
@click.argument("catalog", type=click.Path())
@click.option("--location", help="The location (a name or id from the catalog's `locations:`).")
def show_effective(catalog: str, location: str | None) -> None:
    """Print the catalog one location gets (the base with its overrides) as canonical YAML.

    A catalog without `locations:` is printed as it is: it is its own effective catalog.
    """
    loaded = load_catalog(catalog)
    if not loaded.locations:
        if location is not None:
            raise ConfigError(f'the catalog has no `locations:` list, so it has no location "{location}"')
        click.echo(dump_catalog(loaded), nl=False)
        return
    if location is None:
        raise ConfigError("choose a location with --location: " + ", ".join(f'"{loc.key}"' for loc in loaded.locations))
    chosen = find_location(loaded, location)
    click.echo(f'# The effective catalog of location "{chosen.key}": the base catalog with its overrides.')
    click.echo(dump_catalog(effective(loaded, chosen)), nl=False)


def register(cli: click.Group) -> None:
    for command in (validate, fmt, schema, show_effective):
        cli.add_command(command)
