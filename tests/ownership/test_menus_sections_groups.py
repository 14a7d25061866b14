"""`ownership:` on menus and sections, and `protect: true` on menus, sections and option groups, on
both targets: an entity's own ownership wins for it alone, and a plan removing a protected one refuses,
naming it (exit 10), and changes nothing."""

from __future__ import annotations

import pytest

from reconciler.errors import ExitCode, ProtectedRemoval
from tests.catalog_edits import edit, pizzeria
from tests.engine.harness import Harness


@pytest.fixture(params=["v3", "menus"])
def h(request, tmp_path):
    return Harness(tmp_path, api=request.param)


def menu(data: dict, menu_id: str = "main") -> dict:
    return next(m for m in data["menus"] if m["id"] == menu_id)


def section(data: dict, section_id: str) -> dict:
    return next(s for m in data["menus"] for s in m["sections"] if s["id"] == section_id)


def edit_live_description(h: Harness, kind: str, local_id: str, text: str) -> None:
    """A manager rewrites a menu's or a section's description in the Wix dashboard."""
    ids = h.plan(pizzeria()).ids
    wix = ids[f"{kind}:{local_id}"]
    if h.api == "v3":
        if kind == "menu":
            h.call("updateMenu", "PATCH", f"/catalogs/{{catalog}}/menus/{wix}", {"menu": {"description": text}})
        else:
            menu_wix = ids["menu:main"]
            path = f"/catalogs/{{catalog}}/menus/{menu_wix}/sections/{wix}"
            h.call("updateSection", "PATCH", path, {"section": {"description": text}})
        return
    [entity] = [e for e in h.raw_site()[kind] if e["id"] == wix]
    service, plural = ("menus-menu", "menus") if kind == "menu" else ("menus-section", "sections")
    body = {kind: {"id": wix, "revision": entity["revision"], "description": text}}
    h.call(f"{plural}.update{kind.title()}", "PATCH", f"/restaurants/{service}/v1/{plural}/{wix}", body)


def drifted(plan) -> list[tuple[str, str]]:
    return [(str(c.kind), c.id) for c in plan.changes]


def test_a_menus_own_ownership_is_for_that_menu_alone(h):
    catalog = edit(pizzeria(), lambda d: menu(d).update(ownership={"live": ["description"]}))
    h.apply(catalog)
    edit_live_description(h, "menu", "main", "Edited on Wix.")
    edit_live_description(h, "section", "pizzas", "Edited on Wix too.")
    plan = h.plan(catalog)
    assert drifted(plan) == [("section", "pizzas")]  # the menu's ownership does not reach its sections
    assert plan.changes[0].drift
    h.apply(catalog)
    live = h.live()
    assert live[("menu", "main")]["description"] == "Edited on Wix."  # kept: the live side owns it
    assert live[("section", "pizzas")]["description"] != "Edited on Wix too."  # reverted: drift
    assert h.plan(catalog).empty


def test_a_sections_own_ownership_wins_over_the_catalog_wide_owner(h):
    def change(d: dict) -> None:
        d["ownership"] = {"live": ["description"]}
        section(d, "salads")["ownership"] = {"catalog": ["description"]}

    catalog = edit(pizzeria(), change)
    h.apply(catalog)
    for kind, local_id in (("menu", "main"), ("section", "pizzas"), ("section", "salads")):
        edit_live_description(h, kind, local_id, f"{local_id}, edited on Wix.")
    plan = h.plan(catalog)
    assert drifted(plan) == [("section", "salads")]
    assert [f.path for f in plan.changes[0].fields] == ["description"]
    h.apply(catalog)
    live = h.live()
    assert live[("section", "pizzas")]["description"] == "pizzas, edited on Wix."
    assert live[("section", "salads")]["description"] != "salads, edited on Wix."
    assert h.plan(catalog).empty


def _late(protect_menu: bool = False, protect_section: bool = False) -> object:
    """The pizzeria with a second menu, "Late Night", of one section."""

    def change(d: dict) -> None:
        late = {"id": "late", "name": "Late Night", "sections": [{"id": "nightcaps", "name": "Nightcaps"}]}
        late["sections"][0]["dishes"] = ["espresso"]
        if protect_menu:
            late["protect"] = True
        if protect_section:
            late["sections"][0]["protect"] = True
        d["menus"].append(late)

    return edit(pizzeria(), change)


def _refused(h: Harness, catalog) -> str:
    before = h.snapshot()
    with pytest.raises(ProtectedRemoval) as refused:
        h.plan(catalog)
    assert refused.value.exit_code == ExitCode.PROTECTED == 10
    assert h.snapshot() == before
    return str(refused.value)


def test_a_protected_menu_removed_from_the_yaml_is_refused_naming_it(h):
    h.apply(_late(protect_menu=True))
    text = _refused(h, pizzeria())
    assert 'menu late "Late Night"' in text and "the catalog last applied" in text
    assert "nightcaps" not in text  # its section was not protected
    # Still in the YAML, but asked to go by a catalog that keeps `protect: true` and drops its sections:
    text = _refused(h, edit(_late(protect_menu=True), lambda d: d["menus"].pop()))
    assert 'menu late "Late Night"' in text


def test_a_protected_section_removed_from_its_menu_is_refused_naming_it(h):
    h.apply(_late(protect_section=True))

    def drop_section(d: dict) -> None:
        d["menus"][-1]["sections"] = []

    text = _refused(h, edit(_late(protect_section=True), drop_section))
    assert 'section nightcaps "Nightcaps"' in text and "protect: true" in text
    assert "menu late" not in text


def test_taking_protect_off_a_menu_first_then_removing_it_works(h):
    h.apply(_late(protect_menu=True))
    h.apply(_late())  # the same catalog without `protect: true`, journaled
    plan = h.plan(pizzeria())
    assert ("remove", "late") in {(str(c.action), c.id) for c in plan.changes}


def _toppings(protect: bool, kept: bool = True):
    def change(d: dict) -> None:
        group = next(g for g in d["option_groups"] if g["id"] == "pizza-toppings")
        if protect:
            group["protect"] = True
        if not kept:
            d["option_groups"].remove(group)
            for dish in d["dishes"]:
                dish["options"] = [o for o in dish.get("options") or [] if o != "pizza-toppings"]
            offered = {c["item"] for g in d["option_groups"] for c in g["choices"]}
            d["variations"] = [v for v in d["variations"] if v["id"] in offered]

    return edit(pizzeria(), change)


def test_a_protected_option_group_removed_from_the_yaml_is_refused_naming_it(h):
    h.apply(_toppings(protect=True))
    text = _refused(h, _toppings(protect=False, kept=False))
    assert "pizza-toppings" in text and "the catalog last applied" in text
    # Unprotected, the same removal is planned.
    h.apply(_toppings(protect=False))
    assert not h.plan(_toppings(protect=False, kept=False)).empty
