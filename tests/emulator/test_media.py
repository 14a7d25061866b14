"""Media Manager Import File (reconciler/emulator/media.py): asynchronous processing, made
deterministic, and failure injection by URL and by fault rule."""

from __future__ import annotations

import httpx
import pytest

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed

BASE = "/site-media/v1/files"


@pytest.fixture
def api():
    store = open_store(None)
    seed(store, 1)
    emulator = Emulator(store, token=SANDBOX_TOKEN)
    with httpx.Client(
        transport=emulator.transport(), base_url="http://sandbox", headers={"Authorization": SANDBOX_TOKEN}
    ) as client:
        yield client
    store.close()


def _get(api: httpx.Client, file_id: str) -> dict:
    response = api.get(f"{BASE}/get-file-by-id", params={"fileId": file_id})
    assert response.status_code == 200, response.text
    return response.json()["file"]


def test_an_imported_image_is_pending_then_ready_with_its_media(api):
    response = api.post(f"{BASE}/import", json={"url": "https://images.example.com/pizza/margherita.jpg"})
    assert response.status_code == 200, response.text
    file = response.json()["file"]
    assert file["operationStatus"] == "PENDING" and file["mediaType"] == "IMAGE"
    assert file["id"].endswith("~mv2.jpg") and file["url"] == f"https://static.wixstatic.com/media/{file['id']}"
    assert "_emulator" not in file
    assert _get(api, file["id"])["operationStatus"] == "PENDING"  # still processing on the first read
    ready = _get(api, file["id"])
    assert ready["operationStatus"] == "READY"
    assert ready["media"]["image"]["image"]["url"] == file["url"] and ready["hash"]
    assert _get(api, file["id"]) == ready  # and stays so


def test_an_unreachable_source_fails_after_processing(api):
    file = api.post(f"{BASE}/import", json={"url": "https://photos.invalid/dish.png"}).json()["file"]
    assert file["operationStatus"] == "PENDING"
    _get(api, file["id"])
    failed = _get(api, file["id"])
    assert failed["operationStatus"] == "FAILED" and "media" not in failed


@pytest.mark.parametrize("body", [{}, {"url": "ftp://example.com/a.jpg"}, {"url": "not a url"}])
def test_a_missing_or_bad_url_is_a_400(api, body):
    response = api.post(f"{BASE}/import", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"]["validationError"]["fieldViolations"][0]["field"] == "url"


def test_an_unknown_file_is_a_404_and_fault_rules_apply(api):
    assert api.get(f"{BASE}/get-file-by-id", params={"fileId": "nope"}).status_code == 404
    rule = {"operation": "files.importFile", "fault": "503", "times": 1}
    assert api.post("/_emulator/faults", json={"rules": [rule]}).status_code == 200
    assert api.post(f"{BASE}/import", json={"url": "https://example.com/a.jpg"}).status_code == 503
    assert api.post(f"{BASE}/import", json={"url": "https://example.com/a.jpg"}).status_code == 200
