"""The contract of a POS source: everything ``import`` and ``serve`` need from one point-of-sale system.

A source is one class in ``reconciler/sources/<pos>/``, registered by one line in
:mod:`reconciler.sources.registry`. Nothing outside its package knows which POS it is: ``import``,
``serve``, the CLI choices and the config check all go through the registry. The hooks, the way
octoDNS documents its provider hooks (*must*: abstract, every source implements it; *may*: has a
default that suits most POSes):

Declarations (class attributes, must)
    ``name``     the POS's name on the command line and in configs (``"square"``)
    ``title``    how people write it (``"Square"``), for help texts and tables
    ``prefix``   the catalog id prefix (``"sq"``: dishes are ``sq-<pos id>``)
    ``env``      :class:`EnvNames`: every environment variable the source reads, secrets included

Import (``reconcile import``, and every sync of ``serve``)::

    raw = source.read_file(path)                  # may: the default decodes a JSON export
    raw = source.read_api(client, settings)       # must: the whole catalog from the POS API
    result = source.translate(raw, options)       # must: pure, raw POS data -> ImportResult
    places = source.locations(raw)                # may: the locations raw holds (default: none known)

Several locations: ``import`` without ``--location`` translates each location ``locations()``
names (``options.location`` set, ``options.across_locations`` true) and merges the one-location
catalogs into one with ``locations:`` (:mod:`reconciler.sources.chain`). ``shared_ids`` (may;
default true) declares that the POS gives an entity the same id at every location; a source that
cannot (Clover: one merchant per location) sets it false and entities are matched by name.

``raw`` is whatever the source's own ``translate`` understands. ``read_api`` gets an ``httpx.Client``
that already carries the base URL and :meth:`Source.auth_headers` (may: a bearer token). ``translate``
never prints nor performs I/O; what it had to skip or approximate is returned as :class:`ImportNote`
values for the CLI. A catalog that cannot be read raises ``SourceInvalid`` naming every broken object.

Serve (``reconcile serve``: :mod:`reconciler.serve.app` and :mod:`reconciler.serve.sync`)::

    verdict = source.verify_webhook(headers, body, keys)   # must: exactly as the POS specifies
    setup = source.webhook_handshake(body)                  # may: an unsigned set-up message (Clover)
    events = source.parse_webhook(body, headers)            # calls webhook_events (must) on the JSON
    probe = source.probe(client, settings, since, hints, full)  # may: did anything change?
    changes = source.read_changes(client, settings, held, since)  # may (incremental): only what changed
    held = source.hold(raw)                                 # may (incremental): the read kept for read_changes
    partial = source.partial_reads(held, raw)               # may: the changed objects alone (sources/splice.py)
    sold_out = source.read_stock(client, settings)          # may (stock_api): what is sold out now

Stock (the availability layer, docs/availability.md): a webhook that states an object's stock
(Square ``inventory.count.updated``, Toast ``stock``, Clover ``IS``/``IA``) returns an event whose
``hint[STOCK_HINT]`` lists :class:`StockSignal` values (``StockSignal.hint()`` each); serve turns
each into a layer entry (source ``pos``) and one minimal live update, without re-importing. A
translation may return signals in ``ImportResult.stock`` for stock with an expiry (Square's
``sold_out_valid_until``), leaving the YAML's ``in_stock`` alone for them.

``verify_webhook`` runs before anything else reads the request; ``keys`` holds one
:class:`WebhookKey` per configured catalog of this POS, and any may match (compare with
:func:`hmac.compare_digest`). ``webhook_events`` turns a verified JSON body into :class:`Event`
values (raising :class:`~reconciler.sources.errors.WebhookInvalid` for a body it does not
understand); an event is only a hint, since every sync reads the POS API again. ``probe`` asks the
POS cheaply whether its catalog changed after the stored watermark; the default answers "cannot
tell", so every sync re-imports.

All hooks are pure or talk only to the client they are given; none reads the environment
(:meth:`Source.settings_from_env` does that, once, for the caller).
"""

from __future__ import annotations

import os
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import httpx

from reconciler import environment, jsonio, limits
from reconciler.errors import ConfigError
from reconciler.files import FileProblem, read_bytes
from reconciler.model.catalog import Catalog
from reconciler.sources.errors import SourceInvalid, SourceProblem, WebhookInvalid

if TYPE_CHECKING:
    from reconciler.sources.splice import Partial

NoteKind = Literal["skipped", "approximated"]
_ACCOUNT = re.compile(r"[A-Za-z0-9_-]{1,100}")


# -- import ---------------------------------------------------------------------------------------


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
    # This import is one location of several merged into one catalog: ids must be the ones the POS
    # gives the same entity at every location (Toast: ``multiLocationId``, not the location's ``guid``).
    across_locations: bool = False


@dataclass(frozen=True)
class PosLocation:
    """One location in the POS: its id there, and its name (what the Wix location is matched by)."""

    id: str  # Square location id, Toast restaurant GUID, Clover merchant id
    name: str


STOCK_HINT = "stock"  # the Event.hint key that carries a webhook's stock signals (StockSignal.hint() each)


@dataclass(frozen=True)
class StockSignal:
    """The POS's word on one object's stock: sold out (or back) at a location, perhaps until a time.

    It becomes an entry of the availability layer (source ``pos``), never a change of the YAML;
    ``available`` true ends the POS's entry (back in stock). ``pos_ids`` are the ids the POS gives
    the object (Toast: its GUID and its ``multiLocationId``); any of them may be the one the
    catalog's id was made from.
    """

    pos_ids: tuple[str, ...]
    available: bool
    location: str | None = None  # POS location (Square location_id, Toast restaurant GUID, Clover merchant); None: all
    until: str | None = None  # ISO 8601 UTC time it ends by itself (Square ``sold_out_valid_until``)
    reason: str = ""  # "sold out", "quantity 0", ... for plans and history

    def hint(self) -> dict[str, Any]:
        return {
            "ids": list(self.pos_ids),
            "available": self.available,
            "location": self.location,
            "until": self.until,
            "reason": self.reason,
        }

    @classmethod
    def from_hint(cls, data: Mapping[str, Any]) -> StockSignal:
        ids, reason = tuple(str(i) for i in data.get("ids") or ()), str(data.get("reason") or "")
        return cls(ids, bool(data.get("available")), data.get("location"), data.get("until"), reason)


@dataclass(frozen=True)
class ImportResult:
    """A translation's answer. Every POS object a diner would see is in ``placed`` or in ``notes``."""

    catalog: Catalog
    notes: list[ImportNote] = field(default_factory=list)
    placed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # POS id -> catalog ids made from it
    stock: list[StockSignal] = field(default_factory=list)  # stock the POS states with an expiry (layer entries)


@dataclass(frozen=True)
class ApiSettings:
    """Where and how to reach a POS API. ``token`` is secret: never print or log it."""

    base_url: str
    token: str = field(repr=False)
    account: str | None = None  # the POS account: Toast restaurant GUID, Clover merchant id
    page_size: int | None = None  # for POSes whose page size the client chooses (Clover)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)  # back-off between retries

    def __repr__(self) -> str:
        return f"ApiSettings(base_url={self.base_url!r}, account={self.account!r}, token=***)"


@dataclass(frozen=True)
class EnvNames:
    """The environment variables one POS is configured by. The values of ``secrets()`` are never shown."""

    token: str  # the API access token
    base_url: str  # overrides default_base_url (tests, sandboxes)
    default_base_url: str
    webhook_secret: str  # what webhook signatures are checked with (Square signature key, Toast secret, ...)
    account: str | None = None  # when the API needs an account id besides the token
    webhook_url: str | None = None  # when the signature covers the notification URL as registered (Square)

    def all(self) -> tuple[str, ...]:
        """Every name, in a fixed order: token, base URL, account, webhook secret, webhook URL."""
        names = (self.token, self.base_url, self.account, self.webhook_secret, self.webhook_url)
        return tuple(n for n in names if n)

    def for_import(self) -> tuple[str, ...]:
        """What ``reconcile import --from-api`` reads: token, account, base URL (last: it has a default)."""
        return tuple(n for n in (self.token, self.account, self.base_url) if n)

    def required_for_serve(self) -> tuple[str, ...]:
        """What ``serve`` refuses to start without (the base URL has a default)."""
        return tuple(n for n in (self.token, self.account, self.webhook_secret, self.webhook_url) if n)

    def secrets(self) -> tuple[str, ...]:
        return (self.token, self.webhook_secret)


# -- serve ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookKey:
    """What one configured catalog checks webhook signatures with. ``secret`` is never shown."""

    secret: str = field(repr=False)
    url: str = ""  # the notification URL as registered with the POS, when EnvNames.webhook_url names one


@dataclass(frozen=True)
class Verdict:
    """The answer of :meth:`Source.verify_webhook`."""

    ok: bool
    reason: str = ""  # why not, for the log ("missing x-square-hmacsha256-signature header", ...)
    variant: str = ""  # which message form matched, where the POS leaves it open (Toast), for the log


@dataclass(frozen=True)
class Handshake:
    """An unsigned set-up message a POS sends once when a webhook URL is registered (Clover)."""

    code: str  # not a secret: the user pastes it into the POS's dashboard
    message: str  # what to do with it, for the log


@dataclass(frozen=True)
class Event:
    """One webhook event: who it is about, its id (duplicates are dropped by it), and whether it matters."""

    pos: str  # Source.name
    account: str | None  # the POS account it is about (Square merchant_id, Toast restaurant GUID, ...)
    event_id: str
    kind: str  # the POS's own event type: "catalog.version.updated", "menus:menus_updated", "I:UPDATE", ...
    relevant: bool  # can it change the menu? Others are acknowledged and ignored.
    hint: dict[str, Any] = field(default_factory=dict)  # small, non-secret facts the probe may use


Hints = Sequence[Mapping[str, Any]]  # the Event.hint of each event a sync covers


@dataclass(frozen=True)
class Probe:
    """The answer of :meth:`Source.probe`."""

    changed: bool | None  # None: cannot tell (no watermark yet, or a kind of change the POS does not list)
    watermark: str | None  # stored once the sync succeeded; the next probe's ``since``
    detail: str  # for the history and the log


@dataclass(frozen=True)
class Changes:
    """The answer of :meth:`Source.read_changes`."""

    raw: Any | None  # what read_api would return now; None: read the whole catalog (``detail`` says why)
    detail: str  # for the history and the log
    objects: int = 0  # how many changed objects were read


# -- the contract ---------------------------------------------------------------------------------


class Source(ABC):
    """Base class of every POS source (see the module docstring for the hooks)."""

    name: ClassVar[str]
    title: ClassVar[str]
    prefix: ClassVar[str]
    env: ClassVar[EnvNames]

    # -- import: may ---------------------------------------------------------------------------
    def read_file(self, path: str | Path) -> Any:
        """Read an export file; the default decodes JSON and names the file on failure."""
        path = Path(path)
        try:
            data = read_bytes(path)
        except FileProblem as exc:
            raise SourceInvalid(self.name, [SourceProblem("file", str(path), "", exc.reason)]) from None
        most = limits.max_import_objects()
        try:
            return jsonio.loads(data, max_containers=most)
        except jsonio.JsonInvalid as exc:
            if exc.reason.startswith("more than"):
                reason = f"{exc.reason} (the limit); raise {limits.IMPORT_OBJECTS_VARIABLE} if this is a real export"
                raise SourceInvalid(self.name, [SourceProblem("file", str(path), "", reason)]) from None
            at = f"line {exc.line} column {exc.column}" if exc.line else ""
            raise SourceInvalid(self.name, [SourceProblem("file", str(path), at, f"not JSON: {exc.reason}")]) from None

    def auth_headers(self, settings: ApiSettings) -> dict[str, str]:
        """Headers every request carries; sources add their own (Toast's restaurant header)."""
        return {"Authorization": f"Bearer {settings.token}", "Accept": "application/json"}

    shared_ids: ClassVar[bool] = True  # the same entity has the same id at every location (else: matched by name)

    def locations(self, raw: Any) -> list[PosLocation]:
        """The POS locations ``raw`` holds, in the POS's order, for an import of all of them into one
        catalog (``reconcile import`` without ``--location``); by default none: one location."""
        return []

    # -- import: must --------------------------------------------------------------------------
    @abstractmethod
    def read_api(self, client: httpx.Client, settings: ApiSettings) -> Any:
        """Fetch the whole catalog. ``client`` already carries the base URL and the auth headers."""

    @abstractmethod
    def translate(self, raw: Any, options: ImportOptions) -> ImportResult:
        """Turn what ``read_file``/``read_api`` returned into a catalog. Pure."""

    # -- serve: must ---------------------------------------------------------------------------
    @abstractmethod
    def verify_webhook(self, headers: Mapping[str, str], body: bytes, keys: Sequence[WebhookKey]) -> Verdict:
        """Is this request from the POS? ``headers`` have lower-case names; ``body`` is the raw bytes."""

    @abstractmethod
    def webhook_events(self, data: dict[str, Any], headers: Mapping[str, str]) -> list[Event]:
        """The events of a verified JSON object body; :class:`WebhookInvalid` if it is not one we know."""

    # -- serve: may ----------------------------------------------------------------------------
    def webhook_handshake(self, body: bytes) -> Handshake | None:
        """An unsigned set-up message to answer 200 and log, instead of refusing it; most POSes send none."""
        return None

    def probe(
        self, client: httpx.Client, settings: ApiSettings, since: str | None, hints: Hints = (), full: bool = False
    ) -> Probe:
        """Did the catalog change after ``since`` (the last watermark)? ``full``: a periodic or start-up run.

        ``hints`` are the queued events' :attr:`Event.hint`. May raise ``PosNotReady`` when the POS
        announced a change its API does not show yet. The default cannot tell: every sync re-imports."""
        return Probe(None, None, "this POS has no change probe: import")

    # Can read_changes answer from the changed objects alone? Declared once, here.
    incremental: ClassVar[bool] = False

    def read_changes(self, client: httpx.Client, settings: ApiSettings, held: Any, since: str | None) -> Changes:
        """May (with ``incremental``): ``held`` (a read taken at watermark ``since``) with the changes since merged."""
        return Changes(None, f"{self.title} cannot read only what changed: whole import")

    def hold(self, raw: Any) -> Any:
        """May (with ``incremental``): the form of a good read serve keeps for the next ``read_changes``,
        made after the sync that read it (a whole read's normalization is then no change's latency)."""
        return raw

    def partial_reads(self, held: Any, raw: Any) -> Partial | str:
        """May: the objects changed from read ``held`` to ``raw``, alone as two reads; a str says why not."""
        return f"{self.title} cannot translate only what changed"

    # A stock API serve can poll on its own timer (``stock_interval``), for the stock a webhook may not
    # have told: :meth:`read_stock` then answers what is sold out now. Declared once, here.
    stock_api: ClassVar[bool] = False

    def read_stock(self, client: httpx.Client, settings: ApiSettings) -> list[StockSignal]:
        """May (with ``stock_api``): every object sold out now at the account's location, one ``StockSignal``
        each (``available`` false); one not named is in stock (serve ends the POS's entries for the rest)."""
        raise NotImplementedError(f"{self.title} declares no stock API")

    # -- final: the same for every source ----------------------------------------------------------
    def parse_webhook(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[Event]:
        """Decode a verified body and hand it to :meth:`webhook_events`."""
        try:
            data = jsonio.loads(body)  # bounded depth: an unauthenticated-looking body cannot overflow anything
        except jsonio.JsonInvalid as exc:
            raise WebhookInvalid(f"the body is not a JSON document we accept: {exc}") from None
        if not isinstance(data, dict):
            raise WebhookInvalid("the body is not a JSON object")
        return self.webhook_events(data, {k.lower(): v for k, v in (headers or {}).items()})

    def settings_from_env(self, environ: Mapping[str, str] | None = None) -> ApiSettings:
        """The API settings from the environment, each checked as it is read (see :mod:`reconciler.environment`).

        A missing variable is a :class:`ConfigError` naming it.
        """
        environ = os.environ if environ is None else environ
        token = environment.secret(self.env.token, environ)
        missing = [] if token else [self.env.token]
        account = (environ.get(self.env.account) or "").strip() if self.env.account else None
        if self.env.account and not account:
            missing.append(self.env.account)
        if missing:
            raise ConfigError(f"--from-api {self.name} needs the environment variable(s) {', '.join(missing)}")
        if account is not None and not _ACCOUNT.fullmatch(account):
            # It goes into request paths and headers: an id, never a path or a header line.
            raise ConfigError(f"{self.env.account} must be an id of letters, digits, '-' and '_' (at most 100)")
        base_url = environment.base_url(self.env.base_url, self.env.default_base_url, environ)
        return ApiSettings(base_url=base_url, token=token, account=account or None)
