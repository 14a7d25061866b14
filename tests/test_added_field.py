"""A dish's allergens and calories: the add-a-field checklist of docs/lifecycle.md, followed once.

Neither Wix API has an allergen or a nutrition field (reference: wix-catalogs-v3.md §6.4,
wix-menus-new.md §2.3). Both hold labels, so a dish's allergens are shown as labels after its own
("contains milk") on both targets; calories have no place on either, so every plan says so in a
note naming the dishes. Square has both (``food_and_beverage_details``: ``calorie_count`` and
standard ingredients, which are the EU's 14 allergens), Toast has ``calories`` (its ``allergens``
field is reserved), Clover has neither.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.cli.main import cli
from reconciler.engine.essence import essence
from reconciler.model.catalog import ALLERGENS, MAX_CALORIES, allergen_label
from reconciler.schema import schema_text
from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.load import load_catalog
from tests import oracle
from tests.catalog_edits import dish, edit, kinds
from tests.engine.harness import WAYS, Harness, both_ways
from tests.sources.helpers import Imported, sq, sq_simple
from tests.strategies import catalogs, examples

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = "catalogs/bakery.yaml"
NOTE = {
    "v3": "not supported by Catalogs v3, left out: calories (Catalogs v3 has no nutrition field): ",
    "menus": "not supported by Menus (New), left out: calories (Menus (New) has no nutrition field): ",
}


def catalog_text(dish_lines: str) -> str:
    return (
        "version: 1\ncurrency: USD\nmenus:\n  - id: m\n    name: M\n    sections:\n      - id: s\n        name: S\n"
        "        dishes: [d]\ndishes:\n  - id: d\n    name: D\n    price: \"1.00\"\n" + dish_lines
    )


# -- validation, canonical form, schema, essence -------------------------------------------------------


def test_validate_names_every_bad_allergen_and_calorie_value_with_its_place(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(catalog_text('    allergens: [milk, nuts, milk]\n    calories: -5\n    labels: ["Contains milk"]\n'))
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(re.match(rf"{bad}:14:\d+: dishes\[0\]\.allergens\[1\]: .*'celery'", line) for line in lines), lines
    assert any(f"{bad}:15:" in line and "dishes[0].calories" in line for line in lines), lines
    assert any(f"{bad}:16:" in line and "how reconcile shows the allergen milk" in line for line in lines), lines
    fractional = tmp_path / "fraction.yaml"
    fractional.write_text(catalog_text("    calories: 250.5\n"))
    result = CliRunner().invoke(cli, ["validate", str(fractional)])
    assert result.exit_code == 1 and "dishes[0].calories" in result.output


def test_a_repeated_allergen_is_refused(tmp_path):
    bad = tmp_path / "twice.yaml"
    bad.write_text(catalog_text("    allergens: [milk, milk]\n"))
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1 and 'lists "milk" twice' in result.output, result.output


def test_fmt_writes_allergens_in_one_order_after_the_labels_and_reads_back_equal(tmp_path):
    file = tmp_path / "c.yaml"
    file.write_text(catalog_text("    calories: 300\n    allergens: [sesame, gluten]\n    labels: [vegan]\n"))
    assert CliRunner().invoke(cli, ["fmt", str(file)]).exit_code == 0
    text = file.read_text()
    assert "    labels: [vegan]\n    allergens: [gluten, sesame]\n    calories: 300\n" in text
    assert dump_catalog(load_catalog(str(file))) == text


def test_the_schema_knows_the_fields():
    schema = json.loads(schema_text())
    base = {"currency": "USD", "dishes": [{"id": "d", "name": "D", "price": "1.00"}]}
    jsonschema.validate({**base, "dishes": [{**base["dishes"][0], "allergens": ["milk"], "calories": 90}]}, schema)
    for wrong in ({"allergens": ["nuts"]}, {"calories": 9.5}, {"calories": -1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**base, "dishes": [{**base["dishes"][0], **wrong}]}, schema)


def test_the_essence_carries_them_and_reordering_allergens_is_no_change():
    one = load_catalog(EXAMPLE)
    reordered = edit(one, lambda d: dish(d, "croissant").update(allergens=["milk", "gluten", "eggs"]))
    assert essence(one) == essence(reordered)
    record = essence(one)[("dish", "croissant")]
    assert (record["allergens"], record["calories"]) == (["eggs", "gluten", "milk"], 231)


def test_every_allergen_label_fits_both_apis():
    assert len(ALLERGENS) == 14
    assert all(len(allergen_label(a)) <= 50 for a in ALLERGENS)  # Menus (New) label names: 1 to 50


# -- both targets, end to end ---------------------------------------------------------------------------


@pytest.fixture(params=["v3", "menus"])
def api(request):
    return request.param


@pytest.fixture(params=WAYS)
def h(request, tmp_path, api):
    return both_ways(request, tmp_path, api=api)


def test_the_example_applies_on_both_targets_shows_allergens_and_replans_empty(h, api):
    catalog = load_catalog(EXAMPLE)
    plan = h.plan(catalog)
    with_calories = [d.id for d in catalog.dishes if d.calories is not None]
    assert [n for n in plan.notes if "calories" in n] == [NOTE[api] + ", ".join(with_calories)]
    result = h.apply(plan)
    assert result.differences == []
    # What a diner sees, read off the wire by the oracle (none of reconcile's reading code), is what
    # the oracle expects from the file alone.
    board = h.board()
    assert board == oracle.expected(oracle.read_file(EXAMPLE), api), oracle.mismatch(
        board, oracle.expected(oracle.read_file(EXAMPLE), api)
    )
    seen = {d["name"]: d["labels"] for m in board for s in m["sections"] for d in s["dishes"]}
    assert seen["Almond Tart"] == [
        "vegetarian",
        "contains eggs",
        "contains gluten",
        "contains milk",
        "contains tree nuts",
    ]
    assert seen["Fresh Orange Juice"] == ["vegan"]
    assert h.plan(catalog).empty


def test_an_allergen_added_is_one_dish_update_and_calories_alone_change_nothing(h, api):
    catalog = load_catalog(EXAMPLE)
    h.apply(catalog)
    sesame = edit(catalog, lambda d: dish(d, "rye-loaf").update(allergens=["gluten", "sesame"]))
    plan = h.plan(sesame)
    assert ("update", "dish", "rye-loaf") in kinds(plan)
    assert {k for k in kinds(plan) if k[1] == "dish"} == {("update", "dish", "rye-loaf")}
    change = next(c for c in plan.changes if c.id == "rye-loaf")
    assert any("contains sesame" in str(f.after) for f in change.fields)
    assert h.apply(plan).differences == []
    assert h.plan(sesame).empty
    lighter = edit(sesame, lambda d: dish(d, "quiche").update(calories=480))
    assert h.plan(lighter).empty  # neither API holds calories: nothing to write, and the note says so


def test_menus_new_refuses_a_dish_whose_labels_and_allergens_exceed_ten(tmp_path):
    catalog = load_catalog(EXAMPLE)
    crowded = edit(
        catalog,
        lambda d: dish(d, "crab-roll").update(labels=[f"label-{i}" for i in range(6)]),  # 6 + 5 allergens
    )
    from reconciler.errors import UnsupportedByTarget

    with pytest.raises(UnsupportedByTarget) as refused:
        Harness(tmp_path, api="menus").plan(crowded)
    assert "dish crab-roll has 11 labels (its allergens are labels too: 5); Menus (New) allows 10" in str(
        refused.value.reasons
    )


# -- import from the POSes that have them ------------------------------------------------------------


def test_square_food_and_beverage_details_become_allergens_and_calories():
    food = {
        "calorie_count": 540,
        "ingredients": [
            {"type": "STANDARD", "standard_name": "TREE_NUTS"},
            {"type": "STANDARD", "standard_name": "MILK"},
            {"type": "CUSTOM", "custom_name": "Coriander"},
        ],
    }
    out = Imported("square", sq(sq_simple("I1", "Pesto Pasta", 1200, food_and_beverage_details=food)))
    pasta = out.dish("sq-I1")
    assert (pasta.allergens, pasta.calories) == (["milk", "tree_nuts"], 540)
    assert out.notes_for("I1") == ["skipped: 'Coriander' is not one of the 14 allergens the catalog records"]
    assert "    allergens: [milk, tree_nuts]\n    calories: 540\n" in out.text


def test_toast_calories_are_imported_and_a_fraction_is_rounded_with_a_note():
    def item(guid: str, calories: object) -> dict:
        return {
            "guid": guid,
            "name": f"Item {guid}",
            "price": 5.0,
            "pricingStrategy": "BASE_PRICE",
            "visibility": ["TOAST_ONLINE_ORDERING"],
            "modifierGroupReferences": [],
            "calories": calories,
        }

    group = {"guid": "G1", "name": "Mains", "menuItems": [item("I1", 250), item("I2", 250.5), item("I3", None)]}
    menu = {"guid": "M1", "name": "Menu", "menuGroups": [{**group, "menuGroups": [], "visibility": ["POS"]}]}
    raw = {"restaurantGuid": "R1", "menus": [menu], "modifierGroupReferences": {}, "modifierOptionReferences": {}}
    out = Imported("toast", raw, currency="USD")
    assert [out.dish(f"toast-I{i}").calories for i in (1, 2, 3)] == [250, 251, None]
    assert out.notes_for("I2") == ["approximated: calories 250.5 rounded to 251"]


# -- the change touched only the files the checklist names ---------------------------------------------


def _checklist() -> str:
    text = (REPO / "docs" / "lifecycle.md").read_text(encoding="utf-8")
    return text[text.index("### Add a field") : text.index("### Add a POS")]


def _named_by(checklist: str, path: str) -> bool:
    """Is ``path`` (relative to the repository) named by the checklist, literally or by a <pattern>?"""
    for named in re.findall(r"`([^`]+)`|\]\(([^)]+)\)", checklist):
        candidate = (named[0] or named[1]).removeprefix("../").removeprefix("reconciler/")
        pattern = (
            re.escape(candidate).replace(re.escape("<target>"), "[a-z0-9_]+").replace(re.escape("<pos>"), "[a-z0-9_]+")
        )
        if re.fullmatch(pattern, path.removeprefix("reconciler/")) or re.fullmatch(pattern, path):
            return True
    return False


def test_the_field_lives_only_in_files_the_add_a_field_checklist_names():
    product = [p for top in ("reconciler", "schemas") for p in (REPO / top).rglob("*") if p.suffix in (".py", ".json")]
    touched = sorted(
        str(p.relative_to(REPO)) for p in product if re.search(r"allergen|calorie", p.read_text(encoding="utf-8"), re.I)
    )
    checklist = _checklist()
    outside = [path for path in touched if not _named_by(checklist, path)]
    assert touched, "the field is nowhere"
    assert outside == [], f"the field reached files the checklist does not name: {outside}"
    # And the checklist is not vacuous: these are the files this field did touch.
    assert set(touched) == {
        "reconciler/engine/essence.py",
        "reconciler/engine/ownership.py",
        "reconciler/model/catalog.py",
        "reconciler/model/ownership.py",
        "reconciler/sources/build.py",
        "reconciler/sources/square/parse.py",
        "reconciler/sources/square/records.py",
        "reconciler/sources/square/translate.py",
        "reconciler/sources/toast/parse.py",
        "reconciler/sources/toast/translate.py",
        "reconciler/targets/wix_menus/capabilities.py",
        "reconciler/targets/wix_menus/project.py",
        "reconciler/targets/wix_v3/capabilities.py",
        "reconciler/targets/wix_v3/target.py",
        "reconciler/yamlio/dump.py",
        "schemas/catalog-part.schema.json",
        "schemas/catalog.schema.json",
    }


# -- any catalog, any allergens: what a diner sees is what the file says, on both targets ---------------

ALLERGEN_SETS = st.lists(st.sampled_from(ALLERGENS), unique=True, max_size=3)


@st.composite
def with_contents(draw, catalog) -> object:
    """``catalog`` with allergens (in any order) and calories drawn for each dish."""
    data = catalog.model_dump()
    for entry in data["dishes"]:
        entry["allergens"] = draw(ALLERGEN_SETS)
        entry["calories"] = draw(st.none() | st.integers(0, MAX_CALORIES))
    return type(catalog).model_validate(data)


@pytest.mark.parametrize("api", ["v3", "menus"])
@settings(max_examples=examples(8))
@given(data=st.data())
def test_allergens_converge_and_changing_them_changes_only_their_dishes(api, data, tmp_path_factory):
    start = data.draw(with_contents(data.draw(catalogs(max_dishes=4), label="catalog")), label="start")
    later = data.draw(with_contents(start), label="later")
    h = Harness(tmp_path_factory.mktemp(api), api=api, currency=start.currency)
    for catalog in (start, later):
        path = h.state / "catalog.yaml"
        path.write_text(dump_catalog(catalog), encoding="utf-8")
        model = load_catalog(str(path))
        plan = h.plan(model)
        before = {d.id: d.allergens for d in start.dishes}
        if catalog is later:  # only the dishes whose allergens changed are updated
            moved = {d.id for d in later.dishes if set(d.allergens) != set(before[d.id])}
            assert {c.id for c in plan.changes if c.kind == "dish"} == moved, kinds(plan)
            assert {c.kind for c in plan.changes} <= {"dish", "label"}, kinds(plan)  # Menus (New): label entities
        assert h.apply(plan).differences == []
        live, wanted = h.board(), oracle.expected(oracle.read_file(path), api)
        assert live == wanted, oracle.mismatch(live, wanted)
        assert h.plan(model).empty
