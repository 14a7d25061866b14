"""Deterministic synthetic catalogs for the benchmarks, and the "after" catalogs derived from them.

    python -m bench.generate --dishes 1000 --seed 7 -o /tmp/menu.yaml
    python -m bench.generate --dishes 1000 --seed 7 --change 0.01 -o /tmp/menu-1pct.yaml
    python -m bench.generate --dishes 1000 --seed 7 --locations 3 -o /tmp/site/   (one file per location)

A catalog of N dishes has the shape of a real restaurant's, scaled up:

* several menus (3 for 100 dishes, 22 for 10,000), some with opening windows, one pickup-only,
  one closed on a holiday;
* sections of 10 to 60 dishes each, and about 8% of dishes listed in a second section too;
* size selections backed by variations ("Small", "Large", ...), shared extras ("Extra cheese")
  and deselections ("No onions"), each group offered by many dishes;
* labels, descriptions, images, tax rates, a few dishes out of stock, pickup-only, on a
  schedule or hidden.

Everything comes from one ``random.Random`` seeded by the arguments, so the same arguments give
byte-identical YAML. The derived catalogs (:func:`change`, :func:`one_price_change`) change a
share of the dishes: mostly prices, some names, some moved to another section.
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
from pathlib import Path

import yaml

MENU_NAMES = [
    "All Day",
    "Breakfast",
    "Lunch",
    "Dinner",
    "Drinks",
    "Desserts",
    "Kids",
    "Late Night",
    "Brunch",
    "Happy Hour",
    "Catering",
    "Weekend Specials",
    "Vegan",
    "Bar",
    "Bakery",
    "Coffee Bar",
    "Family Meals",
    "Chef's Table",
    "Seasonal",
    "Takeaway",
    "Lunch Boxes",
    "Tasting",
]
CATEGORIES = {
    "Starters": ["Bruschetta", "Calamari", "Wings", "Nachos", "Spring Rolls", "Dumplings", "Hummus", "Croquettes"],
    "Salads": ["Caesar", "Greek Salad", "Caprese", "Cobb Salad", "Nicoise", "Quinoa Bowl", "Garden Salad"],
    "Pizzas": ["Margherita", "Diavola", "Funghi", "Quattro Formaggi", "Capricciosa", "Marinara", "Calzone"],
    "Pasta": ["Carbonara", "Bolognese", "Cacio e Pepe", "Pesto Linguine", "Lasagna", "Arrabbiata", "Gnocchi"],
    "Burgers": ["Cheeseburger", "Smash Burger", "Veggie Burger", "Chicken Burger", "Bacon Burger", "Slider"],
    "Bowls": ["Poke Bowl", "Burrito Bowl", "Buddha Bowl", "Teriyaki Bowl", "Bibimbap", "Ramen"],
    "Sandwiches": ["Club Sandwich", "BLT", "Reuben", "Banh Mi", "Grilled Cheese", "Panini", "Wrap"],
    "Soups": ["Tomato Soup", "Minestrone", "Pho", "Miso Soup", "Chowder", "Lentil Soup"],
    "Grill": ["Ribeye", "Lamb Chops", "Half Chicken", "Pork Belly", "Salmon Fillet", "Skewers"],
    "Tacos": ["Al Pastor", "Carnitas", "Fish Taco", "Birria", "Quesadilla", "Tostada"],
    "Sushi": ["Salmon Nigiri", "Tuna Roll", "California Roll", "Dragon Roll", "Sashimi Plate", "Temaki"],
    "Curries": ["Butter Chicken", "Green Curry", "Massaman", "Chana Masala", "Vindaloo", "Korma"],
    "Sides": ["Fries", "Onion Rings", "Coleslaw", "Garlic Bread", "Rice", "Mashed Potatoes", "Greens"],
    "Desserts": ["Tiramisu", "Cheesecake", "Brownie", "Panna Cotta", "Gelato", "Apple Pie", "Churros"],
    "Coffee": ["Espresso", "Latte", "Cappuccino", "Flat White", "Mocha", "Cold Brew", "Americano"],
    "Tea": ["Green Tea", "Chai Latte", "Matcha", "Earl Grey", "Iced Tea", "Herbal Tea"],
    "Soft Drinks": ["Lemonade", "Cola", "Ginger Beer", "Sparkling Water", "Orange Juice", "Iced Soda"],
    "Cocktails": ["Negroni", "Margarita", "Old Fashioned", "Spritz", "Mojito", "Martini", "Paloma"],
    "Wine": ["House Red", "House White", "Rose", "Prosecco", "Chianti", "Sauvignon Blanc"],
    "Beer": ["Lager", "IPA", "Stout", "Pilsner", "Wheat Beer", "Pale Ale"],
}
ADJECTIVES = [
    "Classic",
    "Smoky",
    "Spicy",
    "Crispy",
    "Grilled",
    "Roasted",
    "House",
    "Garden",
    "Golden",
    "Rustic",
    "Truffle",
    "Lemon",
    "Garlic",
    "Herb",
    "Honey",
    "Chili",
    "Sesame",
    "Wild",
    "Farmhouse",
    "Tuscan",
]
INGREDIENTS = [
    "tomato",
    "basil",
    "mozzarella",
    "parmesan",
    "garlic",
    "chili",
    "lemon",
    "rocket",
    "mushrooms",
    "olive oil",
    "sourdough",
    "avocado",
    "coriander",
    "lime",
    "sesame",
    "ginger",
    "feta",
    "spinach",
]
LABELS = ["vegetarian", "vegan", "spicy", "gluten-free", "new", "popular", "contains-nuts", "dairy-free"]
SIZES = [
    "Small",
    "Medium",
    "Large",
    "Family",
    "10 inch",
    "12 inch",
    "16 inch",
    "Regular",
    "Grande",
    "Half",
    "Full",
    "Double",
]
EXTRAS = [
    "Cheese",
    "Bacon",
    "Avocado",
    "Egg",
    "Mushrooms",
    "Olives",
    "Jalapenos",
    "Chicken",
    "Shrimp",
    "Tofu",
    "Extra Sauce",
    "Truffle Oil",
    "Anchovies",
    "Pesto",
    "Onions",
    "Peppers",
    "Pickles",
    "Halloumi",
]
REMOVALS = [
    "Onions",
    "Garlic",
    "Cheese",
    "Nuts",
    "Sesame",
    "Cilantro",
    "Mayo",
    "Gluten",
    "Dairy",
    "Chili",
    "Pickles",
    "Tomato",
]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
TAX_RATES = ["8.875", "7.25", "10", "0"]
LOCATION_NAMES = ["Downtown", "Harbour", "Airport", "Old Town", "Riverside", "Uptown", "Mall", "Station"]


def _price(rng: random.Random, low: float = 3.0, high: float = 38.0) -> str:
    quarters = rng.randint(int(low * 4), int(high * 4))
    return f"{quarters / 4:.2f}"


def _window(days: list[str], open_: str, close: str) -> list[dict]:
    return [{"day": d, "open": open_, "close": close} for d in days]


def _section_sizes(rng: random.Random, total: int) -> list[int]:
    """Sizes of 10 to 60 that add up to ``total`` (a single short section when total < 10)."""
    sizes: list[int] = []
    left = total
    while left > 0:
        size = rng.randint(10, 60)
        if left - size < 10:
            size = left if left <= 60 else left - 10
        sizes.append(size)
        left -= size
    return sizes


def menu_count(dishes: int) -> int:
    return max(3, min(len(MENU_NAMES), 2 + dishes // 500))


def generate(dishes: int, seed: int = 1, location: str | None = None, currency: str = "USD") -> dict:
    """A valid catalog of ``dishes`` dishes as plain data (what ``yaml.safe_dump`` writes)."""
    if dishes < 1:
        raise ValueError("a catalog needs at least one dish")
    rng = random.Random(f"reconcile-bench:{seed}:{dishes}:{location or ''}")
    tax = rng.choice(TAX_RATES[:3])

    # Option groups, shared by many dishes, over pools of variations.
    n_groups = max(2, dishes // 300)
    variations: dict[str, dict] = {}

    def variation(prefix: str, name: str) -> str:
        ident = f"v-{prefix}-{name.lower().replace(' ', '-')}"
        variations.setdefault(ident, {"id": ident, "name": name})
        return ident

    groups: list[dict] = []
    size_groups, extra_groups, removal_groups = [], [], []
    for g in range(max(2, dishes // 400)):
        names = rng.sample(SIZES, rng.randint(2, 4))
        choices = [
            {"item": variation("size", n), "price": f"{i * rng.choice([1, 1.5, 2, 3]):.2f}"}
            for i, n in enumerate(names)
        ]
        group = {
            "id": f"g-size-{g:03d}",
            "name": "Size",
            "type": "selection",
            "default": choices[0]["item"],
            "choices": choices,
        }
        groups.append(group)
        size_groups.append(group["id"])
    extra_pool = max(len(EXTRAS), dishes // 60)
    for g in range(n_groups):
        picks = rng.sample(range(extra_pool), rng.randint(3, 8))
        choices = [
            {
                "item": variation("extra", f"{EXTRAS[p % len(EXTRAS)]}{'' if p < len(EXTRAS) else f' {p}'}"),
                "price": _price(rng, 0.5, 4.0),
            }
            for p in picks
        ]
        group = {
            "id": f"g-extras-{g:03d}",
            "name": "Extras",
            "type": "extras",
            "min": 0,
            "max": rng.randint(1, len(choices)),
            "choices": choices,
        }
        groups.append(group)
        extra_groups.append(group["id"])
    removal_pool = max(len(REMOVALS), dishes // 100)
    for g in range(n_groups):
        picks = rng.sample(range(removal_pool), rng.randint(2, 5))
        choices = [
            {"item": variation("no", f"{REMOVALS[p % len(REMOVALS)]}{'' if p < len(REMOVALS) else f' {p}'}")}
            for p in picks
        ]
        group = {"id": f"g-remove-{g:03d}", "name": "Remove", "type": "deselection", "choices": choices}
        groups.append(group)
        removal_groups.append(group["id"])

    # Menus and sections (10 to 60 dishes each), dishes listed in order.
    sizes = _section_sizes(rng, dishes)
    n_menus = min(menu_count(dishes), len(sizes))
    per_menu = [len(sizes) // n_menus + (1 if m < len(sizes) % n_menus else 0) for m in range(n_menus)]
    categories = list(CATEGORIES)
    used_names: set[str] = set()
    dish_list: list[dict] = []
    menus: list[dict] = []
    section_index = 0
    for m in range(n_menus):
        menu = {
            "id": f"m{m:02d}",
            "name": MENU_NAMES[m],
            "description": f"{MENU_NAMES[m]} at the restaurant.",
            "sections": [],
        }
        if m % 3 == 1:
            menu["hours"] = _window(DAYS[:5], "07:00", "11:30") + _window(DAYS[5:], "08:00", "12:00")
        if m == 2:
            menu["fulfillment"] = ["pickup_or_dine_in"]
        if m == 0:
            menu["special_hours"] = [
                {
                    "name": "Christmas",
                    "start": "2026-12-25T00:00:00Z",
                    "end": "2026-12-26T00:00:00Z",
                    "available": False,
                }
            ]
        for _ in range(per_menu[m]):
            category = categories[section_index % len(categories)]
            round_ = section_index // len(categories)
            section = {
                "id": f"s{section_index:04d}",
                "name": category if round_ == 0 else f"{category} {round_ + 1}",
                "dishes": [],
            }
            if rng.random() < 0.15:
                section["description"] = f"Our {category.lower()}, made to order."
            if rng.random() < 0.05:
                section["hours"] = _window(DAYS[:5], "11:30", "15:00")
            for _ in range(sizes[section_index]):
                dish = _dish(rng, len(dish_list), category, used_names, tax, size_groups, extra_groups, removal_groups)
                dish_list.append(dish)
                section["dishes"].append(dish["id"])
            menu["sections"].append(section)
            section_index += 1
        menus.append(menu)

    # About 8% of dishes are also listed in a second section (a "Popular" shelf, a combo menu).
    sections = [s for menu in menus for s in menu["sections"]]
    if len(sections) > 1:
        for dish in rng.sample(dish_list, max(1, dishes * 8 // 100)):
            target = rng.choice(sections)
            if dish["id"] not in target["dishes"] and len(target["dishes"]) < 60:
                target["dishes"].insert(rng.randint(0, len(target["dishes"])), dish["id"])

    # Keep only the groups some dish offers, and the variations those groups offer.
    offered_groups = {g for d in dish_list for g in d.get("options", [])}
    groups = [g for g in groups if g["id"] in offered_groups]
    offered = {c["item"] for g in groups for c in g["choices"]}
    catalog: dict = {"version": 1, "currency": currency}
    if location:
        catalog["location"] = location
    catalog["menus"] = menus
    catalog["dishes"] = dish_list
    catalog["variations"] = [v for ident, v in sorted(variations.items()) if ident in offered]
    catalog["option_groups"] = groups
    return catalog


def _dish(
    rng: random.Random,
    index: int,
    category: str,
    used: set[str],
    tax: str,
    sizes: list[str],
    extras: list[str],
    removals: list[str],
) -> dict:
    base = rng.choice(CATEGORIES[category])
    name = f"{rng.choice(ADJECTIVES)} {base}"
    if name in used:
        name = f"{name} No. {index}"
    used.add(name)
    dish: dict = {"id": f"d{index:05d}", "name": name}
    if rng.random() < 0.6:
        dish["description"] = ", ".join(rng.sample(INGREDIENTS, 3)).capitalize() + "."
    dish["price"] = _price(rng)
    dish["tax_rate"] = tax if category not in ("Wine", "Beer", "Cocktails") else "10"
    labels = rng.sample(LABELS, rng.choice([0, 0, 1, 1, 2]))
    if labels:
        dish["labels"] = labels
    if rng.random() < 0.3:
        dish["image"] = f"https://static.example.com/menu/{dish['id']}.jpg"
    options = []
    if rng.random() < 0.4:
        options.append(rng.choice(sizes))
    if rng.random() < 0.3:
        options.append(rng.choice(extras))
    if rng.random() < 0.2:
        options.append(rng.choice(removals))
    if options:
        dish["options"] = options
    roll = rng.random()
    if roll < 0.02:
        dish["in_stock"] = False
    elif roll < 0.05:
        dish["fulfillment"] = ["pickup_or_dine_in"]
    elif roll < 0.07:
        dish["hours"] = _window(DAYS[4:], "17:00", "23:00")
    elif roll < 0.08:
        dish["visible"] = False
    elif roll < 0.11:
        dish["special_requests"] = False
    return dish


def site(dishes: int, seed: int = 1, locations: int = 3) -> dict[str, dict]:
    """A few-location site: one catalog per location (``location:`` set), ``dishes`` dishes each."""
    return {name: generate(dishes, seed, location=name) for name in LOCATION_NAMES[:locations]}


# -- derived "after" catalogs ---------------------------------------------------------------------
def change(catalog: dict, fraction: float, seed: int = 1) -> dict:
    """A copy with ``fraction`` of the dishes changed: ~60% new prices, ~25% renamed, ~15% moved
    to another section (at least one dish changes)."""
    out = copy.deepcopy(catalog)
    rng = random.Random(f"reconcile-bench-change:{seed}:{fraction}:{len(out['dishes'])}")
    count = max(1, round(fraction * len(out["dishes"])))
    sections = [s for menu in out["menus"] for s in menu["sections"]]
    for dish in rng.sample(out["dishes"], count):
        roll = rng.random()
        if roll < 0.15 and len(sections) > 1 and _move(rng, dish["id"], sections):
            continue
        if roll < 0.40:
            dish["name"] = f"{dish['name']} (new recipe)"
        else:
            dish["price"] = _bump(dish["price"], rng.choice([-1.0, -0.5, 0.25, 0.5, 1.0, 1.5]))
    return out


def one_price_change(catalog: dict, seed: int = 1) -> dict:
    """A copy where exactly one dish costs 0.50 more."""
    out = copy.deepcopy(catalog)
    dish = random.Random(f"reconcile-bench-one:{seed}:{len(out['dishes'])}").choice(out["dishes"])
    dish["price"] = _bump(dish["price"], 0.5)
    return out


def _bump(price: str, delta: float) -> str:
    value = float(price) + delta
    return f"{value if value >= 0.5 else float(price) + abs(delta):.2f}"


def _move(rng: random.Random, dish_id: str, sections: list[dict]) -> bool:
    """Take the dish out of one section that lists it and put it into another one."""
    home = [s for s in sections if dish_id in s["dishes"] and len(s["dishes"]) > 1]
    away = [s for s in sections if dish_id not in s["dishes"]]
    if not home or not away:
        return False
    source, target = rng.choice(home), rng.choice(away)
    source["dishes"].remove(dish_id)
    target["dishes"].insert(rng.randint(0, len(target["dishes"])), dish_id)
    return True


# -- files ----------------------------------------------------------------------------------------
HEADER = "# Synthetic benchmark catalog written by `python -m bench.generate`; do not edit.\n"


def dump(catalog: dict) -> str:
    return HEADER + yaml.dump(
        catalog, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, allow_unicode=True, width=120
    )


def write(catalog: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(catalog), encoding="utf-8")
    return path


def stats(catalog: dict) -> dict[str, int]:
    sections = [s for m in catalog["menus"] for s in m["sections"]]
    listings = sum(len(s["dishes"]) for s in sections)
    return {
        "menus": len(catalog["menus"]),
        "sections": len(sections),
        "dishes": len(catalog["dishes"]),
        "variations": len(catalog["variations"]),
        "option_groups": len(catalog["option_groups"]),
        "listed_twice": listings - len({d for s in sections for d in s["dishes"]}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dishes", type=int, required=True, help="number of dishes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--change",
        type=float,
        default=None,
        help="write the derived catalog with this share of dishes changed (e.g. 0.01)",
    )
    parser.add_argument("--one-price-change", action="store_true", help="write the derived catalog with one new price")
    parser.add_argument(
        "--locations", type=int, default=1, help="several locations: -o is a directory, one catalog file per location"
    )
    parser.add_argument("-o", "--out", required=True, help="output file (a directory with --locations > 1)")
    parser.add_argument("--check", action="store_true", help="load the result with reconcile's loader")
    args = parser.parse_args(argv)

    def derive(catalog: dict) -> dict:
        if args.one_price_change:
            return one_price_change(catalog, args.seed)
        return change(catalog, args.change, args.seed) if args.change else catalog

    if args.locations > 1:
        paths = [
            write(derive(c), Path(args.out) / f"{name.lower().replace(' ', '-')}.yaml")
            for name, c in site(args.dishes, args.seed, args.locations).items()
        ]
    else:
        paths = [write(derive(generate(args.dishes, args.seed)), args.out)]
    for path in paths:
        if args.check:
            from reconciler.yamlio.load import load_catalog

            load_catalog(path)
        described = stats(yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
        print(f"{path}: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in described.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
