"""Reading the environment: numbers, URLs and credentials, checked when they are read.

Every ``RECONCILE_*`` setting and every credential goes through one of these readers, so a bad
value is refused at once with the variable's name and what it accepts, never later as a
traceback (``float("abc")``) or a division by zero. Credentials are never shown, not even in
part: a message names the variable and the kind of problem only.

A credential with whitespace around it (a trailing newline from ``echo`` or a secrets file is the
usual case) is trimmed and a warning is logged; one holding a control character or a character
an HTTP header cannot carry is refused.

Called by :mod:`reconciler.credentials`, the POS sources, ``serve`` and the CLI.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping

from reconciler.errors import ConfigError

log = logging.getLogger(__name__)


def number(
    name: str,
    default: float,
    *,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    environ: Mapping[str, str] | None = None,
) -> float:
    """A finite number from ``name`` (``default`` when unset), within [low, high]."""
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return default
    return parse_number(raw, name, low=low, high=high, integer=integer)


def parse_number(
    raw: str, what: str, *, low: float | None = None, high: float | None = None, integer: bool = False
) -> float:
    """``raw`` as a finite number within [low, high]; ``what`` names it in the message (a variable or flag)."""
    text = raw.strip()
    kind = "a whole number" if integer else "a number"
    if not text.isascii():
        raise ConfigError(f"{what} must be {kind} written with the digits 0-9, not {raw!r}")
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise ConfigError(f"{what} must be {kind}{_range(low, high)}, not {raw!r}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{what} must be a finite number{_range(low, high)}, not {raw!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(f"{what} must be {kind}{_range(low, high)}, not {raw!r}")
    return value


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" from {low:g} to {high:g}"
    if low is not None:
        return f" of at least {low:g}"
    if high is not None:
        return f" of at most {high:g}"
    return ""


def secret(name: str, environ: Mapping[str, str] | None = None) -> str:
    """A credential from ``name``, cleaned ('' when unset or blank); see the module docstring."""
    environ = os.environ if environ is None else environ
    return clean_secret(name, environ.get(name) or "")


def clean_secret(name: str, raw: str) -> str:
    """``raw`` trimmed of surrounding whitespace (with a warning); refused if it holds a control character."""
    value = raw.strip()
    if value != raw and value:
        log.warning("%s has whitespace or a line break around it; it was trimmed", name)
    for char in value:
        if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F or char in "\u2028\u2029":
            raise ConfigError(
                f"{name} holds a control character (U+{ord(char):04X}); an HTTP header cannot carry it. "
                f"Set {name} again, without it"
            )
        if ord(char) > 0x7E:
            raise ConfigError(
                f"{name} holds a character outside ASCII (U+{ord(char):04X}); an HTTP header cannot carry it. "
                f"Set {name} again, without it"
            )
    return value


def base_url(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    """An API base URL from ``name``: http(s), a host, a valid port, no credentials, query or fragment."""
    environ = os.environ if environ is None else environ
    raw = environ.get(name) or default
    return check_base_url(name, raw)


def check_base_url(name: str, raw: str) -> str:
    import httpx

    text = raw.strip()
    problem = None
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in text):
        problem = "it holds a space, line break or control character"
    else:
        try:
            url = httpx.URL(text)
            port = url.port  # httpx checks the range when it parses
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            problem = f"it is not a valid URL ({exc})"
        else:
            if url.scheme not in ("http", "https"):
                problem = "it must start with http:// or https://"
            elif not url.host:
                problem = "it names no host"
            elif port is not None and not 0 < port < 65536:
                problem = "its port must be from 1 to 65535"
            elif url.userinfo:
                problem = "it must not hold a user name or password (credentials come from their own variables)"
            elif url.query or url.fragment:
                problem = "it must not have a query (?…) or fragment (#…)"
    if problem:
        raise ConfigError(f"{name} is not a usable API base URL: {problem}")
    return text.rstrip("/")
