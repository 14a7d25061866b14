"""Webhook authenticity, exactly as each POS specifies it (see the reference notes, §1.4, §2.4, §3.4).

Pure functions over the raw request: header mapping and raw body bytes. The HTTP app
(:mod:`reconciler.serve.app`) calls :func:`verify` before it reads anything else from a request;
a request that fails gets 401 and causes no work. Every comparison of a secret-derived value uses
:func:`hmac.compare_digest`.

* Square: ``x-square-hmacsha256-signature`` = base64(HMAC-SHA256(key, notification URL + raw body)).
  The URL is the one registered with Square (``SQUARE_WEBHOOK_URL``), never rebuilt from the request.
* Toast: ``Toast-Signature`` = base64(HMAC-SHA256(secret, raw body + timestamp)). Toast does not say
  which timestamp; we try the envelope's own ``timestamp`` field first, then a ``Toast-Timestamp``
  header, then the body alone, and report which variant matched so it can be confirmed.
* Clover: a static shared secret in ``X-Clover-Auth`` (no HMAC over the body exists).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SQUARE_HEADER = "x-square-hmacsha256-signature"
TOAST_HEADER = "toast-signature"
TOAST_TIMESTAMP_HEADER = "toast-timestamp"
CLOVER_HEADER = "x-clover-auth"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""  # why not, for the log ("missing x-square-hmacsha256-signature header", ...)
    variant: str = ""  # which message form matched (Toast), for the log


def hmac_base64(key: str, message: bytes) -> str:
    """Standard base64 (with padding) of HMAC-SHA256; the key is used as its UTF-8 bytes, not decoded."""
    return base64.b64encode(hmac.new(key.encode("utf-8"), message, hashlib.sha256).digest()).decode("ascii")


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


# -- Square -----------------------------------------------------------------------------------------


def square_signature(key: str, notification_url: str, body: bytes) -> str:
    return hmac_base64(key, notification_url.encode("utf-8") + body)


def verify_square(headers: Mapping[str, str], body: bytes, candidates: Iterable[tuple[str, str]]) -> Verdict:
    """``candidates``: (signature key, notification URL) pairs; one must match."""
    given = _lower(headers).get(SQUARE_HEADER, "").strip()
    if not given:
        return Verdict(False, f"missing {SQUARE_HEADER} header")
    matched = False
    for key, url in candidates:
        matched |= _same(square_signature(key, url, body), given)  # no early exit: same work for every key
    return Verdict(True) if matched else Verdict(False, "signature does not match")


# -- Toast ------------------------------------------------------------------------------------------


def toast_signature(secret: str, message: bytes) -> str:
    return hmac_base64(secret, message)


def toast_messages(headers: Mapping[str, str], body: bytes) -> list[tuple[str, bytes]]:
    """The message forms to try, most likely first: body + envelope timestamp, + header, body alone."""
    forms: list[tuple[str, bytes]] = []
    try:
        stamp = json.loads(body).get("timestamp")
    except (ValueError, AttributeError):
        stamp = None
    if isinstance(stamp, str) and stamp:
        forms.append(("body+timestamp", body + stamp.encode("utf-8")))
    header = _lower(headers).get(TOAST_TIMESTAMP_HEADER, "")
    if header:
        forms.append(("body+toast-timestamp-header", body + header.encode("utf-8")))
    forms.append(("body", body))
    return forms


def verify_toast(headers: Mapping[str, str], body: bytes, secrets: Iterable[str]) -> Verdict:
    given = _lower(headers).get(TOAST_HEADER, "").strip()
    if not given:
        return Verdict(False, "missing Toast-Signature header")
    forms = toast_messages(headers, body)
    found = ""
    for secret in secrets:
        for variant, message in forms:
            if _same(toast_signature(secret, message), given) and not found:
                found = variant
    return Verdict(True, variant=found) if found else Verdict(False, "signature does not match")


# -- Clover -----------------------------------------------------------------------------------------


def verify_clover(headers: Mapping[str, str], auth_codes: Iterable[str]) -> Verdict:
    given = _lower(headers).get(CLOVER_HEADER, "").strip()
    if not given:
        return Verdict(False, "missing X-Clover-Auth header")
    matched = False
    for code in auth_codes:
        matched |= _same(code, given)
    return Verdict(True) if matched else Verdict(False, "auth code does not match")


def clover_verification_code(body: bytes) -> str | None:
    """The one-time ``{"verificationCode": ...}`` POST Clover sends when a webhook URL is set up."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict) and set(data) == {"verificationCode"} and isinstance(data["verificationCode"], str):
        return data["verificationCode"]
    return None
