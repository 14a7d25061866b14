"""Compensate a failed Menus (New) run: put back this run's writes, delete what it built, say what is left.

Menus (New) has no transaction to roll back, so the run undoes its own work, and only its own:

1. **Restore.** For every cut-over write that landed or may have (its answer was lost), the entity
   is read again. If it holds the before-state already, nothing is to be done (a lost write that
   never landed). If it holds exactly what this run wrote, the before-state is written back with
   the revision just read. If it holds anything else, someone changed it after this run did: it is
   left as it is and reported, never overwritten. Entities are restored per service in bulk, each
   element on its own: one that fails is read and tried again, up to ``attempts`` rounds, and the
   others go on.
   Online Orders calls (ordering_calls.py) are put back first: settings upserted with what was read
   at plan time, closures renamed back.
2. **Delete** what this run built, in reverse dependency order (menus first), including what a lost
   create made (found again by what it was sent). An entity still used by something that could not
   be restored is kept, so no live entity is left pointing at nothing.
3. **Report.** Anything not restored or not deleted is named in one ``ApplyOutcomeUnknown`` (exit 9),
   with why; the mapping keeps this run's staged ids and intents, so the next run knows what is
   its own.

Called by ``execute.MenusExecutor`` after a build or cut-over failure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from reconciler.canonical import JsonObject
from reconciler.errors import ApiError, ApplyOutcomeUnknown
from reconciler.targets.wix_menus import client, ordering_calls, recognise
from reconciler.targets.wix_menus.client import MenusApi
from reconciler.targets.wix_menus.planner import DELETE_ORDER
from reconciler.targets.wix_menus.writes import Write, bulk_outcomes, gone, references, same, update_call

if TYPE_CHECKING:
    from reconciler.targets.wix_menus.execute import Progressed


async def compensate(api: MenusApi, run: Progressed, attempts: int, pause: Callable[[int], Awaitable[None]]) -> None:
    problems: list[str] = []
    await ordering_calls.undo(api, run.orders, run.ids, problems)
    kept = await _restore(api, [w for w in run.writes if w.mine and w.before is not None], attempts, pause, problems)
    await _delete_built(api, run, kept, problems)
    if problems:
        raise ApplyOutcomeUnknown(
            "the run failed and undoing it did not complete: "
            + "; ".join(problems[:20])
            + (f"; … and {len(problems) - 20} more" if len(problems) > 20 else "")
            + ". Run `reconcile plan` to see the live site; the next apply converges from it."
        )


async def _restore(
    api: MenusApi, todo: list[Write], attempts: int, pause: Callable[[int], Awaitable[None]], problems: list[str]
) -> set[str]:
    """Put back what this run wrote; returns the Wix ids the entities left as they are point at."""
    still_used: set[str] = set()
    for attempt in range(attempts):
        if not todo:
            return still_used
        if attempt:
            await pause(attempt - 1)
        current: dict[str, JsonObject] = {}
        unread: set[str] = set()
        for service in sorted({w.service for w in todo}):
            ids = sorted({w.wix_id for w in todo if w.service == service})
            try:
                current.update({e["id"]: e for e in await api.fetch_by_ids(service, ids)})
            except ApiError as exc:
                unread |= set(ids)
                for w in todo:
                    if w.service == service:
                        w.errors.append(f"could not read it: {exc}")
        send: list[Write] = []
        for w in todo:
            if w.wix_id in unread:
                send.append(w)  # read again next round
                continue
            now = current.get(w.wix_id)
            if now is None:
                problems.append(f"could not restore {w.key}: it was deleted since")
            elif same(w.service, now, w.before or {}):
                continue  # as it was (a lost write that never landed, or restored by an earlier round)
            elif same(w.service, now, w.sent):
                w.revision = now.get("revision")
                send.append(w)
            else:
                problems.append(f"could not restore {w.key}: someone changed it after this run did; left as it is")
                still_used |= references(w.service, now)
        readable = [w for w in send if w.wix_id not in unread]
        failed = await _write_back(api, readable)
        todo = [w for w in send if w.wix_id in unread] + failed
    for w in todo:
        problems.append(f"could not restore {w.key} ({w.errors[-1] if w.errors else 'no answer'})")
        still_used |= references(w.service, w.sent)
    return still_used


async def _write_back(api: MenusApi, writes: list[Write]) -> list[Write]:
    """Write the before-states; returns the writes to read and try again (nothing is assumed)."""
    failed: list[Write] = []
    groups: list[list[Write]] = []
    for service in sorted({w.service for w in writes}):
        mine = [w for w in writes if w.service == service]
        size = 1 if service == "label" else client.SERVICES[service].create_limit
        groups += [mine[i : i + size] for i in range(0, len(mine), size)]
    for group in groups:
        operation, method, path, body = update_call(group[0].service, group, fields="before")
        try:
            response = await api.call(operation, method, path, body, idempotent=False)
        except ApiError as exc:
            for w in group:
                w.errors.append(str(exc))
            failed += group  # read again next round: it may have landed, or the revision moved
            continue
        if group[0].service == "label":
            continue
        for w, (ok, code, text) in zip(group, bulk_outcomes(response, len(group)), strict=True):
            if not ok:
                w.errors.append(f"{code} {text}".strip())
                failed.append(w)
    return failed


async def _delete_built(api: MenusApi, run: Progressed, kept: set[str], problems: list[str]) -> None:
    by_service: dict[str, set[str]] = {}
    for key, wix_id in run.created.items():
        by_service.setdefault(key.split(":", 1)[0], set()).add(wix_id)
    for service, payloads in run.unsure:  # lost creates whose entities were never looked for
        try:
            in_use = recognise.labels_in_use(await api.list_all("item")) if service == "label" else set()
            found = recognise.match(
                service,
                payloads,
                await api.list_all(service),
                run.known(),
                location=recognise.places(run.plan.target.location_id),
                in_use=in_use,
            )
        except ApiError as exc:
            problems.append(f"could not look for the {service}s a lost create may have made: {exc}")
            continue
        by_service.setdefault(service, set()).update(found.values())
    closures = by_service.pop("closure", set())
    closures |= set(await ordering_calls.unsure(api, run.unsure_orders, set(run.plan.live_hashes), problems))
    await ordering_calls.delete(api, sorted(closures), problems)
    for services in DELETE_ORDER:
        for service in services:
            wanted = sorted(by_service.get(service, set()))
            for wix_id in sorted(set(wanted) & kept):
                problems.append(f"kept the {service} {wix_id} this run built: something not restored uses it")
            await _delete(api, service, [w for w in wanted if w not in kept], problems)


async def _delete(api: MenusApi, service: str, wix_ids: list[str], problems: list[str]) -> None:
    spec = client.SERVICES[service]
    if service == "menu":  # no bulk delete for menus
        for wix_id in wix_ids:
            try:
                await api.call(*client.single_delete(service, wix_id))
            except ApiError as exc:
                if exc.status != 404:
                    problems.append(f"could not delete the menu {wix_id} this run built: {exc}")
        return
    for start in range(0, len(wix_ids), spec.delete_limit):
        batch = wix_ids[start : start + spec.delete_limit]
        operation, method, path = client.bulk_delete(service, batch)
        try:
            response = await api.call(operation, method, path)
        except ApiError as exc:
            problems.append(f"could not delete the {service}s {', '.join(batch)} this run built: {exc}")
            continue
        for wix_id, (ok, code, text) in zip(batch, bulk_outcomes(response, len(batch)), strict=True):
            if not ok and not gone(code):
                problems.append(f"could not delete the {service} {wix_id} this run built: {code} {text}".strip())
