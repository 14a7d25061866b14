"""The Wix Media Manager's file imports and uploads, as reconcile needs them: a dish image is
imported before the catalog references it (Wix: "External URLs can fail if the source server
blocks requests, Media Manager URLs never fail").

    POST /site-media/v1/files/import              {url, mediaType?, mimeType?, displayName?, ...}
                                                  → {file}: a file descriptor, operationStatus PENDING
    POST /site-media/v1/files/generate-upload-url {mimeType, fileName?, sizeInBytes?, ...} → {uploadUrl}
    PUT  <uploadUrl>?filename=…                   the file's bytes (Content-Type: its MIME type); the
                                                  URL is its own authorisation → {file}, PENDING
    GET  /site-media/v1/files/get-file-by-id      ?fileId=… → {file}
    POST /site-media/v1/files/get-files           {fileIds: [1..100]} → {files}

Import and upload are asynchronous on Wix (``PENDING → READY | FAILED``, with File Ready and File
Failed events). The emulator makes it deterministic (M1-M6 in docs/emulator.md): a file stays
``PENDING`` for the first :data:`POLLS_WHILE_PENDING` reads of its descriptor and is then
``READY``, or ``FAILED``. An imported URL on ``127.0.0.1`` is fetched (its bytes are the file's;
an answer other than 200, or bytes that are not the image asked for, fail it); any other URL is
never fetched (no traffic leaves the machine) and simulated: a host under ``.invalid`` or a URL
containing ``emulator-fail`` fails. An uploaded file fails when its bytes are not an image of a
known type or its name contains ``emulator-fail``. The usual fault rules apply to every route. A
READY image has its media (``media.image.image``: id, url, width, height) and a content ``hash``;
the media id has Wix's form (``<prefix>_<32 hex>~mv2.<ext>``) and the file URL is on
``static.wixstatic.com``.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx

from reconciler.emulator.errors import FORMAT, REQUIRED_FIELD, application_error, violation
from reconciler.emulator.menus.repo import later_stamp, stamp
from reconciler.emulator.routing import Api, Call, Route
from reconciler.emulator.store import LIVE, Collection, Tx

API = "media-v1"
KIND = "file"
TICKET = "upload-ticket"
BASE = "/site-media/v1"
SITE_BASE = "/wix-privatemedia-proxy-server/v1"  # the same calls, as the SDK sends them to any other host
UPLOAD = "/media-upload"  # where upload URLs point (Wix: another host, with a token in the path)
POLLS_WHILE_PENDING = 1  # reads that still see PENDING after an import or upload (M1)
MAX_FETCH_BYTES = 25 * 1024 * 1024  # what a 127.0.0.1 import may download (Wix's image limit)
MEDIA_TYPES = {"jpg": "IMAGE", "jpeg": "IMAGE", "png": "IMAGE", "gif": "IMAGE", "webp": "IMAGE", "svg": "VECTOR"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
DEFAULT_SITE_ID = "00000000-0000-4000-8000-00000000e1e1"  # the default site's id in file descriptors
_HIDDEN = "_emulator"  # per-file processing state, never returned


def _rows(tx: Tx, kind: str = KIND) -> Collection:
    return tx.collection(API, LIVE, tx.site, kind)


def _shown(entity: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entity.items() if k != _HIDDEN}


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _fetch_local(url: str) -> bytes | None:
    """The bytes at a 127.0.0.1 URL, or None when it does not answer 200 with at most 25 MiB."""
    try:
        with httpx.stream("GET", url, timeout=5.0, follow_redirects=False) as response:
            if response.status_code != 200:
                return None
            data = b""
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_FETCH_BYTES:
                    return None
            return data
    except httpx.HTTPError:
        return None


def _new_file(call: Call, name: str, extension: str, media_type: str, source: str | None) -> dict[str, Any]:
    media_id = f"{hashlib.sha1((call.site.id or 'site').encode()).hexdigest()[:6]}_{uuid.uuid4().hex}~mv2.{extension}"
    now = stamp(call.site.now())
    return {
        "id": media_id,
        "displayName": call.body.get("displayName") or name,
        "url": f"https://static.wixstatic.com/media/{media_id}",
        "parentFolderId": call.body.get("parentFolderId") or "media-root",
        "hash": "",
        "sizeInBytes": None,
        "private": call.body.get("private") is True,
        "mediaType": media_type,
        "operationStatus": "PENDING",
        "sourceUrl": source,
        "thumbnailUrl": None,
        "labels": list(call.body.get("labels") or []),
        "createdDate": now,
        "updatedDate": now,
        "state": "OK",
        "siteId": call.site.id or DEFAULT_SITE_ID,
    }


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
    entity = _new_file(call, name, extension, media_type, url)
    if parts.hostname == "127.0.0.1":
        data = _fetch_local(url)  # the only URLs the emulator fetches (M2)
        kind = _sniff(data) if data else None
        fails = data is None or (media_type == "IMAGE" and kind is None)
        digest = hashlib.md5(data).hexdigest() if data else ""
        entity[_HIDDEN] = {"reads": 0, "fails": fails, "hash": digest, "size": len(data or b"")}
    else:
        fails = (parts.hostname or "").endswith(".invalid") or "emulator-fail" in url
        entity[_HIDDEN] = {"reads": 0, "fails": fails, "hash": hashlib.md5(url.encode()).hexdigest(), "size": 102400}
    _rows(call.tx).insert(entity["id"], entity)
    return {"file": _shown(entity)}


def handle_generate_upload_url(call: Call) -> dict[str, Any]:
    mime = call.body.get("mimeType")
    if not isinstance(mime, str) or not mime:
        raise violation("mimeType", "is required", REQUIRED_FIELD)
    size = call.body.get("sizeInBytes")
    if size is not None and not (isinstance(size, (str, int)) and str(size).isdigit()):
        raise violation("sizeInBytes", f"{size!r} is not a number of bytes", FORMAT)
    token = f"{call.site.id or '_'}~{uuid.uuid4().hex}"
    ticket = {k: call.body.get(k) for k in ("mimeType", "fileName", "sizeInBytes", "parentFolderId", "private")}
    _rows(call.tx, TICKET).insert(token, {"id": token, **ticket, "labels": list(call.body.get("labels") or [])})
    host = call.headers.get("host") or "sandbox"
    return {"uploadUrl": f"http://{host}{UPLOAD}/{token}"}


def _site_of_token(path: dict[str, str]) -> str | None:
    site = path.get("uploadToken", "").split("~", 1)[0]
    return None if site in ("", "_") else site


def handle_upload(call: Call) -> dict[str, Any]:
    token = call.path["uploadToken"]
    ticket = _rows(call.tx, TICKET).get(token)
    if ticket is None:
        raise application_error(404, "UPLOAD_URL_NOT_FOUND", "this upload URL is unknown or was used already")
    _rows(call.tx, TICKET).delete(token)
    name = call.params.str("filename") or ticket.get("fileName")
    if not name:
        raise violation("filename", "is required when generateFileUploadUrl had no fileName", REQUIRED_FIELD)
    if ticket.get("sizeInBytes") is not None and int(ticket["sizeInBytes"]) != len(call.raw):
        raise violation("", f"{len(call.raw)} bytes sent, sizeInBytes said {ticket['sizeInBytes']}", FORMAT)
    kind = _sniff(call.raw)
    declared = call.headers.get("content-type") or ticket.get("mimeType") or ""
    extension = EXTENSIONS.get(kind or declared) or (name.rsplit(".", 1)[-1].lower() if "." in name else "bin")
    call.body = {k: v for k, v in ticket.items() if k in ("parentFolderId", "private", "labels")}
    entity = _new_file(call, name, extension, "IMAGE" if kind else "DOCUMENT", None)
    fails = kind is None or "emulator-fail" in name
    digest = hashlib.md5(call.raw).hexdigest()
    entity[_HIDDEN] = {"reads": 0, "fails": fails, "hash": digest, "size": len(call.raw)}
    _rows(call.tx).insert(entity["id"], entity)
    return {"file": _shown(entity)}


def handle_get(call: Call) -> dict[str, Any]:
    file_id = call.params.raw("fileId")
    if isinstance(file_id, list):
        file_id = file_id[-1] if file_id else None
    if not file_id:
        raise violation("fileId", "is required", REQUIRED_FIELD)
    entity = _rows(call.tx).get(_file_id(str(file_id)))
    if entity is None:
        raise application_error(404, "FILE_NOT_FOUND", f"file {file_id!r} not found", {"fileId": file_id})
    return {"file": _read(entity, call)}


def handle_get_many(call: Call) -> dict[str, Any]:
    """Get File Descriptors: up to 100 ids (or WixMedia URLs); an unknown id fails the call, as one
    unknown id fails Get File Descriptor (Wix's docs are silent on a partial answer: M7)."""
    ids = call.body.get("fileIds")
    if not isinstance(ids, list) or not ids:
        raise violation("fileIds", "is required (1 to 100 file ids)", REQUIRED_FIELD)
    if len(ids) > 100 or not all(isinstance(i, str) and 0 < len(i) <= 1000 for i in ids):
        raise violation("fileIds", "must be 1 to 100 file ids of at most 1000 characters", FORMAT)
    files = []
    for given in ids:
        entity = _rows(call.tx).get(_file_id(given))
        if entity is None:
            raise application_error(404, "FILE_NOT_FOUND", f"file {given!r} not found", {"fileId": given})
        files.append(_read(entity, call))
    return {"files": files}


def _file_id(given: str) -> str:
    """A file id, also when given as its WixMedia URL (``wix:image://v1/<id>/<name>#...``), as Wix takes it."""
    if given.startswith("wix:") and "//v1/" in given:
        return given.split("//v1/", 1)[1].split("/", 1)[0].split("#", 1)[0]
    return given


def _read(entity: dict[str, Any], call: Call) -> dict[str, Any]:
    """The file as a read shows it, which moves a PENDING file on (M1)."""
    state = entity[_HIDDEN]
    if entity["operationStatus"] == "PENDING":
        if state["reads"] >= POLLS_WHILE_PENDING:
            _finish(entity, call)
        else:
            state["reads"] += 1
        _rows(call.tx).update(entity["id"], entity)
    return _shown(entity)


def _finish(entity: dict[str, Any], call: Call) -> None:
    entity["updatedDate"] = later_stamp(entity["updatedDate"], call.site.now())
    state = entity[_HIDDEN]
    if state["fails"]:
        entity["operationStatus"] = "FAILED"
        return
    entity["operationStatus"] = "READY"
    entity["hash"] = state["hash"]
    entity["sizeInBytes"] = str(state["size"])
    if entity["mediaType"] == "IMAGE":
        image = {"id": entity["id"], "url": entity["url"], "width": 1200, "height": 800}
        entity["media"] = {"image": {"image": image, "faces": []}}
        entity["thumbnailUrl"] = entity["url"]


def api() -> Api:
    # The public paths, and the ones Wix's SDK emits for any other host (its "_" domain mapping).
    routes = tuple(
        Route(method, f"{base}/files/{path}", operation, handler, True)
        for base in (BASE, SITE_BASE)
        for method, path, operation, handler in (
            ("POST", "import", "files.importFile", handle_import),
            ("POST", "generate-upload-url", "files.generateFileUploadUrl", handle_generate_upload_url),
            ("GET", "get-file-by-id", "files.getFileDescriptor", handle_get),
            ("POST", "get-files", "files.getFileDescriptors", handle_get_many),
        )
    )
    upload = Route("PUT", UPLOAD + "/{uploadToken}", "files.upload", handle_upload, True, site_of=_site_of_token)
    return Api(name=API, routes=(*routes, upload))
