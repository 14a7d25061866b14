"""`reconcile show`: a menu as a diner sees it; and the page of `reconcile plan --format html`.

Both go through the target's ``present`` hook (targets/base.py), so a catalog is shown as the
chosen target will hold it (Menus (New) drops what it cannot hold, and prices sizes in full).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reconciler.cli import deadline, site_cmds, site_page
from reconciler.engine.menuview import CatalogView
from reconciler.engine.planning import Planned
from reconciler.engine.settle import settle
from reconciler.errors import ConfigError
from reconciler.files import write_text
from reconciler.model.catalog import Catalog
from reconciler.model.locations import Location
from reconciler.render.html import render_html
from reconciler.render.menutext import render_menu_text
from reconciler.render.review import compare
from reconciler.state.paths import state_dir as resolve_state_dir
from reconciler.state.storage import Storage
from reconciler.targets.registry import TARGETS, AnyTarget
from reconciler.yamlio.load import load_catalog


def plan_page(planned: Planned[Any], target: AnyTarget, currency: str) -> str:
    """The HTML plan: the menu after the change, compared with the live one, with the plan's calls."""
    before, after = target.present(planned.live.essence), target.present(planned.desired)
    info = planned.plan.target
    return render_html(
        compare(before, after),
        f"Plan for {info.location_name}",
        site_page.where(planned.plan.target.name, info.location_name, info.location_id),
        currency,
        plan=planned.plan,
    )


def _chosen(catalog: Catalog | None, location: str | None) -> site_cmds.Single:
    if catalog is None:
        return site_cmds.Single(Catalog(currency="USD"), location)
    chosen = site_cmds.choose(catalog, location)
    assert isinstance(chosen, site_cmds.Single)  # several locations are shown by site_page
    return chosen


async def _view(
    catalog: Catalog | None, target_name: str, location: str | None, state: Path
) -> tuple[CatalogView, str, str]:
    chosen = _chosen(catalog, location)
    currency = chosen.catalog.currency
    async with site_cmds.open_single(chosen, target_name, state) as target:
        info = await target.describe()
        subtitle = site_page.where(info.name, info.location_name, info.location_id)
        if catalog is not None:
            return target.present(target.project(chosen.catalog)[0]), subtitle + " · desired (the catalog)", currency
        store = Storage(state).mapping()
        try:
            raw = await target.fetch()
            entries = settle(store, info.scope, raw, write=False)
            live = target.interpret(raw, entries, {})
        finally:
            store.close()
        return target.present(live.essence), subtitle + " · live", live.currency or currency


@click.command()
@click.argument("catalog", required=False, type=click.Path(exists=True))
@click.option("--live", is_flag=True, help="Show the live menu instead of a catalog.")
@click.option("--target", type=click.Choice(TARGETS), default=None, help="Whose view (default: sandbox).")
@click.option(
    "--location", help="Wix business location, by name or id; for a catalog with locations: NAME, A,B or all."
)
@click.option("--state-dir", type=click.Path(file_okay=False), envvar="RECONCILE_STATE_DIR")
@click.option("--format", "fmt", type=click.Choice(["text", "html"]), default="text")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
def show(catalog, live, target, location, state_dir, fmt, out):
    """Show a catalog, or the live menu, as a diner sees it. Never writes to the live catalog."""
    if bool(catalog) == bool(live):
        raise click.UsageError("give either a CATALOG or --live")
    state = resolve_state_dir(state_dir)
    desired = load_catalog(catalog) if catalog else None
    title = "Live menu" if live else f"Menu of {Path(catalog).name}"
    several = _several(desired, location)
    if desired is not None and several is not None:
        return _emit(deadline.run(site_page.site_show(desired, several, target, state, title, fmt)), out)
    view, subtitle, currency = deadline.run(_view(desired, target or "sandbox", location, state))
    if fmt == "html":
        text = render_html(compare(view, view), title, subtitle, currency)
    else:
        text = f"{subtitle}\n\n{render_menu_text(view, currency)}"
    _emit(text, out)


def _emit(text: str, out: str | None) -> None:
    if out:
        write_text(Path(out), text)
    else:
        click.echo(text, nl=False)


def _several(catalog: Catalog | None, location: str | None) -> list[Location] | None:
    """The locations `--location all|A,B` (or none, on a chain) selects; None for one location."""
    if catalog is None:
        if location is not None and (location.strip() == "all" or "," in location):
            raise ConfigError("--live shows one location; name it with --location NAME (or show a CATALOG)")
        return None
    chosen = site_cmds.choose(catalog, location)
    return chosen if isinstance(chosen, list) else None


def register(cli: click.Group) -> None:
    cli.add_command(show)
