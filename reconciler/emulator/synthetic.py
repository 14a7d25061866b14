"""Generated menus of a chosen size, for fleets and benchmarks: ``seed --dishes MIN-MAX``.

Each location gets one menu of n dishes, n drawn per location from ``random.Random(f"{seed}:{site}:
{location}")`` (``site`` and ``location`` are 0-based indexes within one seed call), so the same
command makes the same menus. The content, in both APIs:

- one menu named ``Menu``; sections of at most 25 dishes, ``Section 1``, ``Section 2``, ...;
- dish k (1-based) named ``Dish k``, priced ``price(k)`` (a decimal string, e.g. "6.37"), no
  description, no options;
- Catalogs v3: DISH items in the location's catalog, default visibility, tax rate "0.00";
- Menus (New): items with ``priceInfo``, placed at the location (``businessLocationIds``),
  sections and the menu at the location (``businessLocationId``), revision "1".

Rows are built with the same shape functions the API uses and written with one INSERT per kind,
so 1,000 sites of 300 dishes take seconds. Called by ``seed.py``.
"""

from __future__ import annotations

import random
from typing import Any

from reconciler.emulator.menus import parents as menu_parents
from reconciler.emulator.menus import shapes as menu_shapes
from reconciler.emulator.menus.services import API as MENUS_API
from reconciler.emulator.menus.services import ITEM, MENU, SECTION
from reconciler.emulator.store import LIVE, Tx
from reconciler.emulator.v3 import enums
from reconciler.emulator.v3 import shapes as v3_shapes
from reconciler.emulator.v3.repo import CatalogScope
from reconciler.emulator.wire import dumps_text

SECTION_SIZE = 25
_ids = random.SystemRandom()


def guid() -> str:
    """A random UUIDv4, several times faster than str(uuid.uuid4()) (seeding writes 100,000s)."""
    n = (_ids.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def price(k: int) -> str:
    """Dish k's price: 5.00 to 24.99, two decimals."""
    return f"{5 + k % 20}.{(k * 37) % 100:02d}"


def dish_count(bounds: tuple[int, int], seed: int, site: int, location: int) -> int:
    low, high = bounds
    return random.Random(f"{seed}:{site}:{location}").randint(low, high)


def _sections(n: int) -> list[range]:
    return [range(start, min(start + SECTION_SIZE, n + 1)) for start in range(1, n + 1, SECTION_SIZE)]


def _q(text: str) -> str:
    """A JSON string of generated text (ids, "Dish 7", "6.37": nothing to escape)."""
    return '"' + text + '"'


def _qs(texts: list[str]) -> str:
    return '["' + '","'.join(texts) + '"]'


class _Template:
    """An entity built once by the API's own shape function, with markers for the fields that vary;
    ``fill`` renders one row's JSON text from JSON fragments, without building or dumping a dict."""

    def __init__(self, entity: dict[str, Any], **markers: Any):
        self.text = dumps_text(entity)
        self.markers = {key: dumps_text(marker) for key, marker in markers.items()}
        for marker in self.markers.values():
            assert self.text.count(marker) == 1, marker

    def fill(self, **fragments: str) -> str:
        text = self.text
        for key, marker in self.markers.items():
            text = text.replace(marker, fragments[key])
        return text


Rows = list[tuple[str, str, str | None, str | None]]


def populate_v3(scope: CatalogScope, n: int) -> None:
    """One menu of ``n`` dishes in the catalog's live scope."""
    item = _Template(
        v3_shapes.build_item({"name": "\0N", "price": {"value": "\0P"}}, "\0I", enums.DISH, scope.currency),
        id="\0I",
        name="\0N",
        price="\0P",
    )
    section = _Template(
        v3_shapes.build_section({"name": "\0N", "itemIds": {"values": ["\0D"]}}, "\0I", "\0M"),
        id="\0I",
        name="\0N",
        menu="\0M",
        dishes=["\0D"],
    )
    menu_id = guid()
    section_rows: Rows = []
    item_rows: Rows = []
    for number, dishes in enumerate(_sections(n), start=1):
        dish_ids = [guid() for _ in dishes]
        item_rows += [
            (ident, item.fill(id=_q(ident), name=_q(f"Dish {k}"), price=_q(price(k))), None, enums.DISH)
            for ident, k in zip(dish_ids, dishes, strict=True)
        ]
        section_id = guid()
        text = section.fill(id=_q(section_id), name=_q(f"Section {number}"), menu=_q(menu_id), dishes=_qs(dish_ids))
        section_rows.append((section_id, text, menu_id, None))
    menu = v3_shapes.build_menu({"name": "Menu", "sectionIds": {"values": [row[0] for row in section_rows]}}, menu_id)
    scope.menus.insert_texts([(menu_id, dumps_text(menu), None, None)])
    scope.sections.insert_texts(section_rows)
    scope.items.insert_texts(item_rows)


def populate_menus(tx: Tx, location_id: str, n: int, created: str) -> None:
    """One Menus (New) menu of ``n`` items at ``location_id``."""
    raw_item = {"name": "\0N", "priceInfo": {"price": "\0P"}}
    item = _Template(
        {**menu_shapes.build(ITEM, raw_item, "\0I", created), "businessLocationIds": [location_id]},
        id="\0I",
        name="\0N",
        price="\0P",
    )
    raw_section = {"name": "\0N", "itemIds": ["\0D"]}
    section = _Template(
        {**menu_shapes.build(SECTION, raw_section, "\0I", created), "businessLocationId": location_id},
        id="\0I",
        name="\0N",
        items=["\0D"],
    )
    section_rows: Rows = []
    item_rows: Rows = []
    dish_ids: list[list[str]] = []  # per section
    for number, dishes in enumerate(_sections(n), start=1):
        item_ids = [guid() for _ in dishes]
        dish_ids.append(item_ids)
        item_rows += [
            (ident, item.fill(id=_q(ident), name=_q(f"Dish {k}"), price=_q(price(k))), None, None)
            for ident, k in zip(item_ids, dishes, strict=True)
        ]
        section_id = guid()
        text = section.fill(id=_q(section_id), name=_q(f"Section {number}"), items=_qs(item_ids))
        section_rows.append((section_id, text, None, None))
    menu_id = guid()
    raw = {"name": "Menu", "sectionIds": [row[0] for row in section_rows], "businessLocationId": location_id}
    menu = menu_shapes.build(MENU, raw, menu_id, created)
    tx.collection(MENUS_API, LIVE, tx.site, ITEM).insert_texts(item_rows)
    first = tx.collection(MENUS_API, LIVE, tx.site, SECTION).insert_texts(section_rows)
    menu_seq = tx.collection(MENUS_API, LIVE, tx.site, MENU).insert_texts([(menu_id, dumps_text(menu), None, None)])
    # The reverse index of what these rows list (menus/parents.py), as the API's writes keep it.
    located = dumps_text([location_id])
    refs: list[menu_parents.Row] = [
        (MENUS_API, tx.site, SECTION, section_id, located, menu_seq, menu_id) for section_id, *_ in section_rows
    ]
    for offset, (section_id, _text, _parent, _subtype) in enumerate(section_rows):
        refs += [(MENUS_API, tx.site, ITEM, ident, located, first + offset, section_id) for ident in dish_ids[offset]]
    menu_parents.add(tx.conn, refs)
