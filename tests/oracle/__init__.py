"""An oracle for convergence and atomicity tests, independent of the code under test.

Property tests used to judge "apply converged" with reconcile's own reader, essence and verify,
so a bug that lost information on both sides (a field never written and never read) was
invisible. This package shares no code with ``reconciler/``:

* :mod:`tests.oracle.wire` reads the emulator's raw API over plain HTTP/JSON;
* :mod:`tests.oracle.board` renders from it what a diner of the location can see;
* :mod:`tests.oracle.catalog` computes what the diner *should* see from the catalog file alone.

Convergence: ``board(...) == expected(...)``. Atomicity: a failed apply leaves ``snapshot(...)``
(every entity of the location as the API returns it, revisions and dates aside) as it was.
"""

from __future__ import annotations

import difflib
import json

import httpx

from tests.oracle import wire
from tests.oracle.board import menus_board, v3_board
from tests.oracle.catalog import expected_board, read_file

VOLATILE = ("revision", "createdDate", "updatedDate")  # Menus (New): every write moves them

__all__ = ["VOLATILE", "board", "expected", "mismatch", "read_file", "snapshot", "visible"]


def board(client: httpx.Client, api: str, location: str | None = None) -> list[dict]:
    """What a diner of ``location`` (id or name; the only one if None) sees on an ``api`` site."""
    location_id = wire.location_id(client, location)
    if api == "v3":
        raw = wire.read_v3(client, location_id)
        for item in raw["items"]:
            item["imageUrl"] = _source(client, item.get("imageUrl"))
        return v3_board(raw)
    raw = wire.read_menus(client)
    for item in raw["items"]:
        if isinstance(item.get("image"), dict):
            item["image"] = {**item["image"], "url": _source(client, item["image"].get("url"))}
    return menus_board(raw, location_id)


def _source(client: httpx.Client, url: object) -> object:
    """A dish image as the catalog named it: a Media Manager file imported from a URL is shown as
    that URL (the file's ``sourceUrl``), an uploaded one as ``md5:<hash>`` of its bytes (the
    emulator's ``hash``, docs/emulator.md M4), both read over plain HTTP; anything else as it is."""
    media = "https://static.wixstatic.com/media/"
    if not isinstance(url, str) or not url.startswith(media):
        return url
    answer = client.get("/site-media/v1/files/get-file-by-id", params={"fileId": url[len(media) :]})
    file = (answer.json().get("file") or {}) if answer.status_code == 200 else {}
    if file.get("operationStatus") != "READY":
        return url
    return file.get("sourceUrl") or (f"md5:{file['hash']}" if file.get("hash") else url)


def visible(menus: list[dict]) -> list[dict]:
    """Only what a diner literally sees: hidden menus, sections and dishes left out entirely."""
    shown = []
    for menu in menus:
        if not menu["visible"]:
            continue
        sections = [{**s, "dishes": [d for d in s["dishes"] if d["visible"]]} for s in menu["sections"] if s["visible"]]
        shown.append({**menu, "sections": sections})
    return shown


def expected(data: dict, api: str) -> list[dict]:
    """What a diner should see once the catalog ``data`` (the file's plain mapping) is applied."""
    return expected_board(data, api)


def snapshot(client: httpx.Client, api: str, location: str | None = None) -> dict:
    """Every entity of the site as the API returns it (archived ones too), minus revisions and dates."""
    if api == "v3":
        return wire.read_v3(client, wire.location_id(client, location), archived=True)
    return {
        service: sorted(({k: v for k, v in e.items() if k not in VOLATILE} for e in entities), key=lambda e: e["id"])
        for service, entities in wire.read_menus(client).items()
    }


def mismatch(actual: object, wanted: object, labels: tuple[str, str] = ("live", "expected")) -> str:
    """ "" when equal, else a unified diff of the two as indented JSON (for assertion messages)."""
    if actual == wanted:
        return ""
    lines = [json.dumps(x, indent=1, sort_keys=True, ensure_ascii=False).splitlines() for x in (actual, wanted)]
    return "\n".join(difflib.unified_diff(lines[0], lines[1], *labels, lineterm="", n=4))
