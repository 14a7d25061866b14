"""Where reconcile keeps local state: `.reconcile/` in the working directory, or RECONCILE_STATE_DIR."""

from __future__ import annotations

import os
from pathlib import Path

from reconciler.errors import ConfigError


def state_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where the state is, without creating it (inputs are checked before anything is created)."""
    return Path(explicit or os.environ.get("RECONCILE_STATE_DIR") or ".reconcile")


def state_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The state directory, created if missing; a path that cannot be one is the user's error, said so."""
    path = state_path(explicit)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ConfigError(
            f"the state directory {path} is a file, not a directory (--state-dir, RECONCILE_STATE_DIR)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot create the state directory {path}: {exc.strerror or exc}") from None
    return path
