"""Execute a v3 plan: every call inside one draft catalog, published in one step, or nothing.

Within a step, bulk calls run concurrently (bounded). Each call's placeholders are filled with the
Wix ids known when the plan was made or returned by earlier steps; every per-element bulk result is
checked. Then the id mapping is staged and the draft published.

Failure handling, the heart of the atomicity promise:

* Before publish, any failure discards the draft: the live catalog never saw a thing.
* A create whose response was lost (timeout, dropped connection, 5xx) may have happened, and
  retrying it could create a duplicate inside the draft. The whole draft is discarded instead and
  the transaction starts over with a fresh draft, up to ``attempts`` times.
* When one call of a step fails, its siblings already sent are answered before the draft is
  discarded: the server runs a call whether or not the client still waits, and the next draft has
  the same address, so an abandoned create could land in it and be published twice.
* A publish whose response was lost is settled by asking for a discard: "no draft" means the
  publish went through (the draft is consumed by publishing), a discarded draft means it did not.
* Publishing replaces the whole live catalog with the draft, which was copied from it when it was
  created: an edit someone made in the live catalog meanwhile would be silently undone. So just
  before publishing, the live catalog is read again and compared with the one the plan was made
  against; if anything moved, the draft is discarded and the run refused (``StalePlan``, exit 4,
  naming what moved). What remains is the one round trip between that read and the publish.
  That read's answers are compared as bytes first: the same bytes as the read the plan was found
  to be made against (``against``) are the same catalog, so they are not decoded again; any other
  bytes are decoded and compared entity by entity, as always.
* ``createDraftCatalog`` answering 409 means a draft exists already. If an earlier run of ours was
  interrupted (its journal entry is still "running"), that draft is ours and is discarded; anyone
  else's draft is left alone and reported, unless ``takeover_draft`` says otherwise.
"""

from __future__ import annotations

import asyncio
import logging

from reconciler.canonical import JsonObject
from reconciler.engine.plan import Operation, Plan, fill_placeholders
from reconciler.engine.vocabulary import Phase
from reconciler.errors import ApiError, ApplyFailed, ApplyOutcomeUnknown, LockHeld, StalePlan, TemporaryApiError
from reconciler.targets import media_run
from reconciler.targets.base import ExecutionResult, Progress, Stage
from reconciler.targets.calls import CallCount
from reconciler.targets.wix_v3 import raw
from reconciler.targets.wix_v3.client import CatalogsV3, is_draft_conflict

log = logging.getLogger(__name__)


class _Retry(Exception):
    """The draft was discarded after an ambiguous failure; start a fresh transaction."""


def _check_shape(operations: tuple[Operation, ...], catalog_id: str) -> None:
    """Only what the failure messages promise: one live update, or calls inside this catalog's draft.

    Whatever made the plan, the messages below ("the live catalog is unchanged") hold only for
    these two shapes, so any other is refused before a call is made.
    """
    draft = f"/draft-catalogs/{catalog_id}/"
    if operations[0].call != "createDraftCatalog":
        if len(operations) != 1:
            raise ApplyFailed(f"a plan without a draft makes one live update, not {len(operations)}; nothing was sent")
        return
    outside = [
        op
        for op in operations
        if not op.path.startswith(draft) or "%" in op.path or {".", ".."} & set(op.path.split("/"))
    ]
    if outside or operations[-1].call != "publishDraftCatalog":
        raise ApplyFailed(
            f"the plan has calls outside the draft of catalog {catalog_id} ({len(outside)}) or does not end "
            "with its publish; nothing was sent"
        )


class Executor:
    def __init__(
        self,
        api: CatalogsV3,
        catalog_id: str,
        concurrency: int = 4,
        attempts: int = 3,
        takeover_draft: bool = False,
        interrupted_run: bool = False,
        progress: Progress | None = None,
        against: raw.RawLive | None = None,
    ) -> None:
        self.api = api
        self.against = against  # the live side as read under the lock, found to be the plan's
        self.catalog_id = catalog_id
        self.concurrency = max(1, concurrency)
        self.attempts = max(1, attempts)
        self.takeover_draft = takeover_draft
        self.interrupted_run = interrupted_run
        self.progress: Progress = progress or (lambda phase, what, done, total: None)
        self.leftover = False  # a failed run could not discard its draft; the next apply will
        self._maybe_ours = False  # a create whose answer was lost may have left a draft of ours

    async def run(self, plan: Plan, before_publish: Stage) -> ExecutionResult:
        count = CallCount(self.api.session.stats)
        if not plan.operations:
            before_publish({})
            return ExecutionResult()
        _check_shape(media_run.rest(plan, {}).operations, self.catalog_id)
        # Images first, outside the draft: a file Wix cannot process fails the run before any draft.
        found = await media_run.run(self.api.session, plan, self.progress, concurrency=self.concurrency)
        plan, before_publish = media_run.rest(plan, found), media_run.with_media(before_publish, found)
        if plan.operations[0].call != "createDraftCatalog":
            await self._live(plan, before_publish)
            return ExecutionResult(calls=count.made())
        for attempt in range(1, self.attempts + 1):
            try:
                created = await self._transaction(plan, before_publish)
                return ExecutionResult(created=created, calls=count.made(), attempts=attempt)
            except _Retry as why:
                log.warning(
                    "attempt %d discarded its draft after an ambiguous failure (%s); starting over", attempt, why
                )
                last = why
        raise ApplyFailed(
            f"gave up after {self.attempts} attempts; {self._draft_fate()} and the live catalog "
            f"is unchanged. Last failure: {last}"
        )

    def _draft_fate(self) -> str:
        if self.leftover:
            return "the draft could not be discarded (the next apply discards it)"
        return "the draft was discarded"

    async def _live(self, plan: Plan, before_publish: Stage) -> None:
        # A single live update: one PATCH is atomic on its own, and safe to retry.
        before_publish({})
        total = len(plan.operations)
        for done, op in enumerate(plan.operations):
            self.progress(Phase.CUT_OVER, op.summary, done, total)  # each call is live at once
            try:
                await self.api.call(
                    op.call, op.method, op.path, fill_placeholders(op.body, plan.ids), idempotent=op.idempotent
                )
            except ApiError as exc:
                if exc.status is None or exc.status >= 500:
                    # No answer, or a server error: the update may have landed (a lost answer).
                    raise ApplyOutcomeUnknown(
                        f"{op.summary} failed ({exc}) and may have been applied; "
                        "run `reconcile plan` to see the live catalog"
                    ) from exc
                raise ApplyFailed(f"{op.summary} failed; the live catalog is unchanged: {exc}") from exc
        self.progress(Phase.CUT_OVER, "done", total, total)

    async def _transaction(self, plan: Plan, before_publish: Stage) -> dict[str, str]:
        await self._create_draft()
        table = dict(plan.ids)
        created: dict[str, str] = {}
        body_ops = [op for op in plan.operations if op.call not in ("createDraftCatalog", "publishDraftCatalog")]
        total = len(plan.operations)
        done = 1
        try:
            for step in sorted({op.step for op in body_ops}):
                batch = [op for op in body_ops if op.step == step]
                self.progress(Phase.BUILD, ", ".join(sorted({o.call for o in batch})), done, total)
                results = await self._gather(batch, table)
                for ids in results:
                    created.update(ids)
                    table.update(ids)
                done += len(batch)
            self.progress(Phase.BUILD, "checking the live catalog", done, total)
            await self._check_live_unchanged(plan)
            before_publish(created)
        except BaseException as exc:
            await self._discard_after(exc)
            raise
        self.progress(Phase.CUT_OVER, "publishing", done, total)  # the draft goes live in this one call
        await self._publish()
        self.progress(Phase.CUT_OVER, "published", total, total)
        return created

    async def _gather(self, batch: list[Operation], table: dict[str, str]) -> list[dict[str, str]]:
        """Run a step's calls; on a failure start no more of them, but wait for those already sent.

        A call already sent is not cancelled: the server runs it whether or not we still listen,
        and the draft is addressed by catalog id, so a write abandoned here could land in the
        fresh draft of the next attempt (a duplicate that would be published). Only once every
        sent call has answered is the failure raised and the draft discarded.
        """
        limit = asyncio.Semaphore(self.concurrency)
        failures: list[BaseException] = []

        async def one(op: Operation) -> dict[str, str] | None:
            async with limit:
                if failures:
                    return None  # a sibling failed: this call is never sent
                try:
                    response = await self.api.call(
                        op.call, op.method, op.path, fill_placeholders(op.body, table), idempotent=op.idempotent
                    )
                    return check_bulk(op, response)
                except Exception as exc:
                    failures.append(exc)
                    raise

        tasks = [asyncio.ensure_future(one(op)) for op in batch]
        try:
            results = await asyncio.gather(*tasks, return_exceptions=True)
        except BaseException:  # interrupted from outside (Ctrl-C, a deadline): stop at once
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        if failures:
            raise failures[0]  # the first to fail says why
        unexpected = [r for r in results if isinstance(r, BaseException)]
        if unexpected:
            raise unexpected[0]
        return [r for r in results if isinstance(r, dict)]

    async def _check_live_unchanged(self, plan: Plan) -> None:
        """Refuse to publish over an edit made in the live catalog since the plan was read."""
        answers = await raw.answers(self.api, self.catalog_id)
        if _same_answers(answers, self.against, plan):
            # Byte for byte the answers of a read whose catalog is the plan's: decoding them again
            # (10 MB and 10,000 entity hashes at 10,000 dishes) could only find the same catalog.
            log.debug("the live catalog is unchanged: the same answers as the read the plan was checked against")
            return
        now = await answers.raw()
        if now.fingerprint() != plan.live_fingerprint:
            raise StalePlan(plan.moved(now.hashes()))

    async def _create_draft(self) -> None:
        try:
            await self.api.create_draft(self.catalog_id)
            return
        except ApiError as exc:
            if not is_draft_conflict(exc):
                if isinstance(exc, TemporaryApiError):
                    # Lost response: a draft may exist now. It is ours; discard it and start over.
                    self._maybe_ours = True
                    if await self._discard_quietly() is not None:
                        self._maybe_ours = False
                    raise _Retry(str(exc)) from exc
                raise ApplyFailed(f"could not create a draft catalog; nothing changed: {exc}") from exc
        if not (self.takeover_draft or self.interrupted_run or self._maybe_ours):
            raise LockHeld(
                "a draft catalog already exists for this catalog: another apply (perhaps on another machine) is "
                "running, or one was interrupted outside this state directory. If you are sure no other apply is "
                "running, run again with --takeover-draft to discard that draft."
            )
        log.warning("discarding a draft left behind by an interrupted run")
        try:
            await self.api.discard_draft(self.catalog_id)
        except ApiError as exc:
            self.leftover = True
            raise ApplyFailed(f"could not discard the draft an earlier run left; nothing changed: {exc}") from exc
        self.leftover = self.interrupted_run = self._maybe_ours = False
        await self.api.create_draft(self.catalog_id)

    async def _discard_after(self, exc: BaseException) -> None:
        """Throw the draft away after a failure and say what that means for the live catalog."""
        discarded = await self._discard_quietly()
        if isinstance(exc, StalePlan):
            raise StalePlan(
                exc.moved,
                "the live catalog changed while this apply ran (someone edited it); nothing was published "
                f"and {self._draft_fate()}. Run `reconcile plan` again: it shows the edit.",
            ) from None
        if discarded is None:
            if isinstance(exc, (asyncio.CancelledError, KeyboardInterrupt)):
                return
            # The draft may linger, but nothing was published: the live catalog is unchanged.
            raise ApplyFailed(f"{exc}; {self._draft_fate()}, and the live catalog is unchanged") from exc
        if isinstance(exc, TemporaryApiError):
            raise _Retry(str(exc)) from exc
        if isinstance(exc, (ApiError, ApplyFailed)):
            raise ApplyFailed(f"{exc}; {self._draft_fate()} and the live catalog is unchanged") from exc

    async def _discard_quietly(self) -> bool | None:
        """Discard the draft: True if there was one, False if not, None if the discard failed."""
        try:
            found = await self.api.discard_draft(self.catalog_id)
        except ApiError as exc:
            log.error("could not discard the draft: %s", exc)
            self.leftover = True
            return None
        self.leftover = False
        return found

    async def _publish(self) -> None:
        try:
            await self.api.publish_draft(self.catalog_id)
            return
        except ApiError as exc:
            publish_error = exc
        # Did the publish happen? The draft is consumed by publishing, so ask to discard it.
        try:
            draft_was_there = await self.api.discard_draft(self.catalog_id)
        except ApiError as exc:
            raise ApplyOutcomeUnknown(
                f"the publish call failed ({publish_error}) and its outcome could not be checked ({exc}). "
                "Run `reconcile plan` to see the live state; the next apply settles the mapping."
            ) from exc
        if not draft_was_there:
            log.warning("publish reported %s, but the draft is gone: it was published", publish_error)
            return
        if isinstance(publish_error, TemporaryApiError):
            raise _Retry(str(publish_error))
        raise ApplyFailed(f"publish failed: {publish_error}; the draft was discarded and the live catalog is unchanged")


def _same_answers(answers: raw.Answers, against: raw.RawLive | None, plan: Plan) -> bool:
    """Whether ``answers`` are the bytes ``against`` was decoded from, and ``against`` is the catalog
    the plan was made against (its fingerprint): then the live catalog has not moved."""
    if against is None or against.digest is None or against.only is not None:
        return False
    return answers.digest == against.digest and against.fingerprint() == plan.live_fingerprint


def check_bulk(op: Operation, response: JsonObject) -> dict[str, str]:
    """Check every element of a bulk result; return the ids of created entities by local key."""
    if not op.call.startswith("bulk"):
        return {}
    results = response.get("results") or []
    meta = response.get("bulkActionMetadata") or {}
    failures = []
    created: dict[str, str] = {}
    by_index = {(r.get("entityMetadata") or {}).get("originalIndex"): r.get("entityMetadata") or {} for r in results}
    expected = len(next(iter(v for v in (op.body or {}).values() if isinstance(v, list)), []))
    for index in range(expected):
        meta_i = by_index.get(index)
        if meta_i is None or not meta_i.get("success"):
            error = (meta_i or {}).get("error") or {}
            failures.append(f"element {index}: {error.get('code', 'no result')} {error.get('description', '')}".strip())
    if failures or meta.get("totalFailures"):
        names = {i: local for i, _, local in op.binds}
        detail = "; ".join(f"{f} ({names[int(f.split()[1].rstrip(':'))]})" if op.binds else f for f in failures[:10])
        raise ApplyFailed(
            f"{op.call} ({op.summary}) failed for {len(failures) or meta.get('totalFailures')} element(s): {detail}"
        )
    for index, kind, local_id in op.binds:
        wix_id = by_index[index].get("id")
        if not wix_id:
            raise ApplyFailed(f"{op.call} returned no id for {kind} {local_id}")
        created[f"{kind}:{local_id}"] = wix_id
    return created
