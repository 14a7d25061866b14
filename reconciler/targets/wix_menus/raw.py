"""A live Menus (New) site as read: every service's list, as the API returned it.

Reading only (read.py interprets what is read): a plan the plan memo answers (engine/memo.py)
reads the live side with nothing but this module, the client and the snapshot loaded.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field

from reconciler.canonical import JsonObject, fingerprint
from reconciler.engine.vocabulary import Kind
from reconciler.state.mapping import Intent
from reconciler.targets.wix_menus import online
from reconciler.targets.wix_menus.capabilities import namespace
from reconciler.targets.wix_menus.client import SERVICES, MenusApi

SETTINGS = "settings"  # the raw list of Menu Ordering Settings (not an entity kind of ours)


@dataclass
class RawSite:
    lists: dict[str, list[JsonObject]]  # service (an id namespace) -> entities
    # On a site of several locations, the ones this read is for (one, or those a shared plan
    # spans): what "moved" means is then limited to what they reach (entities are site-wide;
    # another location's apply, or its unattached build, is no change to this plan). None: the
    # whole site counts.
    locations: frozenset[str] | None = None
    only: frozenset[str] | None = None  # a read of some entities (fetch_entities): their Wix ids; None: the site
    # A hash of what this read is made of (reader.py); None when it was not read that way.
    digest: str | None = field(default=None, compare=False, repr=False)

    def fingerprint(self) -> str:
        return fingerprint(sorted(self.hashes().items()))

    def hashes(self) -> dict[str, str]:
        return self._hashes

    @functools.cached_property
    def _hashes(self) -> dict[str, str]:
        # Once per read: a plan asks for the fingerprint and the hashes (31,000 entities at 10,000 dishes).
        # Revisions and dates change on every write, so they are part of what "moved" means.
        reached = self._reached() if self.only is None else None
        return {
            e["id"]: fingerprint(e)
            for entities in self.lists.values()
            for e in entities
            if e.get("id") and (reached is None or e["id"] in reached)
        }

    def _reached(self) -> set[str] | None:
        """The Wix ids this location's diners reach (its menus and everything below), or None."""
        if self.locations is None:
            return None
        known = {e["id"]: e for entities in self.lists.values() for e in entities if e.get("id")}
        todo = [
            m["id"]
            for m in self.lists.get("menu") or []
            if m.get("businessLocationId") is None or m.get("businessLocationId") in self.locations
        ]
        reached: set[str] = set()
        while todo:
            wix_id = todo.pop()
            if wix_id in reached or wix_id not in known:
                continue
            reached.add(wix_id)
            entity = known[wix_id]
            todo += entity.get("sectionIds") or []
            todo += entity.get("itemIds") or []
            todo += [ref for _, ref in item_refs(entity)]
            todo += [m["id"] for m in entity.get("modifiers") or [] if m.get("id")]
        # The Online Orders side: the settings of the menus reached, the closures of their operation.
        settings = [x for x in self.lists.get(SETTINGS) or [] if x.get("menuId") in reached]
        operations = {x.get("operationId") for x in settings if x.get("operationId")}
        closures = self.lists.get(namespace(Kind.CLOSURE)) or []
        reached |= {str(x["id"]) for x in settings if x.get("id")}
        reached |= {str(x["id"]) for x in closures if x.get("id") and x.get("operationId") in operations}
        return reached

    def existing_ids(self) -> set[str]:
        return {e["id"] for entities in self.lists.values() for e in entities if e.get("id")}

    def find_intended(self, intents: list[Intent], taken: set[str]) -> dict[int, str]:
        """The entities the recorded creates made (intent index -> Wix id), among those nobody knows."""
        # Imported here: only a read after an interrupted run has intents to recognise, and what
        # recognises them (naming, records) is the interpreting side, which a plan the plan memo
        # answers does not load (raw.py reads; read.py interprets).
        from reconciler.targets.wix_menus import recognise

        found: dict[int, str] = {}
        by_service: dict[str, list[int]] = {}
        for index, intent in enumerate(intents):
            by_service.setdefault(intent.namespace, []).append(index)
        for service, indexes in by_service.items():
            since = min(intents[i].staged for i in indexes)
            payloads = [intents[i].payload for i in indexes]
            matched = recognise.match(
                service,
                payloads,
                self.lists.get(service) or [],
                taken | set(found.values()),
                since,
                location=self.locations,
                in_use=recognise.labels_in_use(self.lists.get("item") or []) if service == "label" else set(),
            )
            found.update({indexes[position]: wix_id for position, wix_id in matched.items()})
        return found


async def fetch(api: MenusApi, locations: frozenset[str] | None = None) -> RawSite:
    """Every entity of the site; ``locations`` limits what counts as moved (see ``RawSite``)."""
    services = list(SERVICES)
    results, (settings, exceptions) = await asyncio.gather(
        asyncio.gather(*(api.list_all(service) for service in services)), online.fetch(api.session)
    )
    lists = dict(zip(services, results, strict=True))
    lists[SETTINGS] = settings
    lists[namespace(Kind.CLOSURE)] = exceptions
    return RawSite(lists, locations)


def item_refs(item: JsonObject) -> list[tuple[Kind, str]]:
    refs: list[tuple[Kind, str | None]] = [(Kind.OPTION_GROUP, g.get("id")) for g in item.get("modifierGroups") or []]
    refs += [(Kind.LABEL, label.get("id")) for label in item.get("labels") or []]
    refs += [(Kind.VARIANT, v.get("variantId")) for v in ((item.get("priceVariants") or {}).get("variants") or [])]
    return [(kind, wix_id) for kind, wix_id in refs if wix_id]
