"""The fleet section of docs/performance.md, from the results of `python -m bench.fleet`."""

from __future__ import annotations

import math

from bench import sections

START, END = sections.MARKERS["fleet"]


def exponent(a: dict, b: dict, engine: str, step: str) -> float | None:
    def wall(r: dict) -> float | None:
        found = [s["wall"] for s in r["engines"].get(engine, []) if s["name"] == step]
        return found[0] if found else None

    wa, wb = wall(a), wall(b)
    if not wa or not wb or a["sites"] == b["sites"]:
        return None
    return math.log(wb / wa) / math.log(b["sites"] / a["sites"])


METHOD = (
    "One emulator server hosts every site (one Menus (New) location each); sites have catalogs of {low}-{high} "
    "dishes (ten generated catalogs, spread over the sites). Per size and engine, in a fresh state directory "
    "(SQLite): **converge** (the first roll-out, from empty sites), **drift** (a no-op drift pass), **price** (one "
    "price changed in every catalog, rolled out everywhere), **kill** (temporal only: another price change rolled "
    "out by {workers} workers, one of them SIGKILLed once {kill:.0%} of the sites have finished, no replacement "
    "started), **kill-check** (a drift pass right after it: every site must be in sync), **gate** (another price "
    "change with {failing:.0%} of the sites failing: the canary wave (10% of the sites) passes the gate's 2% share "
    "and the roll-out halts). `temporal` is a Temporal dev server with {workers} worker processes. *CPU/site* is "
    "reconcile's CPU (the CLI and the workers; not the emulator, not Temporal) per site that ran. It is compared "
    "with one site alone, on a site of its own with the fleet's median catalog (about 210 dishes; the fleet's "
    "average 200), each the median of 3 runs: **plan cmd** is the whole `reconcile plan` command against its "
    "converged site, a subprocess, its CPU from its resource usage (start-up and imports included, as a user "
    "pays them); **apply cmd** is the whole `reconcile apply --auto-approve` of one price change, measured the "
    "same way (the comparator of a price roll-out); **plan in-proc** is the planning alone (`make_plan`, "
    "in-process, imports excluded), measured before the fleet's steps. *Minimum* is one write per site for a "
    "price change, none for drift. *load* is the 1-minute load average as the step ended (2 cores shared with "
    "other work: wall times carry that noise, CPU seconds much less)."
)


def _rows(r: dict) -> list[str]:
    lone = r.get("lone") or {"plan_in_process": r.get("lone_plan_cpu")}  # older results: in-process only
    lines = []
    for engine, steps in r["engines"].items():
        for s in steps:
            ran = sum(s["tally"].values()) or 1
            per_site = s["cpu"] / ran
            minimum = {"price": r["sites"], "kill": r["sites"], "drift": 0, "kill-check": 0}.get(s["name"])
            apply_like = s["name"] in ("price", "kill")

            def ratio(key: str, shown: bool = True) -> str:
                return f"{per_site / lone[key]:.2f}" if shown and lone.get(key) else "-"

            tally = ", ".join(f"{n} {k}" for k, n in sorted(s["tally"].items()))
            load = f"{s['load']:.1f}" if "load" in s else "-"
            lines.append(
                f"| {r['sites']:,} | {engine} | {s['name']} | {s['wall']:.1f} | {s['total']:,} | {s['writes']:,} "
                f"| {'-' if minimum is None else f'{minimum:,}'} | {per_site:.3f} | {ratio('plan_command')} "
                f"| {ratio('apply_command', apply_like)} | {ratio('plan_in_process')} "
                f"| {s['status']}: {tally} (exit {s['exit']}) | {load} |"
            )
    return lines


def _kills(results: list[dict]) -> list[str]:
    lines = []
    for r in results:
        for engine, steps in r["engines"].items():
            for s in steps:
                notes = s.get("notes") or {}
                if s["name"] != "kill" or not notes:
                    continue
                held = ", ".join(f"{n} in {phase}" for phase, n in sorted(notes["in_flight_on_killed"].items()))
                lines.append(
                    f"- {r['sites']:,} sites, {engine}: one worker SIGKILLed {notes['killed_after_s']:.0f} s into the "
                    f"roll-out, when {notes['finished_at_kill']:,} sites had finished; it held {held or 'nothing'}; "
                    f"{notes['workers_left']} worker finished the roll-out: {s['status']}, "
                    f"{s['writes']:,} writes for {r['sites']:,} sites "
                    f"({s['writes'] - r['sites']:+,} against the minimum)."
                )
    return lines


def _measured(about: dict) -> str:
    load = ""
    if "load_start" in about:
        end = about.get("load_end", about.get("load_now", 0.0))
        load = f" Load average (1-minute) {about['load_start']:.1f} at the start, {end:.1f} at the end."
    return (
        f"- {', '.join(about.get('steps', []))}: measured {about['date']} on {about['cpu']} ({about['cores']} cores), "
        f"commit {about['commit']}.{load or ' ' + about.get('load', '')}".rstrip()
    )


def section(results: list[dict], abouts: list[dict], args) -> str:
    low, high = args.dishes
    method = METHOD.format(low=low, high=high, workers=args.workers, kill=args.kill_share, failing=args.failing)
    lines = [
        START,
        "## Fleets: 100 and 1,000 sites (`python -m bench.fleet`)",
        "",
        *[_measured(about) for about in abouts],
        "",
        method,
        "",
        "| sites | engine | step | wall s | calls | writes | minimum writes | CPU/site s | × plan cmd | × apply cmd "
        "| × plan in-proc | result | load |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        lines += _rows(r)
    lone = [(r["sites"], r.get("lone") or {}) for r in results]
    lines += [
        "",
        "Lone site CPU (s): "
        + "; ".join(
            f"{n:,} sites' bed: plan cmd {x.get('plan_command', 0):.3f}, apply cmd {x.get('apply_command', 0):.3f}, "
            f"plan in-proc {x.get('plan_in_process', 0):.3f}"
            for n, x in lone
        ),
    ]
    kills = _kills(results)
    if kills:
        lines += ["", "The kill step:", "", *kills]
    commits = {about.get("commit") for about in abouts}
    if len(results) >= 2 and len(commits) > 1:
        lines += ["", "Growth exponent: not computed, the fleet sizes were measured on different commits."]
    elif len(results) >= 2:
        a, b = results[0], results[-1]
        lines += ["", f"Growth exponent of wall time from {a['sites']:,} to {b['sites']:,} sites (1 = linear):", ""]
        for engine in args.engines:
            parts = []
            for step in ("converge", "drift", "price"):
                e = exponent(a, b, engine, step)
                parts.append(f"{step} {e:.2f}" if e is not None else f"{step} -")
            lines.append(f"- {engine}: " + ", ".join(parts))
    lines += ["", END]
    return "\n".join(lines) + "\n"
