"""The fleet file: which Wix sites to keep in step, with which catalog, in which wave.

```yaml
version: 1
name: acme
defaults:
  target: wix-menus
  credentials: {api_key_env: ACME_WIX_API_KEY}   # the NAME of a variable, never its value
rollout:
  waves: [canary, everyone]
  max_failures: 0
sites:
  - site_id: 1d3c5f0e-...
    name: Acme Downtown
    catalog: catalogs/acme.yaml
    locations: [Downtown]
    wave: canary
    source: {pos: square, merchant: ML123}
```

Credentials appear only as environment variable names (fields ending in ``_env``); a field that
looks like a secret, or an ``_env`` field holding something other than a variable name, is refused
without its value ever being echoed. Called by :mod:`reconciler.fleet.load`.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SITE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
NAME = r"^[a-z0-9][a-z0-9_-]{0,62}$"
ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"
TARGETS = ("sandbox", "wix-v3", "wix-menus")
POSES = ("square", "toast", "clover")
# Keys that must never carry a value in a fleet file: they name secrets.
SECRET_KEY = re.compile(r"token|secret|password|api_key|apikey|auth|credential|private", re.I)

# Wix: "up to 200 requests per minute, per instance" (shared/reference, §3.4).
WIX_REQUESTS_PER_MINUTE = 200
DEFAULT_WAVE = "all"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Credentials(_Strict):
    """Where a site's Wix credentials are: names of environment variables, never their values."""

    api_key_env: str | None = Field(None, pattern=ENV_NAME, description="Variable holding a Wix API key.")
    access_token_env: str | None = Field(
        None, pattern=ENV_NAME, description="Variable holding an OAuth access token (instead of an API key)."
    )


class Source(_Strict):
    """The POS account that feeds a site; `reconcile serve` routes its webhooks by merchant."""

    pos: Literal["square", "toast", "clover"]
    merchant: str = Field(min_length=1, description="Square merchant id, Toast restaurant GUID, Clover merchant id.")
    location: str | None = Field(None, description="A POS location id, where the POS has several.")


class Limits(_Strict):
    site_requests_per_minute: int = Field(
        WIX_REQUESTS_PER_MINUTE, ge=1, le=100_000, description="Request budget of one site (Wix: 200 a minute)."
    )
    fleet_requests_per_minute: int | None = Field(
        None, ge=1, le=10_000_000, description="Request budget of the whole fleet, shared by every worker."
    )
    concurrency: int = Field(20, ge=1, le=1000, description="Sites synced at the same time, fleet-wide.")


class Rollout(_Strict):
    waves: list[str] = Field(
        default_factory=lambda: [DEFAULT_WAVE],
        min_length=1,
        description="Wave names in roll-out order; a site without `wave` is in the last one.",
    )
    max_failures: int | None = Field(
        None, ge=0, description="Halt a wave once more sites than this failed (default 0 when no share is set)."
    )
    max_failure_share: float | None = Field(
        None, ge=0, le=1, description="Halt a wave once more than this share of its sites failed."
    )

    @field_validator("waves")
    @classmethod
    def _names(cls, waves: list[str]) -> list[str]:
        for wave in waves:
            if not re.fullmatch(NAME, wave):
                raise ValueError(f'wave "{wave[:40]}" must be lower-case letters, digits, - and _')
        return waves


class Defaults(_Strict):
    target: Literal["sandbox", "wix-v3", "wix-menus"] = "wix-menus"
    api_base_url: str | None = Field(None, description="Wix API base URL (default: $WIX_API_BASE_URL, else Wix).")
    credentials: Credentials = Credentials()


class Site(_Strict):
    site_id: str = Field(pattern=SITE_ID, description="The Wix site id (sent as the wix-site-id header).")
    name: str | None = Field(None, min_length=1, max_length=200)
    catalog: str = Field(min_length=1, description="The catalog YAML (file or directory), relative to the fleet file.")
    locations: list[str] | None = Field(
        None,
        min_length=1,
        description="Wix business locations by name or id (default: the catalog's, or the only one).",
    )
    wave: str | None = None
    target: Literal["sandbox", "wix-v3", "wix-menus"] | None = None
    api_base_url: str | None = None
    credentials: Credentials | None = None
    source: Source | None = None

    @property
    def label(self) -> str:
        return self.name or self.site_id


class FleetFile(_Strict):
    """A fleet of Wix sites; see docs/fleet.md."""

    version: Literal[1] = 1
    name: str = Field(pattern=NAME, description="Names the fleet in state, status and workflow ids.")
    defaults: Defaults = Defaults()
    limits: Limits = Limits()
    rollout: Rollout = Rollout()
    sites: list[Site] = Field(min_length=1)

    def problems(self) -> list[tuple[tuple, str]]:
        """Rules across fields, as (location, message): unique site ids, known waves, usable credentials."""
        found: list[tuple[tuple, str]] = []
        first: dict[str, int] = {}
        waves = set(self.rollout.waves)
        seen_waves: set[str] = set()
        for index, wave in enumerate(self.rollout.waves):
            if wave in seen_waves:
                found.append((("rollout", "waves", index), f'wave "{wave}" is listed twice'))
            seen_waves.add(wave)
        for index, site in enumerate(self.sites):
            if site.site_id in first:
                found.append(
                    (
                        ("sites", index, "site_id"),
                        f'site "{site.site_id}" is already listed as sites[{first[site.site_id]}]',
                    )
                )
            first.setdefault(site.site_id, index)
            if site.wave is not None and site.wave not in waves:
                found.append(
                    (
                        ("sites", index, "wave"),
                        f'unknown wave "{site.wave[:40]}"; rollout.waves lists: ' + ", ".join(self.rollout.waves),
                    )
                )
            target = site.target or self.defaults.target
            credentials = site.credentials or self.defaults.credentials
            if target != "sandbox" and not (credentials.api_key_env or credentials.access_token_env):
                found.append(
                    (
                        ("sites", index),
                        f"the {target} target needs credentials: set credentials.api_key_env or "
                        "credentials.access_token_env here or in defaults",
                    )
                )
            if credentials.api_key_env and credentials.access_token_env:
                where = ("sites", index, "credentials") if site.credentials else ("defaults", "credentials")
                found.append((where, "give api_key_env or access_token_env, not both"))
            if site.locations and len(set(site.locations)) != len(site.locations):
                found.append((("sites", index, "locations"), "a location is listed twice"))
        return found

    # -- resolved views, used by the engines ------------------------------------------------------
    def allowed_failures(self, wave_size: int, max_failures: int | None = None) -> int:
        """How many failed sites a wave of ``wave_size`` tolerates before the roll-out halts."""
        limits = []
        count = self.rollout.max_failures if max_failures is None else max_failures
        if count is not None:
            limits.append(count)
        if self.rollout.max_failure_share is not None and max_failures is None:
            limits.append(int(self.rollout.max_failure_share * wave_size))
        return min(limits) if limits else 0

    def wave_of(self, site: Site) -> str:
        return site.wave or self.rollout.waves[-1]

    def waves(self) -> list[tuple[str, list[Site]]]:
        """(wave, its sites in file order), in roll-out order; empty waves are left out."""
        return [
            (wave, members)
            for wave in self.rollout.waves
            if (members := [s for s in self.sites if self.wave_of(s) == wave])
        ]

    def site(self, site_id: str) -> Site:
        return next(s for s in self.sites if s.site_id == site_id)

    def target_of(self, site: Site) -> str:
        return site.target or self.defaults.target

    def credentials_of(self, site: Site) -> Credentials:
        return site.credentials or self.defaults.credentials

    def base_url_of(self, site: Site) -> str | None:
        return site.api_base_url or self.defaults.api_base_url
