"""A plan of several locations of one site: one :class:`~reconciler.engine.plan.Plan` per location.

Each location's plan is complete on its own (its target, live fingerprint, calls, safety verdict and
checksum), because each location is applied on its own: atomically, in its own draft catalog (v3)
or cut-over (Menus (New)), refused when stale or unsafe by itself. A :class:`SitePlan` holds them in
run order, with one summary across all and a checksum over all (``planfile.seal_site``), so a saved
plan of four locations is reviewed and applied as one file. Made by
:func:`reconciler.engine.locations.plan_locations`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.engine.essence import Essence
from reconciler.engine.plan import Plan
from reconciler.engine.vocabulary import Action

SHARED_KEY = "shared: "  # the key of a shared site's one plan (engine/sharing.py): "shared: Downtown, Airport"


@dataclass(frozen=True)
class LocationPlan:
    location: str  # the location's key in the catalog (its name, else its id)
    plan: Plan
    # The live essence the plan was made against, for the journal (a shared site's plan keeps it,
    # so its run can be rolled back); never saved with the plan.
    before: Essence | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SitePlan:
    locations: tuple[LocationPlan, ...]  # in run order: the catalog's order of `locations:`
    checksum: str = ""  # over the plan's JSON form: planfile.seal_site() fills it in

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(map(str, Action), 0)
        for entry in self.locations:
            for action, n in entry.plan.counts.items():
                counts[action] += n
        return counts

    @property
    def empty(self) -> bool:
        return all(entry.plan.empty for entry in self.locations)

    @property
    def operations(self) -> int:
        return sum(len(entry.plan.operations) for entry in self.locations)

    @property
    def unsafe(self) -> list[str]:
        """The locations whose plan is unsafe: apply refuses the whole run without --force."""
        return [entry.location for entry in self.locations if entry.plan.safety.unsafe]

    def plan_of(self, location: str) -> Plan:
        for entry in self.locations:
            if entry.location == location:
                return entry.plan
        raise KeyError(location)

    def summary_line(self) -> str:
        c = self.counts
        verb = self.locations[0].plan.target.capabilities.removal if self.locations else "remove"
        changed = sum(not entry.plan.empty for entry in self.locations)
        n = len(self.locations)
        if n == 1 and self.locations[0].location.startswith(SHARED_KEY):  # engine/sharing.py: one plan for all
            places = self.locations[0].location.removeprefix(SHARED_KEY)
            return (
                f"Plan for {places} (shared, one cut-over): "
                f"{c['create']} to create, {c['update']} to update, {c['remove']} to {verb}"
            )
        return (
            f"Plan for {n} location{'' if n == 1 else 's'} ({changed} with changes): "
            f"{c['create']} to create, {c['update']} to update, {c['remove']} to {verb}"
        )
