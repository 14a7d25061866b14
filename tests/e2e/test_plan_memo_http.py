"""The plan memo answers only what a full plan would answer: any byte of any input moved is a new plan.

``reconcile plan`` keeps what it printed under a key over its inputs (reconciler/engine/memo.py).
The oracle is the plan made with every cache off (``RECONCILE_PLAN_MEMO``, ``RECONCILE_CATALOG_CACHE``
and ``RECONCILE_LIVE_SNAPSHOT`` all ``off``): after each of a random sequence of changes (a byte of the
catalog file, a price in it, a live edit through the emulator's raw API, a row of the id mapping, an
entry of the availability layer, an apply, the command's flags), the plan through the memo prints
exactly what the full plan prints and exits the same, on both targets, over real HTTP.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.cli.main import cli
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e

PIZZERIA = Path("catalogs/pizzeria.yaml")
FULL = {"RECONCILE_PLAN_MEMO": "off", "RECONCILE_CATALOG_CACHE": "off", "RECONCILE_LIVE_SNAPSHOT": "off"}
FLAGS = ([], ["--max-update-share", "0.01"], ["--no-live-updates"], ["--format", "markdown"], ["--format", "json"])


class Bed:
    """One location of one target with the pizzeria applied, its catalog file and state directory."""

    def __init__(self, server: EmulatorServer, folder: Path, target: str) -> None:
        self.server, self.target = server, target
        app = "v3" if target == "wix-v3" else "menus"
        seeded = server.seed(1, names=[f"Memo {target} {folder.name}"], app=app)[0]
        self.location, self.catalog_id = seeded["locationId"], seeded.get("catalogId")
        self.catalog = folder / "pizzeria.yaml"
        self.catalog.write_bytes(PIZZERIA.read_bytes())
        self.state = folder / "state"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "RECONCILE_"))},
            "WIX_API_BASE_URL": server.url,
            "WIX_ACCESS_TOKEN": server.token,
            "NO_COLOR": "1",
        }
        assert self.run("apply", "--auto-approve")[0] == 0

    def run(self, command: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        where = ["--target", self.target, "--location", self.location, "--state-dir", str(self.state)]
        argv = [command, str(self.catalog), *where, *args]
        done = CliRunner().invoke(cli, argv, env={**self.env, **(env or {})}, catch_exceptions=False)
        return done.exit_code, done.output

    def plans(self, *flags: str) -> tuple[tuple[int, str], tuple[int, str]]:
        """The plan through the memo, and the plan with every cache off (the oracle)."""
        return self.run("plan", "--detailed-exitcode", *flags), self.run(
            "plan", "--detailed-exitcode", *flags, env=FULL
        )

    def edit_live(self, pick: int) -> None:
        """A dish renamed through the raw API, as the dashboard would."""
        with self.server.client() as client:
            if self.target == "wix-v3":
                base = f"/restaurants/v3/catalogs/{self.catalog_id}/items"
                items = [i for i in client.get(base).json()["items"] if i.get("type") == "DISH"]
                item = items[pick % len(items)]
                client.patch(f"{base}/{item['id']}", json={"item": {"name": f"Edited {pick}"}}).raise_for_status()
            else:
                base = "/restaurants/menus-item/v1/items"
                items = client.get(base).json()["items"]
                item = items[pick % len(items)]
                pricing = {k: item[k] for k in ("priceInfo", "priceVariants") if k in item}  # an update carries it
                body = {"item": {"id": item["id"], "revision": item["revision"], "name": f"Edited {pick}", **pricing}}
                client.patch(f"{base}/{item['id']}", json=body).raise_for_status()

    def delete_live(self, pick: int) -> None:
        """Menus (New): a modifier deleted through the raw API (its Count is short: that service is read
        whole, the rest through the live snapshot). Catalogs v3 deletes nothing: a dish renamed instead."""
        if self.target == "wix-v3":
            return self.edit_live(pick)
        with self.server.client() as client:
            base = "/restaurants/item-modifiers/v1/modifiers"
            modifiers = client.get(base).json()["modifiers"]
            if modifiers:
                client.delete(f"{base}/{modifiers[pick % len(modifiers)]['id']}").raise_for_status()

    def edit_mapping(self, pick: int) -> None:
        """One row of the id mapping changed behind reconcile's back: its hash, or the row gone."""
        with sqlite3.connect(self.state / "state.sqlite") as db:
            rows = db.execute("SELECT rowid FROM mapping ORDER BY rowid").fetchall()
            row = rows[pick % len(rows)][0]
            if pick % 2:
                db.execute("DELETE FROM mapping WHERE rowid = ?", (row,))
            else:
                db.execute("UPDATE mapping SET applied_hash = ? WHERE rowid = ?", (f"edited-{pick}", row))

    def edit_catalog(self, pick: int) -> None:
        text = self.catalog.read_text()
        if pick % 3 == 0:  # a byte that changes no record
            self.catalog.write_text(text + f"# note {pick}\n")
        else:
            price = f"{10 + pick % 4}.{25 * (pick % 4):02d}"
            first = text.index("price: ")
            end = text.index("\n", first)
            self.catalog.write_text(f'{text[:first]}price: "{price}"{text[end:]}')


@pytest.fixture(params=["wix-v3", "wix-menus"])
def target(request) -> str:
    return request.param


def test_a_plan_of_nothing_changed_is_answered_by_the_memo_and_any_change_is_planned_again(
    server: EmulatorServer, tmp_path: Path, target: str
):
    bed = Bed(server, tmp_path, target)
    first = bed.run("plan", "--detailed-exitcode")
    assert first[0] == 0 and "No changes." in first[1]
    shutil.rmtree(bed.state / "cache")  # the memo's answer loads no catalog: the cache is not written again
    assert bed.run("plan", "--detailed-exitcode") == first
    assert not (bed.state / "cache").exists()
    bed.catalog.write_text(bed.catalog.read_text() + "# reviewed\n")  # one byte more: planned in full again
    assert bed.run("plan", "--detailed-exitcode") == first
    assert (bed.state / "cache").exists()
    bed.edit_live(0)
    drifted = bed.plans()
    assert drifted[0] == drifted[1] and drifted[0][0] == 2
    assert "Edited 0" in drifted[0][1]
    assert bed.plans("--format", "json") == bed.plans("--format", "json")[::-1]


def test_entries_of_the_layer_in_force_plan_in_full(server: EmulatorServer, tmp_path: Path, target: str):
    bed = Bed(server, tmp_path, target)
    bed.run("plan")
    kept = sorted((bed.state / "plans").glob("plan-*.json"))
    assert len(kept) == 1
    done = bed.run("86", "margherita", "--reason", "out of dough")
    assert done[0] == 0, done[1]
    memo, full = bed.plans()
    assert memo == full
    assert bed.run("plan", "--detailed-exitcode") == full
    assert sorted((bed.state / "plans").glob("plan-*.json")) == kept  # what the clock decides is never kept


STEPS = st.lists(
    st.tuples(st.sampled_from(["catalog", "live", "delete", "mapping", "apply", "flags", "plan"]), st.integers(0, 40)),
    min_size=1,
    max_size=5,
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_the_memo_answers_what_a_full_plan_answers_after_any_change(
    server: EmulatorServer, tmp_path_factory: pytest.TempPathFactory, target: str, steps: list[tuple[str, int]]
):
    bed = Bed(server, tmp_path_factory.mktemp("memo"), target)
    flags: list[str] = []
    bed.run("plan")  # keeps the memo of the applied catalog
    for step, pick in steps:
        if step == "catalog":
            bed.edit_catalog(pick)
        elif step == "live":
            bed.edit_live(pick)
        elif step == "delete":
            bed.delete_live(pick)
        elif step == "mapping":
            bed.edit_mapping(pick)
        elif step == "apply":
            bed.run("apply", "--auto-approve")
        elif step == "flags":
            flags = list(FLAGS[pick % len(FLAGS)])
        memo, full = bed.plans(*flags)
        assert memo == full, f"after {step} {pick} with {flags}"
        assert bed.run("plan", "--detailed-exitcode", *flags) == full  # and again: the memo's own answer


def test_a_memo_answer_whose_read_found_changes_keeps_that_read_as_the_snapshot(server: EmulatorServer, tmp_path: Path):
    """Menus (New): a read that found entities written since the kept snapshot (here: all of them,
    its ``since`` moved back to 2000), yet the same plan, is kept as the new snapshot: the next
    read asks only for what changed since it, not again for everything since 2000."""
    bed = Bed(server, tmp_path, "wix-menus")
    first = bed.run("plan", "--detailed-exitcode")
    [kept] = [p for p in (bed.state / "live").iterdir() if not p.name.endswith(".head.json")]
    document = json.loads(kept.read_text())
    document["snapshot"]["since"] = "2000-01-01T00:00:00.000Z"
    kept.write_text(json.dumps(document))  # its head no longer matches: the snapshot is decoded
    again = bed.run("plan", "--detailed-exitcode")
    assert again == first == bed.run("plan", "--detailed-exitcode", env=FULL)
    assert json.loads(kept.read_text())["snapshot"]["since"] > "2000-01-01T00:00:00.000Z"
