"""`reconcile import POS` (square, toast, clover, or any registered source): write a POS catalog as catalog YAML.

The command parses flags, makes one call into :mod:`reconciler.sources.service`, and prints: the
YAML to stdout or ``-o FILE`` (written atomically, only once it validated), and what was skipped
or approximated to stderr. Tokens come from the environment and are never printed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reconciler.cli.choices import LiveEpilog, PosChoice
from reconciler.errors import CatalogInvalid, ReconcileError
from reconciler.files import write_text
from reconciler.model.catalog import Catalog
from reconciler.sources.base import ImportOptions
from reconciler.sources.registry import sources
from reconciler.sources.service import ImportOutput, import_from_api, import_from_file, keeping_settings
from reconciler.yamlio.load import load_catalog


def _env_help() -> str:
    lines = []
    for source in sources():
        lines.append(f"{source.name}: {', '.join(source.env.for_import())} (default {source.env.default_base_url})")
    return "\b\nEnvironment for --from-api:\n" + "\n".join(f"  {line}" for line in lines)


@click.command(
    "import",
    cls=LiveEpilog,
    epilog_from=_env_help,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.argument("pos", type=PosChoice(), metavar="POS")
@click.option(
    "--from-file",
    "from_file",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read a catalog export (JSON) instead of calling the POS API; repeat it for several locations "
    "(Toast: a menus document per restaurant; Clover: an inventory per merchant).",
)
@click.option("--from-api", "from_api", is_flag=True, help="Read the catalog from the POS API (see the environment).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the YAML here (atomically) instead of to stdout.",
)
@click.option(
    "--location",
    help="One POS location id: its prices, sold-out flags and presence apply. Without it, every location the "
    "POS data names goes into one catalog with `locations:`.",
)
@click.option("--currency", help="ISO 4217 code, for POS data that does not carry one (Toast, some exports).")
@click.option(
    "--menu-name",
    default="Menu",
    show_default=True,
    help="Name of the one menu made for POSes without menus (Square, Clover).",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not list skipped and approximated objects.")
def import_command(
    pos: str,
    from_file: tuple[Path, ...],
    from_api: bool,
    output: Path | None,
    location: str | None,
    currency: str | None,
    menu_name: str,
    quiet: bool,
) -> None:
    """Translate the catalog of a POS (square, toast or clover) into catalog YAML.

    Ids come from the POS (sq-…, toast-…, clover-…) so a later import changes only what changed
    in the POS. Anything the catalog cannot hold is listed on stderr, never dropped silently.
    """
    if bool(from_file) == from_api:
        raise click.UsageError("give exactly one of --from-file FILE or --from-api")
    if currency is not None and (len(currency) != 3 or not currency.isalpha()):
        raise click.BadParameter(f"{currency!r} is not an ISO 4217 code such as USD", param_hint="--currency")
    options = ImportOptions(
        location=location, currency=currency.upper() if currency else None, menu_name=menu_name.strip() or "Menu"
    )
    try:
        earlier = _earlier(output)
        keep = {loc.pos_location: loc for loc in earlier.locations if loc.pos_location} if earlier else {}
        files: list[str | Path] = list(from_file)
        result = import_from_file(pos, files, options, keep) if files else import_from_api(pos, options, keep=keep)
        result = keeping_settings(result, earlier)
        _write(result, output)
    except ReconcileError as exc:
        render = getattr(exc, "render", None)
        click.echo(render() if render else f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    _report(result, output, quiet)


def _earlier(output: Path | None) -> Catalog | None:
    """The catalog an earlier import wrote into ``output``: the locations' names and ids and the
    settings (``menus_new:``) you wrote there are kept."""
    if output is None or not output.is_file():
        return None
    try:
        earlier = load_catalog(output)
    except CatalogInvalid as exc:
        click.echo(
            f"note: {output} does not load ({len(exc.problems)} problem(s)); its locations are not kept", err=True
        )
        return None
    return earlier


def _write(result: ImportOutput, output: Path | None) -> None:
    if output is None:
        click.echo(result.text, nl=False)
    else:
        write_text(output, result.text)


def _report(result: ImportOutput, output: Path | None, quiet: bool) -> None:
    catalog = result.result.catalog
    notes = result.notes
    if catalog.locations:
        click.echo(f"{len(catalog.locations)} locations: " + ", ".join(loc.key for loc in catalog.locations), err=True)
    if notes and not quiet:
        click.echo(f"{len(notes)} object(s) skipped or approximated:", err=True)
        for note in notes:
            click.echo(f"  {note.render()}", err=True)
    sections = sum(len(m.sections) for m in catalog.menus)
    where = f" to {output}" if output else ""
    click.echo(
        f"imported {len(catalog.menus)} menu(s), {sections} section(s), {len(catalog.dishes)} dish(es), "
        f"{len(catalog.variations)} variation(s), {len(catalog.option_groups)} option group(s){where}",
        err=True,
    )


def register(cli: click.Group) -> None:
    cli.add_command(import_command)
