"""Running a plan's image imports (see :mod:`reconciler.targets.media`): each file imported or
uploaded, then read until READY within a deadline, before anything a diner sees changes."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import httpx

from reconciler.engine.plan import Operation, Plan
from reconciler.engine.vocabulary import Phase
from reconciler.errors import ApiError, ApplyFailed
from reconciler.http import Session
from reconciler.model.images import WIX_MEDIA
from reconciler.state.mapping import Intent
from reconciler.targets.base import Progress, Stage
from reconciler.targets.media import BASE, DEADLINE, FILE, GENERATE, MEDIA, MEDIA_URL, POLL, UPLOAD, handles
from reconciler.yamlio.images import ImageProblem, read_image


def rest(plan: Plan, found: Mapping[str, str]) -> Plan:
    """The plan without its image imports, knowing the ids and URLs they found."""
    return replace(plan, operations=tuple(o for o in plan.operations if not handles(o)), ids={**plan.ids, **found})


def with_media(stage: Stage, found: Mapping[str, str]) -> Stage:
    """A stage that records the imported files' mapping rows with everything else."""
    return _WithMedia(stage, {k: v for k, v in found.items() if k.startswith(MEDIA + ":")})


class _WithMedia:
    def __init__(self, stage: Stage, files: dict[str, str]) -> None:
        self.stage, self.files = stage, files

    def __call__(self, created: dict[str, str], partial: bool = False) -> None:
        self.stage({**self.files, **created}, partial)

    def intend(self, intents: list[Intent]) -> None:
        self.stage.intend(intents)


async def run(
    session: Session,
    plan: Plan,
    progress: Progress | None = None,
    deadline: float = DEADLINE,
    concurrency: int = 4,
) -> dict[str, str]:
    """Import every image of the plan, at most ``concurrency`` at a time (a catalog of hundreds of
    photos must not spend the site's request budget at once), and wait until each is READY:
    ``{media:<key>: id, media_url:<key>: url}``."""
    ops = [op for op in plan.operations if handles(op)]
    if not ops:
        return {}
    if progress:
        progress(Phase.BUILD, f"images: importing {len(ops)}", 0, len(plan.operations))
    limit = asyncio.Semaphore(max(1, concurrency))

    async def start(op: Operation) -> str:
        async with limit:
            return await _start(session, op)

    started = await asyncio.gather(*(start(op) for op in ops), return_exceptions=True)
    failed = [f for f in started if isinstance(f, BaseException)]
    if failed:
        if not isinstance(failed[0], ApplyFailed):
            raise failed[0]
        raise ApplyFailed(f"{failed[0]}; nothing else was sent: the menu and the id mapping are unchanged")
    found: dict[str, str] = {}
    until = time.monotonic() + deadline
    for op, file_id in zip(ops, started, strict=True):
        assert isinstance(file_id, str)
        url = await _ready(session, op, file_id, until, deadline)
        key = op.binds[0][2]
        found[f"{MEDIA}:{key}"], found[f"{MEDIA_URL}:{key}"] = file_id, url
    return found


async def _start(session: Session, op: Operation) -> str:
    body = {k: v for k, v in (op.body or {}).items() if k != FILE}
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
    local = (op.body or {})[FILE]
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


async def _ready(session: Session, op: Operation, file_id: str, until: float, deadline: float) -> str:
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
                f"{op.summary}: the image was not processed within {deadline:.0f} s (still {status}); "
                "nothing else was sent: the menu and the id mapping are unchanged"
            )
        await asyncio.sleep(pause)  # Wix processes files asynchronously; ask again shortly
        pause = min(pause * 2, 2.0)
