"""The emulator judged by Wix's own JavaScript SDK: every function of the pinned npm packages
(``package.json`` / ``package-lock.json`` here) is called against a real `reconcile emulator serve`,
and every response is checked against the types the packages declare (``conformance.mjs`` says how).

Needs Node 20+ and npm. The packages are installed with ``npm ci`` when ``node_modules`` is missing
or was installed from another lock file (the npm registry is reachable in CI). Without node or npm
the test fails and says what to install: it never skips.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
NODE_MIN = 20
STAMP = HERE / "node_modules" / ".installed-from-lock"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is not on PATH: the Wix SDK conformance test needs Node.js {NODE_MIN}+ and npm "
            "(Debian: apt-get install nodejs npm)",
            pytrace=False,
        )
    return found


def _node() -> str:
    node = _tool("node")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    major = int(version.lstrip("v").split(".")[0])
    if major < NODE_MIN:
        pytest.fail(f"Node.js {version} is too old: the Wix SDK packages need Node.js {NODE_MIN}+", pytrace=False)
    return node


def _install_packages() -> None:
    """``npm ci`` once per lock file; a file lock keeps parallel test workers from installing twice."""
    npm = _tool("npm")
    lock_hash = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()
    with open(HERE / ".npm-install.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if STAMP.exists() and STAMP.read_text() == lock_hash:
            return
        env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
        done = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit"],
            cwd=HERE,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci failed in {HERE}:\n{done.stdout}\n{done.stderr}", pytrace=False)
        STAMP.write_text(lock_hash)


def _explain(report: dict) -> str:
    lines = [f"{len(report['failures'])} problem(s) in {report['calls']} SDK calls:"]
    lines += [f"- {failure['where']}: {failure['problem']}" for failure in report["failures"]]
    if report["uncovered"]:
        lines.append(f"functions the pass never called: {', '.join(report['uncovered'])}")
    if report.get("kept"):
        lines.append(f"generated TypeScript kept in {report['kept']}")
    return "\n".join(lines)


def test_every_sdk_function_gets_what_its_package_declares(tmp_path: Path) -> None:
    node = _node()
    _install_packages()
    with EmulatorServer(state=tmp_path / "state.sqlite") as server:
        [home] = server.seed(locations=1, app="both")
        # The second pass speaks for a seeded site: the emulator token as an account API key plus
        # its wix-site-id, as ApiKeyStrategy({apiKey, siteId}) sends them.
        [site] = server.seed_sites(1, app="both")
        env = {
            **os.environ,
            "EMULATOR_URL": server.url,
            "EMULATOR_TOKEN": server.token,
            "LOCATION_IDS": f"{home['locationId']},{site['locations'][0]['locationId']}",
            "SITE_IDS": f",{site['siteId']}",
        }
        done = subprocess.run([node, "conformance.mjs"], cwd=HERE, capture_output=True, text=True, env=env, timeout=600)
        log = server.stderr_text()
        per_site = {name: server.counters(site=name)["total"] for name in ("default", site["siteId"])}
    if done.returncode not in (0, 1):
        pytest.fail(f"conformance.mjs crashed (exit {done.returncode}):\n{done.stderr}\nemulator log:\n{log}")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and not report["failures"] and not report["uncovered"], _explain(report)
    # The pass really ran: both hosts, every package (a broken scenario cannot pass by calling nothing).
    assert report["calls"] >= 200, _explain(report)
    assert min(per_site.values()) >= 100, per_site  # each pass spoke for its own site
