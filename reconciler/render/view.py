"""One view of a plan that every renderer (text, Markdown) reads, so they never disagree.

It decides what a reviewer sees: changes grouped by kind in the dependency order the target
declares (with the target's own group titles and removal verbs, which the plan records), values
written the way a restaurant manager reads them (prices with their change in percent), drift
marked, and the API calls summarised by step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from reconciler.engine.availability import caused_by_layer
from reconciler.engine.capabilities import TargetInfo
from reconciler.engine.diff import Change
from reconciler.engine.plan import Plan
from reconciler.engine.sharing import is_shared
from reconciler.engine.siteplan import SitePlan
from reconciler.engine.vocabulary import Action, Removal
from reconciler.model.catalog import ALL_FULFILLMENT, ALL_PLATFORMS

SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.REMOVE: "-"}
# What a create shows: enough to recognise the entity, not every default.
CREATE_FIELDS = (
    "price",
    "description",
    "labels",
    "visible",
    "fulfillment",
    "platforms",
    "hours",
    "options",
    "sections",
    "dishes",
    "in_stock",
)
DEFAULTS = {
    "price": "0.00",
    "visible": True,
    "in_stock": True,
    "labels": [],
    "hours": [],
    "options": [],
    "description": None,
    "fulfillment": list(ALL_FULFILLMENT),
    "platforms": list(ALL_PLATFORMS),
}


@dataclass(frozen=True)
class FieldLine:
    path: str
    before: str
    after: str
    note: str = ""


@dataclass(frozen=True)
class ChangeLine:
    symbol: str
    action: Action
    verb: str  # how the action is shown: create, update, or the target's removal verb
    kind: str
    id: str
    name: str
    fields: tuple[FieldLine, ...]
    drift: bool
    notes: tuple[str, ...]
    layer: bool = False  # caused by the availability layer (an 86), not by the catalog


@dataclass(frozen=True)
class Group:
    title: str
    changes: tuple[ChangeLine, ...]


@dataclass
class PlanView:
    target: str
    summary: str
    unsafe: tuple[str, ...]
    groups: list[Group]
    notes: tuple[str, ...]
    steps: list[tuple[int, list[str]]]
    calls: int
    drift: int
    checksum: str
    empty: bool = field(default=False)
    layer: int = 0  # changes the availability layer caused


def build_view(plan: Plan) -> PlanView:
    capabilities = plan.target.capabilities
    groups = []
    for spec in capabilities.kinds:
        lines = tuple(_line(c, spec.removal) for c in plan.changes if c.kind == spec.kind)
        if lines:
            groups.append(Group(spec.title, lines))
    declared = {spec.kind for spec in capabilities.kinds}
    undeclared = tuple(_line(c, capabilities.removal) for c in plan.changes if c.kind not in declared)
    if undeclared:  # never dropped silently, whatever a target forgot to declare
        groups.append(Group("Other", undeclared))
    steps: dict[int, list[str]] = {}
    for op in plan.operations:
        steps.setdefault(op.step, []).append(f"{op.call} ({op.summary})")
    return PlanView(
        target=_header(plan.target),
        summary=plan.summary_line(),
        unsafe=plan.safety.reasons,
        groups=groups,
        notes=plan.notes,
        steps=sorted(steps.items()),
        calls=len(plan.operations),
        drift=sum(c.drift for c in plan.changes),
        checksum=plan.checksum,
        empty=plan.empty,
        layer=sum(caused_by_layer(c) for c in plan.changes),
    )


def _header(target: TargetInfo) -> str:
    """Where the plan applies: the target, the location by name and id, the catalog where there is one."""
    where = f'location "{target.location_name}" ({target.location_id})'
    if is_shared(target.location_id):  # several locations as one site (engine/sharing.py): their names say it
        where = f"locations {target.location_name}"
    parts = [target.name, where]
    if target.catalog_id is not None:
        parts.append(f"catalog {target.catalog_id}")
    return " · ".join([*parts, target.guarantee])


def _line(change: Change, removal: Removal) -> ChangeLine:
    if change.action == Action.CREATE:
        fields = tuple(
            FieldLine(f.path, "", show(f.after, f.path))
            for f in change.fields
            if f.path in CREATE_FIELDS and f.after != DEFAULTS.get(f.path, object())
        )
    elif change.action == Action.UPDATE:
        fields = tuple(
            FieldLine(f.path, show(f.before, f.path), show(f.after, f.path), _percent(f)) for f in change.fields
        )
    else:
        fields = ()
    verb = str(removal if change.action == Action.REMOVE else change.action)
    return ChangeLine(
        SYMBOLS[change.action],
        change.action,
        verb,
        change.kind,
        change.id,
        change.name,
        fields,
        change.drift,
        change.notes,
        caused_by_layer(change),
    )


def show(value: object, path: str = "") -> str:
    if value is None:
        return "(none)"
    if path.endswith("options") and isinstance(value, list):
        return (
            ", ".join(f'{o.get("name")} ({o.get("type")}, {len(o.get("choices", []))} choices)' for o in value)
            or "(none)"
        )
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(value) + "]"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _percent(change) -> str:
    if not change.path.endswith("price") or not isinstance(change.before, str) or not isinstance(change.after, str):
        return ""
    try:
        before, after = Decimal(change.before), Decimal(change.after)
    except InvalidOperation:
        return ""
    if before == 0:
        return ""
    delta = (after - before) / before * 100
    return f"{delta:+.1f}%"


@dataclass(frozen=True)
class LocationRow:
    location: str  # the catalog's key of the location
    summary: str  # that location's summary line, or "no changes"
    calls: int
    unsafe: bool
    drift: int


@dataclass
class SiteView:
    """A plan of several locations: one summary across all, a row per location, each location's view."""

    summary: str
    target: str  # the target's name and guarantee (the same at every location)
    rows: list[LocationRow]
    locations: list[tuple[str, PlanView]]  # only the locations with changes
    checksum: str
    empty: bool


def build_site_view(site: SitePlan) -> SiteView:
    rows, views = [], []
    for entry in site.locations:
        view = build_view(entry.plan)
        rows.append(
            LocationRow(
                entry.location,
                "no changes" if view.empty else view.summary,
                view.calls,
                entry.plan.safety.unsafe,
                view.drift,
            )
        )
        if not view.empty:
            views.append((entry.location, view))
    first = site.locations[0].plan.target if site.locations else None
    return SiteView(
        summary=site.summary_line(),
        target=f"{first.name} · {first.guarantee}{'' if is_shared(first.location_id) else ', per location'}"
        if first
        else "",
        rows=rows,
        locations=views,
        checksum=site.checksum,
        empty=site.empty,
    )
