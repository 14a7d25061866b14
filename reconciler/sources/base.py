"""What every POS source provides: read a file or the API, translate to a :class:`Catalog`.

A source is a small class with three documented hooks, called by :mod:`reconciler.sources.service`
in this order::

    raw = source.read_file(path)                 # or source.read_api(client, settings)
    result = source.translate(raw, options)      # pure: raw POS data -> ImportResult

``raw`` is whatever the source's own ``translate`` understands (for all three POSes: the decoded
JSON). ``translate`` never prints and never performs I/O; what it had to skip or approximate is
returned as :class:`ImportNote` values for the CLI to show. A catalog that cannot be read raises
:class:`reconciler.sources.errors.SourceInvalid` naming every broken object.
"""

from __future__ import annotations

import json
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import httpx

from reconciler.errors import ConfigError
from reconciler.model.catalog import Catalog
from reconciler.sources.errors import SourceInvalid, SourceProblem

NoteKind = Literal["skipped", "approximated"]


@dataclass(frozen=True, order=True)
class ImportNote:
    """Something in the POS catalog that the import skipped or could only approximate."""

    object_id: str  # the POS id, as the POS wrote it
    kind: NoteKind
    reason: str
    object_type: str = ""  # the POS type, e.g. "ITEM", "MenuItem", "modifier group"
    name: str = ""  # the object's name, when it has one

    def render(self) -> str:
        what = " ".join(p for p in (self.object_type, repr(self.object_id) if self.object_id else "") if p)
        named = f" ({self.name})" if self.name else ""
        return f"{self.kind}: {what}{named}: {self.reason}"


@dataclass(frozen=True)
class ImportOptions:
    """Choices the user makes on the command line."""

    location: str | None = None  # POS location id: per-location prices, stock and presence
    currency: str | None = None  # ISO 4217; required where the POS data does not say
    menu_name: str = "Menu"  # for POSes without menus (Square, Clover): the one menu's name


@dataclass(frozen=True)
class ImportResult:
    catalog: Catalog
    notes: list[ImportNote] = field(default_factory=list)


@dataclass(frozen=True)
class ApiSettings:
    """Where and how to reach a POS API. ``token`` is secret: never print or log it."""

    base_url: str
    token: str = field(repr=False)
    account: str | None = None  # Toast restaurant GUID, Clover merchant id
    page_size: int | None = None  # for POSes whose page size the client chooses (Clover)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)  # back-off between retries

    def __repr__(self) -> str:
        return f"ApiSettings(base_url={self.base_url!r}, account={self.account!r}, token=***)"


@dataclass(frozen=True)
class EnvNames:
    """The environment variables one POS is configured by."""

    token: str
    base_url: str
    default_base_url: str
    account: str | None = None


class Source(ABC):
    """Base class of the Square, Toast and Clover sources (see the module docstring)."""

    name: ClassVar[str]  # "square"
    prefix: ClassVar[str]  # "sq": catalog ids are "sq-<pos id>"
    env: ClassVar[EnvNames]

    def read_file(self, path: str | Path) -> Any:
        """Read an export file; the default decodes JSON and names the file on failure."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceInvalid(self.name, [SourceProblem("file", str(path), "", f"cannot be read: {exc}")]) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            problem = SourceProblem("file", str(path), f"line {exc.lineno} column {exc.colno}", f"not JSON: {exc.msg}")
            raise SourceInvalid(self.name, [problem]) from None

    @abstractmethod
    def read_api(self, client: httpx.Client, settings: ApiSettings) -> Any:
        """Fetch the whole catalog. ``client`` already carries the base URL and the token."""

    @abstractmethod
    def translate(self, raw: Any, options: ImportOptions) -> ImportResult:
        """Turn what ``read_file``/``read_api`` returned into a catalog. Pure."""

    def settings_from_env(self, environ: Mapping[str, str] | None = None) -> ApiSettings:
        environ = os.environ if environ is None else environ
        token = environ.get(self.env.token, "")
        missing = [] if token else [self.env.token]
        account = environ.get(self.env.account, "") if self.env.account else None
        if self.env.account and not account:
            missing.append(self.env.account)
        if missing:
            raise ConfigError(f"--from-api {self.name} needs the environment variable(s) {', '.join(missing)}")
        base_url = environ.get(self.env.base_url) or self.env.default_base_url
        return ApiSettings(base_url=base_url.rstrip("/"), token=token, account=account or None)

    def auth_headers(self, settings: ApiSettings) -> dict[str, str]:
        """Headers every request carries; sources add their own (Toast's restaurant header)."""
        return {"Authorization": f"Bearer {settings.token}", "Accept": "application/json"}
