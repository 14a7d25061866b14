"""Structured logs for ``serve``: one JSON object per line on stderr, secrets replaced by ``***``.

``serve`` writes one line per received webhook event (``"event": "webhook"``) and one per sync
(``"event": "sync"``), plus start and stop lines. Records from other loggers (the engine, uvicorn)
become ``{"event": "log", "message": ...}`` lines, so stderr stays machine-readable. The
formatter redacts the *final* text, so no field, message or traceback can carry a secret out.

Called by the server at start-up (:func:`setup`) and by app, worker and sync (:func:`emit`).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from reconciler.redact import Redactor

log = logging.getLogger("reconciler.serve")


class JsonFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, "fields", None) or {"event": "log", "message": record.getMessage()}
        line = {"ts": _iso(record.created), "level": record.levelname.lower(), **fields}
        if "event" not in fields or fields["event"] == "log":
            line["logger"] = record.name
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return self.redact(json.dumps(line, default=str, ensure_ascii=False, sort_keys=False))


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + f".{int(moment % 1 * 1000):03d}Z"


def setup(redact: Redactor, level: int = logging.INFO, stream=None) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) as JSON; returns the handler (tests remove it)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(redact))
    root = logging.getLogger()
    for other in list(root.handlers):
        if getattr(other, "replaceable", False):  # the CLI's plain "Warning: ..." lines
            root.removeHandler(other)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    log.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    return handler


def emit(event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one structured line: ``{"event": event, **fields}``."""
    log.log(level, event, extra={"fields": {"event": event, **fields}})
