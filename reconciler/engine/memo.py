"""The last plans of each catalog, kept in the state directory: a plan of what did not change is its read.

A plan is a pure function of its inputs: the catalog's bytes (and its local images' bytes), the live
side as read, the id mapping, the availability layer, the target's location, the command's options
and reconcile's code. ``reconcile plan`` keeps what it printed under a key over all of them, in
``<state>/plans/``, and the next plan whose inputs hash the same prints that again, without parsing,
validating, projecting, interpreting or diffing anything (docs/performance.md).

Two files per plan, so the catalog need not be loaded to find the target:

- a **head**, keyed by the catalog's bytes and the command's options: where the plan was (location
  and currency, which open the target) and the content hashes of the catalog's local images;
- a **memo**, keyed by the head's key and everything read live: a hash of the whole read (after
  ``refresh``), the settled mapping rows, the location and its time zone: the output and whether it
  was empty.

Why it is safe:
- The live side is always read (through the live snapshot, as every plan reads it), and a hash of
  all of it is in the key (not only the fingerprint, which covers what the location reaches): a
  live edit is a new key. So are a changed mapping row, a byte of any catalog file or image, a
  flag, an environment variable the plan reads, and any source file of reconcile (the code
  fingerprint covers the whole package and the versions of the libraries the plan's output
  depends on).
- Where the read can say what it holds without being decoded, its hash is of that
  (:func:`raw_digest`: Catalogs v3, its answers' bytes; Menus (New), the kept lists' hash and the
  lists read whole): equal hashes hold equal reads, and a memo is only ever kept from a plan made
  from a read hashed the same way, so an answer never needs the read decoded.
- What depends on the clock is never kept: a plan with entries of the availability layer in force,
  or with dashboard stock edits adopted, is planned in full every time. So is a plan that removes
  anything (protect's check reads the journal), a site of several locations, ``--only``/``--exclude``,
  ``--out``, HTML and ``--refresh-only``.
- A memo is JSON, named by its own key and checked against it, written atomically; a file that cannot be
  read, or does not match, is a miss, and the plan is made in full. Writing is best effort.
- ``apply`` never reads it: apply plans again under the lock, from a full read (the stale-plan rule).

``RECONCILE_PLAN_MEMO=off`` turns it off.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import operator
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from reconciler import __version__, jsonio

if TYPE_CHECKING:
    from reconciler.state.mapping import Row

FORMAT = "reconcile-plan-memo/1"
VARIABLE = "RECONCILE_PLAN_MEMO"
KEEP = 16  # memos kept per state directory: a few catalogs, each with its last plans
# The libraries whose behaviour can change what a plan prints (decoding, validation, diffing, YAML).
LIBRARIES = ("pydantic", "pydantic-core", "deepdiff", "orjson", "PyYAML", "click")
# Variables a plan reads besides the flags (thresholds, the plan key's presence is in the request).
ENVIRONMENT = ("RECONCILE_MAX_UPDATE_SHARE", "RECONCILE_MAX_REMOVE_SHARE", "RECONCILE_SAFETY_MIN_ENTITIES")


def enabled() -> bool:
    return os.environ.get(VARIABLE, "").strip().lower() not in ("off", "0", "no")


@functools.cache
def code_fingerprint() -> str:
    """reconcile's version, every source file of the package, the Python and library versions."""
    import importlib.metadata  # here, not at import: 40 ms a plan without the memo need not pay

    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}\0".encode())
    for library in LIBRARIES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            digest.update(f"{library}={importlib.metadata.version(library)}\0".encode())
    root = Path(__file__).resolve().parents[1]
    for source in sorted(root.rglob("*.py")):
        digest.update(source.relative_to(root).as_posix().encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def raw_digest(raw: object) -> str | None:
    """A hash of everything a live read holds, or None when it cannot be hashed: then nothing is kept.

    A read that knows the hash of what it was made of (``raw.digest``: Catalogs v3, the bytes of its
    three answers) is keyed by that, so a plan the memo answers decodes nothing; any other is keyed
    by every field of the target's raw read, as decoded (a dataclass of JSON values). Two reads with
    the same digest hold the same values, so either key changes whenever the read does. Not the live
    fingerprint: that counts only what a diner of this location can reach, and a plan also looks at
    the rest (Menus (New): entities an interrupted run left detached, which the next plan deletes)."""
    digest = getattr(raw, "digest", None)
    if isinstance(digest, str):
        return f"answers:{digest}"
    if not dataclasses.is_dataclass(raw) or isinstance(raw, type):
        return None
    fields = {f.name: getattr(raw, f.name) for f in dataclasses.fields(raw) if f.name != "digest"}
    try:
        return (
            "values:" + hashlib.sha256(orjson.dumps(fields, default=_plain, option=orjson.OPT_NON_STR_KEYS)).hexdigest()
        )
    except orjson.JSONEncodeError:
        return None


def _plain(value: object) -> object:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(type(value).__name__)


_mapping_key = operator.itemgetter(0, 1)


def _hash(*parts: object) -> str:
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()


@dataclass(frozen=True)
class Head:
    """Where the last plan of a catalog was: what opens its target without loading the catalog."""

    location: str | None
    currency: str
    images: tuple[tuple[str, str], ...]  # (path, sha256) of every local image the catalog names

    def images_current(self) -> bool:
        for path, sha256 in self.images:
            try:
                if hashlib.sha256(Path(path).read_bytes()).hexdigest() != sha256:
                    return False
            except OSError:
                return False
        return True


def _pair(value: object) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)


@dataclass(frozen=True)
class Answer:
    output: str
    empty: bool


class PlanMemo:
    """The kept plans of one request (a catalog's bytes and the command's options) in a state directory."""

    def __init__(self, state_dir: Path, catalog_key: str, request: Mapping[str, object]) -> None:
        self.directory = state_dir / "plans"
        environment = {name: os.environ.get(name) for name in ENVIRONMENT}
        self.request = _hash(FORMAT, code_fingerprint(), catalog_key, dict(request), environment)

    @classmethod
    def of(cls, state_dir: Path, catalog_key: str, request: Mapping[str, object]) -> PlanMemo | None:
        return cls(state_dir, catalog_key, request) if enabled() else None

    def head(self) -> Head | None:
        data = self._read(f"head-{self.request}")
        location, currency, images = data.get("location"), data.get("currency"), data.get("images")
        if not (location is None or isinstance(location, str)) or not isinstance(currency, str):
            return None
        if not isinstance(images, list) or not all(_pair(i) for i in images):
            return None  # damaged or edited: plan in full
        return Head(location, currency, tuple((str(p), str(h)) for p, h in images))

    def live_key(self, scope: str, raw: str, rows: Iterable[Row], where: object) -> str:
        """The key of a plan of this request against what was read live: ``raw``, its :func:`raw_digest`;
        ``rows``, the settled mapping (``Entry.row`` of each, in any order: sorted here by the
        mapping's key, namespace and local id, which no two rows share); ``where``, the location and
        its time zone."""
        ordered = orjson.dumps(sorted(rows, key=_mapping_key))
        return _hash(self.request, scope, raw, hashlib.sha256(ordered).hexdigest(), where)

    def answer(self, live_key: str) -> Answer | None:
        data = self._read(f"plan-{live_key}")
        output, empty = data.get("output"), data.get("empty")
        if data.get("key") != live_key or not isinstance(output, str) or not isinstance(empty, bool):
            return None
        with contextlib.suppress(OSError):
            os.utime(self.directory / f"plan-{live_key}.json")  # recently used: kept by the pruning
        return Answer(output, empty)

    def keep(self, head: Head, live_key: str, answer: Answer) -> None:
        """Best effort: a memo that cannot be written costs the next plan its work, never the command."""
        images = [list(i) for i in head.images]
        self._write(f"head-{self.request}", {"location": head.location, "currency": head.currency, "images": images})
        self._write(f"plan-{live_key}", {"key": live_key, "output": answer.output, "empty": answer.empty})
        self._prune()

    def _read(self, name: str) -> dict[str, object]:
        try:
            data = jsonio.loads((self.directory / f"{name}.json").read_bytes())
        except (OSError, jsonio.JsonInvalid):
            return {}
        return data if isinstance(data, dict) and data.get("format") == FORMAT else {}

    def _write(self, name: str, document: dict[str, object]) -> None:
        entry = self.directory / f"{name}.json"
        partial = entry.with_suffix(f".{os.getpid()}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(orjson.dumps({"format": FORMAT, **document}))
            os.replace(partial, entry)
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)

    def _prune(self) -> None:
        with contextlib.suppress(OSError):
            for prefix in ("head", "plan"):
                kept = sorted(self.directory.glob(f"{prefix}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
                for old in kept[KEEP:]:
                    old.unlink(missing_ok=True)
