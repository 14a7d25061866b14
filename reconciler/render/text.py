"""The plan as terminal text: summary first, then each change with before → after.

Colour only on a terminal, and never when NO_COLOR is set (rich honours it).
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape

from reconciler.engine.plan import Plan
from reconciler.render.view import PlanView, build_view

STYLES = {"+": "green", "~": "yellow", "-": "red"}


def render_text(plan: Plan, color: bool | None = None, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=bool(color), no_color=not color, width=width,
                      highlight=False, soft_wrap=True)
    write_view(console, build_view(plan))
    return buffer.getvalue()


def write_view(console: Console, view: PlanView) -> None:
    console.print(f"[bold]{escape(view.summary)}[/]")
    console.print(f"Target: {escape(view.target)}")
    if view.drift:
        console.print(f"[magenta]{view.drift} change(s) undo edits made on the live catalog outside reconcile "
                      "(marked drift)[/]")
    for reason in view.unsafe:
        console.print(f"[bold red]Unsafe:[/] {escape(reason)}. `apply` needs --force.")
    for group in view.groups:
        console.print()
        console.print(f"[bold]{group.title}[/]")
        for line in group.changes:
            style = STYLES[line.symbol]
            drift = " [magenta](drift)[/]" if line.drift else ""
            console.print(f"  [{style}]{line.symbol} {line.action} {line.kind} {escape(line.id)}[/] "
                          f'"{escape(line.name)}"{drift}')
            for field in line.fields:
                if line.action == "update":
                    note = f"  ({field.note})" if field.note else ""
                    console.print(f"      {escape(field.path)}: {escape(field.before)} → {escape(field.after)}{note}")
                else:
                    console.print(f"      {escape(field.path)}: {escape(field.after)}")
            for note in line.notes:
                console.print(f"      [dim]note: {escape(note)}[/]")
    if view.notes:
        console.print()
        for note in view.notes:
            console.print(f"[dim]Note: {escape(note)}[/]")
    if view.steps:
        console.print()
        console.print(f"[bold]API calls[/]: {view.calls} in {len(view.steps)} step(s)")
        for step, calls in view.steps:
            console.print(f"  {step}. " + "; ".join(escape(c) for c in calls))
    elif view.empty:
        console.print("No changes. The live catalog matches the desired state.")
    console.print(f"[dim]Plan checksum: {view.checksum}[/]")
