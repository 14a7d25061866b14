"""Many Wix sites in one emulator: the registry, per-site tokens, and who a request speaks for.

An emulator always has its **default site** (the one every single-site use has known: the sandbox,
`reconcile emulator serve`, its `--token`). It may also host any number of **seeded sites**
(``reconcile emulator seed --sites N``), each with a GUID, a token of its own, and its own
locations, catalogs (Catalogs v3), Menus (New) entities, apps and currency: the site-wide rows of a
site live in its container (``store.site_container``), its settings under its own meta keys.

Rows (``api = 'emulator'``, scope 'live', container 'sites'):

- kind ``site``: id = the site id, body ``{"id", "name", "createdDate"}``;
- kind ``token``: id = SHA-256 of the site's token (the token itself is never stored), ``parent`` =
  the site id.

Who a request speaks for (:func:`resolve`), from ``Authorization`` and ``wix-site-id``, the way a
Wix API key and a per-site access token work:

- the emulator's own token is an **account-level API key**: without ``wix-site-id`` it speaks for
  the default site; with the id of a seeded site, for that site; with an id no seeded site has, for
  the default site when the emulator hosts no seeded sites (a single-site emulator accepts and
  ignores the header, as it always has), else 404 ``SITE_NOT_FOUND``;
- a **site token** speaks for its own site; a ``wix-site-id`` naming another site makes it a 401.

Called by ``core.Emulator`` (every API call), ``seed.py`` and ``admin.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from reconciler.emulator.errors import WixError, application_error, unauthenticated
from reconciler.emulator.store import LIVE, SITE, Collection, Store, Tx, site_container
from reconciler.emulator.wire import dumps_text

API = "emulator"
CONTAINER = "sites"
TOKEN_PREFIX = "wst_"  # a site token: wst_<url-safe random>


@dataclass(frozen=True)
class SiteRef:
    """One site of an emulator: ``id`` None is the default site."""

    id: str | None = None

    @property
    def container(self) -> str:
        return site_container(self.id)

    @property
    def label(self) -> str:
        """How counters, the request log and rate limits name the site."""
        return self.id or "default"


DEFAULT_SITE = SiteRef()


def _sites(tx: Tx) -> Collection:
    return tx.collection(API, LIVE, CONTAINER, "site")


def _tokens(tx: Tx) -> Collection:
    return tx.collection(API, LIVE, CONTAINER, "token")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewSite:
    id: str
    name: str
    token: str


def create_sites(tx: Tx, count: int, names: list[str] | None = None, created: str = "") -> list[NewSite]:
    """Register ``count`` new sites with fresh tokens (one INSERT per table for all of them)."""
    names = list(names or [])
    existing = _sites(tx).count()
    made = [
        NewSite(str(uuid.uuid4()), names[i] if i < len(names) else f"Site {existing + i + 1}", new_token())
        for i in range(count)
    ]
    _sites(tx).insert_texts(
        [(site.id, dumps_text({"id": site.id, "name": site.name, "createdDate": created}), None, None) for site in made]
    )
    _tokens(tx).insert_texts([(_digest(site.token), dumps_text({"site": site.id}), site.id, None) for site in made])
    return made


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(24)


def exists(tx: Tx, site_id: str) -> bool:
    return _sites(tx).get_text(site_id) is not None


def hosted(tx: Tx) -> int:
    """How many seeded sites the emulator hosts (the default site not counted)."""
    return _sites(tx).count()


def listing(tx: Tx) -> list[dict[str, Any]]:
    return _sites(tx).all()


def site_of_token(tx: Tx, token: str) -> str | None:
    facts = _tokens(tx).facts([_digest(token)])
    return next((fact.parent for fact in facts.values()), None)


def site_not_found(site_id: str) -> WixError:
    return application_error(404, "SITE_NOT_FOUND", f"no site {site_id!r} on this emulator", {"siteId": site_id})


def resolve(store: Store, master_token: str, token: str, requested: str | None) -> SiteRef:
    """The site a request with this token (``Authorization``, ``Bearer`` stripped) and
    ``wix-site-id`` (``requested``) speaks for; raises 401 / 404 as the module docstring says."""
    if token and hmac.compare_digest(token.encode(), master_token.encode()):
        if requested is None:
            return DEFAULT_SITE
        with store.read(SITE) as tx:
            if exists(tx, requested):
                return SiteRef(requested)
            if hosted(tx) == 0:
                return DEFAULT_SITE
        raise site_not_found(requested)
    if token.startswith(TOKEN_PREFIX):
        with store.read(SITE) as tx:
            owner = site_of_token(tx, token)
        if owner is not None and requested in (None, owner):
            return SiteRef(owner)
    raise unauthenticated()
