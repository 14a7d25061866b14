"""Media Manager Import File (reconciler/emulator/media.py): asynchronous processing, made
deterministic, and failure injection by URL and by fault rule."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed
from tests.support.photos import JPEG, photo_server

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


def _ready(api: httpx.Client, file_id: str) -> dict:
    assert _get(api, file_id)["operationStatus"] == "PENDING"  # processing, on the first read
    return _get(api, file_id)


def _upload_url(api: httpx.Client, **body) -> str:
    response = api.post(f"{BASE}/generate-upload-url", json={"mimeType": "image/jpeg", **body})
    assert response.status_code == 200, response.text
    return response.json()["uploadUrl"]


def test_an_uploaded_file_is_pending_then_ready_with_its_bytes_hash(api):
    url = _upload_url(api, fileName="burger.jpg", sizeInBytes=str(len(JPEG)))
    assert "/media-upload/" in url
    # The upload URL is its own authorisation: no Authorization header (as Wix documents).
    response = httpx.Client(transport=api._transport).put(url, content=JPEG, headers={"Content-Type": "image/jpeg"})
    assert response.status_code == 200, response.text
    file = response.json()["file"]
    assert file["operationStatus"] == "PENDING" and file["displayName"] == "burger.jpg" and file["mediaType"] == "IMAGE"
    ready = _ready(api, file["id"])
    assert ready["operationStatus"] == "READY" and ready["sizeInBytes"] == str(len(JPEG))
    assert ready["hash"] == hashlib.md5(JPEG).hexdigest() and ready["media"]["image"]["image"]["id"] == file["id"]


def test_an_upload_url_works_once_and_checks_what_it_was_told(api):
    assert (
        api.put(_upload_url(api, fileName="a.jpg", sizeInBytes="3"), content=JPEG).status_code == 400
    )  # not that size
    url = _upload_url(api, fileName="a.jpg", sizeInBytes=str(len(JPEG)))
    assert api.put(url, content=JPEG).status_code == 200
    assert api.put(url, content=JPEG).status_code == 404  # used
    assert api.put(_upload_url(api), content=JPEG).status_code == 400  # no file name anywhere
    named = api.put(_upload_url(api), params={"filename": "b.jpg"}, content=JPEG)
    assert named.status_code == 200 and named.json()["file"]["displayName"] == "b.jpg"
    assert api.post(f"{BASE}/generate-upload-url", json={}).status_code == 400  # mimeType is required


@pytest.mark.parametrize("name, content", [("notes.jpg", b"plain text"), ("emulator-fail.jpg", JPEG)])
def test_an_upload_that_is_no_image_fails_after_processing(api, name, content):
    file = api.put(_upload_url(api, fileName=name), content=content).json()["file"]
    failed = _ready(api, file["id"])
    assert failed["operationStatus"] == "FAILED" and "media" not in failed


def test_fault_rules_apply_to_uploads(api):
    rule = {"operation": "files.upload", "fault": "503", "times": 1}
    assert api.post("/_emulator/faults", json={"rules": [rule]}).status_code == 200
    assert api.put(_upload_url(api, fileName="a.jpg"), content=JPEG).status_code == 503
    assert api.put(_upload_url(api, fileName="a.jpg"), content=JPEG).status_code == 200


@pytest.fixture
def photos():
    with photo_server({"/burger.jpg": JPEG, "/notes.jpg": b"not an image"}) as url:
        yield url


def test_a_127_0_0_1_url_is_fetched_and_others_are_not(api, photos):
    file = api.post(f"{BASE}/import", json={"url": f"{photos}/burger.jpg"}).json()["file"]
    ready = _ready(api, file["id"])
    assert ready["operationStatus"] == "READY" and ready["hash"] == hashlib.md5(JPEG).hexdigest()
    assert ready["sizeInBytes"] == str(len(JPEG))
    for path in ("/missing.jpg", "/notes.jpg"):  # a 404, and bytes that are not an image
        failed = api.post(f"{BASE}/import", json={"url": f"{photos}{path}"}).json()["file"]
        assert _ready(api, failed["id"])["operationStatus"] == "FAILED"


def test_get_file_descriptors_reads_several_files_by_id_or_wix_media_url(api):
    url = "https://images.example.com/pizza/margherita.jpg"
    first = api.post(f"{BASE}/import", json={"url": url}).json()["file"]
    second = api.post(f"{BASE}/import", json={"url": "https://images.example.com/fries.png"}).json()["file"]
    _get(api, first["id"])
    wix_url = f"wix:image://v1/{second['id']}/fries.png#originWidth=1200&originHeight=800"
    response = api.post(f"{BASE}/get-files", json={"fileIds": [first["id"], wix_url]})
    assert response.status_code == 200, response.text
    files = response.json()["files"]
    assert [f["id"] for f in files] == [first["id"], second["id"]]
    assert files[0]["operationStatus"] == "READY" and files[0]["sourceUrl"] == url
    assert files[0] == _get(api, first["id"])  # the same descriptor as Get File Descriptor's


@pytest.mark.parametrize(
    "body, status", [({}, 400), ({"fileIds": []}, 400), ({"fileIds": ["x"] * 101}, 400), ({"fileIds": ["nope"]}, 404)]
)
def test_get_file_descriptors_refuses_no_ids_too_many_and_unknown_ones(api, body, status):
    assert api.post(f"{BASE}/get-files", json=body).status_code == status
