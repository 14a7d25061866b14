"""A pull request's worth of changes to the pizzeria, and a reader of the HTML plan built on html.parser.

The reader shares no code with reconciler/render: it walks the page (the file, or the DOM a
browser dumped) and collects every dish entry with its status and the prices it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

from reconciler.engine.planning import make_plan
from tests.catalog_edits import dish, section


def pull_request(data: dict) -> None:
    """Price edits, a new dish, a removed section, an option change, a move, a dish sold out."""
    dish(data, "margherita")["price"] = "11.50"
    dish(data, "diavola")["price"] = "14.00"
    data["dishes"].append({"id": "calzone", "name": "Calzone", "price": "14.50", "options": ["pizza-size"]})
    section(data, "pizzas")["dishes"].append("calzone")
    data["menus"][0]["sections"] = [s for s in data["menus"][0]["sections"] if s["id"] != "drinks"]
    data["dishes"] = [d for d in data["dishes"] if d["id"] not in ("lemonade", "espresso")]
    toppings = next(g for g in data["option_groups"] if g["id"] == "pizza-toppings")
    next(c for c in toppings["choices"] if c["item"] == "top-olives")["price"] = "1.75"
    salads = section(data, "salads")
    salads["dishes"] = list(reversed(salads["dishes"]))  # caprese first
    dish(data, "caesar")["in_stock"] = False


@dataclass
class Shown:
    dish: str
    status: str
    name: str = ""
    section: str = ""
    location: str = ""  # on a page of several locations: the part it is in
    prices: list[Decimal] = field(default_factory=list)  # the dish's price, or its sizes' prices
    before: list[Decimal] = field(default_factory=list)  # struck-through old prices
    choices: list[Decimal] = field(default_factory=list)  # what each choice adds, in order


class PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.dishes: list[Shown] = []
        self.sections: dict[str, str] = {}  # id -> status
        self.external: list[str] = []  # every attribute that would make the page fetch something
        self._section = ""
        self._location = ""
        self._in_name = False
        self.overrides: dict[tuple[str, str], str] = {}  # (location, dish id) -> the note of its overrides
        self._in_override = False
        self._in_dish = False
        self.menus: dict[str, dict[str, str]] = {}  # id -> status, and the text of its facts and deltas
        self._menu_head = ""  # the menu whose own lines (before its first section) are being read
        self._menu_text = ""  # "facts" or "deltas" while inside one of those

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href", "action", "poster", "data-src"):
            if a.get(key) and not str(a[key]).startswith(("#", "data:")):
                self.external.append(f"<{tag} {key}={a[key]}>")
        if tag == "section" and "data-menu" in a:
            self._menu_head = a["data-menu"] or ""
            self.menus[self._menu_head] = {"status": a.get("data-status") or "", "facts": "", "deltas": ""}
        elif self._menu_head and tag in ("p", "ul") and (a.get("class") or "") in ("note availability", "deltas"):
            self._menu_text = "facts" if tag == "p" else "deltas"
        if tag == "details" and "data-section" in a:
            self._menu_head = ""
        if tag == "details" and "data-location" in a:
            self._location = a["data-location"] or ""
        elif tag == "details" and "data-section" in a:
            self._section = a["data-section"] or ""
            self.sections[self._section] = a.get("data-status") or ""
        elif tag == "li" and "data-dish" in a:
            self.dishes.append(
                Shown(a["data-dish"] or "", a.get("data-status") or "", section=self._section, location=self._location)
            )
            self._in_dish = True
        elif tag == "p" and "override" in (a.get("class") or "").split() and self._in_dish:
            self._in_override = True
        elif tag == "h4" and self.dishes:
            self._in_name = True
        elif tag == "data" and self.dishes:
            value = Decimal(a.get("value") or "nan")
            target = {"price": "prices", "price-before": "before", "choice-price": "choices"}[a.get("class") or ""]
            getattr(self.dishes[-1], target).append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h4":
            self._in_name = False
        elif tag == "p":
            self._in_override = False
        if tag in ("p", "ul"):
            self._menu_text = ""
        elif tag == "li":
            self._in_dish = False

    def handle_data(self, data: str) -> None:
        if self._menu_head and self._menu_text:
            self.menus[self._menu_head][self._menu_text] += data
        if self._in_name:
            self.dishes[-1].name += data
        elif self._in_override:
            key = (self.dishes[-1].location, self.dishes[-1].dish)
            self.overrides[key] = self.overrides.get(key, "") + data


def read_page(page: str) -> PageReader:
    reader = PageReader()
    reader.feed(page)
    return reader


def planned_page(h, catalog):
    """(plan, HTML page) made by the same function `reconcile plan --format html` calls."""
    from reconciler.cli.show_cmd import plan_page

    async def go():
        async with h.target() as target:
            planned = await make_plan(catalog, target, h.store, h.thresholds)
            return planned.plan, plan_page(planned, target, catalog.currency)

    return h.run(go())
