"""Where reconcile keeps local state: `.reconcile/` in the working directory, or RECONCILE_STATE_DIR."""

from __future__ import annotations

import os
from pathlib import Path


def state_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where the state is, without creating it (inputs are checked before anything is created)."""
    return Path(explicit or os.environ.get("RECONCILE_STATE_DIR") or ".reconcile")


def state_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    path = state_path(explicit)
    path.mkdir(parents=True, exist_ok=True)
    return path
