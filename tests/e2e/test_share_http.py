"""`menus_new: {share: true}` over real HTTP: the CLI in subprocesses, the emulator server on 127.0.0.1.

A fresh emulated Menus (New) site of three locations; the chain catalog names them by id. Write
calls are the server's own counters for that site.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.emulator_server import REPO_ROOT, EmulatorServer

pytestmark = pytest.mark.e2e
CHAIN = Path(REPO_ROOT) / "catalogs" / "chain.yaml"
READS = ("list", "get", "query", "search", "count")


class Chain:
    def __init__(self, server: EmulatorServer, tmp: Path) -> None:
        (site,) = server.seed_sites(1, locations=3, app="menus")
        self.server, self.site, self.tmp = server, site["siteId"], tmp
        self.ids = [loc["locationId"] for loc in site["locations"]]
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "RECONCILE_"))}
        self.env.update(
            WIX_API_BASE_URL=server.url,
            WIX_ACCESS_TOKEN=site["token"],
            RECONCILE_STATE_DIR=str(tmp / "state"),
            NO_COLOR="1",
        )

    def catalog(self, pesto: str = "13.50", share: bool = True) -> str:
        data = yaml.safe_load(CHAIN.read_text(encoding="utf-8"))
        data["menus_new"] = {"share": share}
        for entry, location_id in zip(data["locations"], self.ids, strict=True):
            entry["id"] = location_id  # matched by id; plans and --location still say the name
        next(d for d in data["dishes"] if d["id"] == "pesto")["price"] = pesto
        path = self.tmp / f"chain-{pesto}{'' if share else '-isolated'}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return str(path)

    def cli(self, *args: str, check: int = 0, target: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "reconciler.cli.main", *args, *(("--target", "wix-menus") if target else ())],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == check, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def writes(self) -> dict[str, int]:
        operations = self.server.counters(self.site)["operations"]
        return {op: n for op, n in operations.items() if not op.rsplit(".", 1)[-1].startswith(READS)}


@pytest.fixture
def chain(server: EmulatorServer, tmp_path: Path) -> Chain:
    return Chain(server, tmp_path)


def test_a_shared_chain_over_http_base_price_one_write_and_an_86_splits_then_merges(chain: Chain):
    catalog = chain.catalog()
    applied = chain.cli("apply", catalog, "--auto-approve")
    assert "shared" in applied.stdout and "applied" in applied.stdout, applied.stdout
    chain.cli("plan", catalog, "--detailed-exitcode")

    repriced = chain.catalog("14.00")
    planned = chain.cli("plan", repriced, check=0)
    assert "shared by 3 locations (Downtown, Airport, Campus): written once" in planned.stdout, planned.stdout
    chain.server.reset()
    chain.cli("apply", repriced, "--auto-approve")
    assert chain.writes() == {"items.bulkUpdateItem": 1}
    chain.cli("plan", repriced, "--detailed-exitcode")

    refused = chain.cli("plan", chain.catalog("15.00"), "--location", "Campus", check=1)
    assert "dish pesto is shared with Downtown, Airport" in refused.stdout + refused.stderr

    chain.server.reset()
    eighty_sixed = chain.cli("86", repriced, "pesto", "--location", "Airport")
    assert "86'd dish pesto at" in eighty_sixed.stdout
    assert chain.writes() == {"items.bulkCreateItems": 1, "sections.bulkUpdateSection": 1}
    chain.cli("plan", repriced, "--detailed-exitcode")  # catalog + layer is what is live

    chain.server.reset()
    chain.cli("un86", repriced, "pesto", "--location", "Airport")
    assert chain.writes() == {"sections.bulkUpdateSection": 1, "items.bulkDeleteItems": 1}
    chain.cli("plan", repriced, "--detailed-exitcode")


def test_turning_sharing_off_is_refused_for_the_chain_and_for_one_location(chain: Chain):
    chain.cli("apply", chain.catalog(), "--auto-approve")
    isolated = chain.catalog(share=False)
    chain.server.reset()
    for where in ((), ("--location", "Campus")):
        refused = chain.cli("plan", isolated, *where, check=1)
        assert "Set `menus_new: {share: true}` again" in refused.stdout + refused.stderr, where
    assert chain.writes() == {}


def test_a_saved_shared_plan_is_reviewed_applied_and_rolled_back(chain: Chain, tmp_path: Path):
    import json

    import jsonschema

    schema = json.loads((Path(REPO_ROOT) / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
    catalog, repriced = chain.catalog(), chain.catalog("14.00")
    chain.cli("apply", catalog, "--auto-approve")
    document = json.loads(chain.cli("plan", repriced, "--format", "json").stdout)
    jsonschema.validate(document, schema)
    assert [e["location"] for e in document["locations"]] == ["shared: Downtown, Airport, Campus"]
    html = chain.cli("plan", repriced, "--format", "html", check=1)  # a page per location: not for one site plan
    assert "planned as one" in html.stdout + html.stderr
    saved = tmp_path / "plan.json"
    chain.cli("plan", repriced, "--out", str(saved))
    applied = chain.cli("apply", "--plan", str(saved), "--auto-approve")
    assert "applied" in applied.stdout, applied.stdout
    chain.cli("plan", repriced, "--detailed-exitcode")
    assert "shared" in chain.cli("history", target=False).stdout
    chain.server.reset()
    chain.cli("rollback", "--auto-approve", target=False)
    assert chain.writes() == {"items.bulkUpdateItem": 1}  # the shared item's price, put back once
    chain.cli("plan", catalog, "--detailed-exitcode")


def test_a_saved_plan_of_one_location_of_a_shared_site_applies_only_that_location(chain: Chain, tmp_path: Path):
    data = yaml.safe_load(Path(chain.catalog()).read_text(encoding="utf-8"))
    chain.cli("apply", chain.catalog(), "--auto-approve")
    campus = next(e for e in data["locations"] if e["name"] == "Campus")
    campus.setdefault("dishes", []).append({"id": "pesto", "price": "12.00"})
    split = tmp_path / "split.yaml"
    split.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    saved = tmp_path / "campus.json"
    chain.cli("plan", str(split), "--location", "Campus", "--out", str(saved))
    chain.server.reset()
    chain.cli("apply", "--plan", str(saved), "--auto-approve")
    assert chain.writes() == {"items.bulkCreateItems": 1, "sections.bulkUpdateSection": 1}
    chain.cli("plan", str(split), "--detailed-exitcode")
