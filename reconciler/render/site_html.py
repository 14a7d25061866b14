"""The HTML page of several locations: one part per location, each its menu as that location's diners see it.

`reconcile plan --format html --location all|A,B` and `reconcile show CATALOG --location all` write
it. The page opens with the summary across all locations and a row per location (as the text and
JSON plans have them); then each location is a collapsed ``<details class="location">`` (open when
its plan changes something) holding the same menus, sections and dishes as the page of one
location (:mod:`reconciler.render.html`), its own plan's notes, changes and calls, and its
**overrides** named as such under what they change ("At Airport: price USD 13.00 (base USD 11.00)"),
so a reviewer tells a location's own value from the base catalog's. Still one self-contained file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from reconciler.engine.plan import Plan
from reconciler.engine.siteplan import SitePlan
from reconciler.model.catalog import Catalog, Orderable
from reconciler.model.locations import Location, Override
from reconciler.render import html
from reconciler.render.review import UNCHANGED, MenuEntry
from reconciler.render.view import build_site_view, build_view

Notes = dict[tuple[str, str], tuple[str, ...]]


@dataclass(frozen=True)
class LocationPart:
    """One location of the page: its key in the catalog, where it is, its diner view compared."""

    key: str
    where: str  # the target and the Wix location, for people
    entries: list[MenuEntry]
    plan: Plan | None = None  # None on `reconcile show`
    notes: Notes = field(default_factory=dict)  # (kind, id) -> this location's overrides, in words

    @property
    def marked(self) -> int:
        return sum(d.status != UNCHANGED for m in self.entries for s in m.sections for d in s.dishes)


def render_site_html(
    parts: list[LocationPart], title: str, subtitle: str, currency: str, site: SitePlan | None = None
) -> str:
    """The page; with a ``site`` plan, the summary across locations, and every change marked."""
    review = site is not None
    out = [html.page_head(title, subtitle)]
    if site is not None:
        marked = sum(part.marked for part in parts)
        out.append(
            f'<p class="summary"><strong>{escape(site.summary_line())}</strong> · {marked} dish entries marked</p>\n'
        )
        out.append(_rows(site))
    out.append(html.controls(review) + "</header>\n<main>\n")
    for number, part in enumerate(parts):
        out.append(_part(part, currency, f"l{number}-"))
    out.append("</main>\n")
    if site is not None:
        out.append(f"<footer>\n{html.checksum_line(site.checksum, ' (all locations)')}</footer>\n")
    out.append(html.page_end())
    return "".join(out)


def _rows(site: SitePlan) -> str:
    view = build_site_view(site)
    rows = "".join(
        f"<tr><td>{escape(row.location)}</td><td>{escape(row.summary)}</td><td>{row.calls}</td>"
        f"<td>{'unsafe' if row.unsafe else ''}{f' {row.drift} drift' if row.drift else ''}</td></tr>"
        for row in view.rows
    )
    return (
        f'<p class="meta">Target: {escape(view.target)}</p>\n<table class="locations"><thead><tr><th>Location</th>'
        f"<th>Plan</th><th>Calls</th><th>Flags</th></tr></thead><tbody>{rows}</tbody></table>\n"
    )


def _part(part: LocationPart, currency: str, scope: str) -> str:
    plan = part.plan
    changed = plan is not None and not plan.empty
    summary = ("no changes" if plan.empty else build_view(plan).summary) if plan is not None else ""
    opened = " open" if plan is None or changed else ""
    out = [
        f'<details class="location" data-location="{escape(part.key)}" data-changed="{int(changed)}"{opened}>\n'
        f'<summary><h2 class="location-name">{escape(part.key)}</h2> <span class="counts">{escape(summary)}</span>'
        f'</summary>\n<p class="meta">{escape(part.where)}</p>\n'
    ]
    if plan is not None:
        out.append(html.plan_head(plan, part.entries))
    out.append(html.menus(part.entries, currency, plan is not None, scope, part.notes))
    if plan is not None:
        out.append(html.plan_calls(plan) + html.checksum_line(plan.checksum, f" ({part.key})"))
    out.append("</details>\n")
    return "".join(out)


def override_notes(catalog: Catalog, location: Location, currency: str) -> Notes:
    """What ``location``'s entry overrides, in words, under the menu, section or dish it changes.

    A variation's or a choice's override is said on every dish that offers it.
    """
    at = f"At {location.key}"
    notes: dict[tuple[str, str], list[str]] = {}
    dishes = {d.id: d for d in catalog.dishes}
    variations = {v.id: v for v in catalog.variations}
    groups = {g.id: g for g in catalog.option_groups}
    offered_by: dict[str, list[str]] = {}  # a choice's item -> the dishes that offer it
    for dish in catalog.dishes:
        for group_id in dish.options:
            for choice in groups[group_id].choices if group_id in groups else ():
                offered_by.setdefault(choice.item, []).append(dish.id)
    for o in location.dishes:
        notes.setdefault(("dish", o.id), []).append(f"{at}: {_values(o, dishes.get(o.id), currency)}")
    for o in location.variations:
        base = variations.get(o.id)
        said = f"{at}: {base.name if base else o.id} {_values(o, base, currency)}"
        for dish_id in dict.fromkeys(offered_by.get(o.id, [])):
            notes.setdefault(("dish", dish_id), []).append(said)
    for c in location.choices:
        group = groups.get(c.group)
        if group is None:
            continue
        was = next((ch.price for ch in group.choices if ch.item == c.item), None)
        item = variations.get(c.item) or dishes.get(c.item)
        said = f"{at}: {group.name}: {item.name if item else c.item} adds {currency} {c.price}"
        said += f" (base {currency} {was})" if was is not None else ""
        for dish in catalog.dishes:
            if c.group in dish.options:
                notes.setdefault(("dish", dish.id), []).append(said)
    for kind, overrides in (("menu", location.menus), ("section", location.sections)):
        for v in overrides:
            notes.setdefault((kind, v.id), []).append(f"{at}: {'shown' if v.visible else 'hidden'}")
    return {key: tuple(said) for key, said in notes.items()}


def _values(o: Override, base: Orderable | None, currency: str) -> str:
    said = []
    if o.price is not None:
        said.append(f"price {currency} {o.price}" + (f" (base {currency} {base.price})" if base else ""))
    if o.in_stock is not None:
        said.append("in stock" if o.in_stock else "sold out")
    if o.visible is not None:
        said.append("shown" if o.visible else "hidden")
    return ", ".join(said)
