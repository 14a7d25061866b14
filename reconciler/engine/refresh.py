"""`plan --refresh-only`: what was edited on the live side outside reconcile, without proposing to revert it.

Terraform's ``-refresh-only``: a record whose live state differs from what reconcile last wrote
(drift) is listed with each field as last written → as live now. Nothing is planned and nothing
is written; ``reconcile pull`` is the way to accept such an edit into the YAML.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.engine.diff import Change, FieldChange
from reconciler.engine.plan import Plan
from reconciler.engine.vocabulary import Action


@dataclass(frozen=True)
class LiveEdit:
    """One record edited on the live side: each field as desired (last written) → as live now."""

    kind: str
    id: str
    name: str
    removed: bool  # gone live (or archived) although reconcile wrote it
    fields: tuple[FieldChange, ...]


def live_edits(plan: Plan) -> list[LiveEdit]:
    """The plan's drifted changes, turned around: what someone changed live, field by field."""
    edits = []
    for change in plan.changes:
        if not change.drift:
            continue
        edits.append(_edit(change))
    return edits


def _edit(change: Change) -> LiveEdit:
    fields = tuple(FieldChange(f.path, f.after, f.before) for f in change.fields)
    return LiveEdit(str(change.kind), change.id, change.name, change.action == Action.CREATE, fields)


def render(edits: list[LiveEdit], where: str) -> str:
    if not edits:
        return f"No live edits: {where} is as reconcile last wrote it.\n"
    lines = [f"{len(edits)} record(s) edited on the live side at {where} (not reverted by this command):"]
    for edit in edits:
        lines.append(f"  ~ {edit.kind} {edit.id} \"{edit.name}\"" + (" (gone live)" if edit.removed else ""))
        lines += [f"      {f.path}: {f.before!r} → {f.after!r}" for f in edit.fields]
    lines.append("Keep an edit by putting it into the catalog YAML; `reconcile apply` would revert them.")
    return "\n".join(lines) + "\n"
