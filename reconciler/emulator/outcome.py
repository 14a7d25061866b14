"""What the core answers for one request: status, headers, body, plus what the wire layer must do.

``Outcome`` unpacks as ``status, headers, body``. ``action`` is set only for injected faults that
are not plain HTTP responses: ``"drop"`` (the connection dies mid-response) and ``"timeout"`` (the
response is held ``hold_seconds`` and then, if anyone still listens, a 504). ``asgi.py`` and
``transport.py`` carry them out, each in its own way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reconciler.emulator.errors import WixError
from reconciler.emulator.wire import dumps

JSON_HEADERS = (("content-type", "application/json; charset=utf-8"),)


@dataclass
class Outcome:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=lambda: list(JSON_HEADERS))
    body: bytes = b"{}"
    action: str | None = None  # None, "drop" or "timeout"
    hold_seconds: float = 0.0

    def __iter__(self) -> Iterator[Any]:
        return iter((self.status, self.headers, self.body))

    def json(self) -> Any:
        return json.loads(self.body)


def json_outcome(payload: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Outcome:
    return Outcome(status, [*JSON_HEADERS, *(headers or [])], dumps(payload))


def error_outcome(error: WixError) -> Outcome:
    return json_outcome(error.envelope(), error.status, error.headers)
