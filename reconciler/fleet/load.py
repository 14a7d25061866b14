"""Read and validate a fleet file, reporting every problem at once as ``file:line:column: path: message``.

The same YAML reader as catalogs (:func:`reconciler.yamlio.source.read`: YAML 1.2 scalars,
repeated keys reported, and its size limits). Values are never echoed in messages: a misplaced
one could be a secret. With ``check_catalogs`` every distinct catalog the sites name is loaded
too, and its own problems are reported with its own file and line.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from reconciler.errors import CatalogInvalid, ConfigError, Problem
from reconciler.files import FileProblem, decode, read_bytes
from reconciler.fleet.model import SECRET_KEY, Credentials, Defaults, FleetFile, Limits, Rollout, Site, Source
from reconciler.model.catalog import Catalog
from reconciler.paths import render
from reconciler.yamlio.cache import KEEP, load_catalog_cached
from reconciler.yamlio.source import read


class FleetInvalid(ConfigError):
    """Every problem in a fleet file (and the catalogs it names), each located."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.path, p.message))
        super().__init__(f"{len(self.problems)} problem(s) in the fleet file")

    def render(self) -> str:
        return "\n".join(p.render() for p in self.problems)


@dataclass
class Fleet:
    """A validated fleet file, with its folder (catalog paths are relative to it) and its checksum."""

    file: FleetFile
    path: Path
    checksum: str  # sha256 of the file's bytes: names a revision of the fleet
    catalogs: dict[str, Catalog] = field(default_factory=dict)  # resolved path -> catalog, when loaded
    state_dir: Path | None = None  # where the catalog cache lives (yamlio/cache.py); None: no cache

    @property
    def name(self) -> str:
        return self.file.name

    @functools.cached_property
    def revision(self) -> str:
        """sha256 over the fleet file and every catalog file it names: a roll-out applies one revision."""
        digest = hashlib.sha256(self.checksum.encode())
        for path in sorted({self.catalog_path(site) for site in self.file.sites}):
            files = sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
            for file in files:
                digest.update(
                    str(file.relative_to(self.path.parent) if file.is_relative_to(self.path.parent) else file).encode()
                )
                digest.update(b"\0" + hashlib.sha256(read_bytes(file)).digest())
        return "sha256:" + digest.hexdigest()

    @functools.cached_property
    def distinct_catalogs(self) -> int:
        return len({self.catalog_path(site) for site in self.file.sites})

    def catalog_path(self, site: Site) -> Path:
        return (self.path.parent / Path(site.catalog).expanduser()).resolve()

    def catalog(self, site: Site) -> Catalog:
        """The site's catalog, loaded once per distinct path."""
        key = str(self.catalog_path(site))
        if key not in self.catalogs:
            # Through the catalog cache, as plan and apply do: a fleet of many distinct catalogs would
            # otherwise parse and validate each of them again in every command and every worker.
            self.catalogs[key] = load_catalog_cached(key, self.state_dir, keep=KEEP + self.distinct_catalogs)
        return self.catalogs[key]


def load_fleet(path: str | Path, check_catalogs: bool = False, state_dir: Path | None = None) -> Fleet:
    file = str(path)
    try:  # a regular file within the input limit, never a FIFO that would block
        raw = read_bytes(path)
        text = decode(raw, path)
    except FileProblem as exc:
        raise FleetInvalid([Problem(file, 0, 0, "", exc.reason)]) from None
    located, problems = read(text, file)
    if problems or located is None:
        raise FleetInvalid(problems)
    if not isinstance(located.data, dict):
        raise FleetInvalid([Problem(file, 1, 1, "", "a fleet file is a mapping (version:, name:, sites:, ...)")])
    found: list[tuple[tuple, str]] = []
    fleet_file: FleetFile | None = None
    try:
        fleet_file = FleetFile.model_validate(located.data)
    except ValidationError as exc:
        found = [explain(error) for error in exc.errors()]
    else:
        found = fleet_file.problems()
    problems = [Problem(file, *located.where(loc), render(loc), message) for loc, message in found]
    fleet = None
    if fleet_file is not None:
        checksum = "sha256:" + hashlib.sha256(raw).hexdigest()
        fleet = Fleet(fleet_file, Path(path).resolve(), checksum, state_dir=state_dir)
        problems += _catalog_problems(fleet, located, check_catalogs)
    if problems or fleet is None:
        raise FleetInvalid(problems)
    return fleet


def _catalog_problems(fleet: Fleet, located, load: bool) -> list[Problem]:
    problems: list[Problem] = []
    checked: dict[str, list[Problem]] = {}
    for index, site in enumerate(fleet.file.sites):
        path = fleet.catalog_path(site)
        where = located.where(("sites", index, "catalog"))
        if not path.exists():
            problems.append(
                Problem(located.file, *where, f"sites[{index}].catalog", f"no such file or directory: {site.catalog}")
            )
            continue
        if not load:
            continue
        key = str(path)
        if key not in checked:
            try:
                fleet.catalog(site)
                checked[key] = []
            except CatalogInvalid as exc:
                checked[key] = exc.problems
            problems += checked[key]
    return problems


def explain(error: dict) -> tuple[tuple, str]:
    """A pydantic error as (location, plain message); the offending value is never repeated."""
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal["))))
    name = str(loc[-1]) if loc else ""
    kind = error["type"]
    if kind == "extra_forbidden":
        if SECRET_KEY.search(name) and not name.endswith("_env"):
            return loc, (
                f'"{name}" looks like a secret; a fleet file holds only the NAMES of environment variables '
                "(credentials: {api_key_env: VARIABLE} or {access_token_env: VARIABLE})"
            )
        close = difflib.get_close_matches(name, _field_names(loc), n=1)
        return loc, f'unknown field "{name}"' + (f'; did you mean "{close[0]}"?' if close else "")
    if kind == "missing":
        return loc, f'missing required field "{name}"'
    if kind == "literal_error":
        return loc, f"must be one of {error.get('ctx', {}).get('expected', '')}"
    if kind == "string_pattern_mismatch":
        if name.endswith("_env"):
            return loc, (
                "must be the NAME of an environment variable (A-Z, 0-9, _), never the secret itself; "
                "export the secret and name its variable here"
            )
        if name == "site_id":
            return loc, "must be a Wix site id (letters, digits, '-', '_', '.', ':')"
        return loc, "must be lower-case letters, digits, - and _"
    message = error["msg"].removeprefix("Value error, ")
    return loc, message[:1].lower() + message[1:]


_MODELS: dict[str, type[BaseModel]] = {
    "defaults": Defaults,
    "limits": Limits,
    "rollout": Rollout,
    "sites": Site,
    "credentials": Credentials,
    "source": Source,
}


def _field_names(loc: tuple) -> list[str]:
    model: type[BaseModel] = FleetFile
    for part in loc[:-1]:
        if isinstance(part, str) and part in _MODELS:
            model = _MODELS[part]
    return list(model.model_fields)
