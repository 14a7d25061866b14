"""The last live snapshot of each target, kept in the state directory: a plan reads what changed.

``reconcile plan`` asks the target to ``refresh`` from the snapshot the previous plan kept (the
target decides what it may skip: :meth:`reconciler.targets.base.Target.refresh`), then keeps the new
one (or the kept one, when it still holds) in ``<state>/live/<hash of the scope>.json``, with its
head beside it (:class:`Snapshots`). Only
plans read this way: ``apply`` always reads the live side in full, under the lock, and refuses a
plan whose fingerprint moved, so a plan from a snapshot that was wrong can never be applied.

Why a kept snapshot is used only when it is surely ours: it names the format, the target, the
scope, reconcile's version and a hash of the target package's source (a change of the reading code
reads in full once); anything else, or a file that cannot be read or decoded, is a full read. It is
JSON (never pickle): a damaged or edited file can only make the target read in full, or make a plan
that apply refuses as stale. Writing it is best effort: a snapshot that cannot be written costs the
next plan a full read, never the command.

``RECONCILE_LIVE_SNAPSHOT=off`` turns it off (every plan reads in full).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from reconciler import __version__, jsonio
from reconciler.canonical import JsonObject
from reconciler.errors import PermanentApiError

if TYPE_CHECKING:  # the contract is typed against these types; at run time any target will do
    from reconciler.targets.base import RawLive, Target

RawT = TypeVar("RawT", bound="RawLive")

FORMAT = "reconcile-live-snapshot/1"
VARIABLE = "RECONCILE_LIVE_SNAPSHOT"


def enabled() -> bool:
    return os.environ.get(VARIABLE, "").strip().lower() not in ("off", "0", "no")


class Kept:
    """A kept snapshot (what ``Target.keep``/``refresh`` returned): its head (all of it but its
    ``lists``), how many entities each list holds and a hash of the lists, known without decoding
    them; :meth:`document` decodes the whole snapshot when a target needs its lists."""

    def __init__(
        self, head: JsonObject, sizes: dict[str, int], lists: str | None, load: Callable[[], JsonObject | None]
    ) -> None:
        self.head, self.sizes, self._lists = head, sizes, lists
        self._load = load
        self._document: tuple[JsonObject | None] | None = None
        self.sound = False  # read through a head that is this snapshot's (Snapshots.peek)

    @classmethod
    def of(cls, document: JsonObject) -> Kept:
        """A snapshot held in memory (verify's, from ``Target.keep``)."""
        head = {k: v for k, v in document.items() if k != "lists"}
        return cls(head, _sizes(document.get("lists")), None, lambda: document)

    @property
    def lists(self) -> str:
        """:func:`lists_hash` of the snapshot's lists (from its head, or worked out once)."""
        if self._lists is None:
            self._lists = lists_hash((self.document() or {}).get("lists"))
        return self._lists

    def document(self) -> JsonObject | None:
        """The whole snapshot, lists included (None: it cannot be decoded, so it is no snapshot)."""
        if self._document is None:
            self._document = (self._load(),)  # decoded once, whoever asks
        return self._document[0]


def lists_hash(lists: object) -> str:
    """A hash of a snapshot's lists as decoded: what the plan memo keys a read through the snapshot by."""
    try:
        return hashlib.sha256(orjson.dumps(lists)).hexdigest()
    except orjson.JSONEncodeError:
        return ""


def _sizes(lists: object) -> dict[str, int]:
    if not isinstance(lists, dict):
        return {}
    return {str(k): len(v) for k, v in lists.items() if isinstance(v, list)}


class Snapshots:
    """The live snapshots of one state directory.

    Each is two files: the snapshot (JSON, the header and the target's snapshot) and its head
    (``.head.json``: the header, the hash of the snapshot file's bytes, the target's snapshot without
    its lists, their sizes and hash), so a plan that finds nothing changed need not decode the lists
    (Menus (New): 31,000 entities at 10,000 dishes). A head whose file hash is not the snapshot's
    (the snapshot was edited, or written by an earlier version) is not believed: the snapshot is then
    decoded, as before there were heads.
    """

    def __init__(self, state_dir: Path) -> None:
        self.directory = state_dir / "live"

    @classmethod
    def of(cls, state_dir: Path) -> Snapshots | None:
        """The snapshots of ``state_dir``, or None when ``RECONCILE_LIVE_SNAPSHOT=off``."""
        return cls(state_dir) if enabled() else None

    def path(self, scope: str) -> Path:
        return self.directory / f"{hashlib.sha256(scope.encode()).hexdigest()[:32]}.json"

    async def read(self, target: Target[RawT, Any], scope: str) -> RawT:
        """The live side as ``target.fetch()`` would read it now, through the kept snapshot."""
        kept = self.peek(target, scope)
        raw, keep = await target.refresh(kept)
        self.store(target, scope, keep)
        return raw

    def peek(self, target: Any, scope: str) -> Kept | None:
        """The snapshot kept for ``target`` (a target or its reader) at ``scope``, its lists not decoded
        where its head is sound."""
        entry, header = self.path(scope), _header(target, scope)
        try:
            body = entry.read_bytes()
        except OSError:
            return None
        head = _believed(_head_path(entry), header, body)
        if head is not None:
            return head
        kept = _decoded(body, header)
        return Kept.of(kept) if kept is not None else None

    def store(self, target: Any, scope: str, keep: JsonObject | Kept | None) -> None:
        """Keep what ``refresh`` returned for ``target`` (a target or its reader): a new snapshot, none
        (``None``), or the kept one (a :class:`Kept`: it still holds)."""
        if isinstance(keep, Kept):
            if keep.sound:
                return  # nothing changed: the kept snapshot holds, and its head with it
            keep = keep.document()  # it holds, but its head did not: written again, with its head
        entry = self.path(scope)
        if not isinstance(keep, dict):
            entry.unlink(missing_ok=True)
            _head_path(entry).unlink(missing_ok=True)
            return
        header = _header(target, scope)
        body = orjson.dumps({**header, "snapshot": keep})
        head = {k: v for k, v in keep.items() if k != "lists"}
        sizes, lists = _sizes(keep.get("lists")), lists_hash(keep.get("lists"))
        summary = {**header, "file": hashlib.sha256(body).hexdigest(), "head": head, "sizes": sizes, "lists": lists}
        _head_path(entry).unlink(missing_ok=True)  # never a head of another snapshot, even for a moment
        if self._write(entry, body):
            self._write(_head_path(entry), orjson.dumps(summary))

    def _write(self, entry: Path, body: bytes) -> bool:
        partial = entry.with_suffix(f".{os.getpid()}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(body)
            os.replace(partial, entry)
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            return False
        return True


def _head_path(entry: Path) -> Path:
    return entry.with_suffix(".head.json")


def _believed(path: Path, header: dict[str, str], body: bytes) -> Kept | None:
    """The head of the snapshot ``body``, when it is its head (same header, same file hash)."""
    try:
        data = jsonio.loads(path.read_bytes())
    except (OSError, jsonio.JsonInvalid):
        return None
    if not isinstance(data, dict) or any(data.get(k) != v for k, v in header.items()):
        return None
    head, sizes, lists = data.get("head"), data.get("sizes"), data.get("lists")
    if data.get("file") != hashlib.sha256(body).hexdigest() or not isinstance(head, dict):
        return None
    if not isinstance(sizes, dict) or not all(isinstance(v, int) for v in sizes.values()) or not isinstance(lists, str):
        return None
    kept = Kept(head, {str(k): int(v) for k, v in sizes.items()}, lists, lambda: _decoded(body, header))
    kept.sound = True
    return kept


def _decoded(body: bytes, header: dict[str, str]) -> JsonObject | None:
    try:
        data = jsonio.loads(body)
    except jsonio.JsonInvalid:
        return None
    if not isinstance(data, dict) or any(data.get(k) != v for k, v in header.items()):
        return None
    kept = data.get("snapshot")
    return kept if isinstance(kept, dict) else None


def _header(target: Target[Any, Any], scope: str) -> dict[str, str]:
    return {
        "format": FORMAT,
        "target": target.name,
        "scope": scope,
        "version": __version__,
        "code": _code(type(target).__module__),
    }


@functools.cache
def _code(module: str) -> str:
    """A hash of the source of the target's package: what decides the shape of what it keeps."""
    package = Path(sys.modules[module].__file__ or "").parent
    digest = hashlib.sha256()
    for source in sorted(package.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:32]


@contextlib.contextmanager
def unexpected_answers(target: str) -> Iterator[None]:
    """Reading the live catalog: an answer of the wrong shape is the API's error, not a traceback.

    The clients check the top level of every answer (:func:`reconciler.http.listing`); deeper
    surprises surface here as the Python errors a wrong type causes.
    """
    try:
        yield
    except (TypeError, AttributeError, KeyError, IndexError, ValueError, ArithmeticError) as exc:
        raise PermanentApiError(
            message=f"the live catalog read from {target} is not in the shape its API documents "
            f"({type(exc).__name__}: {str(exc)[:200]})",
            operation="read the live catalog",
        ) from exc
