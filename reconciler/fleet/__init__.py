"""Fleets: many Wix sites kept in step from one fleet file, in waves, on one machine or on Temporal.

    model.py     the fleet file (pydantic), its JSON Schema
    load.py      read and validate a fleet file: every problem at once, file:line:column
    fmt.py       the canonical form of a fleet file
    site.py      one site's work over the single-site engine: fetch, plan, apply, verify
    budget.py    request budgets per site and for the whole fleet (shared through the state backend)
    records.py   what the fleet remembers per site and per roll-out (the state backend)
    rollout.py   waves and the health gate between them (pure; both engines drive it)
    local.py     the local engine: asyncio, bounded concurrency
    temporal/    the Temporal engine: workflows, activities, worker, client
    status.py    `reconcile fleet status`

Layering: the fleet package sits beside serve (cli → serve/fleet → sources/targets/render →
engine → model/state). It imports the engine and targets, never serve; nothing below imports it.
"""
