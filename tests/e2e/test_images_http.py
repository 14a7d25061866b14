"""Dish images end to end: the CLI in a subprocess, the emulator server on 127.0.0.1, a local file
and a URL served by a tiny 127.0.0.1 server, on both targets; saved plans included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.emulator_server import REPO_ROOT, EmulatorServer
from tests.support.photos import JPEG, PNG, photo_server

pytestmark = pytest.mark.e2e

MEDIA_CALLS = (
    "files.importFile",
    "files.generateFileUploadUrl",
    "files.upload",
    "files.getFileDescriptor",
    "files.getFileDescriptors",
)


def _cli(server: EmulatorServer, state: Path, *args: str, check: int = 0) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("WIX_", "RECONCILE_"))}
    env.update(WIX_API_BASE_URL=server.url, WIX_ACCESS_TOKEN=server.token, RECONCILE_STATE_DIR=str(state))
    env["NO_COLOR"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "reconciler.cli.main", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == check, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done


def _catalog(folder: Path, fries: str) -> Path:
    (folder / "photos").mkdir(exist_ok=True)
    (folder / "photos" / "burger.jpg").write_bytes(JPEG)
    path = folder / "catalog.yaml"
    path.write_text(
        "currency: USD\nmenus:\n  - id: dinner\n    name: Dinner\n    sections:\n      - id: mains\n"
        "        name: Mains\n        dishes: [burger, fries]\ndishes:\n"
        '  - id: burger\n    name: Burger\n    price: "9.00"\n    image: photos/burger.jpg\n'
        f'  - id: fries\n    name: Fries\n    price: "4.00"\n    image: "{fries}"\n'
    )
    return path


def _media(server: EmulatorServer) -> dict[str, int]:
    return {op: n for op, n in server.counters()["operations"].items() if op in MEDIA_CALLS}


@pytest.mark.parametrize("api, target", [("v3", "wix-v3"), ("menus", "wix-menus")])
def test_images_apply_converge_and_are_never_uploaded_twice(server: EmulatorServer, tmp_path: Path, api, target):
    location = server.seed(locations=1, names=[f"Grill {tmp_path.name}"], app=api)[0]["locationId"]
    where = ("--target", target, "--location", location)
    state = tmp_path / "state"
    with photo_server({"/fries.png": PNG}) as photos:
        catalog = str(_catalog(tmp_path, f"{photos}/fries.png"))
        planned = _cli(server, state, "plan", catalog, *where, "--detailed-exitcode", check=2)
        assert "image: upload photos/burger.jpg (new)" in planned.stdout
        assert f"image: import {photos}/fries.png (new)" in planned.stdout
        saved = tmp_path / "plan.json"
        _cli(server, state, "plan", catalog, *where, "--out", str(saved), "--format", "json")
        server.reset()
        applied = _cli(server, state, "apply", "--plan", str(saved), "--auto-approve")  # re-derived, then applied
        assert "Verified: the live catalog matches the desired state." in applied.stdout
        media = _media(server)
        assert media["files.upload"] == 1 and media["files.importFile"] == 1
        _cli(server, state, "plan", catalog, *where, "--detailed-exitcode")  # converged: exit 0
        server.reset()
        _cli(server, state, "apply", catalog, *where, "--auto-approve")
        assert _media(server) == {}  # unchanged images: not one Media Manager call
        (tmp_path / "photos" / "burger.jpg").write_bytes(JPEG + b"retouched")
        changed = _cli(server, state, "plan", catalog, *where, "--detailed-exitcode", check=2)
        assert "image: upload photos/burger.jpg (changed)" in changed.stdout and "update dish burger" in changed.stdout
        server.reset()
        _cli(server, state, "apply", catalog, *where, "--auto-approve")
        assert _media(server).get("files.upload") == 1 and "files.importFile" not in _media(server)


@pytest.mark.parametrize("api, target", [("v3", "wix-v3"), ("menus", "wix-menus")])
def test_an_image_wix_cannot_fetch_fails_the_apply_and_changes_nothing(
    server: EmulatorServer, tmp_path: Path, api, target
):
    location = server.seed(locations=1, names=[f"Diner {tmp_path.name}"], app=api)[0]["locationId"]
    where = ("--target", target, "--location", location)
    state = tmp_path / "state"
    with photo_server({}) as photos:  # every path is a 404
        catalog = str(_catalog(tmp_path, f"{photos}/fries.png"))
        failed = _cli(server, state, "apply", catalog, *where, "--auto-approve", check=3)
    assert "Wix could not process the image (FAILED)" in failed.stderr
    assert "Traceback" not in failed.stderr
    again = _cli(server, state, "plan", catalog, *where, "--detailed-exitcode", check=2)
    assert "Plan: 4 to create, 0 to update" in again.stdout  # nothing of it went live
    assert "image: upload photos/burger.jpg (new)" in again.stdout  # nor was recorded as uploaded


@pytest.mark.parametrize("api, target", [("v3", "wix-v3"), ("menus", "wix-menus")])
def test_a_lost_state_directory_imports_no_url_image_again(server: EmulatorServer, tmp_path: Path, api, target):
    location = server.seed(locations=1, names=[f"Bistro {tmp_path.name}"], app=api)[0]["locationId"]
    where = ("--target", target, "--location", location)
    with photo_server({"/fries.png": PNG}) as photos:
        catalog = str(_catalog(tmp_path, f"{photos}/fries.png"))
        _cli(server, tmp_path / "state", "apply", catalog, *where, "--auto-approve")
        elsewhere = tmp_path / "another-machine"  # a new machine: no id mapping at all
        planned = _cli(server, elsewhere, "plan", catalog, *where, "--detailed-exitcode", check=2)
        assert "image: upload photos/burger.jpg" in planned.stdout and "image: import" not in planned.stdout
        server.reset()
        _cli(server, elsewhere, "apply", catalog, *where, "--auto-approve")
        assert "files.importFile" not in _media(server) and _media(server)["files.upload"] == 1
        _cli(server, elsewhere, "plan", catalog, *where, "--detailed-exitcode")  # converged: exit 0
