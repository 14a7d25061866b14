"""Convergence on both targets, judged by the independent oracle (tests/oracle/).

From a generated starting site, disturbed the ways real sites are (edited live outside reconcile,
its local mapping lost, entities added by someone else), one apply of a generated catalog file
must leave a diner seeing exactly what the file says, as the oracle reads it off the wire and
computes it from the file, sharing no code with reconcile; and the next plan must be empty.

The catalog file is written by reconcile's dumper; reconcile loads it with its own loader, the
oracle with its own YAML 1.2 reading. Catalogs come in several currencies and precisions (USD, EUR, JPY, KWD);
changes are reorderings, single-field edits, both, or whole other catalogs; some catalogs need
more than one bulk call per kind (tests/changes.py).
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.model.catalog import Catalog
from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.load import load_catalog
from tests import oracle
from tests.changes import BULK_LIMIT, changed, large_catalogs, live_edits, reordered, single_edit
from tests.engine.harness import Harness
from tests.oracle import wire
from tests.strategies import catalogs, currencies, examples

APIS = ["v3", "menus"]
MENUS = "/restaurants/menus-{service}/v1/{collection}"


def catalog_file(folder: Path, catalog: Catalog) -> tuple[Catalog, dict]:
    """Write ``catalog`` as a YAML file; (what reconcile loads from it, what the oracle reads from it)."""
    path = folder / "catalog.yaml"
    path.write_text(dump_catalog(catalog), encoding="utf-8")
    return load_catalog(path), oracle.read_file(path)


def converge(h: Harness, catalog: Catalog) -> Catalog:
    """Apply ``catalog`` as a file: a diner then sees what the file says, and nothing is left to do."""
    model, plain = catalog_file(h.folder, catalog)
    result = h.apply(model)
    assert result.differences == []
    live, wanted = h.board(), oracle.expected(plain, h.api)
    assert live == wanted, oracle.mismatch(live, wanted)
    assert h.plan(model).empty
    return model


@contextlib.contextmanager
def applied(api: str, start: Catalog) -> Iterator[Harness]:
    """A fresh site of ``api`` in ``start``'s currency, with ``start`` applied."""
    with tempfile.TemporaryDirectory() as tmp:
        h = Harness(Path(tmp), api=api, currency=start.currency)
        h.folder = Path(tmp)
        converge(h, start)
        yield h


@pytest.mark.parametrize("api", APIS)
@settings(max_examples=examples(12))
@given(data=st.data())
def test_one_apply_reaches_what_the_file_says(api, data):
    currency = data.draw(currencies, label="currency")
    start = data.draw(catalogs(currency=currency, max_dishes=5), label="start")
    desired = data.draw(changed(start), label="desired")
    with applied(api, start) as h:
        converge(h, desired)


@pytest.mark.parametrize("api", APIS)
@settings(max_examples=examples(6))
@given(data=st.data())
def test_a_reordered_catalog_is_shown_in_its_new_order(api, data):
    start = data.draw(catalogs(max_dishes=6), label="start")
    desired = data.draw(reordered(start), label="desired")
    with applied(api, start) as h:
        converge(h, desired)


@pytest.mark.parametrize("api", APIS)
@settings(max_examples=examples(10))
@given(data=st.data())
def test_live_edits_are_drift_then_overwritten_then_forgotten(api, data):
    """An edit outside reconcile shows as drift, the apply puts the file's state back, and after
    that what reconcile wrote is no longer anyone's edit: the next change of it is not drift."""
    start = data.draw(catalogs(max_dishes=4), label="start")
    desired = data.draw(changed(start), label="desired")
    dish_id, edit = data.draw(live_edits(start), label="live edit")
    with applied(api, start) as h:
        edit_live_dish(h, h.plan(start).ids[f"item:{dish_id}"], edit)
        assert [c.drift for c in h.plan(start).changes] == [True]  # the edited dish, and nothing else
        model = converge(h, desired)
        later = data.draw(single_edit(model), label="later edit")
        assert not any(c.drift for c in h.plan(later).changes)


@pytest.mark.parametrize("api", APIS)
@settings(max_examples=examples(8))
@given(data=st.data())
def test_a_site_whose_mapping_was_lost_is_adopted_without_duplicates(api, data):
    start = data.draw(catalogs(max_dishes=5, unique_names=True), label="start")
    desired = data.draw(changed(start), label="desired")
    with applied(api, start) as h:
        entities = h.snapshot()
        h.forget_mapping()
        plan = h.plan(start)
        assert plan.empty, [(c.action, c.kind, c.id) for c in plan.changes]  # every live entity adopted
        assert h.apply(start).differences == []
        assert h.snapshot() == entities  # nothing created again
        converge(h, desired)


@pytest.mark.parametrize("api", APIS)
@settings(max_examples=examples(6))
@given(data=st.data())
def test_entities_someone_else_added_are_removed_from_what_diners_see(api, data):
    start = data.draw(catalogs(max_dishes=4), label="start")
    desired = data.draw(changed(start), label="desired")
    with applied(api, start) as h:
        add_foreign_menu(h)
        assert "Specials (added by hand)" in json.dumps(h.board())
        converge(h, desired)


@pytest.mark.parametrize("api", APIS)
@settings(max_examples=examples(2))
@given(data=st.data())
def test_catalogs_above_the_bulk_limit_converge(api, data):
    currency = data.draw(currencies, label="currency")
    start = data.draw(large_catalogs(api, currency), label="start")
    desired = data.draw(single_edit(start) | reordered(start), label="desired")
    with tempfile.TemporaryDirectory() as tmp:
        h = Harness(Path(tmp), api=api, currency=currency)
        h.folder = Path(tmp)
        creates = Counter(op.call for op in h.plan(start).operations if "reate" in op.call)
        assert max(creates.values()) >= 2, creates  # at least one kind needs more than one bulk call
        limit = BULK_LIMIT[api]
        assert all(
            len(v) <= limit for op in h.plan(start).operations for v in (op.body or {}).values() if isinstance(v, list)
        )
        converge(h, start)
        converge(h, desired)


# -- edits made on the live site by someone else, straight through the API ------------------------


def edit_live_dish(h: Harness, wix_id: str, edit: dict) -> None:
    if h.api == "v3":
        body = {"name": edit["name"]} if "name" in edit else {"price": {"value": str(edit["price"])}}
        h.call("updateItem", "PATCH", f"/catalogs/{{catalog}}/items/{wix_id}", {"item": body})
        return
    [item] = [i for i in h.raw_site()["item"] if i["id"] == wix_id]
    pricing = {k: item[k] for k in ("priceInfo", "priceVariants") if item.get(k)}
    if "price" in edit:
        if "priceInfo" in pricing:
            pricing["priceInfo"] = {"price": str(edit["price"])}
        else:
            variants = pricing["priceVariants"]["variants"]
            variants[0] = {**variants[0], "priceInfo": {"price": str(edit["price"])}}
    body = {"id": wix_id, "revision": item["revision"], **pricing, **({"name": edit["name"]} if "name" in edit else {})}
    h.call("items.updateItem", "PATCH", f"/restaurants/menus-item/v1/items/{wix_id}", {"item": body})


def add_foreign_menu(h: Harness) -> None:
    """A menu with a section and a dish, made in the dashboard: reconcile never mapped them."""
    with h.wire() as client:
        location = wire.location_id(client, h.location)
        if h.api == "v3":
            [catalog] = client.get("/v3/catalogs", params={"locationIds": location}).json()["catalogs"]
            base = f"/v3/catalogs/{catalog['id']}"
            menu = client.post(f"{base}/menus", json={"menu": {"name": "Specials (added by hand)"}}).json()["menu"]
            section = client.post(f"{base}/menus/{menu['id']}/sections", json={"section": {"name": "Today"}}).json()
            path = f"{base}/menus/{menu['id']}/sections/{section['section']['id']}/items"
            assert client.post(path, json={"dish": {"name": "Soup of the day", "price": {"value": "6"}}}).is_success
            return
        item = _created(client, "item", "items", {"name": "Soup of the day", "priceInfo": {"price": "6"}})
        section = _created(client, "section", "sections", {"name": "Today", "itemIds": [item]})
        menu = {"name": "Specials (added by hand)", "sectionIds": [section], "businessLocationId": location}
        _created(client, "menu", "menus", menu)


def _created(client, service: str, collection: str, entity: dict) -> str:
    response = client.post(MENUS.format(service=service, collection=collection), json={service: entity})
    assert response.is_success, response.text
    return response.json()[service]["id"]
