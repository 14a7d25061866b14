"""Where reconcile keeps local state: `.reconcile/` in the working directory, or RECONCILE_STATE_DIR."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    chosen = explicit or os.environ.get("RECONCILE_STATE_DIR") or ".reconcile"
    path = Path(chosen)
    path.mkdir(parents=True, exist_ok=True)
    return path
