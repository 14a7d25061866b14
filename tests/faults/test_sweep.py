"""The deterministic fault sweep of both targets (the campaign is described in campaign.py).

For each target, every write call of the change × {500, 429, connection reset, timeout} ×
{before, after the server executes} × {once, persistent}, in-process with a diner's visit after
every write; and a representative subset over real HTTP, judged by its end states. Every case
must keep the promise: no partial menu seen by a diner (Menus (New): only inside the cut-over
window), the mapping unchanged when the apply is refused, a clear message and no traceback, and
convergence without leftovers or duplicates after a clean apply. The long random runs (schedules,
kill -9, races, live edits) are ``python -m bench.faults``.
"""

from __future__ import annotations

import pytest

from tests.engine.harness import HttpHarness
from tests.faults.campaign import APIS, Bed, base_catalog, judge, run_case, sweep, sweep_rules
from tests.support.faults import FAULTS


@pytest.fixture(scope="module", params=APIS)
def bed(request, tmp_path_factory) -> Bed:
    return Bed.build(request.param, tmp_path_factory.mktemp(f"bed-{request.param}"))


def test_the_change_has_writes_of_every_phase(bed):
    calls = {p.call for p in bed.writes}
    if bed.api == "v3":
        assert {"createDraftCatalog", "bulkCreateDishes", "bulkUpdateSections", "publishDraftCatalog"} <= calls
    else:
        assert {"items.bulkCreateItems", "items.bulkUpdateItem", "items.bulkDeleteItems"} <= calls


@pytest.mark.parametrize(
    ("fault", "lost"), [(f, lost) for f in FAULTS for lost in (False, True) if not (lost and f == "429")]
)
def test_every_write_faulted_every_way_keeps_the_promise(bed, tmp_path, fault, lost):
    broken = []
    for index, (label, rules) in enumerate(sweep(bed, (fault,), (lost,))):
        verdict = run_case(bed, tmp_path / str(index), rules, label)
        if verdict.problems():
            broken.append(f"{label}: {verdict.outcome}: {'; '.join(verdict.problems())}")
    assert broken == [], "\n".join(broken)


@pytest.mark.e2e
def test_a_representative_subset_over_real_http(bed, server, tmp_path):
    """The same judgement over a real socket, for the faults that differ there (resets, read timeouts)."""
    creates = [p for p in bed.writes if "Create" in p.call]
    updates = [p for p in bed.writes if "Update" in p.call]
    picks = [creates[len(creates) // 2], updates[0]]  # a create in the middle of the build, an in-place update
    broken = []
    for index, at in enumerate(picks):
        for fault, lost in (("drop", True), ("timeout", True), ("500", False)):
            label = f"{at.label}-{fault}{'-after' if lost else ''}"
            (tmp_path / f"{index}-{fault}").mkdir()
            server.wipe()  # a site of its own: Menus (New) entities are site-wide, detached ones too
            h = HttpHarness(tmp_path / f"{index}-{fault}", server, api=bed.api, timeout=0.5)
            h.apply(base_catalog())
            rules = sweep_rules(at, fault, lost, persistent=False)
            rules[0]["delayMs"] = 1500  # held past the client's 0.5 s: a real read timeout
            verdict = judge(h, bed, rules, label)
            if verdict.problems():
                broken.append(f"{label}: {verdict.outcome}: {'; '.join(verdict.problems())}")
    assert broken == [], "\n".join(broken)
