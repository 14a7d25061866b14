"""The key that signs and checks plan files (engine/planfile.py), read from the environment.

Apart from the plan file's format, so that a plan the plan memo answers (engine/memo.py) reads it
without importing the plan file's schema.
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler import environment
from reconciler.errors import ConfigError

PLAN_KEY_VARIABLE = "RECONCILE_PLAN_KEY"
PLAN_KEY_MIN_LENGTH = 16


def plan_key(environ: Mapping[str, str] | None = None) -> str | None:
    """The key that signs and checks plan files, if ``RECONCILE_PLAN_KEY`` is set (never shown)."""
    key = environment.secret(PLAN_KEY_VARIABLE, environ)
    if key and len(key) < PLAN_KEY_MIN_LENGTH:
        raise ConfigError(
            f"{PLAN_KEY_VARIABLE} is {len(key)} characters long; a plan key needs at least "
            f"{PLAN_KEY_MIN_LENGTH} (for example the output of `openssl rand -hex 32`)"
        )
    return key or None
