"""`reconcile import` of every location at once: Square (one merchant, many locations), Toast (one
menus document per restaurant) and Clover (one merchant per location) give the same shape: one
catalog with `locations:`, base values the most common ones, each location's differences as overrides.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.import_cmd import import_command
from reconciler.model.effective import effective
from reconciler.sources.base import ImportOptions
from reconciler.sources.service import import_from_file
from reconciler.yamlio.load import load_catalog
from tests.sources.helpers import POS_FIXTURES

PLACES = [("LOC1", "Downtown"), ("LOC2", "Airport"), ("LOC3", "Campus"), ("LOC4", "Harbor")]


def square_export(tmp_path: Path, change=None) -> Path:
    """The Square fixture with its merchant's four locations (ListLocations), as `--from-api` reads it."""
    data = json.loads((POS_FIXTURES / "square-catalog.json").read_text())
    data["locations"] = [{"id": i, "name": n, "status": "ACTIVE"} for i, n in PLACES]
    data["locations"].append({"id": "LOC9", "name": "Closed store", "status": "INACTIVE"})
    if change:
        change(data)
    path = tmp_path / "square.json"
    path.write_text(json.dumps(data))
    return path


def square_override(location: str, amount: int | None = None, sold_out: bool | None = None):
    def change(data: dict) -> None:
        soda = next(o for o in data["objects"] if o["id"] == "ITEM7SODA000000000000001")
        variation = soda["item_data"]["variations"][0]["item_variation_data"]
        entry = {"location_id": location}
        if amount is not None:
            entry["price_money"] = {"amount": amount, "currency": "USD"}
        if sold_out is not None:
            entry["sold_out"] = sold_out
        variation["location_overrides"].append(entry)

    return change


def test_a_square_merchant_of_four_locations_is_one_catalog_whose_locations_are_their_own_imports(tmp_path):
    export = square_export(tmp_path)
    chain = import_from_file("square", export, ImportOptions()).result.catalog
    assert [(loc.pos_location, loc.name) for loc in chain.locations] == PLACES  # the inactive one is left out
    soda = next(d for d in chain.dishes if d.id == "sq-ITEM7SODA000000000000001")
    assert (str(soda.price), soda.except_at) == ("2.00", ["Campus"])  # absent_at_location_ids: LOC3
    airport = chain.locations[1]
    assert [(o.id, str(o.price), o.in_stock) for o in airport.dishes] == [
        ("sq-ITEM7SODA000000000000001", "2.25", False)
    ]
    assert [loc.overlay_empty for loc in chain.locations] == [True, False, True, True]
    for pos_id, name in PLACES:
        one = import_from_file("square", export, ImportOptions(location=pos_id)).result.catalog
        assert effective(chain, name) == one.model_copy(update={"location": name}), name


def test_the_base_price_is_the_most_common_one(tmp_path):
    # The soda is sold at Downtown (2.00), the Airport and Harbor: two of three charge 2.50, so that is
    # the base, and Downtown's 2.00 an override.
    def change(data: dict) -> None:
        soda = next(o for o in data["objects"] if o["id"] == "ITEM7SODA000000000000001")
        soda["item_data"]["variations"][0]["item_variation_data"]["location_overrides"][0]["price_money"]["amount"] = (
            250
        )
        square_override("LOC4", 250)(data)

    chain = import_from_file("square", square_export(tmp_path, change), ImportOptions()).result.catalog
    soda = next(d for d in chain.dishes if d.id == "sq-ITEM7SODA000000000000001")
    assert str(soda.price) == "2.50"
    assert [(o.id, str(o.price)) for o in chain.locations[0].dishes] == [("sq-ITEM7SODA000000000000001", "2.00")]
    assert [(o.price, o.in_stock) for o in chain.locations[1].dishes] == [(None, False)]  # sold out there
    assert not chain.locations[3].dishes


def test_location_keeps_the_one_location_import():
    one = import_from_file("square", POS_FIXTURES / "square-catalog.json", ImportOptions(location="LOC2")).result
    assert not one.catalog.locations


def test_an_export_without_locations_is_one_location_as_before():
    plain = import_from_file("square", POS_FIXTURES / "square-catalog.json", ImportOptions()).result.catalog
    assert not plain.locations and plain.location is None


def _toast_restaurant(data: dict, index: int, price_changes: dict[str, float]) -> dict:
    """The fixture as restaurant ``index`` of a group: its own guids, the same multiLocationIds."""
    doc = copy.deepcopy(data)
    doc["restaurantGuid"] = f"00000000-0000-4000-8000-00000000000{index}"

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("guid"), str):
                node["guid"] = node["guid"][:-4] + f"{index:04d}"
            if node.get("name") in price_changes and "price" in node:
                node["price"] = price_changes[node["name"]]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    return doc


def test_toast_several_restaurant_documents_are_one_catalog_linked_by_multi_location_id(tmp_path):
    data = json.loads((POS_FIXTURES / "toast-menus.json").read_text())
    files = []
    for index, changes in enumerate([{}, {"Cheeseburger": 12.0}, {}]):
        path = tmp_path / f"toast-{index}.json"
        path.write_text(json.dumps(_toast_restaurant(data, index, changes)))
        files.append(path)
    chain = import_from_file("toast", files, ImportOptions(currency="USD")).result.catalog
    assert [loc.pos_location for loc in chain.locations] == [
        f"00000000-0000-4000-8000-00000000000{i}" for i in range(3)
    ]
    burger = next(d for d in chain.dishes if d.name == "Cheeseburger")
    assert burger.id.startswith("toast-") and str(burger.price) == "10.50"
    assert [(o.id, str(o.price)) for o in chain.locations[1].dishes] == [(burger.id, "12.00")]
    one = import_from_file("toast", files[0], ImportOptions(currency="USD")).result.catalog
    assert len(chain.dishes) == len(one.dishes) and not one.locations  # one document: one location, as before


def test_clover_several_merchants_are_one_catalog_matched_by_name(tmp_path):
    data = json.loads((POS_FIXTURES / "clover-inventory.json").read_text())
    second = json.loads(json.dumps(data).replace('"M1CLOVERTEST1"', '"M2CLOVERTEST2"'))
    second["merchant"]["name"] = "Corner Cafe Uptown"
    ids = {}
    for item in second["items"]["elements"]:
        ids[item["id"]] = item["id"][::-1]  # another merchant, other ids
    text = json.dumps(second)
    for old, new in ids.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    second = json.loads(text)
    first_item = second["items"]["elements"][0]
    first_item["price"] = int(first_item.get("price") or 0) + 100
    paths = []
    for name, doc in (("a", data), ("b", second)):
        path = tmp_path / f"clover-{name}.json"
        path.write_text(json.dumps(doc))
        paths.append(path)
    chain = import_from_file("clover", paths, ImportOptions()).result.catalog
    one = import_from_file("clover", paths[0], ImportOptions()).result.catalog
    assert [loc.name for loc in chain.locations] == ["Corner Cafe", "Corner Cafe Uptown"]
    assert {d.id for d in chain.dishes} == {d.id for d in one.dishes}  # the same dishes, by name
    assert len(chain.locations[1].dishes) == 1 and not chain.locations[0].dishes


def test_a_reimport_keeps_the_wix_names_and_ids_written_in_the_catalog(tmp_path):
    export = square_export(tmp_path)
    out = tmp_path / "chain.yaml"
    assert CliRunner().invoke(import_command, ["square", "--from-file", str(export), "-o", str(out)]).exit_code == 0
    edited = out.read_text().replace("  - name: Airport\n", "  - id: wix-airport-location\n    name: SFO Terminal 2\n")
    out.write_text(edited)
    again = CliRunner().invoke(import_command, ["square", "--from-file", str(export), "-o", str(out)])
    assert again.exit_code == 0, again.stderr
    assert out.read_text() == edited
    airport = load_catalog(out).locations[1]
    assert (airport.id, airport.name, airport.pos_location) == ("wix-airport-location", "SFO Terminal 2", "LOC2")


@pytest.mark.parametrize("change", ["price", "sold-out"])
def test_one_location_changing_in_the_pos_is_one_line_of_yaml(tmp_path, change):
    export = square_export(tmp_path)
    out = tmp_path / "chain.yaml"
    CliRunner().invoke(import_command, ["square", "--from-file", str(export), "-o", str(out)])
    before = out.read_text().splitlines()
    data = json.loads(export.read_text())
    soda = next(o for o in data["objects"] if o["id"] == "ITEM7SODA000000000000001")
    airport = soda["item_data"]["variations"][0]["item_variation_data"]["location_overrides"][0]
    if change == "price":
        airport["price_money"]["amount"] = 240
    else:
        airport["sold_out"] = False
    export.write_text(json.dumps(data))
    CliRunner().invoke(import_command, ["square", "--from-file", str(export), "-o", str(out)])
    after = out.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(before) == len(after) and len(changed) == 1, changed


def test_done_when_four_square_locations_import_apply_converge_and_one_price_is_one_line_and_one_write(tmp_path):
    """The whole story: import a four-location merchant, apply to four sandbox locations, plan nothing;
    the POS changes one location's price; re-import: one line of YAML, one write."""
    from reconciler.cli.main import cli

    state = ["--state-dir", str(tmp_path / "state")]
    export, out = square_export(tmp_path), tmp_path / "chain.yaml"

    def reconcile(*args: str):
        result = CliRunner().invoke(cli, list(args))
        assert result.exit_code in (0, 2), (args, result.output, result.exception)
        return result

    reconcile("import", "square", "--from-file", str(export), "-o", str(out))
    applied = reconcile("apply", str(out), "--auto-approve", "--format", "json", *state)
    result = json.loads(applied.stdout)
    assert [(r["location"], r["result"]) for r in result["locations"]] == [(n, "applied") for _, n in PLACES]
    assert reconcile("plan", str(out), "--detailed-exitcode", *state).exit_code == 0
    before = out.read_text().splitlines()
    data = json.loads(export.read_text())
    soda = next(o for o in data["objects"] if o["id"] == "ITEM7SODA000000000000001")
    soda["item_data"]["variations"][0]["item_variation_data"]["location_overrides"][0]["price_money"]["amount"] = 240
    export.write_text(json.dumps(data))
    reconcile("import", "square", "--from-file", str(export), "-o", str(out))
    after = out.read_text().splitlines()
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [
        (
            '      - {id: sq-ITEM7SODA000000000000001, price: "2.25", in_stock: false}',
            '      - {id: sq-ITEM7SODA000000000000001, price: "2.40", in_stock: false}',
        )
    ]
    plan = json.loads(reconcile("plan", str(out), "--format", "json", *state).stdout)
    operations = {e["location"]: e["plan"]["summary"]["operations"] for e in plan["locations"]}
    assert operations == {"Downtown": 0, "Airport": 1, "Campus": 0, "Harbor": 0}
