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
part of running it (:mod:`reconciler.targets.media_run`).

The id mapping keeps one row per imported image: namespace ``media``, the image's content key
(:func:`reconciler.model.images.content_key`) as local id, the Media Manager file id, and the
image as the catalog said it (``photos/burger.jpg sha256:…`` or the URL). An image whose key is
mapped is never imported again. Request bodies name images by placeholders, ``media:<key>`` (the
file id) and ``media_url:<key>`` (its URL), filled from the mapping at plan time or from the
imports at apply time.

A lost id mapping loses the image rows too: :func:`adopt` finds an image imported from a URL again
by the file's ``sourceUrl``, so the adopted site is not imported into twice. A local file cannot be
recognised that way (Wix documents no hash algorithm for a file's ``hash``), so it is uploaded again
once, and its dishes pointed at the new file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from reconciler.canonical import JsonObject
from reconciler.engine.calltemplates import CallTemplate
from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence, Key
from reconciler.engine.plan import Built, Operation
from reconciler.engine.vocabulary import Action, Kind
from reconciler.errors import ApiError, ApplyFailed
from reconciler.http import Session
from reconciler.model.catalog import Catalog
from reconciler.model.images import WIX_MEDIA, ImageFile, content_key, is_url, source_of, wix_media_id
from reconciler.state.mapping import Entry

MEDIA = "media"  # the id mapping's namespace of imported images, and the placeholder of a file id
MEDIA_URL = "media_url"  # the placeholder of a file's URL (never a mapping row)
IMPORT = "files.importFile"
GENERATE = "files.generateFileUploadUrl"
UPLOAD = "files.upload"
POLL = "files.getFileDescriptor"
DESCRIBE = "files.getFileDescriptors"
DESCRIBE_LIMIT = 100  # file ids per Get File Descriptors call (the SDK's @maxSize)
BASE = "/site-media/v1/files"
CALLS = (CallTemplate(IMPORT, "POST", f"{BASE}/import"), CallTemplate(GENERATE, "POST", f"{BASE}/generate-upload-url"))
KINDS = (Kind.DISH, Kind.VARIATION)  # the records whose image is imported (menus and sections: URLs as written)
DEADLINE = 300.0  # seconds an apply waits for Wix to process its images
FILE = "$file"  # the part of a generate call's body that says which local file it is for (never sent)


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


async def adopt(
    session: Session, changes: list[Change], desired: Essence, live: Essence, mapped: Mapping[str, str]
) -> tuple[list[Change], dict[str, tuple[str, str]]]:
    """Images the id mapping lost, found again: a live dish whose Media Manager file (unknown to the
    mapping) was imported from the very URL the catalog names holds that image already (Wix keeps a
    file's ``sourceUrl``), so its image is no change. One Get File Descriptors call per 100 such files,
    and only when a change names them: a plan against an intact mapping makes no media call.
    Returns the changes without those image differences, and content key -> (file id, image)."""
    known_files = set(mapped.values())
    wanted: dict[str, tuple[str, str]] = {}  # file id -> (content key, the catalog's URL)
    for change in changes:
        image = next((f for f in change.fields if f.path == "image"), None)
        if change.kind not in KINDS or change.action != Action.UPDATE or image is None:
            continue
        file_id = wix_media_id(image.before) if isinstance(image.before, str) else None
        if isinstance(image.after, str) and is_url(image.after) and file_id and file_id not in known_files:
            wanted.setdefault(file_id, (content_key(image.after), image.after))
    if not wanted:
        return changes, {}
    files = await _descriptors(session, sorted(wanted))
    found = {
        file_id: wanted[file_id]
        for file_id, file in files.items()
        if file.get("operationStatus") == "READY" and file.get("sourceUrl") == wanted[file_id][1]
    }
    kept = []
    for change in changes:
        image = next((f for f in change.fields if f.path == "image"), None)
        source = found.get(wix_media_id(image.before) or "") if image and isinstance(image.before, str) else None
        if image is not None and source is not None and source[1] == image.after:
            change = replace(change, fields=tuple(f for f in change.fields if f is not image))
            if not change.fields:
                continue
        kept.append(change)
    return kept, {key: (file_id, value) for file_id, (key, value) in found.items()}


async def _descriptors(session: Session, file_ids: list[str]) -> dict[str, JsonObject]:
    """The Media Manager's descriptors of these files, by id; none when it cannot say (the plan then
    imports the images again, which is safe: a new file, the dishes pointed at it)."""
    found: dict[str, JsonObject] = {}
    for start in range(0, len(file_ids), DESCRIBE_LIMIT):
        body = {"fileIds": file_ids[start : start + DESCRIBE_LIMIT]}
        try:
            answer = await session.call(DESCRIBE, "POST", f"{BASE}/get-files", json_body=body)
        except ApiError:
            return {}
        found.update({f["id"]: f for f in answer.get("files") or [] if isinstance(f, dict) and f.get("id")})
    return found


# -- planning --------------------------------------------------------------------------------------
def one_value_per_file(desired: Essence) -> Essence:
    """The desired essence with every local file named by the first of its paths (sorted) when
    several paths hold the same bytes: one image, one file in the Media Manager, one mapping row,
    and one value, so that reading the live side without the catalog (verify, rollback) gives
    every dish back the value it was applied with."""
    first: dict[str, str] = {}
    for key, record in desired.items():
        value = record.get("image") if key[0] in KINDS else None
        if isinstance(value, str) and not is_url(value):
            first[content_key(value)] = min(first.get(content_key(value), value), value)
    renamed = {
        key: {**record, "image": first[content_key(record["image"])]}
        for key, record in desired.items()
        if key[0] in KINDS and isinstance(record.get("image"), str) and not is_url(record["image"])
        if first[content_key(record["image"])] != record["image"]
    }
    return {**desired, **renamed} if renamed else desired


def files_of(catalog: Catalog) -> dict[str, ImageFile]:
    """Content key -> the loader's record of each local image (what an upload call needs)."""
    found = {}
    for entry in [*catalog.dishes, *catalog.variations]:
        if entry.image_file is not None:
            found[f"sha256:{entry.image_file.sha256}"] = entry.image_file
    return found


def with_images(
    built: Built,
    desired: Essence,
    live: Essence,
    mapped: Mapping[str, str],
    files: Mapping[str, ImageFile],
    adopted: Mapping[str, tuple[str, str]] | None = None,
) -> Built:
    """A target's planned calls with the image imports they need first (see :func:`plan`), and the
    mapping rows of the images :func:`adopt` found again."""
    ids = dict(built.ids)
    referenced = _referenced([op.body for op in built.operations])
    known = {**mapped, **{key: file_id for key, (file_id, _) in (adopted or {}).items()}}
    operations, rows, changes = plan(list(built.changes), desired, live, ids, known, files, referenced)
    for key, (file_id, value) in sorted((adopted or {}).items()):
        ids[f"{MEDIA}:{key}"], ids[f"{MEDIA_URL}:{key}"] = file_id, WIX_MEDIA + file_id
        rows.append((MEDIA, key, value))
    return replace(
        built,
        operations=(*operations, *built.operations),
        ids=dict(sorted(ids.items())),
        mapping=tuple(sorted({*built.mapping, *rows})),
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
        FILE: {"path": file.path, "sha256": file.sha256},
    }
    summary = f"image: upload {source_of(value)} ({why})"
    return Operation(0, GENERATE, "POST", f"{BASE}/generate-upload-url", body, summary, binds, False)
