"""The fast stock path for a catalog of several locations: a POS signal at one location is one write there."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.serve import stock
from reconciler.serve.config import ServeConfig
from reconciler.sources.base import StockSignal
from reconciler.state.availability import AvailabilityStore, LayerSource
from reconciler.targets.registry import open_target
from reconciler.yamlio.load import load_catalog

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def chain(tmp_path):
    text = Path("catalogs/chain.yaml").read_text(encoding="utf-8")
    text = text.replace("  - name: Downtown\n", "  - name: Downtown\n    pos_location: POS-DT\n")
    text = text.replace("  - name: Airport\n", "  - name: Airport\n    pos_location: POS-AIR\n")
    path, state = tmp_path / "chain.yaml", tmp_path / "state"
    path.write_text(text)
    done = CliRunner().invoke(
        cli, ["apply", str(path), "--auto-approve", "--location", "all", "--state-dir", str(state)]
    )
    assert done.exit_code == 0, done.output
    entry = {"name": "main", "source": "square", "catalog": str(path), "target": "sandbox"}
    stock.save_placed(state, "main", {"SQ-MARG": ("margherita",)})  # what an import made of the POS id
    return load_catalog(path), ServeConfig.model_validate({"catalogs": [entry]}).catalogs[0], state


def in_stock(state, location: str, name: str) -> bool:
    async def read():
        async with open_target("sandbox", location, state) as target:
            return (await target.fetch()).items

    items = asyncio.run(read())
    [item] = [i for i in items if i.get("name") == name and i.get("type") == "DISH" and not i.get("archived")]
    return bool(item.get("inStock", True))


def test_a_sold_out_at_one_pos_location_is_one_write_at_that_wix_location_only(tmp_path):
    catalog, cfg, state = chain(tmp_path)
    sold = StockSignal(("SQ-MARG",), False, "POS-AIR", None, "sold out")
    found = asyncio.run(stock.apply_at_locations(cfg, catalog, [sold], state, "sq", NOW))
    assert found.update.calls == {"updateItem": 1} and [e.entity for e in found.started] == ["margherita"]
    assert in_stock(state, "Airport", "Margherita") is False
    assert in_stock(state, "Downtown", "Margherita") is True and in_stock(state, "Campus", "Margherita") is True
    [entry] = AvailabilityStore(state / "state.sqlite").entries()
    assert (entry.entity, entry.source) == ("margherita", LayerSource.POS)
    back = StockSignal(("SQ-MARG",), True, "POS-AIR", None, "")
    found = asyncio.run(stock.apply_at_locations(cfg, catalog, [back], state, "sq", NOW))
    assert found.ended == ["margherita"] and found.update.calls == {"updateItem": 1}
    assert in_stock(state, "Airport", "Margherita") is True
    assert AvailabilityStore(state / "state.sqlite").entries() == []


def test_a_signal_naming_no_location_reaches_every_location(tmp_path):
    catalog, cfg, state = chain(tmp_path)
    sold = StockSignal(("SQ-MARG",), False, None, None, "sold out")
    found = asyncio.run(stock.apply_at_locations(cfg, catalog, [sold], state, "sq", NOW))
    assert found.update.calls == {"updateItem": 3}  # one write per location, no plan, no draft
    assert not any(in_stock(state, place, "Margherita") for place in ("Downtown", "Airport", "Campus"))
