"""The HTML page of several locations: `plan --format html --location all|A,B` and `show CATALOG --location all`.

Each location goes through its own target's ``present`` hook (as the page of one location does),
with the location's effective catalog; the page is :func:`reconciler.render.site_html.render_site_html`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reconciler.cli import site_cmds
from reconciler.engine.planning import Planned
from reconciler.engine.siteplan import SitePlan
from reconciler.engine.thresholds import Thresholds
from reconciler.errors import ConfigError
from reconciler.files import write_text
from reconciler.model.catalog import Catalog
from reconciler.model.effective import effective
from reconciler.model.locations import Location
from reconciler.render.menutext import render_menu_text
from reconciler.render.review import MenuEntry, compare
from reconciler.render.site_html import LocationPart, override_notes, render_site_html
from reconciler.targets.registry import open_site


def where(target: str, location: str, location_id: str) -> str:
    return f'{target} · location "{location}" ({location_id})'


def _names(locations: list[Location]) -> list[str]:
    return [loc.wix for loc in locations if loc.id is None]


class Views:
    """Each location's diner views, compared, collected while its target is open (``seen``)."""

    def __init__(self) -> None:
        self.views: dict[str, tuple[list[MenuEntry], str]] = {}

    def seen(self, location: Location, planned: Planned[Any], target: Any) -> None:
        info = planned.plan.target
        before, after = target.present(planned.live.essence), target.present(planned.desired)
        self.views[location.key] = (compare(before, after), where(info.name, info.location_name, info.location_id))

    def page(self, catalog: Catalog, locations: list[Location], site: SitePlan) -> str:
        if any(loc.key not in self.views for loc in locations):  # a shared site: one plan, no diner view per location
            raise ConfigError(
                "--format html shows each location's own plan; a site whose locations share entities "
                "(menus_new: {share: true}) is planned as one: use --format text, markdown or json"
            )
        parts = [
            LocationPart(
                loc.key,
                self.views[loc.key][1],
                self.views[loc.key][0],
                site.plan_of(loc.key),
                override_notes(catalog, loc, catalog.currency),
            )
            for loc in locations
        ]
        n = len(locations)
        title = f"Plan for {n} location{'' if n == 1 else 's'}"
        name = site.locations[0].plan.target.name if site.locations else "sandbox"
        return render_site_html(parts, title, f"{name} · one part per location", catalog.currency, site)


async def site_plan_page(
    catalog: Catalog,
    locations: list[Location],
    target_name: str | None,
    state: Path,
    thresholds: Thresholds,
    live_updates: bool,
) -> tuple[SitePlan, str]:
    """The plan of every selected location, and the page that shows it as each location's diners will see it."""
    views = Views()
    site = await site_cmds.plan_site(catalog, locations, target_name, state, thresholds, live_updates, seen=views.seen)
    return site, views.page(catalog, locations, site)


async def site_show(
    catalog: Catalog, locations: list[Location], target_name: str | None, state: Path, title: str, fmt: str
) -> str:
    """Each selected location's effective catalog as its diners would see it on the chosen target:
    one page (``html``) or the text of each location after a heading."""
    parts = []
    name = target_name or "sandbox"
    async with open_site(name, state, catalog.currency, _names(locations)) as opener:
        for loc in locations:
            async with opener(loc.wix) as target:
                info = await target.describe()
                view = target.present(target.project(effective(catalog, loc))[0])
                shown = where(info.name, info.location_name, info.location_id) + " · desired (the catalog)"
                parts.append((loc, shown, view))
    if fmt != "html":
        return "\n".join(
            f"── {loc.key}\n{shown}\n\n{render_menu_text(view, catalog.currency)}" for loc, shown, view in parts
        )
    pages = [
        LocationPart(loc.key, shown, compare(view, view), None, override_notes(catalog, loc, catalog.currency))
        for loc, shown, view in parts
    ]
    return render_site_html(pages, title, f"{name} · one part per location", catalog.currency)


def emit(page: str, out: str | None, summary: str) -> None:
    """The page to ``out`` (then the plan's summary line and where it went) or to standard output."""
    if out:
        write_text(Path(out), page)
        click.echo(f"{summary}\nWrote the plan as a page to {out}.")
    else:
        click.echo(page, nl=False)
