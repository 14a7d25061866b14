"""The Menus (New) build as a flow (targets/wix_menus/schedule.py): a create starts once what it
names exists, not when the whole step before it has finished; intents before sending; after a
failure nothing more is sent and the calls in flight are waited for."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from reconciler.canonical import JsonObject
from reconciler.engine.plan import Operation, fill_placeholders, ref
from reconciler.engine.vocabulary import Phase
from reconciler.targets.wix_menus import schedule
from reconciler.targets.wix_menus.schedule import Failed


def _create(step: int, service: str, local: str, body: JsonObject) -> Operation:
    return Operation(
        step,
        f"{service}.create",
        "POST",
        f"/{service}",
        body,
        f"create {local}",
        ((0, service, local),),
        False,
        Phase.BUILD,
    )


MODIFIER = _create(0, "modifier", "m", {"modifiers": [{"name": "Oat"}]})
GROUP = _create(1, "group", "g", {"modifierGroups": [{"modifiers": [ref("modifier", "m")]}]})
ITEM_WITH_GROUP = _create(2, "item", "with", {"items": [{"modifierGroups": [ref("group", "g")]}]})
ITEM_ALONE = _create(2, "item", "alone", {"items": [{"name": "Tea", "labels": [ref("label", "old")]}]})
SECTION = _create(3, "section", "s", {"sections": [{"itemIds": [ref("item", "with"), ref("item", "alone")]}]})
PLAN = [MODIFIER, GROUP, ITEM_WITH_GROUP, ITEM_ALONE, SECTION]


class Site:
    """Answers creates as the test says; logs what happened, in order."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = known
        self.log: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.failing: set[str] = set()
        self.in_flight = 0
        self.most = 0

    def gate(self, local: str) -> asyncio.Event:
        return self.gates.setdefault(local, asyncio.Event())

    def payloads(self, op: Operation) -> list[JsonObject]:
        body = fill_placeholders(op.body, self.known)
        return list(next(iter(body.values())))

    def intend(self, ready: list[tuple[Operation, list[JsonObject]]]) -> None:
        self.log += [f"intend {op.binds[0][2]}" for op, _ in ready]

    async def create(self, op: Operation, sent: list[JsonObject]) -> None:
        _, service, local = op.binds[0]
        assert f"intend {local}" in self.log  # recorded before it is sent
        self.log.append(f"send {local}")
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            if local in self.gates:
                await self.gates[local].wait()
            else:
                await asyncio.sleep(0)
            if local in self.failing:
                raise Failed(f"create {local} failed")
            self.known[f"{service}:{local}"] = f"wix-{local}"
            self.log.append(f"done {local}")
        finally:
            self.in_flight -= 1


def _raise_first(failures: Sequence[BaseException]) -> None:
    raise failures[0]


async def _flow(site: Site, concurrency: int = 4) -> None:
    await schedule.flow(PLAN, site.known, site.payloads, site.intend, site.create, concurrency, _raise_first)


def test_a_create_starts_once_what_it_names_exists_not_after_the_step_before() -> None:
    async def scenario() -> Site:
        site = Site({"label:old": "wix-old"})
        modifier = site.gate("m")
        task = asyncio.ensure_future(_flow(site))
        for _ in range(5):
            await asyncio.sleep(0)
        # The modifier is still being created: the item that names nothing new is sent already,
        # the group (it names the modifier) and what names the group wait.
        assert "send alone" in site.log and "done alone" in site.log
        assert not any(entry in site.log for entry in ("send g", "send with", "send s"))
        modifier.set()
        await task
        return site

    site = asyncio.run(scenario())
    log = site.log
    assert log.index("done m") < log.index("send g") < log.index("done g") < log.index("send with")
    assert log.index("send s") > max(log.index("done with"), log.index("done alone"))
    assert site.known["section:s"] == "wix-s"


def test_at_most_concurrency_creates_are_in_flight() -> None:
    ops = [_create(0, "variant", f"v{n}", {"variants": [{"name": f"v{n}"}]}) for n in range(9)]

    async def scenario() -> Site:
        site = Site({})
        await schedule.flow(ops, site.known, site.payloads, site.intend, site.create, 2, _raise_first)
        return site

    site = asyncio.run(scenario())
    assert site.most == 2 and sum(entry.startswith("done") for entry in site.log) == 9


def test_after_a_failure_nothing_more_is_sent_and_the_calls_in_flight_are_waited_for() -> None:
    async def scenario() -> Site:
        site = Site({"label:old": "wix-old"})
        site.failing.add("m")
        site.gate("alone")  # in flight when the modifier fails
        task = asyncio.ensure_future(_flow(site))
        for _ in range(5):
            await asyncio.sleep(0)
        assert not task.done()  # waits for the item in flight
        site.gates["alone"].set()
        with pytest.raises(Failed, match="create m failed"):
            await task
        return site

    site = asyncio.run(scenario())
    assert "done alone" in site.log  # its entity is known: compensation deletes it
    assert not any(entry in site.log for entry in ("send g", "send with", "send s"))


def test_a_create_naming_what_no_create_binds_is_not_sent_by_the_flow() -> None:
    async def scenario() -> Site:
        site = Site({"label:old": "wix-old"})
        await schedule.flow([ITEM_ALONE], site.known, site.payloads, site.intend, site.create, 4, _raise_first)
        return site

    assert asyncio.run(scenario()).log == ["intend alone", "send alone", "done alone"]
    assert schedule.needs(PLAN) == [set(), {"modifier:m"}, {"group:g"}, set(), {"item:with", "item:alone"}]
