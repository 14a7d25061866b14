"""A fleet's apply step reviews the stored plan it executes, as `apply --plan` reviews a plan file.

The plan step stores its plan in the state database and the apply step reads it back by checksum
(on the local engine in the same process, on Temporal maybe on another worker). Whoever can write
that database could change what is applied, so the apply step trusts the stored plan no further
than `apply --plan` trusts a file (engine/review.py): another plan under its checksum, a call
outside the API, operations that differ from the plan's changes are all refused, and nothing is
sent. Both engines run these same steps (site.STEPS; the Temporal activities call them).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

from reconciler.engine.planfile import _checksum
from reconciler.fleet.load import load_fleet
from reconciler.fleet.runs import site_context
from reconciler.fleet.site import STEPS, SiteRequest, site_flow
from tests.fleet.test_local import writes

pytestmark = pytest.mark.e2e


def _rechecksummed(body: str, edit) -> tuple[str, str]:
    document = json.loads(body)
    edit(document)
    content = {k: v for k, v in document.items() if k not in ("checksum", "signature")}
    document["checksum"] = _checksum(content)
    return document["checksum"], json.dumps(document, sort_keys=True, indent=2)


def _wipe(document: dict) -> None:
    document["operations"][0]["path"] = "/../../_emulator/wipe"


def _drop_a_call(document: dict) -> None:
    document["operations"].pop()  # calls that no longer do what the changes say


def _run(bed, monkeypatch, tamper):
    """One site's flow with the real steps; ``tamper(ctx, planned)`` runs between plan and apply."""
    for name, value in bed.env.items():
        monkeypatch.setenv(name, value)
    fleet = load_fleet(bed.fleet)
    state = bed.folder / "state"
    with site_context(fleet, state) as ctx:

        async def step(name: str, *args):
            result = await STEPS[name](ctx, *args)
            return tamper(ctx, result) if name == "plan" else result

        base = SiteRequest(fleet.name, fleet.revision, bed.sites[0]["site_id"], None, "apply")
        return asyncio.run(site_flow(step, base))


@pytest.mark.parametrize("edit", [_wipe, _drop_a_call])
def test_a_stored_plan_rewritten_under_its_own_checksum_is_refused(make_bed, server, monkeypatch, edit):
    bed = make_bed(1)

    def tamper(ctx, planned):
        body = ctx.records.load_plan(planned.checksum)
        _, forged = _rechecksummed(body, edit)
        ctx.records.db.execute("UPDATE fleet_plans SET body=? WHERE checksum=?", (forged, planned.checksum))
        return planned

    server.reset()
    outcome = _run(bed, monkeypatch, tamper)
    assert [u.result for u in outcome.units] == ["failed"]
    assert "holds another plan" in outcome.units[0].error
    assert writes(server) == {}


@pytest.mark.parametrize("edit", [_wipe, _drop_a_call])
def test_a_forged_stored_plan_handed_to_apply_is_reviewed_and_refused(make_bed, server, monkeypatch, edit):
    """Even a forged plan the apply step is told to run (its checksum in the roll-out's history) is reviewed."""
    bed = make_bed(1)

    def tamper(ctx, planned):
        body = ctx.records.load_plan(planned.checksum)
        checksum, forged = _rechecksummed(body, edit)
        ctx.records.save_plan(checksum, json.loads(body)["target"]["scope"], forged)
        return dataclasses.replace(planned, checksum=checksum)

    server.reset()
    outcome = _run(bed, monkeypatch, tamper)
    assert [u.result for u in outcome.units] == ["failed"]
    expected = "outside the target's API" if edit is _wipe else "does not do what its changes say"
    assert expected in outcome.units[0].error, outcome.units[0].error
    assert writes(server) == {}


def test_an_untouched_stored_plan_applies(make_bed, server, monkeypatch):
    bed = make_bed(1)
    outcome = _run(bed, monkeypatch, lambda ctx, planned: planned)
    assert [u.result for u in outcome.units] == ["converged"], outcome
