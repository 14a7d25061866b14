"""The menu as a diner sees it, as one self-contained HTML page: the HTML plan and ``reconcile show``.

One file, no network: the CSS and the few lines of script are inline, and a Content-Security-Policy
forbids the page to load anything (dish images are named, not fetched). Semantic HTML: menus are
``<section>`` s with headings, each menu section is a ``<details>`` (collapsed when nothing in it
changes, so a 10,000-dish plan opens on what matters), dishes are list items. Every mark is a
word as well as a colour ("Added", "Removed", "Moved", "Changed"), old prices are ``<del>`` and new
ones ``<ins>``, so the page reads the same without colour and in print (printing opens every
section). Prices are ``<data value>`` elements: what a test, or a script, reads back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from reconciler.engine.menuview import ChoiceView, OptionView
from reconciler.engine.plan import Plan
from reconciler.render.review import ADDED, REMOVED, UNCHANGED, Delta, DishEntry, MenuEntry, SectionEntry
from reconciler.render.view import build_view

BADGES = {"added": "+ Added", "removed": "− Removed", "moved": "↕ Moved", "changed": "~ Changed"}
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
STYLE = """
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.4;color:#1b1b1b;background:#fff}
body{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.25rem;border-bottom:2px solid #444;padding-bottom:.2rem}
h3{display:inline;font-size:1.05rem}h4{display:inline;font-size:1rem;margin:0}
.meta,.note,.counts{color:#555;font-size:.9rem}
details.section{border:1px solid #bbb;border-radius:4px;margin:.5rem 0;padding:.3rem .6rem;content-visibility:auto}
summary{cursor:pointer}ul.dishes{list-style:none;padding:0;margin:.3rem 0}
li.dish{border-left:4px solid transparent;padding:.3rem .5rem;margin:.2rem 0}
.badge{display:inline-block;font-size:.75rem;font-weight:600;border:1px solid currentColor;border-radius:3px;
padding:0 .3rem;margin-left:.4rem;vertical-align:middle}
[data-status=added]>.head .badge,li.dish[data-status=added]{border-left-color:#1a7f37}
li.dish[data-status=added] .badge{color:#1a7f37}
li.dish[data-status=removed]{border-left-style:dashed;border-left-color:#b42318;color:#555}
li.dish[data-status=removed] h4{text-decoration:line-through}
li.dish[data-status=removed] .badge{color:#b42318}
li.dish[data-status=changed]{border-left-color:#9a6700}li.dish[data-status=changed] .badge{color:#9a6700}
li.dish[data-status=moved]{border-left-style:double;border-left-color:#0550ae}
li.dish[data-status=moved] .badge{color:#0550ae}
.price{font-variant-numeric:tabular-nums;font-weight:600}del .price{font-weight:400}
ins{text-decoration:underline;background:#e6ffec}del{background:#ffebe9}
ul.deltas{margin:.2rem 0 0 1rem;padding:0;font-size:.9rem}.opts{margin:.1rem 0;font-size:.9rem}
.desc{margin:.1rem 0;color:#444}table{border-collapse:collapse;font-size:.85rem}
td,th{border:1px solid #ccc;padding:.15rem .4rem;text-align:left;vertical-align:top}
body:has(#only-changes:checked) li.dish[data-status=unchanged],
body:has(#only-changes:checked) details.section[data-changed="0"],
body:has(#only-changes:checked) details.location[data-changed="0"]{display:none}
details.location{border-top:3px solid #444;margin:1rem 0;padding-top:.3rem}.override{font-style:italic}
details.location>summary>h2{display:inline;border:0}
@media print{details.location{content-visibility:visible}
details.section{break-inside:avoid-page;content-visibility:visible}.controls{display:none}
ins,del{background:none}}
"""
# Printing shows what is collapsed on screen; "expand all" and "collapse all" for a long page.
SCRIPT = """
const all=o=>document.querySelectorAll('details.section,details.location').forEach(d=>{d.open=o});
addEventListener('beforeprint',()=>all(true));
document.getElementById('expand').onclick=()=>all(true);
document.getElementById('collapse').onclick=()=>all(false);
"""


def render_html(entries: list[MenuEntry], title: str, subtitle: str, currency: str, plan: Plan | None = None) -> str:
    """The page. With a ``plan``: its summary, changes and calls too, and marks on every change."""
    out = [page_head(title, subtitle)]
    if plan is not None:
        out.append(plan_head(plan, entries))
    out.append(controls(plan is not None) + "</header>\n<main>\n")
    out.append(menus(entries, currency, plan is not None))
    out.append("</main>\n")
    if plan is not None:
        out.append(f"<footer>\n{plan_calls(plan)}{checksum_line(plan.checksum)}</footer>\n")
    out.append(page_end())
    return "".join(out)


def page_head(title: str, subtitle: str) -> str:
    """The page up to its header's title: the policy that forbids any fetch, the style."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'  # or the browser asks the server for /favicon.ico
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n"
        f'<h1>{escape(title)}</h1>\n<p class="meta">{escape(subtitle)}</p>\n'
    )


def controls(review: bool) -> str:
    return (
        '<p class="controls"><button type="button" id="expand">Expand all</button> '
        '<button type="button" id="collapse">Collapse all</button>'
        + (' <label><input type="checkbox" id="only-changes"> Only changes</label>' if review else "")
        + "</p>\n"
    )


def page_end() -> str:
    return f"<script>{SCRIPT}</script>\n</body>\n</html>\n"


def menus(
    entries: list[MenuEntry],
    currency: str,
    review: bool,
    scope: str = "",
    notes: Mapping[tuple[str, str], tuple[str, ...]] | None = None,
) -> str:
    """Every menu, section and dish. ``scope`` keeps element ids unique on a page of several
    locations; ``notes`` are shown under the entity they name, ``(kind, id)``: a location's overrides."""
    money = _money(currency)
    marks = Marks(scope, notes or {})
    return "".join(_menu(menu, money, review, marks) for menu in entries)


@dataclass(frozen=True)
class Marks:
    scope: str
    notes: Mapping[tuple[str, str], tuple[str, ...]]

    def of(self, kind: str, id_: str) -> str:
        said = self.notes.get((kind, id_))
        return f'\n<p class="note override">{escape("; ".join(said))}</p>' if said else ""


def _money(currency: str):
    options: dict[OptionView, str] = {}  # an option group reads the same on every dish that offers it

    def show(amount: str, cls: str = "price") -> str:
        shown = escape(amount) if cls == "choice-price" else f"{escape(currency)} {escape(amount)}"
        return f'<data class="{cls}" value="{escape(amount)}">{shown}</data>'

    def option(o: OptionView) -> str:
        if o not in options:
            options[o] = _option(o, show)
        return options[o]

    show.option = option  # type: ignore[attr-defined]
    return show


def _badge(status: str) -> str:
    return f' <span class="badge">{BADGES[status]}</span>' if status in BADGES else ""


def _menu(menu: MenuEntry, money, review: bool, marks: Marks) -> str:
    m = menu.menu
    anchor = escape(f"menu-{marks.scope}{m.id}")
    parts = [
        f'<section class="menu" data-menu="{escape(m.id)}" data-status="{menu.status}" '
        f'aria-labelledby="{anchor}">\n<h2 id="{anchor}" class="head">{escape(m.name)}'
        f"{_badge(menu.status)}</h2>\n"
    ]
    if m.description:
        parts.append(f'<p class="desc">{escape(m.description)}</p>\n')
    parts.append(_facts(m.availability))
    parts.append(marks.of("menu", m.id))
    parts.append(_deltas(menu.deltas, money))
    for section in menu.sections:
        parts.append(_section(section, money, review, marks))
    parts.append("</section>\n")
    return "".join(parts)


def _section(entry: SectionEntry, money, review: bool, marks: Marks) -> str:
    s = entry.section
    changed = entry.changed + (entry.status != UNCHANGED)
    opened = " open" if not review or changed else ""
    counts = f"{len(entry.dishes)} dish{'es' if len(entry.dishes) != 1 else ''}"
    if review:
        counts += f", {entry.changed} changed" if entry.changed else ", no change"
    moved = f" (from {escape(entry.moved_from)})" if entry.moved_from else ""
    parts = [
        f'<details class="section" data-section="{escape(s.id)}" data-status="{entry.status}" '
        f'data-changed="{changed}"{opened}>\n<summary class="head"><h3>{escape(s.name)}</h3>'
        f'{_badge(entry.status)}{moved} <span class="counts">{counts}</span></summary>\n'
    ]
    if s.description:
        parts.append(f'<p class="desc">{escape(s.description)}</p>\n')
    parts += [_facts(s.availability), marks.of("section", s.id), _deltas(entry.deltas, money), '<ul class="dishes">\n']
    parts += [_dish(d, money, marks) for d in entry.dishes]
    parts.append("</ul>\n</details>\n")
    return "".join(parts)


def _dish(entry: DishEntry, money, marks: Marks) -> str:
    d = entry.dish
    moved = f' <span class="note">from {escape(entry.moved_from)}</span>' if entry.moved_from else ""
    parts = [
        f'<li class="dish" data-dish="{escape(d.id)}" data-status="{entry.status}">'
        f"<h4>{escape(d.name)}</h4>{_badge(entry.status)}{moved} {_price(entry, money)}"
    ]
    if d.labels:
        parts.append(f' <span class="note">{escape(", ".join(d.labels))}</span>')
    if d.description:
        parts.append(f'\n<p class="desc">{escape(d.description)}</p>')
    before = entry.before.sizes if entry.before and entry.status not in (ADDED, REMOVED) else ()
    parts += [_sizes(d.sizes, before, money), *(money.option(o) for o in d.options), _facts(d.availability)]
    parts.append(marks.of("dish", d.id))
    if entry.status != REMOVED:
        parts.append(_deltas(entry.deltas, money))
    parts.append("</li>\n")
    return "".join(parts)


def _price(entry: DishEntry, money) -> str:
    """The dish's price; a changed one as old → new (old struck through), so it reads without colour."""
    price, before = entry.dish.price, entry.before.price if entry.before else None
    if price is None:
        return ""
    if entry.status not in (ADDED, REMOVED) and before is not None and before != price:
        return f"<del>{money(before, 'price-before')}</del> → <ins>{money(price)}</ins>"
    return money(price)


def _sizes(sizes: tuple[ChoiceView, ...], before: tuple[ChoiceView, ...], money) -> str:
    if not sizes:
        return ""
    old = {s.id: s.price for s in before}

    def one(size: ChoiceView) -> str:
        was = old.get(size.id)
        if was is None or was == size.price:
            return money(size.price)
        return f"<del>{money(was, 'price-before')}</del> → <ins>{money(size.price)}</ins>"

    shown = ", ".join(f'<span class="size">{escape(s.name)}</span> {one(s)}' for s in sizes)
    return f'\n<p class="opts sizes">Sizes: {shown}</p>'


def _option(option: OptionView, money) -> str:
    choices = ", ".join(
        f"{escape(c.name)} +{money(c.price, 'choice-price')}"
        + (" (included)" if c.preselected else "")
        + (" (sold out)" if not c.in_stock else "")
        for c in option.choices
    )
    return f'\n<p class="opts">{escape(option.name)} <span class="note">({escape(option.rule)})</span>: {choices}</p>'


def _facts(facts: tuple[str, ...]) -> str:
    return f'\n<p class="note availability">{escape("; ".join(facts))}</p>' if facts else ""


def _deltas(deltas: tuple[Delta, ...], money) -> str:
    if not deltas:
        return ""
    items = []
    for delta in deltas:
        if not delta.before:
            change = f"<ins>{escape(delta.after)}</ins> (new)"
        elif not delta.after:
            change = f"<del>{escape(delta.before)}</del> (gone)"
        else:
            change = f"<del>{escape(delta.before)}</del> → <ins>{escape(delta.after)}</ins>"
        items.append(f"<li>{escape(delta.what)}: {change}</li>")
    return '\n<ul class="deltas" aria-label="What changes">' + "".join(items) + "</ul>"


def plan_head(plan: Plan, entries: list[MenuEntry]) -> str:
    view = build_view(plan)
    marked = sum(d.status != UNCHANGED for m in entries for s in m.sections for d in s.dishes)
    menus_marked = sum(m.status != UNCHANGED for m in entries)  # its hours, closures, online ordering…
    also = f", {menus_marked} menu{'' if menus_marked == 1 else 's'} marked" if menus_marked else ""
    parts = [f'<p class="summary"><strong>{escape(view.summary)}</strong> · {marked} dish entries marked{also}</p>\n']
    parts += [
        f'<p class="unsafe"><strong>Unsafe:</strong> {escape(r)}. <code>apply</code> needs --force.</p>\n'
        for r in view.unsafe
    ]
    if view.drift:
        parts.append(f"<p>{view.drift} change(s) undo edits made on the live menu outside reconcile (drift).</p>\n")
    if view.empty:
        parts.append("<p>No changes. The live catalog matches the desired state.</p>\n")
    parts += [f'<p class="note">Note: {escape(n)}</p>\n' for n in view.notes]
    return "".join(parts)


def plan_calls(plan: Plan) -> str:
    """Every change field by field (collapsed), and the API calls in their steps."""
    view = build_view(plan)
    rows = []
    for group in view.groups:
        for line in group.changes:
            fields = "<br>".join(
                escape(f"{f.path}: {f.before} → {f.after}" if f.before else f"{f.path}: {f.after}") for f in line.fields
            )
            drift = " (drift)" if line.drift else ""
            rows.append(
                f"<tr><td>{escape(line.symbol)} {escape(line.verb)}</td><td>{escape(line.kind)}</td>"
                f"<td><code>{escape(line.id)}</code></td><td>{escape(line.name)}{drift}</td><td>{fields}</td></tr>"
            )
    parts = [f'<details class="changes"><summary>Every change, field by field ({len(rows)})</summary>\n']
    if rows:
        parts.append(
            "<table><thead><tr><th>Change</th><th>Kind</th><th>Id</th><th>Name</th><th>Fields</th>"
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        )
    parts.append("</details>\n")
    if view.steps:
        parts.append(f"<h2>API calls: {view.calls} in {len(view.steps)} step(s)</h2>\n<ol start=\"0\" class=\"calls\">")
        parts += [f'<li value="{step}">{escape("; ".join(calls))}</li>' for step, calls in view.steps]
        parts.append("</ol>\n")
    return "".join(parts)


def checksum_line(checksum: str, scope: str = "") -> str:
    return f'<p class="meta">Plan checksum{escape(scope)}: <code>{escape(checksum)}</code></p>\n'
