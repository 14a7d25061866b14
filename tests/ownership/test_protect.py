"""`protect: true`: a plan that would remove a protected entity refuses, naming every one, on both targets."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reconciler.engine.targeting import Selection
from reconciler.errors import ExitCode, ProtectedRemoval
from tests.catalog_edits import dish, edit, pizzeria
from tests.engine.harness import Harness


def protected(*dish_ids: str):
    def change(data: dict) -> None:
        for dish_id in dish_ids:
            dish(data, dish_id)["protect"] = True

    return edit(pizzeria(), change)


def without(catalog, *dish_ids: str):
    def change(data: dict) -> None:
        data["dishes"] = [d for d in data["dishes"] if d["id"] not in dish_ids]
        for menu in data["menus"]:
            for section in menu["sections"]:
                section["dishes"] = [d for d in section["dishes"] if d not in dish_ids]

    return edit(catalog, change)


@pytest.fixture(params=["v3", "menus"])
def h(request, tmp_path):
    return Harness(tmp_path, api=request.param)


def test_a_protected_dish_removed_from_the_yaml_is_refused_naming_it(h):
    h.apply(protected("caesar", "caprese"))
    before = h.snapshot()
    with pytest.raises(ProtectedRemoval) as refused:
        h.plan(without(protected("caesar", "caprese"), "caesar", "caprese", "funghi"))
    text = str(refused.value)
    assert refused.value.exit_code == ExitCode.PROTECTED == 10
    assert 'dish caesar "Caesar Salad"' in text and "dish caprese" in text and "funghi" not in text
    assert "the catalog last applied" in text
    assert h.snapshot() == before
    # An unprotected dish is removed as before.
    assert [c.id for c in h.plan(without(protected("caesar"), "funghi")).changes if c.action == "remove"]


def test_targeting_cannot_slip_the_removal_past_it(h):
    h.apply(protected("caesar"))
    gone = without(protected("caesar"), "caesar")
    for selection in (Selection.parse("dish:caesar,section:salads", None), Selection.parse("dish:*,section:*", None)):

        async def go(selection=selection):
            from reconciler.engine.planning import make_plan

            async with h.target() as target:
                return await make_plan(gone, target, h.store, h.thresholds, True, None, selection)

        with pytest.raises(ProtectedRemoval, match="caesar"):
            h.run(go())


def test_taking_protect_off_first_then_removing_works(h):
    h.apply(protected("caesar"))
    h.apply(pizzeria())  # an apply of the catalog without `protect: true` (an empty plan, journaled)
    plan = h.plan(without(pizzeria(), "caesar"))
    assert ("remove", "caesar") in {(str(c.action), c.id) for c in plan.changes}


CATALOG = """\
version: 1
currency: USD
menus:
  - id: lunch
    name: Lunch
    sections:
      - id: mains
        name: Mains
        dishes: [soup, stew]
dishes:
  - id: soup
    name: Soup
    price: "5.00"
    options: [sizes]
  - id: stew
    name: Stew
    price: "9.00"
    protect: true
variations:
  - id: cup
    name: Cup
  - id: bowl
    name: Bowl
    protect: true
option_groups:
  - id: sizes
    name: Size
    type: selection
    choices:
      - item: cup
      - item: bowl
"""


def test_the_cli_exits_10_naming_file_and_line_and_changes_nothing(tmp_path):
    from reconciler.cli.main import cli

    state, path = tmp_path / "state", tmp_path / "menu.yaml"
    path.write_text(CATALOG)
    runner = CliRunner()
    assert runner.invoke(cli, ["apply", str(path), "--auto-approve", "--state-dir", str(state)]).exit_code == 0
    # The bowl stays in the YAML but no option offers it (so it would be removed); the stew is deleted.
    edited = CATALOG.replace("      - item: bowl\n", "").replace("dishes: [soup, stew]", "dishes: [soup]")
    edited = edited.replace('  - id: stew\n    name: Stew\n    price: "9.00"\n    protect: true\n', "")
    path.write_text(edited)
    line = edited.splitlines().index("  - id: bowl") + 1
    for command in (["plan"], ["apply", "--auto-approve"], ["plan", "--only", "variation:bowl,dish:soup"]):
        result = runner.invoke(cli, [*command, str(path), "--state-dir", str(state)])
        assert result.exit_code == 10, result.output
        assert f'variation bowl "Bowl" ({path}:{line}: protect: true)' in result.output, result.output
        targeted = "--only" in command
        assert ('dish stew "Stew" (protect: true in the catalog last applied, run ' in result.output) != targeted
    path.write_text(CATALOG)
    plan = runner.invoke(cli, ["plan", str(path), "--detailed-exitcode", "--state-dir", str(state)])
    assert plan.exit_code == 0, plan.output  # nothing was changed by the refused runs
