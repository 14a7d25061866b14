"""JSON over HTTP for the POS readers: one place that turns failures into our error tree.

Readers get an ``httpx.Client`` that already carries the base URL and the bearer token (the
service builds it; tests pass one aimed at the fake POS server). Failures become
``TemporaryApiError`` (429, 5xx, network: retried a few times with back-off) or
``PermanentApiError`` (other 4xx). Bodies in errors are truncated and the token is blanked out,
so nothing secret reaches a terminal or a log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from reconciler.errors import PermanentApiError, TemporaryApiError

BODY_LIMIT = 300
ATTEMPTS = 3
MAX_WAIT = 30.0


def _redact(text: str, secret: str | None) -> str:
    if secret:
        text = text.replace(secret, "***")
    return text[:BODY_LIMIT] + ("…" if len(text) > BODY_LIMIT else "")


def request_json(
    client: httpx.Client,
    method: str,
    path: str,
    *,
    operation: str,
    params: dict[str, Any] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    secret: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Any:
    """Send one request and decode its JSON answer, retrying temporary failures."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _once(client, method, path, operation, params, body, headers, secret)
        except TemporaryApiError as exc:
            if attempt == ATTEMPTS:
                raise
            sleep(min(exc.retry_after if exc.retry_after is not None else 2.0**attempt, MAX_WAIT))
    raise AssertionError("unreachable")  # pragma: no cover


def request_object(client: httpx.Client, method: str, path: str, *, operation: str, **kwargs: Any) -> dict[str, Any]:
    """:func:`request_json` for endpoints that answer with a JSON object; anything else is permanent."""
    answer = request_json(client, method, path, operation=operation, **kwargs)
    if not isinstance(answer, dict):
        raise PermanentApiError("the POS API answered with something that is not a JSON object", operation=operation)
    return answer


def _once(client, method, path, operation, params, body, headers, secret) -> Any:
    try:
        response = client.request(method, path, params=params, json=body, headers=headers)
    except httpx.HTTPError as exc:
        # str(exc) names the URL at most; headers (and so the token) never appear in it.
        raise TemporaryApiError(
            _redact(f"request failed: {type(exc).__name__}: {exc}", secret), operation=operation
        ) from None
    if response.status_code >= 400:
        text = _redact(response.text, secret)
        if response.status_code == 429 or response.status_code >= 500:
            retry = response.headers.get("retry-after")
            raise TemporaryApiError(
                "the POS API is busy or failing",
                status=response.status_code,
                operation=operation,
                body=text,
                retry_after=float(retry) if retry and retry.replace(".", "", 1).isdigit() else None,
            )
        hint = " (check the access token)" if response.status_code in (401, 403) else ""
        raise PermanentApiError(
            f"the POS API refused the request{hint}", status=response.status_code, operation=operation, body=text
        )
    try:
        return response.json()
    except ValueError:
        raise PermanentApiError(
            "the POS API answered with something that is not JSON",
            status=response.status_code,
            operation=operation,
            body=_redact(response.text, secret),
        ) from None
