"""Secrets for ``serve``: reading them from the environment, and keeping them out of every output.

POS tokens, webhook keys and Wix credentials come from the environment only; each POS source
declares the names of its variables (``Source.env``, :class:`reconciler.sources.base.EnvNames`). A catalog may say
to read a standard variable from another one (``env: {SQUARE_ACCESS_TOKEN: SQUARE_TOKEN_DOWNTOWN}``),
for several merchants in one process; the config holds variable *names*, never values.

:func:`secret_values` feeds the one redactor (:class:`reconciler.redact.Redactor`), through
which the JSON log, the run history, the queue and the HTTP answers pass their text.
:func:`cleaned` checks every secret once, at start-up. Used by config (field names), the app
(webhook secrets), sync (POS settings) and the server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from reconciler import environment
from reconciler.sources.base import EnvNames
from reconciler.sources.registry import get_source

if TYPE_CHECKING:
    from reconciler.serve.config import CatalogConfig, ServeConfig

# Config keys that must never hold a value: the config file is not a place for secrets.
SECRET_FIELD = re.compile(r"token|secret|password|signature_key|api_key|auth_code|credential|private", re.I)
WIX_SECRETS = ("WIX_ACCESS_TOKEN", "WIX_API_KEY")
WIX_ENV = (*WIX_SECRETS, "WIX_SITE_ID", "WIX_API_BASE_URL")  # a catalog may read these from other variables


def env_names(catalog: CatalogConfig) -> EnvNames:
    """The variables of the catalog's POS, as its source declares them (the importer reads the same)."""
    return get_source(catalog.source).env


def catalog_environ(catalog: CatalogConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """This catalog's POS variables under their standard names, with overrides and ``account`` applied."""
    names = env_names(catalog)
    out = {name: environ[name] for name in names.all() if environ.get(name)}
    for standard, actual in catalog.env.items():
        out.pop(standard, None)
        if environ.get(actual):
            out[standard] = environ[actual]
    if catalog.account and names.account:
        out[names.account] = catalog.account
    return out


def wix_environ(catalog: CatalogConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """The Wix variables of this catalog's site: the standard ones, with the catalog's ``env``
    overrides and its ``site_id`` applied. Several catalogs so name several Wix sites."""
    out = {name: environ[name] for name in WIX_ENV if environ.get(name)}
    for standard, actual in catalog.env.items():
        if standard in WIX_ENV:
            out.pop(standard, None)
            if environ.get(actual):
                out[standard] = environ[actual]
    if catalog.site_id:
        out["WIX_SITE_ID"] = catalog.site_id
    return out


def account_of(catalog: CatalogConfig, environ: Mapping[str, str]) -> str | None:
    """The POS account a catalog's webhooks come from (None: any account of that POS)."""
    names = env_names(catalog)
    return catalog.account or (catalog_environ(catalog, environ).get(names.account) if names.account else None)


def missing(config: ServeConfig, environ: Mapping[str, str]) -> list[str]:
    """Every variable a catalog needs and does not have, named as the user must set it."""
    needed: list[str] = []
    for catalog in config.catalogs:
        have = catalog_environ(catalog, environ)
        for standard in env_names(catalog).required_for_serve():
            if not have.get(standard):
                needed.append(catalog.env.get(standard, standard))
        wix = wix_environ(catalog, environ)
        if catalog.target != "sandbox" and not (
            wix.get("WIX_ACCESS_TOKEN") or (wix.get("WIX_API_KEY") and wix.get("WIX_SITE_ID"))
        ):
            token = catalog.env.get("WIX_ACCESS_TOKEN", "WIX_ACCESS_TOKEN")
            key = catalog.env.get("WIX_API_KEY", "WIX_API_KEY")
            needed.append(f"{token} (or {key} and WIX_SITE_ID)")
    return list(dict.fromkeys(needed))


def cleaned(config: ServeConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` with every secret the config reads trimmed (with a warning) or refused.

    A webhook key with a trailing newline would make every signature check fail, and a token
    with one would be refused by the HTTP library in a message that shows it.
    """
    out = dict(environ)
    names = {*WIX_SECRETS}
    for catalog in config.catalogs:
        for standard in env_names(catalog).secrets():
            names.add(catalog.env.get(standard, standard))
    for name in sorted(names):
        if out.get(name):
            out[name] = environment.clean_secret(name, out[name])
    return out


def secret_values(config: ServeConfig, environ: Mapping[str, str]) -> list[str]:
    values = [environ.get(name, "") for name in WIX_SECRETS]
    for catalog in config.catalogs:
        values += [wix_environ(catalog, environ).get(name, "") for name in WIX_SECRETS]
        have = catalog_environ(catalog, environ)
        values += [have.get(name, "") for name in env_names(catalog).secrets()]
    return values
