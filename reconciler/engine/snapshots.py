"""The last live snapshot of each target, kept in the state directory: a plan reads what changed.

``reconcile plan`` asks the target to ``refresh`` from the snapshot the previous plan kept (the
target decides what it may skip: :meth:`reconciler.targets.base.Target.refresh`), then keeps the new
one, with the fingerprint the live side had, in ``<state>/live/<hash of the scope>.json``. Only
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
from collections.abc import Iterator
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


class Snapshots:
    """The live snapshots of one state directory."""

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
        entry = self.path(scope)
        header = _header(target, scope)
        kept = self._load(entry, header)
        raw, keep = await target.refresh(kept)
        if keep is None:
            entry.unlink(missing_ok=True)
        else:
            self._write(entry, {**header, "fingerprint": raw.fingerprint(), "snapshot": keep})
        return raw

    @staticmethod
    def _load(entry: Path, header: dict[str, str]) -> JsonObject | None:
        try:
            data = jsonio.loads(entry.read_bytes())
        except (OSError, jsonio.JsonInvalid):
            return None
        if not isinstance(data, dict) or any(data.get(k) != v for k, v in header.items()):
            return None
        kept = data.get("snapshot")
        return kept if isinstance(kept, dict) else None

    def _write(self, entry: Path, document: JsonObject) -> None:
        partial = entry.with_suffix(f".{os.getpid()}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(orjson.dumps(document))
            os.replace(partial, entry)
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)


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
