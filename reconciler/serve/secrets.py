"""Secrets for ``serve``: which environment variables hold them, and keeping them out of every output.

POS tokens, webhook keys and Wix credentials come from the environment only. A catalog may say
to read a standard variable from another one (``env: {SQUARE_ACCESS_TOKEN: SQUARE_TOKEN_DOWNTOWN}``),
for several merchants in one process; the config holds variable *names*, never values.

:class:`Redactor` replaces every secret value with ``***``; the JSON log formatter, the run
history and the HTTP answers pass their text through it, on top of the redaction the API error
tree already does. Used by config (field names), the app (webhook secrets), sync (POS settings)
and jsonlog.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reconciler.sources.registry import get_source

if TYPE_CHECKING:
    from reconciler.serve.config import CatalogConfig, ServeConfig

# Config keys that must never hold a value: the config file is not a place for secrets.
SECRET_FIELD = re.compile(r"token|secret|password|signature_key|api_key|auth_code|credential|private", re.I)
WIX_SECRETS = ("WIX_ACCESS_TOKEN", "WIX_API_KEY")


@dataclass(frozen=True)
class PosEnv:
    token: str
    base_url: str
    account: str | None
    webhook_secret: str  # Square signature key, Toast secret, Clover auth code
    webhook_url: str | None = None  # Square only: the notification URL the signature covers

    def all(self) -> set[str]:
        return {n for n in (self.token, self.base_url, self.account, self.webhook_secret, self.webhook_url) if n}


def _pos_env(pos: str, webhook_secret: str, webhook_url: str | None = None) -> PosEnv:
    names = get_source(pos).env  # the importer's own names, so the two never drift apart
    return PosEnv(names.token, names.base_url, names.account, webhook_secret, webhook_url)


ENV_NAMES: dict[str, PosEnv] = {
    "square": _pos_env("square", "SQUARE_WEBHOOK_SIGNATURE_KEY", "SQUARE_WEBHOOK_URL"),
    "toast": _pos_env("toast", "TOAST_WEBHOOK_SECRET"),
    "clover": _pos_env("clover", "CLOVER_WEBHOOK_AUTH_CODE"),
}


def catalog_environ(catalog: CatalogConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """This catalog's POS variables under their standard names, with overrides and ``account`` applied."""
    names = ENV_NAMES[catalog.source]
    out = {name: environ[name] for name in names.all() if environ.get(name)}
    for standard, actual in catalog.env.items():
        out.pop(standard, None)
        if environ.get(actual):
            out[standard] = environ[actual]
    if catalog.account and names.account:
        out[names.account] = catalog.account
    return out


def account_of(catalog: CatalogConfig, environ: Mapping[str, str]) -> str | None:
    """The POS account a catalog's webhooks come from (None: any account of that POS)."""
    names = ENV_NAMES[catalog.source]
    return catalog.account or (catalog_environ(catalog, environ).get(names.account) if names.account else None)


def missing(config: ServeConfig, environ: Mapping[str, str]) -> list[str]:
    """Every variable a catalog needs and does not have, named as the user must set it."""
    needed: list[str] = []
    for catalog in config.catalogs:
        names = ENV_NAMES[catalog.source]
        have = catalog_environ(catalog, environ)
        for standard in (names.token, names.account, names.webhook_secret, names.webhook_url):
            if standard and not have.get(standard):
                needed.append(catalog.env.get(standard, standard))
        if catalog.target != "sandbox" and not (
            environ.get("WIX_ACCESS_TOKEN") or (environ.get("WIX_API_KEY") and environ.get("WIX_SITE_ID"))
        ):
            needed.append("WIX_ACCESS_TOKEN (or WIX_API_KEY and WIX_SITE_ID)")
    return list(dict.fromkeys(needed))


def secret_values(config: ServeConfig, environ: Mapping[str, str]) -> list[str]:
    values = [environ.get(name, "") for name in WIX_SECRETS]
    for catalog in config.catalogs:
        names = ENV_NAMES[catalog.source]
        have = catalog_environ(catalog, environ)
        values += [have.get(names.token, ""), have.get(names.webhook_secret, "")]
    return values


class Redactor:
    """Replace every known secret value (4 characters or more) with ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text
