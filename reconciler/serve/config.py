"""The ``reconcile serve`` configuration: which POS account feeds which catalog YAML and Wix location.

Read from YAML with every problem reported at once, as ``file:line:column: path: message`` (the
same reader as catalogs, :mod:`reconciler.yamlio.source`), or built from the single-catalog
command-line shorthand. Secrets are never part of it: a field that looks like one is refused with
a pointer to the environment variable to use instead (:mod:`reconciler.serve.secrets`).

Called by the CLI (``reconcile serve``, ``reconcile history``); the rest of ``serve`` receives a
validated :class:`ServeConfig`.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from reconciler.errors import ConfigError, Problem
from reconciler.files import FileProblem, read_text
from reconciler.paths import render
from reconciler.serve.debounce import Debounce
from reconciler.serve.secrets import SECRET_FIELD, WIX_ENV, env_names
from reconciler.sources.registry import source_names
from reconciler.targets.registry import TARGETS
from reconciler.yamlio.source import read

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(value: object) -> float:
    """Seconds from a number, or text such as ``500ms``, ``2s``, ``5m``, ``1h``; ``off`` is 0."""
    if isinstance(value, bool):
        raise ValueError("must be a duration such as 2s, 500ms or 5m")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str) and value.strip().lower() == "off":
        seconds = 0.0
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration such as 2s, 500ms or 5m")
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if seconds < 0:
        raise ValueError("must not be negative")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]
EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SafetyLimits(_Strict):
    """The ``safety:`` block: a catalog's own limits for the engine's safety check (engine/safety.py)."""

    max_update_share: float | None = Field(None, ge=0, le=1)
    max_remove_share: float | None = Field(None, ge=0, le=1)
    min_entities: int | None = Field(None, ge=0)


class CatalogConfig(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    source: str  # a POS of reconciler.sources.registry, as `reconcile import POS`
    account: str | None = None  # Square merchant_id / Toast restaurant GUID / Clover merchant id
    pos_location: str | None = None  # a POS location id (Square per-location prices; Toast document)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    menu_name: str = "Menu"
    catalog: str  # the catalog YAML this serve keeps up to date (relative to the config file)
    target: str = "sandbox"  # one of reconciler.targets.registry.TARGETS, as `reconcile apply --target`
    location: str | None = None  # Wix business location, by name or id
    site_id: str | None = Field(None, pattern=r"^[A-Za-z0-9-]+$")  # the Wix site (WIX_SITE_ID): many sites, one serve
    unsafe: Literal["hold", "apply"] = "hold"
    debounce: Duration = 2.0
    max_wait: Duration = 30.0
    interval: Duration = 1800.0  # periodic reconcile; 0 turns it off
    stock_interval: Duration = 60.0  # poll the POS's stock API (a source with ``stock_api``); 0 turns it off
    live_updates: bool = True
    safety: SafetyLimits = SafetyLimits()
    env: dict[str, EnvName] = {}  # standard variable name -> the variable to read it from instead

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if value not in source_names():
            raise ValueError("must be one of " + ", ".join(repr(s) for s in source_names()))
        return value

    @field_validator("target")
    @classmethod
    def _known_target(cls, value: str) -> str:
        if value not in TARGETS:
            raise ValueError("must be one of " + ", ".join(repr(t) for t in TARGETS))
        return value

    @property
    def debouncing(self) -> Debounce:
        return Debounce(quiet=self.debounce, max_wait=self.max_wait)


class ServeConfig(_Strict):
    version: Literal[1] = 1
    host: str = "127.0.0.1"
    port: int = Field(8787, ge=0, le=65535)
    state_dir: str | None = None
    workers: int = Field(2, ge=1, le=32)  # catalogs synced at the same time
    shutdown_grace: Duration = 20.0  # how long a shutdown waits for a running sync before abandoning it
    catalogs: list[CatalogConfig] = Field(min_length=1)

    def problems(self) -> list[tuple[tuple, str]]:
        """Rules across fields, as (location, message): unique names, env keys of the catalog's POS."""
        found: list[tuple[tuple, str]] = []
        first: dict[str, int] = {}
        for index, catalog in enumerate(self.catalogs):
            if catalog.name in first:
                found.append(
                    (
                        ("catalogs", index, "name"),
                        f'catalog name "{catalog.name}" is already used by catalogs[{first[catalog.name]}]',
                    )
                )
            first.setdefault(catalog.name, index)
            allowed = (*env_names(catalog).all(), *WIX_ENV)
            for name in catalog.env:
                if name not in allowed:
                    found.append(
                        (
                            ("catalogs", index, "env", name),
                            f'"{name}" is not a {catalog.source} or Wix variable; '
                            "expected one of " + ", ".join(sorted(allowed)),
                        )
                    )
        return found

    def catalog(self, name: str) -> CatalogConfig:
        return next(c for c in self.catalogs if c.name == name)


class ServeConfigInvalid(ConfigError):
    """Every problem in a config file, each located; ``render()`` is what the CLI prints."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.path))
        super().__init__(f"{len(self.problems)} problem(s) in the serve config")

    def render(self) -> str:
        return "\n".join(p.render() for p in self.problems)


def load_config(path: str | Path) -> ServeConfig:
    """Read and validate a config file; relative paths in it are made relative to its folder."""
    file = str(path)
    try:  # a regular file within the input limit, never a FIFO that would block
        text = read_text(path)
    except FileProblem as exc:
        raise ServeConfigInvalid([Problem(file, 0, 0, "", exc.reason)]) from None
    located, problems = read(text, file)
    if problems or located is None:
        raise ServeConfigInvalid(problems)
    if not isinstance(located.data, dict):
        raise ServeConfigInvalid([Problem(file, 1, 1, "", "the config must be a mapping (catalogs:, host:, ...)")])
    try:
        config = ServeConfig.model_validate(located.data)
    except ValidationError as exc:
        found = [_explain(error) for error in exc.errors()]
    else:
        found = config.problems()
    if found:
        raise ServeConfigInvalid([Problem(file, *located.where(loc), render(loc), message) for loc, message in found])
    return _rebase(config, Path(path).resolve().parent)


def _rebase(config: ServeConfig, folder: Path) -> ServeConfig:
    def absolute(value: str | None) -> str | None:
        return None if value is None else str(folder / Path(value).expanduser())

    catalogs = [c.model_copy(update={"catalog": absolute(c.catalog)}) for c in config.catalogs]
    return config.model_copy(update={"catalogs": catalogs, "state_dir": absolute(config.state_dir)})


def shorthand(
    source: str, catalog: str, target: str | None = None, location: str | None = None, **options
) -> ServeConfig:
    """The config of ``reconcile serve --source POS --catalog PATH ...``: one catalog named after its POS."""
    entry = {
        "name": source,
        "source": source,
        "catalog": str(Path(catalog).resolve()),
        "target": target or "sandbox",
        "location": location,
        **{k: v for k, v in options.items() if v is not None},
    }
    try:
        return ServeConfig.model_validate({"catalogs": [entry]})
    except ValidationError as exc:
        raise ConfigError(
            "; ".join(
                f"--{'-'.join(str(p) for p in e['loc'][2:]).replace('_', '-')}: {_explain(e)[1]}" for e in exc.errors()
            )
        ) from None


def _explain(error: dict) -> tuple[tuple, str]:
    """A pydantic error as (location, plain message). Values are never echoed: one may be a secret."""
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal["))))
    field = str(loc[-1]) if loc else ""
    kind = error["type"]
    if kind == "extra_forbidden":
        if SECRET_FIELD.search(field):
            return loc, (
                f'"{field}" looks like a secret; secrets come from the environment only, never from the '
                "config file (see docs/serve.md for the variable names)"
            )
        names = _field_names(loc)
        close = difflib.get_close_matches(field, names, n=1)
        return loc, f'unknown field "{field}"' + (f'; did you mean "{close[0]}"?' if close else "")
    if kind == "missing":
        return loc, f'missing required field "{field}"'
    if kind == "literal_error":
        return loc, f"must be one of {error.get('ctx', {}).get('expected', '')}"
    if kind == "string_pattern_mismatch":
        if field == "currency":
            return loc, "must be an ISO 4217 code such as USD"
        if field == "name":
            return loc, "must be lower-case letters, digits, - and _ (it names files and log entries)"
        return loc, "must be an environment variable name (A-Z, 0-9, _)"
    message = error["msg"].removeprefix("Value error, ")
    return loc, message[:1].lower() + message[1:]


def _field_names(loc: tuple) -> list[str]:
    model: type[BaseModel] = ServeConfig
    for part in loc[:-1]:
        if part == "catalogs":
            model = CatalogConfig
        elif part == "safety":
            model = SafetyLimits
    return list(model.model_fields)
