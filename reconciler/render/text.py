"""The plan as terminal text: summary first, then each change with before → after.

Colour only on a terminal, and never when NO_COLOR is set. Styling is a handful of ANSI codes:
a plan of 10,000 dishes must print in a blink, which a markup renderer cannot do.
"""

from __future__ import annotations

from reconciler.engine.plan import Plan
from reconciler.engine.siteplan import SitePlan
from reconciler.engine.vocabulary import Action
from reconciler.render.view import PlanView, build_site_view, build_view

_ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "magenta": "35"}
STYLES = {"+": "green", "~": "yellow", "-": "red"}


def render_text(plan: Plan, color: bool | None = None) -> str:
    return "\n".join(view_lines(build_view(plan), bool(color))) + "\n"


def view_lines(view: PlanView, color: bool) -> list[str]:
    def paint(text: str, style: str) -> str:
        return f"\033[{_ANSI[style]}m{text}\033[0m" if color else text

    out = [paint(view.summary, "bold"), f"Target: {view.target}"]
    if view.drift:
        out.append(
            paint(
                f"{view.drift} change(s) undo edits made on the live catalog outside reconcile (marked drift)",
                "magenta",
            )
        )
    if view.layer:
        out.append(
            paint(
                f"{view.layer} change(s) come from the availability layer (86s), not from the catalog "
                "(marked availability)",
                "yellow",
            )
        )
    for reason in view.unsafe:
        out.append(f"{paint('Unsafe:', 'red')} {reason}. `apply` needs --force.")
    for group in view.groups:
        out += ["", paint(group.title, "bold")]
        for line in group.changes:
            drift = " " + paint("(drift)", "magenta") if line.drift else ""
            drift += " " + paint("(availability)", "yellow") if line.layer else ""
            out.append(
                f"  {paint(f'{line.symbol} {line.verb} {line.kind} {line.id}', STYLES[line.symbol])} "
                f'"{line.name}"{drift}'
            )
            for field in line.fields:
                if line.action == Action.UPDATE:
                    note = f"  ({field.note})" if field.note else ""
                    out.append(f"      {field.path}: {field.before} → {field.after}{note}")
                else:
                    out.append(f"      {field.path}: {field.after}")
            out += [f"      {paint('note: ' + note, 'dim')}" for note in line.notes]
    if view.notes:
        out.append("")
        out += [paint(f"Note: {note}", "dim") for note in view.notes]
    if view.steps:
        out += ["", f"{paint('API calls', 'bold')}: {view.calls} in {len(view.steps)} step(s)"]
        out += [f"  {step}. " + "; ".join(calls) for step, calls in view.steps]
    elif view.empty:
        out.append("No changes. The live catalog matches the desired state.")
    out.append(paint(f"Plan checksum: {view.checksum}", "dim"))
    return out


def render_site_text(site: SitePlan, color: bool | None = None) -> str:
    """A plan of several locations: the summary across all, a line per location, then each location's plan."""
    view = build_site_view(site)
    paint = _painter(bool(color))
    out = [paint(view.summary, "bold"), f"Target: {view.target}", ""]
    width = max((len(row.location) for row in view.rows), default=0)
    for row in view.rows:
        calls = f" · {row.calls} call{'' if row.calls == 1 else 's'}" if row.calls else ""
        flags = (paint("  unsafe", "red") if row.unsafe else "") + (
            paint(f"  {row.drift} drift", "magenta") if row.drift else ""
        )
        out.append(f"  {row.location.ljust(width)}  {row.summary}{calls}{flags}")
    for location, location_view in view.locations:
        out += ["", paint(f"── {location} " + "─" * max(3, 60 - len(location)), "bold")]
        out += view_lines(location_view, bool(color))
    if view.empty:
        out += ["", "No changes at any location. The live catalogs match the desired state."]
    out += ["", paint(f"Plan checksum: {view.checksum} (all locations)", "dim")]
    return "\n".join(out) + "\n"


def _painter(color: bool):
    def paint(text: str, style: str) -> str:
        return f"\033[{_ANSI[style]}m{text}\033[0m" if color else text

    return paint
