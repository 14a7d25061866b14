"""Wix credentials and endpoint, from the environment only (never from YAML, flags or plans).

WIX_API_KEY + WIX_SITE_ID   an API key (sent as Authorization, with the wix-site-id header)
WIX_ACCESS_TOKEN            or an OAuth access token (sent as Authorization)
WIX_API_BASE_URL            default https://www.wixapis.com (point it at `reconcile emulator serve`)
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler import environment
from reconciler.errors import ConfigError

DEFAULT_BASE_URL = "https://www.wixapis.com"
_SITE_ID = re.compile(r"[A-Za-z0-9-]{1,100}")


@dataclass(frozen=True)
class WixCredentials:
    base_url: str
    headers: dict[str, str] = field(repr=False)
    secrets: tuple[str, ...] = field(repr=False)


SECRET_VARIABLES = ("WIX_API_KEY", "WIX_ACCESS_TOKEN")


def wix_from_env(env: Mapping[str, str] | None = None) -> WixCredentials:
    """Credentials and endpoint, each checked as it is read (see :mod:`reconciler.environment`)."""
    env = os.environ if env is None else env
    base_url = environment.base_url("WIX_API_BASE_URL", DEFAULT_BASE_URL, env)
    key, token = environment.secret("WIX_API_KEY", env), environment.secret("WIX_ACCESS_TOKEN", env)
    site = (env.get("WIX_SITE_ID") or "").strip()
    if site and not _SITE_ID.fullmatch(site):
        raise ConfigError("WIX_SITE_ID must be a site id (letters, digits and '-'), as the Wix dashboard shows it")
    if key:
        if not site:
            raise ConfigError("WIX_API_KEY is set but WIX_SITE_ID is not; an API key needs the site id")
        return WixCredentials(base_url, {"Authorization": key, "wix-site-id": site}, (key,))
    if token:
        return WixCredentials(base_url, {"Authorization": token}, (token,))
    raise ConfigError(
        "no Wix credentials: set WIX_API_KEY and WIX_SITE_ID, or WIX_ACCESS_TOKEN (or use --target sandbox)"
    )
