"""Execute a Menus (New) plan: build detached, cut over in one step, clean up; or compensate.

See planner.py for the phases. This module runs them and keeps the promise when something fails
before the cut-over is complete: every update that happened (or may have: its response was lost)
is put back with a fresh revision, everything the run created is deleted, and entities created by a
call whose response was lost are found by name among the entities that did not exist at plan time.
The live site then equals its before-state (revisions and dates aside). A stale revision at the
cut-over (someone edited an entity since the plan) is such a failure; the next plan shows the edit
as drift.

The cut-over window (first cut-over call sent → last one answered) is measured and reported: it is
the only time a diner could see part of the old menu and part of the new one.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

from reconciler.canonical import JsonObject
from reconciler.engine.plan import Operation, Plan, fill_placeholders
from reconciler.engine.vocabulary import Namespace, Phase
from reconciler.errors import ApiError, ApplyFailed, ApplyOutcomeUnknown, TemporaryApiError
from reconciler.targets.base import ExecutionResult, Progress, Stage
from reconciler.targets.calls import CallCount
from reconciler.targets.wix_menus import client, convert, ordering_calls
from reconciler.targets.wix_menus.capabilities import KIND_OF
from reconciler.targets.wix_menus.client import MenusApi
from reconciler.targets.wix_menus.planner import DELETE_ORDER
from reconciler.targets.wix_menus.read import _record

log = logging.getLogger(__name__)
_PATH_REF = re.compile(r"\{([a-z]+:[^{}]+)\}")


class _Failed(Exception):
    def __init__(self, message: str, stale: bool = False) -> None:
        super().__init__(message)
        self.stale = stale


# What each phase may do, by SDK function (``<service>.<function>``): the promise of the messages
# below (a failure before the cut-over leaves the live site as it was) holds only for these.
_PHASE_CALLS = {
    Phase.BUILD: (".create", ".bulkCreate"),
    Phase.CUT_OVER: (".update", ".bulkUpdate"),
    Phase.CLEAN_UP: (".delete", ".bulkDelete"),
}


def _check_shape(operations: tuple[Operation, ...]) -> None:
    """Refuse, before any call, a plan whose calls do not do what their phase promises."""
    wrong = [op for op in operations if not _fits(op)]
    if wrong:
        raise ApplyFailed(
            f"{len(wrong)} call(s) of the plan do not fit their phase (creates build, updates with an undo cut "
            f"over, deletes clean up), the first {wrong[0].call[:80]!r}; nothing was sent"
        )


def _fits(op: Operation) -> bool:
    if ordering_calls.handles(op):  # Online Orders calls: checked and undone by their own module
        return True
    if op.phase is None or op.phase not in _PHASE_CALLS:
        return False
    if not any(word in op.call for word in _PHASE_CALLS[op.phase]):
        return False
    return op.phase != Phase.CUT_OVER or op.undo is not None


class MenusExecutor:
    def __init__(self, api: MenusApi, concurrency: int = 4, progress: Progress | None = None) -> None:
        self.api = api
        self.concurrency = max(1, concurrency)
        self.progress: Progress = progress or (lambda phase, what, done, total: None)
        self.leftover = False  # a failed run compensates; what clean-up leaves, the next plan deletes

    async def run(self, plan: Plan, stage: Stage) -> ExecutionResult:
        _check_shape(plan.operations)
        count = CallCount(self.api.session.stats)
        ids, revisions = dict(plan.ids), dict(plan.revisions)
        created: dict[str, str] = {}
        self._applied: list[tuple[Operation, int]] = []  # cut-over elements that happened (or may have)
        self._unsure_creates: list[Operation] = []
        self._unsure_orders: list[Operation] = []  # closures whose creation we could not confirm
        result = ExecutionResult(created=created)
        total, done = len(plan.operations), 0
        phases = {phase: sorted({o.step for o in plan.operations if o.phase == phase}) for phase in Phase}
        try:
            for step in phases[Phase.BUILD]:
                batch = [o for o in plan.operations if o.step == step]
                self.progress(Phase.BUILD, "build: " + ", ".join(sorted({o.call for o in batch})), done, total)
                await self._step(batch, ids, revisions, created)
                done += len(batch)
                stage(created, partial=True)  # a killed run's creations stay known
            for step in phases[Phase.CUT_OVER]:
                batch = [o for o in plan.operations if o.step == step]
                self.progress(Phase.CUT_OVER, f"cut-over: {len(batch)} calls at once", done, total)
                started = time.monotonic()
                self._conflicts: list[tuple[Operation, int]] = []
                try:
                    await self._step(batch, ids, revisions, created, cut_over=True)
                    if self._conflicts:
                        await self._settle_conflicts(ids, revisions)
                finally:
                    result.cutover_seconds = time.monotonic() - started
                done += len(batch)
            stage(created)
        except _Failed as failure:
            await self._compensate(plan, ids, created)
            advice = (
                " Someone edited it since the plan was made: run `reconcile plan` again (it shows the edit as drift)."
                if failure.stale
                else ""
            )
            raise ApplyFailed(
                f"{failure}; every change was rolled back and the live site is as it was.{advice}"
            ) from None
        for step in phases[Phase.CLEAN_UP]:
            batch = [o for o in plan.operations if o.step == step]
            self.progress(Phase.CLEAN_UP, "clean-up: " + ", ".join(sorted({o.call for o in batch})), done, total)
            try:
                await self._step(batch, ids, revisions, created)
            except _Failed as failure:
                result.warnings.append(
                    f"clean-up stopped ({failure}); the entities not deleted are detached and "
                    "invisible, and the next apply deletes them"
                )
                break
            done += len(batch)
        self.progress(Phase.CLEAN_UP, "done", total, total)
        result.calls = count.made()
        return result

    # -- running calls ---------------------------------------------------------------------------
    async def _step(
        self,
        batch: list[Operation],
        ids: dict[str, str],
        revisions: dict[str, str],
        created: dict[str, str],
        cut_over: bool = False,
    ) -> None:
        limit = asyncio.Semaphore(self.concurrency)

        async def one(op: Operation) -> None:
            async with limit:
                path = _PATH_REF.sub(lambda m: ids[m.group(1)], op.path)
                body = fill_placeholders(op.body, ids, revisions)
                if ordering_calls.handles(op):
                    await self._orders_call(op, path, body, ids, revisions, created, cut_over)
                    return
                try:
                    response = await self.api.call(op.call, op.method, path, body, idempotent=op.idempotent)
                except ApiError as exc:
                    if cut_over and exc.status == 409 and "results" not in (op.body or {}):
                        self._conflicts.append((op, 0))  # settled after the step: see _settle_conflicts
                        return
                    if cut_over and (isinstance(exc, TemporaryApiError) or exc.status is None):
                        self._applied += [(op, i) for i in range(_elements(op))]  # it may have happened
                    if op.binds and isinstance(exc, TemporaryApiError):
                        self._unsure_creates.append(op)
                    raise _Failed(f"{op.summary} failed: {exc}", stale=exc.status == 409) from exc
                self._check(op, response, ids, revisions, created, cut_over)

        results = await asyncio.gather(*(one(op) for op in batch), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            first = next((f for f in failures if isinstance(f, _Failed) and f.stale), failures[0])
            if not isinstance(first, _Failed):
                raise first
            raise first

    async def _orders_call(
        self,
        op: Operation,
        path: str,
        body: JsonObject | None,
        ids: dict[str, str],
        revisions: dict[str, str],
        created: dict[str, str],
        cut_over: bool,
    ) -> None:
        """An Online Orders call (ordering_calls.py): no bulk elements, no revision settling."""
        try:
            response = await self.api.call(op.call, op.method, path, body, idempotent=op.idempotent)
        except ApiError as exc:
            if cut_over and (isinstance(exc, TemporaryApiError) or exc.status is None):
                self._applied.append((op, 0))  # it may have happened
                if op.binds:
                    self._unsure_orders.append(op)
            raise _Failed(f"{op.summary} failed: {exc}", stale=exc.status == 409) from exc
        ordering_calls.learn(op, response, ids, revisions, created)
        if cut_over:
            self._applied.append((op, 0))

    def _check(
        self,
        op: Operation,
        response: JsonObject,
        ids: dict[str, str],
        revisions: dict[str, str],
        created: dict[str, str],
        cut_over: bool,
    ) -> None:
        spec = _service_of(op)
        if "results" not in response:  # single create / update / delete
            entity = response.get(spec.entity) or {}
            for _, kind, local_id in op.binds:
                ids[f"{kind}:{local_id}"] = created[f"{kind}:{local_id}"] = entity["id"]
                revisions[f"{kind}:{local_id}"] = str(entity.get("revision", "1"))
            if cut_over:
                self._applied.append((op, 0))
            return
        failed, stale = [], False
        for position, result in enumerate(response.get("results") or []):
            meta: JsonObject = next((v for k, v in result.items() if k.endswith("Metadata")), {}) or {}
            index = meta.get("originalIndex", position)
            if not meta.get("success"):
                error = meta.get("error") or {}
                if cut_over and error.get("code") == "INVALID_REVISION":
                    self._conflicts.append((op, index))  # settled after the step: see _settle_conflicts
                    continue
                stale = stale or error.get("code") == "INVALID_REVISION"
                failed.append(f"element {index}: {error.get('code', 'failed')} {error.get('description', '')}".strip())
                continue
            if cut_over:
                self._applied.append((op, index))
            for bound_index, kind, local_id in op.binds:
                if bound_index == index:
                    entity = next((v for k, v in result.items() if not k.endswith("Metadata")), None) or {}
                    ids[f"{kind}:{local_id}"] = created[f"{kind}:{local_id}"] = meta["id"]
                    revisions[f"{kind}:{local_id}"] = str(entity.get("revision", "1"))
        if failed:
            raise _Failed(f"{op.summary}: {'; '.join(failed[:5])}", stale=stale)

    # -- revision conflicts at the cut-over -------------------------------------------------------
    async def _settle_conflicts(self, ids: dict[str, str], revisions: dict[str, str]) -> None:
        """An update was refused for a stale revision. Read the entity and decide why:

        * it already holds what we sent: an earlier attempt of ours landed, its answer was lost;
        * it holds what it held at plan time: only its revision moved (Wix bumps revisions when a
          link changes the entity's derived locations): send the update again with the new one;
        * anything else: someone edited it since the plan was made: stop and compensate.
        """
        retry: list[tuple[Operation, int, JsonObject]] = []
        for op, index in self._conflicts:
            service = _service_key(op)
            element = _elements_of(op)[index]
            wix_id = _entity_id(op, element, ids)
            current = {e["id"]: e for e in await self.api.fetch_by_ids(service, [wix_id])}.get(wix_id)
            sent = fill_placeholders({k: v for k, v in element.items() if k not in ("id", "revision")}, ids, revisions)
            before = (op.undo or {}).get("elements", [None] * (index + 1))[index]
            if current is not None and _same(service, current, sent):
                self._applied.append((op, index))
            elif current is not None and (before is None or _same(service, current, before)):
                retry.append((op, index, {**sent, "id": wix_id, "revision": current.get("revision")}))
            else:
                raise _Failed(f"{op.summary}: {service} {wix_id} has a newer revision", stale=True)
        for op, index, entity in retry:
            spec = _service_of(op)
            service = _service_key(op)
            try:
                if service == "label":
                    operation, method, path = client.single_update(service, entity["id"])
                    await self.api.call(operation, method, path, {spec.entity: entity})
                else:
                    element = {spec.entity: entity}
                    if service != "variant":
                        element["mask"] = convert.mask(service)
                    operation, method, path = client.bulk_update(service)
                    response = await self.api.call(operation, method, path, {spec.list_key: [element]})
                    if (response.get("bulkActionMetadata") or {}).get("totalFailures"):
                        raise _Failed(f"{op.summary}: {service} {entity['id']} keeps changing", stale=True)
            except ApiError as exc:
                raise _Failed(f"{op.summary}: {exc}", stale=exc.status == 409) from exc
            self._applied.append((op, index))

    # -- compensation ----------------------------------------------------------------------------
    async def _compensate(self, plan: Plan, ids: dict[str, str], created: dict[str, str]) -> None:
        problems: list[str] = []
        await self._undo_updates(ids, problems)
        by_service: dict[str, list[str]] = {}
        for key, wix_id in created.items():
            by_service.setdefault(key.split(":", 1)[0], []).append(wix_id)
        before_ids = set(plan.live_hashes)
        for op in self._unsure_creates:  # entities whose creation we could not confirm
            service = op.binds[0][1]
            names = {e.get("name") for e in _elements_of(op)}
            try:
                for entity in await self.api.list_all(service):
                    if (
                        entity["id"] not in before_ids
                        and entity.get("name") in names
                        and entity["id"] not in by_service.get(service, [])
                    ):
                        by_service.setdefault(service, []).append(entity["id"])
            except ApiError as exc:
                problems.append(f"could not look for entities a lost create may have made: {exc}")
        closures = by_service.pop("closure", [])
        closures += await ordering_calls.unsure(self.api, self._unsure_orders, before_ids, problems)
        await ordering_calls.delete(self.api, sorted(set(closures)), problems)
        for services in DELETE_ORDER:
            for service in services:
                await self._delete(service, sorted(set(by_service.get(service, []))), problems)
        if problems:
            raise ApplyOutcomeUnknown(
                "the run failed and undoing it did not complete: "
                + "; ".join(problems[:5])
                + ". Run `reconcile plan` to see the live site."
            )

    async def _undo_updates(self, ids: dict[str, str], problems: list[str]) -> None:
        undo: dict[str, dict[str, JsonObject]] = {}  # service -> Wix id -> before payload
        await ordering_calls.undo(
            self.api, [op for op, _ in self._applied if ordering_calls.handles(op)], ids, problems
        )
        for op, index in self._applied:
            if ordering_calls.handles(op):
                continue
            before = (op.undo or {}).get("elements", [None] * (index + 1))[index]
            if before is None:
                continue  # built by this run: it is deleted instead
            service = _service_key(op)
            wix_id = _entity_id(op, _elements_of(op)[index], ids)
            undo.setdefault(service, {})[wix_id] = before
        for service, entities in undo.items():
            spec = client.SERVICES[service]
            try:
                current = {e["id"]: e for e in await self.api.fetch_by_ids(service, sorted(entities))}
                for wix_id, before in sorted(entities.items()):
                    entity = {"id": wix_id, "revision": current.get(wix_id, {}).get("revision"), **before}
                    if service == "label":
                        operation, method, path = client.single_update(service, wix_id)
                        await self.api.call(operation, method, path, {spec.entity: entity})
                        continue
                    operation, method, path = client.bulk_update(service)
                    element: JsonObject = {spec.entity: entity}
                    if service != "variant":
                        element["mask"] = convert.mask(service)
                    response = await self.api.call(operation, method, path, {spec.list_key: [element]})
                    if (response.get("bulkActionMetadata") or {}).get("totalFailures"):
                        problems.append(f"could not put back {service} {wix_id}")
            except ApiError as exc:
                problems.append(f"could not put back {service} updates: {exc}")

    async def _delete(self, service: str, wix_ids: list[str], problems: list[str]) -> None:
        spec = client.SERVICES[service]
        try:
            if service == "menu":
                for wix_id in wix_ids:
                    await self.api.call(*client.single_delete(service, wix_id))
                return
            for start in range(0, len(wix_ids), spec.delete_limit):
                operation, method, path = client.bulk_delete(service, wix_ids[start : start + spec.delete_limit])
                await self.api.call(operation, method, path)
        except ApiError as exc:
            problems.append(f"could not delete the {service}s this run created: {exc}")


def _entity_id(op: Operation, element: JsonObject, ids: dict[str, str]) -> str:
    if "id" in element:
        return str(fill_placeholders(element["id"], ids, {}))
    return _PATH_REF.sub(lambda m: ids[m.group(1)], op.path).rsplit("/", 1)[-1]


def _same(service: str, current: JsonObject, fields: JsonObject) -> bool:
    """Whether writing ``fields`` onto ``current`` would change nothing that reconcile manages."""
    kind = KIND_OF[Namespace(service)]
    same = lambda wix_id: wix_id  # noqa: E731 - compare in Wix ids
    return _record(kind, {**current, **fields}, same, None) == _record(kind, current, same, None)


def _service_key(op: Operation) -> str:
    prefix = op.call.split(".", 1)[0]
    return next(kind for kind, spec in client.SERVICES.items() if spec.name == prefix)


def _service_of(op: Operation) -> client.MenusService:
    return client.SERVICES[_service_key(op)]


def _elements_of(op: Operation) -> list[JsonObject]:
    spec = _service_of(op)
    body = op.body or {}
    if spec.list_key in body:
        return [e.get(spec.entity, e) if isinstance(e, dict) else e for e in body[spec.list_key]]
    if spec.entity in body:
        return [body[spec.entity]]
    return []


def _elements(op: Operation) -> int:
    return max(1, len(_elements_of(op)))
