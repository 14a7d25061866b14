"""Stable catalog ids made from POS ids: prefixed by source, sanitised, collision-free.

Every imported object keeps its POS id, so re-importing after a change updates the same dish
rather than deleting and recreating it. The catalog id pattern is
``^[A-Za-z0-9][A-Za-z0-9_.:#@+\\-]*$`` (at most 128 characters):

* server ids (Square ``JHXGR67LAV6YHS4OPESIOSEX``, Clover ``9MHWNAZFFW9R2``, Toast GUIDs) are
  already legal and are kept verbatim: ``sq-JHXGR67LAV6YHS4OPESIOSEX``;
* Square temporary ids (``#Bacon Cheeseburger``, ``#bakedGoods``) are client-chosen names; they
  become readable slugs: ``sq-bacon-cheeseburger``, ``sq-baked-goods``;
* anything else keeps its legal characters, each run of illegal ones becoming ``-``;
* ids derived from several POS ids (a modifier list forked for one item) join the parts with
  ``@``; ids derived from one (an item's size group) add a suffix such as ``:size``.

Sanitising can map two POS ids to one text. :class:`IdMaker` remembers every id it gave out per
namespace (items and variations share one, as in :mod:`reconciler.model.rules`) and gives the
later object a suffix made from a hash of its POS key, so the result never collides and depends
only on the input (translations call it in a deterministic order).
"""

from __future__ import annotations

import hashlib
import re

MAX_LENGTH = 128
_ILLEGAL = re.compile(r"[^A-Za-z0-9_.:#@+\-]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def sanitize(raw: str) -> str:
    """The id text for one POS id, without prefix (may be empty for ids such as ``"#!"``)."""
    if raw.startswith("#"):
        return _NOT_SLUG.sub("-", _CAMEL.sub("-", raw[1:]).lower()).strip("-")
    return _ILLEGAL.sub("-", raw).strip("-")


def _digest(key: tuple[str, ...], length: int = 8) -> str:
    return hashlib.sha256("\x1f".join(key).encode("utf-8")).hexdigest()[:length]


class IdMaker:
    """Gives out catalog ids for one import; the same POS key always gets the same id."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self._by_key: dict[tuple[str, ...], str] = {}
        self._taken: dict[str, set[str]] = {}

    def make(self, namespace: str, kind: str, *parts: str, suffix: str = "") -> str:
        """The id of the object that ``kind`` and its POS id ``parts`` name, in ``namespace``.

        ``namespace`` is where uniqueness matters (``item``, ``group``, ``section``, ``menu``);
        ``kind`` tells apart objects of one namespace whose POS ids could coincide (a Toast dish
        and a modifier option built on the same menu item).
        """
        key = (namespace, kind, *parts, suffix)
        known = self._by_key.get(key)
        if known is not None:
            return known
        body = "@".join(sanitize(p) or _digest((p,)) for p in parts)
        text = f"{self.prefix}-{body}{suffix}"
        if len(text) > MAX_LENGTH:
            text = text[: MAX_LENGTH - 9].rstrip("-") + "-" + _digest(key)
        taken = self._taken.setdefault(namespace, set())
        length = 8
        candidate = text
        while candidate in taken:
            candidate = text[: MAX_LENGTH - length - 1] + "-" + _digest(key, length)
            length += 4
        taken.add(candidate)
        self._by_key[key] = candidate
        return candidate

    def reserve(self, namespace: str, text: str) -> str:
        """Claim a fixed id (``sq-menu``, ``sq-uncategorized``) before POS ids are given out."""
        return self.make(namespace, "fixed", text)
