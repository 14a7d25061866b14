"""Dish images in the Wix Media Manager, the same for both targets: plan the imports, run them
before anything a diner sees changes, and read live images back in our terms.

Both Wix menu APIs reference an image that is already in the site's Media Manager (Wix: "External
URLs can fail if the source server blocks requests, Media Manager URLs never fail"): Catalogs v3
by its URL (``imageUrl``), Menus (New) by its ``{id, url}``. So every dish image is imported first:

* an http(s) URL with ``files.importFile`` (Wix fetches it);
* a local file with ``files.generateFileUploadUrl``, then its bytes ``PUT`` to the upload URL that
  returns (the URL is its own authorisation: no ``Authorization`` header goes with it, and it must
  be https or on the API's own origin);

then each file's descriptor is read until it is ``READY`` (``FAILED``, or not ready within
:data:`DEADLINE` seconds, fails the apply before the draft is published or the cut-over starts:
the menu and the id mapping stay as they were; the orphan file stays in the Media Manager,
invisible to diners). A plan holds one call per image to import; the upload and the polls are
part of running it.

The id mapping keeps one row per imported image: namespace ``media``, the image's content key
(:func:`reconciler.model.images.content_key`) as local id, the Media Manager file id, and the
image as the catalog said it (``photos/burger.jpg sha256:…`` or the URL). An image whose key is
mapped is never imported again. Request bodies name images by placeholders, ``media:<key>`` (the
file id) and ``media_url:<key>`` (its URL), filled from the mapping at plan time or from the
imports at apply time.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import httpx

from reconciler.canonical import JsonObject
from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence, Key
from reconciler.engine.plan import Built, Operation, Plan
from reconciler.engine.review import CallTemplate
from reconciler.engine.vocabulary import Action, Kind, Phase
from reconciler.errors import ApiError, ApplyFailed
from reconciler.http import Session
from reconciler.model.catalog import Catalog
from reconciler.model.images import WIX_MEDIA, ImageFile, content_key, is_url, source_of, wix_media_id
from reconciler.state.mapping import Entry
from reconciler.targets.base import Progress, Stage
from reconciler.yamlio.images import ImageProblem, read_image

MEDIA = "media"  # the id mapping's namespace of imported images, and the placeholder of a file id
MEDIA_URL = "media_url"  # the placeholder of a file's URL (never a mapping row)
IMPORT = "files.importFile"
GENERATE = "files.generateFileUploadUrl"
UPLOAD = "files.upload"
POLL = "files.getFileDescriptor"
BASE = "/site-media/v1/files"
CALLS = (CallTemplate(IMPORT, "POST", f"{BASE}/import"), CallTemplate(GENERATE, "POST", f"{BASE}/generate-upload-url"))
KINDS = (Kind.DISH, Kind.VARIATION)  # the records whose image is imported (menus and sections: URLs as written)
DEADLINE = 300.0  # seconds an apply waits for Wix to process its images
_FILE = "$file"  # the part of a generate call's body that says which local file it is for (never sent)


def handles(op: Operation) -> bool:
    return op.call in (IMPORT, GENERATE)


# -- request bodies --------------------------------------------------------------------------------
def url_ref(value: str | None) -> object:
    """Catalogs v3 ``imageUrl``: the imported file's URL ("" clears it, as for descriptions)."""
    return {"$ref": f"{MEDIA_URL}:{content_key(value)}"} if value else ""


def image_ref(value: str | None) -> JsonObject | None:
    """Menus (New) ``image``: the imported file's id and URL."""
    if not value:
        return None
    key = content_key(value)
    return {"id": {"$ref": f"{MEDIA}:{key}"}, "url": {"$ref": f"{MEDIA_URL}:{key}"}}


# -- the live side ---------------------------------------------------------------------------------
def known(entries: list[Entry]) -> dict[str, str]:
    """Content key -> Media Manager file id, of every image imported by an earlier apply."""
    return {e.local_id: e.wix_id for e in entries if e.namespace == MEDIA}


def in_our_terms(live: Essence, entries: list[Entry], desired: Essence) -> None:
    """Live dish images (Media Manager URLs) as the catalog names them, in place, before drift is
    judged: the desired image when the live file is the one imported for it, else the image that
    file was imported for; an image we never imported stays its URL."""
    by_file = {e.wix_id: e for e in entries if e.namespace == MEDIA}
    for key, record in live.items():
        if key[0] not in KINDS or not isinstance(record.get("image"), str):
            continue
        entry = by_file.get(wix_media_id(record["image"]) or "")
        if entry is None:
            continue
        wanted = desired.get(key, {}).get("image")
        same = isinstance(wanted, str) and content_key(wanted) == entry.local_id
        record["image"] = wanted if same else (entry.applied_hash or record["image"])


# -- planning --------------------------------------------------------------------------------------
def files_of(catalog: Catalog) -> dict[str, ImageFile]:
    """Content key -> the loader's record of each local image (what an upload call needs)."""
    found = {}
    for entry in [*catalog.dishes, *catalog.variations]:
        if entry.image_file is not None:
            found[f"sha256:{entry.image_file.sha256}"] = entry.image_file
    return found


def with_images(
    built: Built, desired: Essence, live: Essence, mapped: Mapping[str, str], files: Mapping[str, ImageFile]
) -> Built:
    """A target's planned calls with the image imports they need first (see :func:`plan`)."""
    ids = dict(built.ids)
    referenced = _referenced([op.body for op in built.operations])
    operations, rows, changes = plan(list(built.changes), desired, live, ids, mapped, files, referenced)
    return replace(
        built,
        operations=(*operations, *built.operations),
        ids=dict(sorted(ids.items())),
        mapping=tuple(sorted((*built.mapping, *rows))),
        changes=tuple(changes),
    )


def _referenced(bodies: list[Any]) -> set[str]:
    """The content keys of every image placeholder in these request bodies."""
    found: set[str] = set()
    stack = list(bodies)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith((MEDIA + ":", MEDIA_URL + ":")):
                found.add(ref.split(":", 1)[1])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def plan(
    changes: list[Change],
    desired: Essence,
    live: Essence,
    ids: dict[str, str],
    mapped: Mapping[str, str],
    files: Mapping[str, ImageFile],
    referenced: frozenset[str] | set[str] = frozenset(),
) -> tuple[list[Operation], list[tuple[str, str, str]], list[Change]]:
    """The imports the changes (and the calls, ``referenced``) need, the mapping rows they make, and
    the changes with a note per image. ``ids`` gains the file id and URL of every image already in
    the Media Manager."""
    images: dict[str, str] = {}  # content key -> the image as the catalog names it
    users: dict[str, list[Change]] = {}
    for change in changes:
        value = (desired.get(change.key) or {}).get("image") if change.action != Action.REMOVE else None
        if change.kind in KINDS and isinstance(value, str):
            images.setdefault(content_key(value), value)
            users.setdefault(content_key(value), []).append(change)
    for record_key, record in desired.items():  # an image a call names without a change naming it
        value = record.get("image") if record_key[0] in KINDS else None
        if isinstance(value, str) and content_key(value) in referenced and content_key(value) not in images:
            images[content_key(value)] = value
            users[content_key(value)] = []
    operations: list[Operation] = []
    rows: list[tuple[str, str, str]] = []
    notes: dict[Key, list[str]] = {}
    for key, value in sorted(images.items()):
        file_id = mapped.get(key) or (wix_media_id(value) if is_url(value) else None)
        if file_id is not None:
            ids[f"{MEDIA}:{key}"], ids[f"{MEDIA_URL}:{key}"] = file_id, WIX_MEDIA + file_id
            if key in mapped:
                rows.append((MEDIA, key, value))  # the same bytes, perhaps by another path now: remember it
            note = f"image: {source_of(value)} (in the Media Manager already)"
        else:
            changed = any(c.action == Action.UPDATE and (live.get(c.key) or {}).get("image") for c in users[key])
            operations.append(_import(key, value, files.get(key), "changed" if changed else "new"))
            rows.append((MEDIA, key, value))
            note = operations[-1].summary
        for change in users[key]:
            if change.action == Action.CREATE or any(f.path == "image" for f in change.fields):
                notes.setdefault(change.key, []).append(note)
    annotated = [replace(c, notes=c.notes + tuple(notes.get(c.key, ()))) for c in changes]
    return operations, rows, annotated


def _import(key: str, value: str, file: ImageFile | None, why: str) -> Operation:
    binds = ((0, MEDIA, key),)
    if is_url(value):
        name = PurePosixPath(urlsplit(value).path).name or "image"
        body: JsonObject = {"url": value, "mediaType": "IMAGE", "displayName": name}
        return Operation(0, IMPORT, "POST", f"{BASE}/import", body, f"image: import {value} ({why})", binds, False)
    if file is None:
        raise ApplyFailed(f"internal error: no loader record of the local image {source_of(value)}")
    body = {
        "mimeType": file.mime,
        "fileName": PurePosixPath(source_of(value)).name,
        "sizeInBytes": str(file.size),
        _FILE: {"path": file.path, "sha256": file.sha256},
    }
    summary = f"image: upload {source_of(value)} ({why})"
    return Operation(0, GENERATE, "POST", f"{BASE}/generate-upload-url", body, summary, binds, False)


# -- applying --------------------------------------------------------------------------------------
def rest(plan: Plan, found: Mapping[str, str]) -> Plan:
    """The plan without its image imports, knowing the ids and URLs they found."""
    return replace(plan, operations=tuple(o for o in plan.operations if not handles(o)), ids={**plan.ids, **found})


def with_media(stage: Stage, found: Mapping[str, str]) -> Stage:
    """A stage that records the imported files' mapping rows with everything else."""
    files = {k: v for k, v in found.items() if k.startswith(MEDIA + ":")}

    def staged(created: dict[str, str], partial: bool = False) -> None:
        stage({**files, **created}, partial)

    return staged


async def run(
    session: Session, plan: Plan, progress: Progress | None = None, deadline: float = DEADLINE
) -> dict[str, str]:
    """Import every image of the plan and wait until each is READY: ``{media:<key>: id, media_url:<key>: url}``."""
    ops = [op for op in plan.operations if handles(op)]
    if not ops:
        return {}
    if progress:
        progress(Phase.BUILD, f"images: importing {len(ops)}", 0, len(plan.operations))
    started = await asyncio.gather(*(_start(session, op) for op in ops), return_exceptions=True)
    failed = [f for f in started if isinstance(f, BaseException)]
    if failed:
        if not isinstance(failed[0], ApplyFailed):
            raise failed[0]
        raise ApplyFailed(f"{failed[0]}; nothing else was sent: the menu and the id mapping are unchanged")
    found: dict[str, str] = {}
    until = time.monotonic() + deadline
    for op, file_id in zip(ops, started, strict=True):
        assert isinstance(file_id, str)
        url = await _ready(session, op, file_id, until)
        key = op.binds[0][2]
        found[f"{MEDIA}:{key}"], found[f"{MEDIA_URL}:{key}"] = file_id, url
    return found


async def _start(session: Session, op: Operation) -> str:
    body = {k: v for k, v in (op.body or {}).items() if k != _FILE}
    try:
        answer = await session.call(op.call, op.method, op.path, json_body=body, idempotent=False)
        if op.call == GENERATE:
            answer = await _upload(session, op, str(answer.get("uploadUrl") or ""))
    except ApiError as exc:
        raise ApplyFailed(f"{op.summary} failed: {exc}") from exc
    file_id = (answer.get("file") or {}).get("id")
    if not isinstance(file_id, str) or not file_id:
        raise ApplyFailed(f"{op.summary}: the Media Manager answered without a file id")
    return file_id


async def _upload(session: Session, op: Operation, upload_url: str) -> dict[str, Any]:
    """PUT the file's bytes to the upload URL, after checking they are still the planned ones."""
    local = (op.body or {})[_FILE]
    try:
        data = read_image(local["path"])
    except ImageProblem as exc:
        raise ApplyFailed(f"{op.summary}: {local['path']} {exc.reason}") from None
    if hashlib.sha256(data).hexdigest() != local["sha256"]:
        raise ApplyFailed(f"{op.summary}: {local['path']} changed since the plan was made; plan again")
    if not _may_upload_to(session, upload_url):
        raise ApplyFailed(f"{op.summary}: the upload URL is neither https nor on the API's own address; not sent")
    session.stats.count(UPLOAD)
    headers = {"Content-Type": str((op.body or {}).get("mimeType") or "application/octet-stream")}
    try:
        response = await session.client.request("PUT", upload_url, content=data, headers=headers, timeout=120.0)  # type: ignore[misc]
    except httpx.HTTPError as exc:
        raise ApplyFailed(f"{op.summary}: the upload did not complete ({type(exc).__name__})") from None
    if response.status_code != 200:
        raise ApplyFailed(f"{op.summary}: the upload was refused (HTTP {response.status_code})")
    try:
        answer = response.json()
    except ValueError:
        raise ApplyFailed(f"{op.summary}: the upload's answer is not JSON") from None
    return answer if isinstance(answer, dict) else {}


def _may_upload_to(session: Session, url: str) -> bool:
    """The bytes go only where Wix said and nowhere surprising: https, or the API's own origin."""
    parts = urlsplit(url)
    base = urlsplit(str(getattr(session.client, "base_url", "")))
    return parts.scheme == "https" or (parts.scheme, parts.netloc) == (base.scheme, base.netloc)


async def _ready(session: Session, op: Operation, file_id: str, until: float) -> str:
    """Read the file's descriptor until it is READY; its URL."""
    pause = 0.05
    while True:
        try:
            answer = await session.call(POLL, "GET", f"{BASE}/get-file-by-id", params=[("fileId", file_id)])
        except ApiError as exc:
            raise ApplyFailed(f"{op.summary}: could not read the file's state: {exc}") from exc
        file = answer.get("file") or {}
        status = file.get("operationStatus")
        if status == "READY":
            return str(file.get("url") or WIX_MEDIA + file_id)
        if status == "FAILED":
            raise ApplyFailed(
                f"{op.summary}: Wix could not process the image (FAILED); nothing else was sent: "
                "the menu and the id mapping are unchanged"
            )
        if time.monotonic() + pause > until:
            raise ApplyFailed(
                f"{op.summary}: the image was not processed within {DEADLINE:.0f} s (still {status}); "
                "nothing else was sent: the menu and the id mapping are unchanged"
            )
        await asyncio.sleep(pause)  # Wix processes files asynchronously; ask again shortly
        pause = min(pause * 2, 2.0)
