"""The comparators of `python -m bench.fleet`: one site alone, as a user would run it.

A fleet's CPU per site is compared with what the same work costs for one site on its own:

* **lone plan (command)**: the whole ``reconcile plan CATALOG --target wix-menus`` command, a
  subprocess, against its converged site: interpreter start, imports, catalog load (the catalog
  cache warm, as the fleet's is after converge), location, live read, diff, the plan printed. Its
  CPU is the child's user + system time (``getrusage(RUSAGE_CHILDREN)``). The comparator of a
  drift pass.
* **lone apply (command)**: the whole ``reconcile apply CATALOG --auto-approve`` of one price
  change against its converged site, measured the same way. The comparator of a price roll-out.
* **lone plan (in-process)**: :func:`reconciler.engine.planning.make_plan` alone in this process,
  imports and start-up excluded: what the planning itself costs.

Each is the median of ``runs`` runs, on a site of its own on the fleet's emulator (not one of the
fleet's), with the fleet's median catalog (``menu-5.yaml``: about 210 dishes; the fleet's
catalogs average 200).
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from bench import generate
from bench.measure import REPO

MEDIAN_CATALOG = 5


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _command(cli: list[str], args: list[str], env: dict[str, str], cwd: Path) -> float:
    """The CPU seconds of one CLI command, a child process, from its resource usage."""
    before = _child_cpu()
    done = subprocess.run([*cli, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    cpu = _child_cpu() - before
    if done.returncode != 0:
        raise RuntimeError(f"reconcile {' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return cpu


def _in_process_plan(url: str, token: str, site_id: str, catalog_path: Path, state_dir: Path, runs: int) -> float:
    import httpx

    from reconciler.engine.planning import make_plan
    from reconciler.engine.thresholds import Thresholds
    from reconciler.http import Session
    from reconciler.state.mapping import MappingStore
    from reconciler.targets.wix_menus.target import WixMenusTarget
    from reconciler.yamlio.load import load_catalog

    catalog = load_catalog(str(catalog_path))
    headers = {"Authorization": token, "wix-site-id": site_id}

    async def once(store: MappingStore) -> float:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            target = WixMenusTarget(Session(client, headers, [token]), None)
            started = time.process_time()
            await make_plan(catalog, target, store, Thresholds())
            return time.process_time() - started

    store = MappingStore(state_dir / "state.sqlite")  # the mapping the lone apply wrote
    try:
        return statistics.median(asyncio.run(once(store)) for _ in range(runs))
    finally:
        store.close()


def measure(server: Any, folder: Path, cli: list[str], runs: int = 3) -> dict[str, float]:
    """The three lone figures, on a new site of ``server`` converged to the median catalog."""
    import yaml

    lone = folder / "lone"
    lone.mkdir()
    site = server.seed_sites(1, app="menus")[0]
    catalog = lone / "menu.yaml"
    catalog.write_bytes((folder / f"menu-{MEDIAN_CATALOG}.yaml").read_bytes())
    env = {
        **os.environ,
        "WIX_API_KEY": server.token,
        "WIX_SITE_ID": site["siteId"],
        "WIX_API_BASE_URL": server.url,
        "RECONCILE_STATE_DIR": str(lone / "state"),
        "PYTHONPATH": str(REPO),
    }
    env.pop("RECONCILE_DATABASE_URL", None)
    env.pop("WIX_ACCESS_TOKEN", None)
    target = ["--target", "wix-menus"]
    _command(cli, ["apply", str(catalog), *target, "--auto-approve"], env, lone)  # converge it (not measured)
    _command(cli, ["plan", str(catalog), *target], env, lone)  # the catalog cache warm, as the fleet's is
    plans = [_command(cli, ["plan", str(catalog), *target], env, lone) for _ in range(runs)]
    in_process = _in_process_plan(server.url, server.token, site["siteId"], catalog, lone / "state", runs)
    applies = []
    for run in range(runs):
        changed = generate.one_price_change(yaml.safe_load(catalog.read_text(encoding="utf-8")), seed=100 + run)
        generate.write(changed, catalog)
        applies.append(_command(cli, ["apply", str(catalog), *target, "--auto-approve"], env, lone))
    return {
        "plan_command": statistics.median(plans),
        "apply_command": statistics.median(applies),
        "plan_in_process": in_process,
    }
