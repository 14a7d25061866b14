"""`reconcile fleet status FLEET`: per site its last run, result, drift and in-flight work, and the
last roll-out, from the state database that every engine and worker writes to.
"""

from __future__ import annotations

import time
from dataclasses import asdict

from reconciler.fleet.load import Fleet
from reconciler.fleet.records import FleetRecords, RolloutRecord


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) if stamp else "never"


def status_data(fleet: Fleet, records: FleetRecords) -> dict:
    stored = records.sites(fleet.name)
    sites = []
    for site in fleet.file.sites:
        record = stored.get(site.site_id)
        row = asdict(record) if record else {"site_id": site.site_id}
        in_flight = None
        if record and record.phase:
            in_flight = {"phase": record.phase, "since": record.phase_since, "worker": record.worker}
        sites.append(
            {
                "site_id": site.site_id,
                "name": site.label,
                "wave": fleet.file.wave_of(site),
                "result": row.get("result"),
                "mode": row.get("mode"),
                "started": row.get("started"),
                "finished": row.get("finished"),
                "drift": row.get("drift"),
                "changes": row.get("changes"),
                "detail": row.get("detail"),
                "rollout_id": row.get("rollout_id"),
                "ran_by": row.get("ran_by"),
                "in_flight": in_flight,
            }
        )
    rollouts = records.rollouts(fleet.name, limit=1)
    return {
        "format": "reconcile-fleet-status",
        "version": 1,
        "fleet": fleet.name,
        "revision": fleet.revision,
        "sites": sites,
        "last_rollout": asdict(rollouts[0]) if rollouts else None,
    }


def rollout_line(record: RolloutRecord | dict | None) -> str:
    if record is None:
        return "No roll-out yet."
    r = asdict(record) if isinstance(record, RolloutRecord) else record
    tally = ", ".join(f"{n} {k}" for k, n in sorted(r["detail"].get("tally", {}).items())) or "no site done"
    line = (
        f"Last roll-out {r['rollout_id']} ({r['mode']}, {r['engine']}, started {_when(r['started'])}): "
        f"{r['status']}" + (f" at wave {r['wave']}" if r["wave"] else "") + f"; {tally}"
    )
    message = r["detail"].get("message")
    return line + (f"\n  {message}" if message else "")


def render_status(data: dict) -> str:
    rows = [("SITE", "WAVE", "LAST RUN", "RESULT", "DRIFT", "IN FLIGHT", "DETAIL")]
    for site in data["sites"]:
        flight = site["in_flight"]
        rows.append(
            (
                site["name"] if site["name"] == site["site_id"] else f"{site['name']} ({site['site_id']})",
                site["wave"],
                _when(site["finished"]) + (f" ({site['mode']})" if site["mode"] else ""),
                site["result"] or "-",
                "-" if site["drift"] is None else str(site["drift"]),
                f"{flight['phase']} on {flight['worker']} since {_when(flight['since'])}" if flight else "-",
                (site["detail"] or "")[:100],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [f"Fleet {data['fleet']} (revision {data['revision'][:19]}…), {len(data['sites'])} site(s)"]
    lines += [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1] for row in rows
    ]
    lines.append(rollout_line(data["last_rollout"]))
    return "\n".join(line.rstrip() for line in lines) + "\n"
