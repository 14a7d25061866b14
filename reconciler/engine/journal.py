"""What an apply writes in the journal before it runs: who, the plan, and the before-state.

The before-state is the live record (in the target's kinds, keyed by our ids) of every entity the
plan touches, as it was when the run started, or null for one the run creates. It is what
``reconcile rollback`` puts back (:mod:`reconciler.engine.rollback`), and with the plan what
``reconcile history RUN_ID`` shows. It holds catalog data only, like a plan: never a secret.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
from typing import Any

from reconciler.engine.essence import Essence, Key
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import to_json
from reconciler.engine.vocabulary import Kind
from reconciler.state.mapping import Journal


def operator() -> str:
    """Who runs a command from a shell: user@host (RECONCILE_OPERATOR overrides it, e.g. in CI)."""
    named = os.environ.get("RECONCILE_OPERATOR")
    if named:
        return named
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def journal(
    plan: Plan,
    live: Essence | None,
    who: str,
    undoes: str | None = None,
    site_run: str | None = None,
    with_plan: bool = True,
) -> Journal:
    """The journal entry of a run of ``plan``; ``live`` None: the before-state was not read. ``site_run``:
    the apply of several locations it is one location of. ``with_plan`` False: the entry's plan is left
    empty, for a caller that stores it packed from :func:`plan_parts` (apply, while its calls run)."""
    before = "" if live is None else json.dumps(before_state(plan, live), sort_keys=True, ensure_ascii=False)
    text = plan_text(plan) if with_plan else ""
    return Journal(who=who, plan=text, before=before, undoes=undoes, site_run=site_run)


def plan_parts(plan: Plan) -> list[bytes | memoryview]:
    """The UTF-8 pieces of the plan's JSON form: the canonical bytes its seal hashed, with the checksum
    (the same document as ``to_json``, compact and not serialised again: 5 MB for a plan of 10,000
    dishes), else ``to_json``. Pieces, so the journal packs them without copying or decoding them."""
    body = getattr(plan, "canonical", None)
    if not isinstance(body, bytes) or not body.startswith(b"{") or body == b"{}":
        return [to_json(plan).encode("utf-8")]
    return [b'{"checksum":' + json.dumps(plan.checksum).encode("ascii") + b",", memoryview(body)[1:]]


def plan_text(plan: Plan) -> str:
    """The plan's JSON form (:func:`plan_parts` joined)."""
    return b"".join(plan_parts(plan)).decode("utf-8")


def before_state(plan: Plan, live: Essence) -> list[dict[str, Any]]:
    return [{"kind": str(c.kind), "id": c.id, "before": live.get(c.key)} for c in plan.changes]


def read_before(text: str) -> dict[Key, dict[str, Any] | None]:
    """The before-state as recorded, keyed like an essence."""
    return {(Kind(e["kind"]), e["id"]): e["before"] for e in json.loads(text)} if text else {}
