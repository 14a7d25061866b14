"""Copy-on-write drafts: a draft costs what it changes, and behaves as a full snapshot copy would.

The behaviour a client sees (reference §5, U3, U4, U6): the draft is the live catalog as it was
when the draft was created; bulk calls change the draft only; publish makes the live catalog equal
to the draft (live edits made meanwhile are overwritten, entities created live meanwhile are gone);
discard leaves the live catalog as it is. The differential property test runs random sequences of
draft and live calls on a copy-on-write emulator and on a reference whose draft is a full copy of
the live catalog (the behaviour before copy-on-write), and compares every answer and the live
catalog afterwards (ids mapped by creation order).
"""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed
from reconciler.emulator.store import DRAFT, LIVE
from reconciler.emulator.v3.repo import API, CONTENT_KINDS
from tests.emulator.helpers import (
    bulk,
    catalog_path,
    create_dish,
    create_draft,
    create_variation,
    draft_path,
    list_of,
    menu_section_dish,
    new_guid,
    ok,
    publish,
)


class Site:
    """An in-process emulator with one catalog holding a menu, a section and ``dishes`` dishes."""

    def __init__(self, dishes: int = 3) -> None:
        self.store = open_store(None)
        [location] = seed(self.store, 1)
        self.cid = location.catalog_id
        self.api = httpx.Client(
            transport=Emulator(self.store, token=SANDBOX_TOKEN).transport(),
            base_url="http://sandbox",
            headers={"Authorization": SANDBOX_TOKEN},
        )
        self.menu, self.section, first = menu_section_dish(self.api, self.cid)
        self.dishes = [first] + [
            create_dish(self.api, self.cid, self.menu["id"], self.section["id"], name=f"Dish {i}")
            for i in range(1, dishes)
        ]
        self.ids = [self.menu["id"], self.section["id"], *(dish["id"] for dish in self.dishes)]

    def rows(self, scope: str) -> int:
        with self.store.read() as tx:
            sql = "SELECT COUNT(*) FROM entities WHERE api = ? AND scope = ? AND container = ?"
            return int(tx.conn.execute(sql, (API, scope, self.cid)).fetchone()[0])

    def live(self) -> dict[str, list[dict[str, Any]]]:
        return {kind: list_of(self.api, self.cid, kind, archived="true") for kind in ("menus", "sections", "items")}

    def canonical(self, value: Any) -> Any:
        """``value`` with every id this site created replaced by its creation index."""
        labels = {ident: f"#{index}" for index, ident in enumerate(self.ids)}
        if isinstance(value, dict):
            return {key: self.canonical(child) for key, child in value.items()}
        if isinstance(value, list):
            return [self.canonical(child) for child in value]
        if isinstance(value, str):
            for ident, label in labels.items():  # ids inside error descriptions too
                value = value.replace(ident, label)
        return value


def results(response: httpx.Response) -> list[dict[str, Any]]:
    return [result.get("entity") or result["entityMetadata"] for result in ok(response)["results"]]


def test_a_draft_holds_only_what_it_changes() -> None:
    site = Site(dishes=50)
    live_rows = site.rows(LIVE)
    create_draft(site.api, site.cid)
    assert site.rows(DRAFT) == 0  # creating a draft copies nothing
    update = {"items": [{"id": dish["id"], "name": "Renamed"} for dish in site.dishes[:2]]}
    assert [entity["name"] for entity in results(bulk(site.api, site.cid, "items/update", update))] == ["Renamed"] * 2
    assert site.rows(DRAFT) == 2
    created = bulk(
        site.api,
        site.cid,
        "dishes/create",
        {"createDishRequests": [{"menuId": site.menu["id"], "sectionId": site.section["id"], "dish": {"name": "New"}}]},
    )
    assert ok(created)["bulkActionMetadata"]["totalSuccesses"] == 1
    assert site.rows(DRAFT) == 4  # the new dish, and its section (whose itemIds it joined)
    publish(site.api, site.cid)
    assert (site.rows(DRAFT), site.rows(LIVE)) == (0, live_rows + 1)
    names = [item["name"] for item in list_of(site.api, site.cid, "items")]
    assert names == ["Renamed", "Renamed", *(dish["name"] for dish in site.dishes[2:]), "New"]


def test_discard_removes_only_the_draft_rows_and_keeps_live_edits() -> None:
    site = Site()
    create_draft(site.api, site.cid)
    bulk(site.api, site.cid, "items/update", {"items": [{"id": site.dishes[0]["id"], "name": "Draft name"}]})
    edited = ok(
        site.api.patch(f"{catalog_path(site.cid)}/items/{site.dishes[1]['id']}", json={"item": {"name": "Live name"}})
    )["item"]
    before = site.live()
    ok(site.api.delete(f"{draft_path(site.cid)}/discard"))
    assert site.rows(DRAFT) == 0
    assert site.live() == before
    assert before["items"][1] == edited


def test_the_draft_is_a_snapshot_live_edits_and_creations_are_overwritten_at_publish() -> None:
    site = Site()
    create_draft(site.api, site.cid)
    dish = site.dishes[0]
    patch = {"item": {"name": "Live rename", "price": {"value": "99"}}}
    ok(site.api.patch(f"{catalog_path(site.cid)}/items/{dish['id']}", json=patch))
    late = create_dish(site.api, site.cid, site.menu["id"], site.section["id"], name="Created live")
    # The draft still sees the dish as it was: a partial draft update merges into the snapshot.
    [merged] = results(bulk(site.api, site.cid, "items/update", {"items": [{"id": dish["id"], "description": "d"}]}))
    assert (merged["name"], merged["price"]["value"], merged["description"]) == (dish["name"], "10.00", "d")
    # The dish created live is not in the draft: a bulk update of it fails there.
    [missing] = results(bulk(site.api, site.cid, "items/update", {"items": [{"id": late["id"], "name": "x"}]}))
    assert missing["success"] is False and missing["error"]["code"] == "ITEM_NOT_FOUND"
    publish(site.api, site.cid)
    live = site.live()
    assert [item["id"] for item in live["items"]] == [d["id"] for d in site.dishes]
    assert live["items"][0] == merged
    assert live["sections"][0]["itemIds"]["values"] == [d["id"] for d in site.dishes]


def test_archiving_in_the_draft_and_live_follows_the_snapshot() -> None:
    site = Site()
    emulator_archive = site.api.post  # the knob is on the admin API
    create_draft(site.api, site.cid)
    body = {"catalogId": site.cid, "kind": "section", "id": site.section["id"], "scope": "draft"}
    assert ok(emulator_archive("/_emulator/archive", json=body))["entity"]["archived"] is True
    live_body = {**body, "kind": "item", "id": site.dishes[0]["id"], "scope": "live"}
    ok(emulator_archive("/_emulator/archive", json=live_body))
    assert list_of(site.api, site.cid, "sections")[0]["archived"] is False  # the draft's archive is not live yet
    publish(site.api, site.cid)
    live = site.live()
    assert live["sections"][0]["archived"] is True
    assert live["items"][0]["archived"] is False  # the live archive was made after the snapshot


Op = tuple[str, int, str]
DRAFT_OPS = ["draft-update", "draft-create", "draft-archive-menu", "draft-section"]
LIVE_OPS = ["live-update", "live-create", "live-archive", "live-section"]
OPS = st.lists(
    st.tuples(
        st.sampled_from(DRAFT_OPS + LIVE_OPS),
        st.integers(min_value=0, max_value=5),
        st.text(alphabet="abcxyz", min_size=1, max_size=4),
    ),
    max_size=10,
)


class FullCopySite(Site):
    """The reference: drafts as they were before copy-on-write. Create Draft copies every live menu,
    section and item into the draft scope (the old ``INSERT … SELECT`` of ``Tx.copy_scope``), so the
    draft never reads through to the live rows and publish replaces every live row."""

    def create_draft(self) -> None:
        create_draft(self.api, self.cid)
        with self.store.write() as tx:
            copied = tx.copy_scope(API, self.cid, CONTENT_KINDS, source=LIVE, target=DRAFT)
        assert copied == self.rows(LIVE)  # every menu, section and item


def _call(site: Site, op: Op) -> Any:
    """One call, draft or live; returns what the client reads back (status and body)."""
    kind, index, text = op
    items = site.ids[2:]
    item_id = items[index % len(items)]
    if kind == "draft-update":
        response = bulk(site.api, site.cid, "items/update", {"items": [{"id": item_id, "name": text}]})
    elif kind == "draft-create":
        request = {"menuId": site.menu["id"], "sectionId": site.section["id"], "dish": {"name": text}}
        response = bulk(site.api, site.cid, "dishes/create", {"createDishRequests": [request]})
    elif kind == "draft-archive-menu":
        response = bulk(site.api, site.cid, "menus/archive", {"ids": [site.menu["id"]]})
    elif kind == "draft-section":
        response = bulk(site.api, site.cid, "sections/update", {"sections": [{"id": site.section["id"], "name": text}]})
    elif kind == "live-update":
        response = site.api.patch(f"{catalog_path(site.cid)}/items/{item_id}", json={"item": {"name": f"live {text}"}})
    elif kind == "live-create":
        path = f"{catalog_path(site.cid)}/menus/{site.menu['id']}/sections/{site.section['id']}/items"
        response = site.api.post(path, json={"dish": {"name": f"live {text}"}})
    elif kind == "live-archive":
        body = {"catalogId": site.cid, "kind": "item", "id": item_id, "archived": index % 2 == 0}
        response = site.api.post("/_emulator/archive", json=body)
    else:
        path = f"{catalog_path(site.cid)}/menus/{site.menu['id']}/sections/{site.section['id']}"
        response = site.api.patch(path, json={"section": {"description": f"live {text}"}})
    answer = response.json() if response.content else None
    if response.status_code == 200 and kind.endswith("create"):
        created = answer["results"][0].get("entity") if kind.startswith("draft") else answer.get("dish")
        if created:  # new ids are random: compare them by creation order
            site.ids.append(created["id"])
    return response.status_code, site.canonical(answer)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=OPS, during=OPS, end=st.sampled_from(["publish", "discard"]))
def test_copy_on_write_drafts_answer_as_full_copies_did(before: list[Op], during: list[Op], end: str) -> None:
    """Differential: the same calls on a copy-on-write emulator and on the full-copy reference give
    the same answers, and the same live catalog after publish or discard; the copy-on-write draft
    holds at most one row per entity touched while it existed."""
    cow, reference = Site(), FullCopySite()
    for op in (op for op in before if op[0].startswith("live-")):  # the catalog before the draft
        assert _call(cow, op) == _call(reference, op)
    create_draft(cow.api, cow.cid)
    reference.create_draft()
    for op in during:
        assert _call(cow, op) == _call(reference, op), op
    assert cow.rows(DRAFT) <= 1 + 2 * len(during)  # a dish creation also touches its section
    ending = "publish" if end == "publish" else "discard"
    for site in (cow, reference):
        if ending == "publish":
            publish(site.api, site.cid)
        else:
            ok(site.api.delete(f"{draft_path(site.cid)}/discard"))
    assert cow.canonical(cow.live()) == reference.canonical(reference.live())
    assert cow.rows(DRAFT) == reference.rows(DRAFT) == 0
    assert cow.rows(LIVE) == reference.rows(LIVE)


def test_a_bulk_call_reads_its_menu_section_and_choices_once_until_an_element_fails() -> None:
    """A draft view keeps what it read or wrote for the rest of its request: 20 dishes of one section
    read their menu and section once, not 20 times; an element rolled back forgets it all."""
    site = Site(dishes=1)
    small, large = (create_variation(site.api, site.cid, name) for name in ("S", "L"))
    create_draft(site.api, site.cid)

    def dish(index: int, choices: list[str]) -> dict[str, Any]:
        options = {"values": [{"name": "Size", "selection": {"availableChoices": [{"itemId": c} for c in choices]}}]}
        return {
            "menuId": site.menu["id"],
            "sectionId": site.section["id"],
            "dish": {"name": f"New {index}", "dishOptions": options},
        }

    requests = [dish(i, [small["id"], large["id"]]) for i in range(20)]
    requests[10] = dish(10, [small["id"], new_guid()])  # fails: rolled back alone
    with site.store.read() as tx:
        conn = tx.conn  # the in-memory store's one connection
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        results = ok(bulk(site.api, site.cid, "dishes/create", {"createDishRequests": requests}))["results"]
    finally:
        conn.set_trace_callback(None)
    assert [r["entityMetadata"]["success"] for r in results] == [i != 10 for i in range(20)]
    by_id = [s for s in statements if s.startswith("SELECT scope, body FROM entities")]
    facts = [s for s in statements if s.startswith("SELECT id, scope, archived, parent, subtype")]
    assert len(by_id) == 4  # the menu and the section, then again after the failed element
    assert len(facts) == 2  # every element's choices at once (bulk.run's warm); again after the failed one
    publish(site.api, site.cid)
    live = next(s for s in list_of(site.api, site.cid, "sections") if s["id"] == site.section["id"])
    created = [r["entityMetadata"]["id"] for r in results if r["entityMetadata"]["success"]]
    assert live["itemIds"]["values"] == [site.dishes[0]["id"], *created]
