"""Dish images on both targets, in-process and over real HTTP: a local file and a URL served by a
tiny 127.0.0.1 server are imported into the Media Manager before the dishes reference them; an
unchanged image is never imported again; a changed file is uploaded again and its dishes updated;
an image Wix cannot process fails the apply with the live menu and the mapping unchanged."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import httpx
import pytest

from reconciler.emulator import SANDBOX_TOKEN
from reconciler.engine.locations import LocationOutcome
from reconciler.errors import ApplyFailed
from reconciler.http import Session
from reconciler.state.mapping import MappingStore
from reconciler.targets import media_run
from reconciler.targets.registry import SANDBOX_URL
from reconciler.yamlio.load import load_catalog
from tests.catalog_edits import edited
from tests.engine.harness import WAYS, Harness, both_ways
from tests.engine.site_harness import NAMES, SiteHarness
from tests.support.photos import JPEG, PNG, photo_server

MEDIA_CALLS = (
    "files.importFile",
    "files.generateFileUploadUrl",
    "files.upload",
    "files.getFileDescriptor",
    "files.getFileDescriptors",
)


@pytest.fixture(params=["v3", "menus"])
def api(request):
    return request.param


@pytest.fixture(params=WAYS)
def h(request, tmp_path, api):
    return both_ways(request, tmp_path, api=api)


@pytest.fixture
def photos():
    with photo_server({"/fries.png": PNG, "/notes.png": b"this is not an image"}) as url:
        yield url


def _write(folder: Path, images: dict[str, str]) -> Path:
    """A catalog of one menu whose dishes have these images (dish id -> image)."""
    lines = ["currency: USD", "menus:", "  - id: m", "    name: Dinner", "    sections:", "      - id: s"]
    lines += ["        name: Mains", "        dishes: [" + ", ".join(images) + "]", "dishes:"]
    for index, (dish, image) in enumerate(images.items()):
        lines += [f"  - id: {dish}", f"    name: Dish {dish}", f'    price: "{index + 5}.00"', f'    image: "{image}"']
    path = folder / "catalog.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _media_calls(h) -> dict[str, int]:
    return {op: n for op, n in h.counters()["operations"].items() if op in MEDIA_CALLS}


def _live_images(h) -> dict[str, str | None]:
    """Each live dish's image URL as the API returns it (no reconcile reading code)."""
    if h.api == "v3":
        return {i["name"]: i.get("imageUrl") or None for i in h.raw_live()["items"]}
    return {i["name"]: (i.get("image") or {}).get("url") for i in h.raw_site()["item"]}


def _media_rows(h) -> list[tuple]:
    return [row for row in h.mapping()["mapping"] if row[1] == "media"]


def test_a_local_file_and_a_url_are_imported_then_never_again(h, tmp_path, photos):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "burger.jpg").write_bytes(JPEG)
    url = f"{photos}/fries.png"
    catalog = load_catalog(
        _write(tmp_path, {"burger": "photos/burger.jpg", "fries": url, "double": "photos/burger.jpg"})
    )
    plan = h.plan(catalog)
    notes = [n for c in plan.changes for n in c.notes if n.startswith("image:")]
    assert "image: upload photos/burger.jpg (new)" in notes and f"image: import {url} (new)" in notes
    imports = [op.call for op in plan.operations if op.call.startswith("files.")]
    assert sorted(imports) == ["files.generateFileUploadUrl", "files.importFile"]  # one per image, not per dish
    h.reset_counters()
    result = h.apply(plan)
    assert result.differences == []
    calls = _media_calls(h)
    assert calls["files.generateFileUploadUrl"] == 1 and calls["files.upload"] == 1 and calls["files.importFile"] == 1
    live = _live_images(h)
    assert live["Dish burger"] == live["Dish double"] and live["Dish burger"] != live["Dish fries"]
    assert all(u and u.startswith("https://static.wixstatic.com/media/") for u in live.values())
    keys = {row[2] for row in _media_rows(h)}
    assert keys == {f"sha256:{hashlib.sha256(JPEG).hexdigest()}", f"sha256:{hashlib.sha256(url.encode()).hexdigest()}"}
    # Unchanged: an empty plan, and an apply that makes no Media Manager call at all.
    assert h.plan(catalog).empty
    h.reset_counters()
    h.apply(catalog)
    assert _media_calls(h) == {}


def test_a_changed_file_is_uploaded_again_and_its_dishes_updated(h, tmp_path, photos):
    (tmp_path / "burger.jpg").write_bytes(JPEG)
    path = _write(tmp_path, {"burger": "burger.jpg", "fries": f"{photos}/fries.png"})
    h.apply(load_catalog(path))
    before = _live_images(h)
    (tmp_path / "burger.jpg").write_bytes(JPEG + b"a new photo")
    changed = load_catalog(path)
    plan = h.plan(changed)
    assert [(c.action, c.id) for c in plan.changes] == [("update", "burger")]
    assert "image: upload burger.jpg (changed)" in plan.changes[0].notes
    h.reset_counters()
    h.apply(plan)
    assert _media_calls(h)["files.upload"] == 1 and "files.importFile" not in _media_calls(h)
    after = _live_images(h)
    assert after["Dish burger"] != before["Dish burger"] and after["Dish fries"] == before["Dish fries"]
    assert h.plan(changed).empty


def test_a_renamed_file_with_the_same_bytes_is_not_uploaded_again(h, tmp_path):
    (tmp_path / "a.jpg").write_bytes(JPEG)
    h.apply(load_catalog(_write(tmp_path, {"burger": "a.jpg"})))
    (tmp_path / "a.jpg").rename(tmp_path / "burger.jpg")
    renamed = load_catalog(_write(tmp_path, {"burger": "burger.jpg"}))
    plan = h.plan(renamed)
    assert not [op for op in plan.operations if op.call.startswith("files.")]
    h.reset_counters()
    h.apply(plan)
    assert _media_calls(h) == {}
    assert h.plan(renamed).empty


# What Wix cannot process: a URL that answers 404, bytes that are not an image, and the emulator's
# failure knob (docs/emulator.md, M2/M3) on a URL it never fetches and on an uploaded file's name.
BROKEN = {
    "a 404": "{photos}/missing.png",
    "not an image": "{photos}/notes.png",
    "knob, URL": "https://photos.example.com/emulator-fail.jpg",
    "knob, file": "emulator-fail.jpg",
}


@pytest.mark.parametrize("broken", BROKEN.values(), ids=BROKEN.keys())
def test_an_image_that_fails_to_process_changes_nothing(h, tmp_path, photos, broken):
    (tmp_path / "burger.jpg").write_bytes(JPEG)
    h.apply(load_catalog(_write(tmp_path, {"burger": "burger.jpg"})))
    live, mapping = h.snapshot(), h.mapping()
    # A new dish whose image ends FAILED, and a changed image on the dish that is live already.
    (tmp_path / "fries.jpg").write_bytes(PNG)
    (tmp_path / "emulator-fail.jpg").write_bytes(JPEG + b"another photo")
    catalog = load_catalog(_write(tmp_path, {"burger": "fries.jpg", "fries": broken.format(photos=photos)}))
    with pytest.raises(ApplyFailed, match=r"Wix could not process the image \(FAILED\)"):
        h.apply(catalog)
    assert h.snapshot() == live and h.mapping() == mapping


def test_an_upload_that_fails_changes_nothing_and_the_next_apply_succeeds(h, tmp_path):
    (tmp_path / "burger.jpg").write_bytes(JPEG)
    catalog = load_catalog(_write(tmp_path, {"burger": "burger.jpg"}))
    live, mapping = h.snapshot(), h.mapping()
    h.set_faults([{"operation": "files.upload", "fault": "500", "times": 1}])
    with pytest.raises(ApplyFailed, match="upload was refused"):
        h.apply(catalog)
    assert h.snapshot() == live and h.mapping() == mapping
    h.clear_faults()
    assert h.apply(catalog).differences == []
    assert h.plan(catalog).empty


def test_a_file_edited_after_the_plan_is_refused_at_apply(h, tmp_path):
    (tmp_path / "burger.jpg").write_bytes(JPEG)
    plan = h.plan(load_catalog(_write(tmp_path, {"burger": "burger.jpg"})))
    (tmp_path / "burger.jpg").write_bytes(JPEG + b"edited")
    live, mapping = h.snapshot(), h.mapping()
    with pytest.raises(ApplyFailed, match="changed since the plan was made"):
        h.apply(plan)
    assert h.snapshot() == live and h.mapping() == mapping


def test_a_shared_menus_new_site_imports_an_image_once_for_every_location(tmp_path):
    def shared_with_image(data: dict) -> None:
        data["menus_new"] = {"share": True}
        next(d for d in data["dishes"] if d["id"] == "pesto")["image"] = "https://images.example.com/pesto.jpg"

    catalog, _ = edited("catalogs/chain.yaml", shared_with_image)
    site = SiteHarness(tmp_path, api="menus")
    plan = site.plan(catalog)
    ((entry),) = plan.locations
    assert [op.call for op in entry.plan.operations if op.call.startswith("files.")] == ["files.importFile"]
    assert [r.outcome for r in site.apply(plan).results] == [LocationOutcome.APPLIED]
    pesto = [i for i in site.snapshot(NAMES[0])["items"] if i["name"] == "Trofie al pesto"]
    assert [(i.get("image") or {}).get("url", "").startswith("https://static.wixstatic.com/media/") for i in pesto] == [
        True
    ]
    assert site.plan(catalog).empty
    site.reset_counters()
    site.apply(catalog)
    assert not [op for op in site.writes() if op.startswith("files.")]
    # The local state lost: the shared site is adopted, its image found again by its source URL.
    site.store.close()
    (tmp_path / "elsewhere").mkdir()
    site.store = MappingStore(tmp_path / "elsewhere" / "state.sqlite")
    site.reset_counters()
    assert site.plan(catalog).empty
    assert {op: n for op, n in site.emulator.counters()["operations"].items() if op.startswith("files.")} == {
        "files.getFileDescriptors": 1
    }


def test_a_lost_mapping_finds_an_image_imported_from_a_url_again(h, tmp_path, photos):
    """The mapping's image rows are lost with it: a live file imported from the catalog's URL is
    recognised by its sourceUrl (one Get File Descriptors call), not imported again; a local file
    cannot be recognised (Wix documents no hash algorithm), so it is uploaded again, once."""
    (tmp_path / "burger.jpg").write_bytes(JPEG)
    url = f"{photos}/fries.png"
    catalog = load_catalog(_write(tmp_path, {"fries": url, "chips": url, "burger": "burger.jpg"}))
    h.apply(catalog)
    before = _live_images(h)
    h.forget_mapping()
    h.reset_counters()
    plan = h.plan(catalog)
    assert _media_calls(h) == {"files.getFileDescriptors": 1}  # the two dishes' one file, read once
    assert [(c.action, c.id) for c in plan.changes] == [("update", "burger")]
    assert [op.call for op in plan.operations if op.call.startswith("files.")] == ["files.generateFileUploadUrl"]
    h.reset_counters()
    assert h.apply(plan).differences == []
    assert "files.importFile" not in _media_calls(h) and _media_calls(h)["files.upload"] == 1
    after = _live_images(h)
    assert after["Dish fries"] == after["Dish chips"] == before["Dish fries"]
    assert after["Dish burger"] != before["Dish burger"]
    assert len(_media_rows(h)) == 2  # both images are in the mapping again
    h.reset_counters()
    assert h.plan(catalog).empty
    assert _media_calls(h) == {}  # an intact mapping: no Media Manager call at all


def test_a_url_image_imported_elsewhere_is_not_taken_for_the_catalogs(h, tmp_path, photos):
    """A lost mapping, and a live file that came from another URL: the dish is updated to the
    catalog's image (imported), not adopted."""
    h.apply(load_catalog(_write(tmp_path, {"fries": f"{photos}/fries.png"})))
    h.forget_mapping()
    catalog = load_catalog(_write(tmp_path, {"fries": "https://images.example.com/other-fries.png"}))
    plan = h.plan(catalog)
    assert [(c.action, c.id) for c in plan.changes] == [("update", "fries")]
    assert [op.call for op in plan.operations if op.call.startswith("files.")] == ["files.importFile"]
    assert h.apply(plan).differences == []
    assert h.plan(catalog).empty


def test_an_image_the_live_side_owns_is_never_uploaded(h, tmp_path):
    """``ownership: live: [image]``: the dashboard owns photos; a changed file is no change, and no
    Media Manager call is made."""
    (tmp_path / "burger.jpg").write_bytes(JPEG)
    path = _write(tmp_path, {"burger": "burger.jpg"})
    h.apply(load_catalog(path))
    path.write_text("ownership:\n  live: [image]\n" + path.read_text())
    (tmp_path / "burger.jpg").write_bytes(JPEG + b"retouched")
    before = _live_images(h)
    owned = load_catalog(path)
    h.reset_counters()
    assert h.plan(owned).empty
    h.apply(owned)
    assert _media_calls(h) == {} and _live_images(h) == before
    # A new dish still starts with the catalog's image, as every live-owned field starts from the YAML.
    (tmp_path / "fries.jpg").write_bytes(PNG)
    path = _write(tmp_path, {"burger": "burger.jpg", "fries": "fries.jpg"})
    path.write_text("ownership:\n  live: [image]\n" + path.read_text())
    h.reset_counters()
    assert h.apply(load_catalog(path)).differences == []
    assert _media_calls(h)["files.upload"] == 1  # fries only
    assert _live_images(h)["Dish burger"] == before["Dish burger"] and _live_images(h)["Dish fries"]


def test_two_paths_to_the_same_bytes_are_one_image_and_verify_clean(h, tmp_path):
    """One upload, and the apply's verification (which reads the live side without the catalog)
    finds both dishes as applied: the catalog's two paths are one value, the first path."""
    (tmp_path / "a.jpg").write_bytes(JPEG)
    (tmp_path / "b.jpg").write_bytes(JPEG)
    catalog = load_catalog(_write(tmp_path, {"burger": "a.jpg", "double": "b.jpg"}))
    plan = h.plan(catalog)
    assert [op.call for op in plan.operations if op.call.startswith("files.")] == ["files.generateFileUploadUrl"]
    assert h.apply(plan).differences == []
    live = _live_images(h)
    assert live["Dish burger"] == live["Dish double"]
    assert h.plan(catalog).empty


def test_an_image_not_processed_within_the_deadline_fails_before_anything_else(tmp_path):
    """The deadline's branch, without waiting for it: with no time left, the first PENDING read
    ends the run (the emulator answers PENDING to the first read, M1)."""
    h = Harness(tmp_path, api="v3")
    plan = h.plan(load_catalog(_write(tmp_path, {"fries": "https://images.example.com/fries.png"})))
    live = h.snapshot()

    async def run() -> None:
        async with httpx.AsyncClient(transport=h.emulator.transport(), base_url=SANDBOX_URL) as client:
            await media_run.run(Session(client, {"Authorization": SANDBOX_TOKEN}, [SANDBOX_TOKEN]), plan, deadline=0.0)

    with pytest.raises(ApplyFailed, match=r"not processed within 0 s \(still PENDING\); nothing else was sent"):
        asyncio.run(run())
    assert h.snapshot() == live


class _InFlight(httpx.AsyncBaseTransport):
    """The emulator's transport, counting the imports under way at once."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.now, self.most = inner, 0, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/files/import"):
            return await self.inner.handle_async_request(request)
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await asyncio.sleep(0)  # a yield, not a wait: every other import that may start, starts
            return await self.inner.handle_async_request(request)
        finally:
            self.now -= 1


def test_images_are_imported_a_few_at_a_time(tmp_path):
    h = Harness(tmp_path, api="v3")
    images = {f"d{i}": f"https://images.example.com/{i}.png" for i in range(6)}
    plan = h.plan(load_catalog(_write(tmp_path, images)))
    transport = _InFlight(h.emulator.transport())

    async def run() -> dict[str, str]:
        async with httpx.AsyncClient(transport=transport, base_url=SANDBOX_URL) as client:
            session = Session(client, {"Authorization": SANDBOX_TOKEN}, [SANDBOX_TOKEN])
            return await media_run.run(session, plan, concurrency=2)

    found = asyncio.run(run())
    assert transport.most == 2 and len(found) == 2 * len(images)
