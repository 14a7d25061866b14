"""Helpers for the sources' webhook hooks: HMAC signatures, constant-time checks, required fields.

Every comparison of a secret-derived value goes through :func:`same` (:func:`hmac.compare_digest`),
and :func:`matches_any` tries every candidate without stopping early, so the time a check takes
does not tell which key matched.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from reconciler.sources.errors import WebhookInvalid


def hmac_base64(key: str, message: bytes) -> str:
    """Standard base64 (with padding) of HMAC-SHA256; the key is used as its UTF-8 bytes, not decoded."""
    return base64.b64encode(hmac.new(key.encode("utf-8"), message, hashlib.sha256).digest()).decode("ascii")


def same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def matches_any(expected: Iterable[str], given: str) -> bool:
    """Whether any expected value equals ``given``; every candidate is compared (no early exit)."""
    matched = False
    for candidate in expected:
        matched |= same(candidate, given)
    return matched


def required_text(value: object, what: str) -> str:
    """A required, non-empty string field of a webhook body; :class:`WebhookInvalid` otherwise."""
    if not isinstance(value, str) or not value:
        raise WebhookInvalid(f"{what} is missing")
    return value
