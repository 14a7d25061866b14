"""The live Wix Catalogs v3 catalog as read: the three lists, and their answers before decoding.

Reading only (read.py interprets what is read): a plan the plan memo answers (engine/memo.py)
reads the live side and hashes the answers' bytes with nothing but this module loaded.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from dataclasses import dataclass, field

from reconciler import jsonio
from reconciler.canonical import JsonObject, fingerprint
from reconciler.http import listing
from reconciler.state.mapping import Intent
from reconciler.targets.wix_v3.client import LISTS, CatalogsV3

FORMAT = "wix-v3-answers/1"


@dataclass
class RawLive:
    """The three lists as Wix returns them (archived entities included)."""

    menus: list[JsonObject]
    sections: list[JsonObject]
    items: list[JsonObject]
    only: frozenset[str] | None = None  # a read of some items (fetch_entities): their Wix ids; None: everything
    # A hash of the answers' bytes this read decoded (:class:`Answers`); None when it was not read whole.
    digest: str | None = field(default=None, compare=False, repr=False)

    def fingerprint(self) -> str:
        return fingerprint(sorted(self.hashes().items()))

    @functools.cached_property
    def _hashes(self) -> dict[str, str]:
        return {e["id"]: fingerprint(e) for e in [*self.menus, *self.sections, *self.items] if e.get("id")}

    def hashes(self) -> dict[str, str]:
        """A hash per live entity (by Wix id): what a stale-plan message compares."""
        return self._hashes

    def existing_ids(self) -> set[str]:
        # Archived entities are as good as gone: a run whose ids are only archived did not publish.
        return {e["id"] for e in [*self.menus, *self.sections, *self.items] if e.get("id") and not e.get("archived")}

    def find_intended(self, intents: list[Intent], taken: set[str]) -> dict[int, str]:
        return {}  # creates happen inside a draft: a run that dies leaves nothing live to find


@dataclass(frozen=True)
class Answers:
    """The answers of the three lists as they came (bytes), and a hash of all of them: two reads
    with the same digest hold the same catalog, so a plan memo keyed by it needs nothing decoded."""

    api: CatalogsV3
    catalog_id: str
    bodies: tuple[bytes, ...]  # menus, sections, items, in the order of client.LISTS

    @functools.cached_property
    def digest(self) -> str:
        digest = hashlib.sha256(FORMAT.encode() + b"\0")
        for body in self.bodies:
            digest.update(f"{len(body)}\0".encode())
            digest.update(body)
        return digest.hexdigest()

    async def raw(self) -> RawLive:
        """The lists decoded, as :func:`fetch` returns them; an answer that is not JSON (which the
        decoding call retries, or refuses with its error) is read again through that call."""
        lists = []
        for (operation, key, _), body in zip(LISTS, self.bodies, strict=True):
            try:
                data = jsonio.answer(body)
            except jsonio.JsonInvalid:
                return await fetch(self.api, self.catalog_id)
            lists.append(listing(data, key, operation))
        menus, sections, items = lists
        return RawLive(menus, sections, items, digest=self.digest)


async def answers(api: CatalogsV3, catalog_id: str) -> Answers:
    """The three lists at once, undecoded."""
    bodies = await asyncio.gather(*(api.list_bytes(catalog_id, kind) for _, _, kind in LISTS))
    return Answers(api, catalog_id, tuple(bodies))


async def fetch(api: CatalogsV3, catalog_id: str) -> RawLive:
    menus, sections, items = await asyncio.gather(
        api.list_menus(catalog_id), api.list_sections(catalog_id), api.list_items(catalog_id)
    )
    return RawLive(menus, sections, items)
