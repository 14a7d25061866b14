"""The plan as Markdown for a pull-request comment: summary, a table, details collapsed.

GitHub caps a comment at 65,536 characters; past a budget the details are cut and the reader is
pointed at the full plan (`reconcile plan --format json --out plan.json` as a CI artifact).
"""

from __future__ import annotations

from reconciler.engine.plan import Plan
from reconciler.engine.siteplan import SitePlan
from reconciler.engine.vocabulary import Action
from reconciler.render.view import build_site_view, build_view

LIMIT = 60_000


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(plan: Plan, limit: int = LIMIT) -> str:
    view = build_view(plan)
    head = [f"### {view.summary}", "", f"**Target:** {_cell(view.target)}", ""]
    for reason in view.unsafe:
        head.append(f"> :warning: **Unsafe:** {_cell(reason)}. `apply` needs `--force`.")
    if view.drift:
        head.append(f"> {view.drift} change(s) undo edits made on the live menu outside reconcile (**drift**).")
    if view.layer:
        head.append(f"> {view.layer} change(s) come from the availability layer (86s), not from the catalog.")
    if view.empty:
        head.append("No changes. The live catalog matches the desired state.")
    rows = ["| | Kind | Id | Name | Changes |", "|---|---|---|---|---|"]
    details = []
    for group in view.groups:
        for line in group.changes:
            summary = ", ".join(f.path for f in line.fields[:4]) + (" …" if len(line.fields) > 4 else "")
            if line.action != Action.UPDATE:
                summary = line.verb
            drift = " (drift)" if line.drift else ""
            drift += " (availability)" if line.layer else ""
            rows.append(
                f"| `{line.symbol}` | {line.kind} | `{_cell(line.id)}` | {_cell(line.name)}{drift} | {_cell(summary)} |"
            )
            if line.fields or line.notes:
                body = [
                    f"- `{_cell(f.path)}`: {_cell(f.before)} → {_cell(f.after)}" + (f" ({f.note})" if f.note else "")
                    if line.action == Action.UPDATE
                    else f"- `{_cell(f.path)}`: {_cell(f.after)}"
                    for f in line.fields
                ]
                body += [f"- _note: {_cell(n)}_" for n in line.notes]
                details.append(f"**{line.symbol} {line.kind} `{_cell(line.id)}`**\n" + "\n".join(body))
    out = "\n".join(head) + "\n\n" + ("\n".join(rows) if len(rows) > 2 else "") + "\n"
    if details:
        block = "\n\n".join(details)
        out += f"\n<details><summary>Field changes ({len(details)} entities)</summary>\n\n{block}\n\n</details>\n"
    footer = ""
    if view.steps:
        footer += f"\n{view.calls} API calls in {len(view.steps)} steps · "
    footer += f"checksum `{view.checksum}`\n"
    if len(out) + len(footer) > limit:
        out = out[: limit - 400].rsplit("\n", 1)[0]
        out += (
            "\n\n… plan truncated to fit a pull-request comment; see the full plan "
            "(`reconcile plan --format json --out plan.json`).\n"
        )
        if "<details>" in out and "</details>" not in out:
            out += "\n</details>\n"
    return out + footer


def render_site_markdown(site: SitePlan, limit: int = LIMIT) -> str:
    """A plan of several locations for a pull-request comment: a row per location, each plan collapsed."""
    view = build_site_view(site)
    out = [f"### {view.summary}", "", f"**Target:** {_cell(view.target)}", ""]
    unsafe = [row.location for row in view.rows if row.unsafe]
    if unsafe:
        out.append(f"> :warning: **Unsafe** at {', '.join(unsafe)}: `apply` needs `--force`.")
        out.append("")
    out += ["| Location | Plan | API calls |", "|---|---|---|"]
    for row in view.rows:
        flags = (" :warning: unsafe" if row.unsafe else "") + (f" ({row.drift} drift)" if row.drift else "")
        out.append(f"| {_cell(row.location)} | {_cell(row.summary)}{flags} | {row.calls} |")
    text = "\n".join(out) + "\n"
    footer = f"\nchecksum `{view.checksum}` (all locations)\n"
    budget = max(2_000, (limit - len(text) - len(footer)) // max(1, len(view.locations)))
    for location, _ in view.locations:
        inner = render_markdown(site.plan_of(location), limit=budget).replace("### ", "#### ", 1)
        text += f"\n<details><summary>{_cell(location)}</summary>\n\n{inner}\n</details>\n"
    return text + footer
