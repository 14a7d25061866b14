"""A plan refused for removing protected entities names the file and line of each one still in the catalog."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from reconciler.errors import CatalogInvalid, ProtectedRemoval

F = TypeVar("F", bound=Callable[..., Any])


def locate_protected(command: F) -> F:
    """Wrap a command that takes ``catalog``: its ProtectedRemoval comes back with ``file:line``."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ProtectedRemoval as refused:
            catalog = kwargs.get("catalog")
            if not catalog:
                raise
            # Imported here: only a refused plan needs the catalog's positions, and finding them loads
            # the YAML reader, which a plan the plan memo answers never loads (plan_answer.py).
            from reconciler.yamlio.where import where_entities

            try:
                where = where_entities(catalog)
            except CatalogInvalid:
                raise refused from None
            raise refused.located(where) from None

    return run  # type: ignore[return-value]
