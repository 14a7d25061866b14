"""The calls a target declares it makes (``Target.known_calls``): what ``apply --plan`` accepts (engine/review.py).

Apart from the review of a saved plan, so that a target's declarations (its capabilities module)
import nothing of the planner: the plan memo's answer reads the live side with them loaded.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconciler.engine.plan import Operation

# What a placeholder in a path may stand for: a Wix id, or "{<namespace>:<our id>}" filled at run time.
_ID = r"[A-Za-z0-9_-]{1,100}"
_PLACEHOLDER = r"\{[a-z_]{1,30}:[A-Za-z0-9][A-Za-z0-9_.:#@+\-]{0,127}\}"


@dataclass(frozen=True)
class CallTemplate:
    """One API call a target makes: its SDK name, method and path (``{id}`` for any id segment).

    ``query`` names the one query parameter the path may carry, repeated (``ids`` for bulk deletes).
    """

    call: str
    method: str
    path: str
    query: str | None = None

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str]:
        """Compiled at the first match, not when a target's module builds its list of calls: only a
        review of a saved plan matches, and every command that loads a target (a memo's answer on
        Menus (New) among them) would otherwise compile some fifty patterns it never uses."""
        parts = re.split(r"(\{[a-z_]+\})", self.path)
        regex = "".join(f"(?:{_ID}|{_PLACEHOLDER})" if p.startswith("{") else re.escape(p) for p in parts)
        if self.query:
            regex += rf"(?:\?{re.escape(self.query)}={_ID}(?:&{re.escape(self.query)}={_ID})*)?"
        return re.compile(regex)

    def matches(self, operation: Operation) -> bool:
        return (
            operation.call == self.call
            and operation.method == self.method
            and self._pattern.fullmatch(operation.path) is not None
        )
