"""The Wix Media Manager's Import File, as reconcile needs it: a dish image imported before the
catalog references it (Wix: "External URLs can fail if the source server blocks requests, Media
Manager URLs never fail").

    POST /site-media/v1/files/import              {url, mediaType?, displayName?, mimeType?, ...}
                                                  → {file}: a file descriptor, operationStatus PENDING
    GET  /site-media/v1/files/get-file-by-id      ?fileId=… → {file}

Import is asynchronous on Wix (``PENDING → READY | FAILED``, with File Ready and File Failed
events). The emulator makes it deterministic (M1-M3 in docs/emulator.md): a file stays
``PENDING`` for the first :data:`POLLS_WHILE_PENDING` reads of its descriptor and is then
``READY``, or ``FAILED`` when its source cannot be fetched, which the emulator decides from the
URL: a host under ``.invalid`` or a URL containing ``emulator-fail`` fails (failure injection; the
usual fault rules apply to both endpoints as to every other). A READY image has its media
(``media.image.image``: id, url, width, height) and a content ``hash``; the media id has Wix's
form (``<prefix>_<32 hex>~mv2.<ext>``) and the file URL is on ``static.wixstatic.com``.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any
from urllib.parse import urlsplit

from reconciler.emulator.errors import FORMAT, REQUIRED_FIELD, application_error, violation
from reconciler.emulator.menus.repo import later_stamp, stamp
from reconciler.emulator.routing import Api, Call, Route
from reconciler.emulator.store import LIVE, Collection, Tx

API = "media-v1"
KIND = "file"
BASE = "/site-media/v1"
POLLS_WHILE_PENDING = 1  # reads that still see PENDING after an import (M1)
MEDIA_TYPES = {"jpg": "IMAGE", "jpeg": "IMAGE", "png": "IMAGE", "gif": "IMAGE", "webp": "IMAGE", "svg": "VECTOR"}
_HIDDEN = "_emulator"  # per-file processing state, never returned


def _rows(tx: Tx) -> Collection:
    return tx.collection(API, LIVE, tx.site, KIND)


def _fails(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host.endswith(".invalid") or "emulator-fail" in url


def _shown(entity: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entity.items() if k != _HIDDEN}


def handle_import(call: Call) -> dict[str, Any]:
    url = call.body.get("url")
    if url is None:
        raise violation("url", "is required", REQUIRED_FIELD)
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise violation("url", f"{url!r} is not an http(s) URL", FORMAT)
    name = parts.path.rsplit("/", 1)[-1] or "file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else "jpg"
    media_type = call.body.get("mediaType") or MEDIA_TYPES.get(extension, "DOCUMENT")
    digest = uuid.uuid4().hex
    media_id = f"{hashlib.sha1((call.site.id or 'site').encode()).hexdigest()[:6]}_{digest}~mv2.{extension}"
    now = stamp(call.site.now())
    entity: dict[str, Any] = {
        "id": media_id,
        "displayName": call.body.get("displayName") or name,
        "url": f"https://static.wixstatic.com/media/{media_id}",
        "parentFolderId": call.body.get("parentFolderId") or "media-root",
        "hash": "",
        "sizeInBytes": None,
        "private": call.body.get("private") is True,
        "mediaType": media_type,
        "operationStatus": "PENDING",
        "sourceUrl": url,
        "thumbnailUrl": None,
        "labels": list(call.body.get("labels") or []),
        "createdDate": now,
        "updatedDate": now,
        "state": "OK",
        _HIDDEN: {"reads": 0, "fails": _fails(url)},
    }
    _rows(call.tx).insert(media_id, entity)
    return {"file": _shown(entity)}


def handle_get(call: Call) -> dict[str, Any]:
    file_id = call.params.raw("fileId")
    if isinstance(file_id, list):
        file_id = file_id[-1] if file_id else None
    if not file_id:
        raise violation("fileId", "is required", REQUIRED_FIELD)
    entity = _rows(call.tx).get(str(file_id))
    if entity is None:
        raise application_error(404, "FILE_NOT_FOUND", f"file {file_id!r} not found", {"fileId": file_id})
    state = entity[_HIDDEN]
    if entity["operationStatus"] == "PENDING":
        if state["reads"] >= POLLS_WHILE_PENDING:
            _finish(entity, call)
        else:
            state["reads"] += 1
        _rows(call.tx).update(entity["id"], entity)
    return {"file": _shown(entity)}


def _finish(entity: dict[str, Any], call: Call) -> None:
    entity["updatedDate"] = later_stamp(entity["updatedDate"], call.site.now())
    if entity[_HIDDEN]["fails"]:
        entity["operationStatus"] = "FAILED"
        return
    entity["operationStatus"] = "READY"
    entity["hash"] = hashlib.md5(entity["sourceUrl"].encode()).hexdigest()
    entity["sizeInBytes"] = "102400"
    if entity["mediaType"] == "IMAGE":
        image = {"id": entity["id"], "url": entity["url"], "width": 1200, "height": 800}
        entity["media"] = {"image": {"image": image}}
        entity["thumbnailUrl"] = entity["url"]


def api() -> Api:
    routes = (
        Route("POST", f"{BASE}/files/import", "files.importFile", handle_import, True),
        Route("GET", f"{BASE}/files/get-file-by-id", "files.getFileDescriptor", handle_get, True),
    )
    return Api(name=API, routes=routes)
