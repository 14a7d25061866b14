"""Execute a Menus (New) plan: build detached, cut over in one step, clean up; or compensate.

See planner.py for the phases and docs/menus-new-atomicity.md for the guarantee. What this module
adds is how each kind of failure is met:

* **Build.** The creates run as a flow (schedule.py): each is sent once what it names exists.
  Before a create is sent, what it will create is recorded (``stage.intend``), so a
  run killed while waiting for the answer leaves nothing the next run cannot find. A create whose
  answer was lost (5xx, timeout, dropped connection) may have run: the entities are looked for
  by what was sent (``recognise``); those found are used, the rest are created again. The run goes
  on, as a v3 apply goes on with a fresh draft; nothing is duplicated.
* **Cut-over.** Every element is a :class:`~writes.Write`. Updates are sent without the session's
  blind retries, so the run knows when an answer was lost: the call is sent again, and a stale
  revision on that second send, with the entity holding exactly what was sent, is this run's own
  write landing. A stale revision where only the revision moved (Wix bumps it when a link changes
  an entity's derived locations) is sent again with the new one. Anything else (the entity holds
  something else, or holds what this run wanted without this run having sent it, as a concurrent
  apply would leave it) is someone else's write: the run stops and compensates.
* **Compensation** (``undo``) restores only this run's writes, and only where the entity still
  holds what this run wrote; it goes on past an entity it cannot restore, deletes what the run
  built unless something it could not restore still uses it, and names exactly what it could not
  undo (``ApplyOutcomeUnknown``, exit 9).
* **Online Orders** calls (ordering_calls.py: menu hours, ordering, closures) run with the
  cut-over one by one; compensation puts back what they changed and deletes the closures made.
* **Clean-up** deletes are irreversible and come after the cut-over: a failure there is a warning,
  and the next apply deletes the leftovers.

The cut-over window (first cut-over call sent → last one answered) is measured and reported: it is
the only time a diner could see part of the old menu and part of the new one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from reconciler.canonical import JsonObject
from reconciler.engine.plan import Operation, Plan, fill_placeholders
from reconciler.engine.vocabulary import Phase
from reconciler.errors import ApiError, ApplyFailed, ConflictingEdit
from reconciler.state.mapping import Intent
from reconciler.targets import media_run
from reconciler.targets.base import ExecutionResult, Progress, Stage
from reconciler.targets.calls import CallCount
from reconciler.targets.wix_menus import client, ordering_calls, recognise, schedule
from reconciler.targets.wix_menus.client import MenusApi
from reconciler.targets.wix_menus.schedule import Failed
from reconciler.targets.wix_menus.undo import compensate
from reconciler.targets.wix_menus.writes import (
    PATH_REF,
    Write,
    ambiguous,
    bulk_outcomes,
    bulk_results,
    check_shape,
    gone,
    regroup,
    same,
    service_key,
    service_of,
    update_call,
    writes_of,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

STALE_ADVICE = " Someone edited it since the plan was made: run `reconcile plan` again (it shows the edit as drift)."


@dataclass
class Progressed:
    """What the run did so far: what compensation works from."""

    plan: Plan
    ids: dict[str, str]
    revisions: dict[str, str]
    created: dict[str, str] = field(default_factory=dict)  # "<service>:<local id>" -> Wix id, this run's
    writes: list[Write] = field(default_factory=list)  # every cut-over element sent (or about to be)
    unsure: list[tuple[str, list[JsonObject]]] = field(default_factory=list)  # (service, payloads) never resolved
    orders: list[Operation] = field(default_factory=list)  # Online Orders calls that happened (or may have)
    unsure_orders: list[Operation] = field(default_factory=list)  # closure creates whose answer was lost

    def known(self) -> set[str]:
        """Wix ids that are not a lost create's: there at plan time, or created and answered."""
        return set(self.plan.live_hashes) | set(self.created.values())


class MenusExecutor:
    def __init__(
        self, api: MenusApi, concurrency: int = 4, attempts: int = 3, progress: Progress | None = None
    ) -> None:
        self.api = api
        self.concurrency = max(1, concurrency)
        self.attempts = max(1, attempts)
        self.progress: Progress = progress or (lambda phase, what, done, total: None)
        self.leftover = False  # a failed run compensates; what clean-up leaves, the next plan deletes

    async def run(self, plan: Plan, stage: Stage) -> ExecutionResult:
        check_shape(plan.operations)
        count = CallCount(self.api.session.stats)
        # Images first, before the build.
        found = await media_run.run(self.api.session, plan, self.progress, concurrency=self.concurrency)
        plan, stage = media_run.rest(plan, found), media_run.with_media(stage, found)
        run = Progressed(plan, dict(plan.ids), dict(plan.revisions))
        result = ExecutionResult(created=run.created)
        total, done = len(plan.operations), 0
        phases = {phase: sorted({o.step for o in plan.operations if o.phase == phase}) for phase in Phase}
        try:
            batch = [o for o in plan.operations if o.phase == Phase.BUILD]
            if batch:
                self.progress(Phase.BUILD, "build: " + ", ".join(sorted({o.call for o in batch})), done, total)
                await self._build(batch, run, stage)
                done += len(batch)
                stage(run.created, partial=True)  # the creations as mapping rows (till now: their intents)
            for step in phases[Phase.CUT_OVER]:
                batch = [o for o in plan.operations if o.step == step]
                self.progress(Phase.CUT_OVER, f"cut-over: {len(batch)} calls at once", done, total)
                started = time.monotonic()
                try:
                    await self._cut_over(batch, run)
                finally:
                    result.cutover_seconds = time.monotonic() - started
                done += len(batch)
            stage(run.created)
        except Failed as failure:
            await compensate(self.api, run, self.attempts, self._pause)  # raises ApplyOutcomeUnknown if it cannot
            advice = STALE_ADVICE if failure.stale else ""
            error = ConflictingEdit if failure.stale else ApplyFailed
            raise error(f"{failure}; every change was rolled back and the live site is as it was.{advice}") from None
        for step in phases[Phase.CLEAN_UP]:
            batch = [o for o in plan.operations if o.step == step]
            self.progress(Phase.CLEAN_UP, "clean-up: " + ", ".join(sorted({o.call for o in batch})), done, total)
            problems = await self._delete(batch, run)
            if problems:
                result.warnings.append(
                    f"clean-up stopped ({'; '.join(problems[:3])}); the entities not deleted are detached and "
                    "invisible, and the next apply deletes them"
                )
                break
            done += len(batch)
        self.progress(Phase.CLEAN_UP, "done", total, total)
        result.calls = count.made()
        return result

    async def _pause(self, attempt: int) -> None:
        """Back off before sending again, as the session does between its own retries."""
        wait = self.api.session.policy.delay(attempt, None)
        if wait > 0:
            await asyncio.sleep(wait)

    async def _bounded(self, jobs: list[Coroutine[Any, Any, T]]) -> list[T | BaseException]:
        """Run coroutines at most ``concurrency`` at a time; results (or exceptions) in order."""
        limit = asyncio.Semaphore(self.concurrency)

        async def one(job: Coroutine[Any, Any, T]) -> T:
            async with limit:
                return await job

        return await asyncio.gather(*(one(job) for job in jobs), return_exceptions=True)

    # -- build ------------------------------------------------------------------------------------
    async def _build(self, batch: list[Operation], run: Progressed, stage: Stage) -> None:
        """Every create of the run, each once what it names exists (schedule.py)."""

        def intend(ready: list[tuple[Operation, list[JsonObject]]]) -> None:
            stage.intend(
                [Intent(service, local_id, sent[index]) for op, sent in ready for index, service, local_id in op.binds]
            )

        await schedule.flow(
            batch,
            run.ids,
            lambda op: _payloads(op, run),
            intend,
            lambda op, sent: self._create(op, sent, run),
            self.concurrency,
            _raise_first,
        )

    async def _create(self, op: Operation, payloads: list[JsonObject], run: Progressed) -> None:
        service = service_key(op)
        spec = client.SERVICES[service]
        remaining = list(range(len(payloads)))
        last: ApiError | None = None
        for attempt in range(self.attempts):
            if attempt:
                await self._pause(attempt - 1)
            body = _create_body(op, service, [payloads[i] for i in remaining])
            try:
                response = await self.api.call(op.call, op.method, op.path, body, idempotent=False)
            except ApiError as exc:
                if not ambiguous(exc):
                    raise Failed(f"{op.summary} failed: {exc}") from exc
                last = exc
                remaining = await self._find_lost(op, service, payloads, remaining, run)
                if not remaining:
                    return
                log.warning("%s: answer lost (%s); %d not created, sending them again", op.summary, exc, len(remaining))
                continue
            if service == "label":
                self._record(op, remaining[0], response.get(spec.entity) or {}, run)
                return
            answered = bulk_results(response)
            failed = [
                (i, code, text) for i, (ok, code, text) in enumerate(bulk_outcomes(response, len(remaining))) if not ok
            ]
            for position, entity in answered.items():
                if 0 <= position < len(remaining):
                    self._record(op, remaining[position], entity, run)
            if failed:
                detail = "; ".join(f"element {remaining[i]}: {code} {text}".strip() for i, code, text in failed[:5])
                raise Failed(f"{op.summary}: {detail}")
            return
        raise Failed(f"{op.summary} failed: {last}")

    async def _find_lost(
        self, op: Operation, service: str, payloads: list[JsonObject], remaining: list[int], run: Progressed
    ) -> list[int]:
        """After a lost answer: record the entities it did create; return the indexes it did not."""
        try:
            entities = await self.api.list_all(service)
            in_use = recognise.labels_in_use(await self.api.list_all("item")) if service == "label" else set()
        except ApiError as exc:
            run.unsure.append((service, [payloads[i] for i in remaining]))
            raise Failed(f"{op.summary}: its answer was lost and the entities could not be looked for: {exc}") from exc
        places = recognise.places(run.plan.target.location_id)
        found = recognise.match(
            service, [payloads[i] for i in remaining], entities, run.known(), location=places, in_use=in_use
        )
        for position, wix_id in found.items():
            self._record(op, remaining[position], {"id": wix_id}, run)
        return [i for position, i in enumerate(remaining) if position not in found]

    @staticmethod
    def _record(op: Operation, index: int, entity: JsonObject, run: Progressed) -> None:
        for bound, service, local_id in op.binds:
            if bound == index and entity.get("id"):
                key = f"{service}:{local_id}"
                run.ids[key] = run.created[key] = entity["id"]
                run.revisions[key] = str(entity.get("revision", "1"))

    # -- cut-over ---------------------------------------------------------------------------------
    async def _cut_over(self, batch: list[Operation], run: Progressed) -> None:
        _raise_first(await self._bounded([self._order(op, run) for op in batch if ordering_calls.handles(op)]))
        todo: list[list[Write]] = []
        for op in (op for op in batch if not ordering_calls.handles(op)):
            writes = writes_of(op, run.ids, run.revisions)
            run.writes += writes
            todo += [[w] for w in writes] if service_key(op) == "label" else [writes]
        for attempt in range(self.attempts):
            if attempt:
                await self._pause(attempt - 1)
            outcomes = await self._bounded([self._send(group) for group in todo])
            _raise_first([o for o in outcomes if isinstance(o, BaseException)])
            again: list[Write] = []
            conflicts: list[Write] = []
            for outcome in outcomes:
                assert not isinstance(outcome, BaseException)  # raised just above
                lost, conflicted = outcome
                again += lost
                conflicts += conflicted
            again += await self._settle_conflicts(conflicts)
            if not again:
                return
            todo = regroup(again)
        stuck = sorted({w.key for group in todo for w in group})
        last = next((w.errors[-1] for group in todo for w in group if w.errors), "no answer")
        raise Failed(f"the cut-over could not update {', '.join(stuck)} after {self.attempts} attempts: {last}")

    async def _order(self, op: Operation, run: Progressed) -> None:
        """An Online Orders call (ordering_calls.py): no bulk elements, no revisions to settle."""
        path = PATH_REF.sub(lambda m: run.ids[m.group(1)], op.path)
        body = fill_placeholders(op.body, run.ids, run.revisions)
        try:
            response = await self.api.call(op.call, op.method, path, body, idempotent=op.idempotent)
        except ApiError as exc:
            if ambiguous(exc):
                run.orders.append(op)  # it may have happened
                run.unsure_orders += [op] if op.binds else []
            raise Failed(f"{op.summary} failed: {exc}", stale=exc.status == 409) from exc
        ordering_calls.learn(op, response, run.ids, run.revisions, run.created)
        run.orders.append(op)

    async def _send(self, writes: list[Write]) -> tuple[list[Write], list[Write]]:
        """Send one update call; returns (lost: send again, conflicted: stale revision)."""
        service = writes[0].service
        operation, method, path, body = update_call(service, writes)
        try:
            response = await self.api.call(operation, method, path, body, idempotent=False)
        except ApiError as exc:
            for w in writes:
                w.errors.append(str(exc))
            if exc.status == 409 and service == "label":
                return [], writes
            if ambiguous(exc):
                for w in writes:
                    w.lost = True
                return writes, []
            raise Failed(
                f"{operation} ({', '.join(w.key for w in writes)}) failed: {exc}", stale=exc.status == 409
            ) from exc
        if service == "label":
            writes[0].landed = True
            return [], []
        conflicted, failed = [], []
        for w, (ok, code, text) in zip(writes, bulk_outcomes(response, len(writes)), strict=True):
            if ok:
                w.landed = True
            elif code == "INVALID_REVISION":
                conflicted.append(w)
            else:
                failed.append(f"{w.key}: {code} {text}".strip())
        if failed:
            raise Failed(f"{operation}: {'; '.join(failed[:5])}")
        return [], conflicted

    async def _settle_conflicts(self, conflicts: list[Write]) -> list[Write]:
        """Read each entity whose update met a stale revision and decide; returns those to send again."""
        if not conflicts:
            return []
        again = []
        for service in sorted({w.service for w in conflicts}):
            mine = [w for w in conflicts if w.service == service]
            try:
                current = {e["id"]: e for e in await self.api.fetch_by_ids(service, sorted({w.wix_id for w in mine}))}
            except ApiError as exc:
                raise Failed(f"could not read {service}s after a stale revision: {exc}") from exc
            for w in mine:
                now = current.get(w.wix_id)
                if now is None:
                    raise Failed(f"{w.key} was deleted since the plan was made", stale=True)
                if w.before is None or same(service, now, w.before):
                    # Only the revision moved (a link changed its derived locations), or our lost
                    # send never landed: send again with the new one.
                    w.revision = now.get("revision")
                    again.append(w)
                    continue
                if same(service, now, w.sent):
                    if w.lost:  # our earlier send landed; its answer was lost
                        w.landed = True
                        continue
                    raise Failed(f"{w.key} was changed since the plan was made (by another apply?)", stale=True)
                raise Failed(f"{w.key} was changed since the plan was made", stale=True)
        return again

    # -- clean-up ---------------------------------------------------------------------------------
    async def _delete(self, batch: list[Operation], run: Progressed) -> list[str]:
        results = await self._bounded([self._delete_one(op, run) for op in batch])
        return [str(r) for r in results if isinstance(r, BaseException)] + [
            p for r in results if isinstance(r, list) for p in r
        ]

    async def _delete_one(self, op: Operation, run: Progressed) -> list[str]:
        path = PATH_REF.sub(lambda m: run.ids[m.group(1)], op.path)
        try:
            response = await self.api.call(op.call, op.method, path, None, idempotent=True)
        except ApiError as exc:
            return [] if exc.status == 404 else [f"{op.summary} failed: {exc}"]  # 404: gone already
        outcomes = bulk_outcomes(response, len(response.get("results") or []))
        return [f"{op.summary}: {code} {text}".strip() for ok, code, text in outcomes if not ok and not gone(code)]


def _payloads(op: Operation, run: Progressed) -> list[JsonObject]:
    spec = service_of(op)
    body = fill_placeholders(op.body or {}, run.ids, run.revisions)
    if spec.list_key in body:
        return list(body[spec.list_key])
    return [body[spec.entity]]


def _create_body(op: Operation, service: str, payloads: list[JsonObject]) -> JsonObject:
    spec = client.SERVICES[service]
    if service == "label":
        return {spec.entity: payloads[0]}
    return {**(op.body or {}), spec.list_key: payloads}


def _raise_first(results: Sequence[object]) -> None:
    failures = [r for r in results if isinstance(r, BaseException)]
    if not failures:
        return
    stale = next((f for f in failures if isinstance(f, Failed) and f.stale), None)
    first = stale or next((f for f in failures if isinstance(f, Failed)), failures[0])
    raise first
