"""What arrives on the wire, made usable: query strings, JSON bodies, and JSON out.

Wix's SDK puts requests on the wire in several forms (reference §2), and the emulator accepts all of them:

- ``?.r=<base64url JSON>``: the whole request as JSON ("complex" requests such as List Catalogs with
  paging or sort), base64url without padding;
- dotted keys: ``paging.limit=10`` is ``{"paging": {"limit": "10"}}``;
- repeated keys: ``locationIds=a&locationIds=b`` is a list;
- ``fieldMask=id,name`` (comma-joined) or ``fieldMask=id&fieldMask=name`` (repeated).

Values from a plain query string are strings; values from ``.r`` keep their JSON types. :class:`Params`
converts either, raising a 400 validation error when a value does not parse. Used by every API
handler through ``routing.Call``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from reconciler.emulator.errors import FORMAT, violation

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_guid(value: object) -> bool:
    return isinstance(value, str) and GUID.match(value) is not None


def dumps(payload: Any) -> bytes:
    """Compact UTF-8 JSON, the form every response body takes."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def dumps_text(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def parse_body(raw: bytes) -> dict[str, Any]:
    """The JSON request body; an empty body is ``{}``. Anything but a JSON object is a 400."""
    if not raw or not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise violation("", f"request body is not valid JSON: {exc}", FORMAT) from None
    if not isinstance(data, dict):
        raise violation("", "request body must be a JSON object", FORMAT)
    return data


def _decode_r(value: str) -> dict[str, Any]:
    padded = value + "=" * (-len(value) % 4)
    try:
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise violation(".r", f"not base64url-encoded JSON: {exc}", FORMAT) from None
    if not isinstance(data, dict):
        raise violation(".r", "must encode a JSON object", FORMAT)
    return data


def _put(tree: dict[str, Any], dotted: str, value: str) -> None:
    parts = dotted.split(".")
    node = tree
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    leaf = parts[-1]
    if leaf in node:
        existing = node[leaf]
        node[leaf] = (existing if isinstance(existing, list) else [existing]) + [value]
    else:
        node[leaf] = value


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _overlay(out[key], value)
        else:
            out[key] = value
    return out


def parse_query(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Turn query pairs into one request tree; keys in ``.r`` win over plain keys."""
    plain: dict[str, Any] = {}
    encoded: dict[str, Any] = {}
    for key, value in pairs:
        if key == ".r":
            encoded = _overlay(encoded, _decode_r(value))
        elif key:
            _put(plain, key, value)
    return _overlay(plain, encoded)


class Params:
    """Typed access to a parsed query tree. Dotted names reach into nested keys."""

    def __init__(self, tree: dict[str, Any]):
        self.tree = tree

    def raw(self, name: str) -> Any:
        node: Any = self.tree
        for part in name.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def _single(self, name: str) -> Any:
        value = self.raw(name)
        if isinstance(value, list):  # a repeated scalar: the last one wins, as in most servers
            value = value[-1] if value else None
        return value

    def bool(self, name: str, default: bool) -> bool:
        value = self._single(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise violation(name, f"expected true or false, got {value!r}", FORMAT)

    def int(self, name: str, default: int) -> int:
        value = self._single(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise violation(name, f"expected an integer, got {value!r}", FORMAT)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
            return int(value)
        raise violation(name, f"expected an integer, got {value!r}", FORMAT)

    def str(self, name: str) -> str | None:
        value = self._single(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise violation(name, f"expected a string, got {value!r}", FORMAT)
        return value

    def list(self, name: str) -> list[str]:
        value = self.raw(name)
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in items):
            raise violation(name, "expected a list of strings", FORMAT)
        return items

    def field_mask(self, name: str = "fieldMask") -> list[str]:
        """Mask paths, comma-joined or repeated (or ``{"paths": [...]}`` inside ``.r``)."""
        value = self.raw(name)
        if isinstance(value, dict):
            value = value.get("paths")
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        paths: list[str] = []
        for item in items:
            if not isinstance(item, str):
                raise violation(name, "expected field paths as strings", FORMAT)
            paths.extend(p.strip() for p in item.split(",") if p.strip())
        return paths
