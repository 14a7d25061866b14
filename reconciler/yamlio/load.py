"""Load a catalog from a YAML file or a directory of YAML files, reporting every problem at once.

A catalog is either one file or a directory whose ``*.yaml`` files (sorted by path) are parts of
one catalog: their lists are concatenated and their settings (currency, location) must agree.
Splitting by menu keeps pull requests small for large restaurants.

Each top-level entry (a menu, a dish, …) is validated on its own, so one broken dish does not hide
the problems of the others, and cross-reference rules still run over everything that is valid.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path as FsPath

from pydantic import BaseModel, TypeAdapter, ValidationError

from reconciler.errors import CatalogInvalid, Problem
from reconciler.files import FileProblem, read_text
from reconciler.model import rules
from reconciler.model.catalog import Catalog, CatalogPart, Dish, Menu, OptionGroup, Variation
from reconciler.model.locations import Location
from reconciler.paths import Path, render
from reconciler.yamlio import fast, images
from reconciler.yamlio.key import catalog_files
from reconciler.yamlio.located import Located

LISTS: dict[str, TypeAdapter] = {
    "menus": TypeAdapter(Menu),
    "dishes": TypeAdapter(Dish),
    "variations": TypeAdapter(Variation),
    "option_groups": TypeAdapter(OptionGroup),
    "locations": TypeAdapter(Location),
}
SETTINGS = ("version", "currency", "location", "menus_new", "ownership")
_GROUP_TAGS = {"selection", "extras", "deselection"}


@dataclass
class _Origin:
    located: Located
    path: Path  # path inside that file


def load_catalog(target: str | FsPath, warnings: list[Problem] | None = None) -> Catalog:
    """Read, validate and merge a catalog. Raises :class:`CatalogInvalid` with every problem.

    Pass a list as ``warnings`` to receive things that are valid but probably not meant.
    """
    catalog = _load_fast(target, warnings)
    if catalog is not None:
        return catalog
    from reconciler.yamlio.source import read  # PyYAML: imported only when the fast parse did not answer

    problems: list[Problem] = []
    documents: list[Located] = []
    for file in catalog_files(target):
        try:
            text = read_text(file)
        except FileProblem as exc:
            problems.append(Problem(str(file), 0, 0, "", exc.reason))
            continue
        located, found = read(text, str(file))
        problems.extend(found)
        if located is not None:
            documents.append(located)
    unreadable = bool(problems)
    merged, origins = _merge(documents, problems)
    catalog = _validate(merged, origins, problems, complete=not unreadable, files=documents)
    if problems:
        raise CatalogInvalid(problems)
    assert catalog is not None
    if warnings is not None:
        _warn(catalog, merged, origins, warnings)
    return catalog


def _load_fast(target: str | FsPath, warnings: list[Problem] | None) -> Catalog | None:
    """The catalog when rapidyaml read every file exactly (yamlio/fast.py) and it is valid; else None,
    and the catalog is read again the usual way, which alone reports problems, all of them, with
    their positions (so a problem costs two reads, a valid catalog one fast one)."""
    documents: list[Located] = []
    for file in catalog_files(target):
        try:
            text = read_text(file)
        except FileProblem:
            return None
        exact, data = fast.read_data(text)
        if not exact:
            return None
        documents.append(Located(file=str(file), data=data, text=text))
    problems: list[Problem] = []
    merged, origins = _merge(documents, problems)
    catalog = None if problems else _validate(merged, origins, problems, complete=True, files=documents)
    if problems or catalog is None:
        return None
    if warnings is not None:
        _warn(catalog, merged, origins, warnings)
    return catalog


def _warn(catalog: Catalog, merged: dict, origins: dict[Path, _Origin], warnings: list[Problem]) -> None:
    kept = {key: list(range(len(merged[key]))) for key in LISTS}
    for violation in rules.warnings(catalog):
        origin, rest = _locate(violation.path, kept, origins)
        warnings.append(_problem(origin, rest, violation.message))


def _problem(origin: _Origin, rest: Path, message: str) -> Problem:
    path = origin.path + rest
    line, column = origin.located.where(path)
    return Problem(origin.located.file, line, column, render(path), message)


def _empty(doc: Located) -> bool:
    """A file that says nothing (no text, only comments, or ``{}``)."""
    return doc.data is None or doc.data == {}


def _merge(documents: list[Located], problems: list[Problem]) -> tuple[dict, dict[Path, _Origin]]:
    merged: dict[str, object] = {key: [] for key in LISTS}
    origins: dict[Path, _Origin] = {}
    for doc in documents:
        root = _Origin(doc, ())
        if _empty(doc):
            continue
        if not isinstance(doc.data, dict):
            problems.append(_problem(root, (), "a catalog file must be a mapping (menus:, dishes:, …)"))
            continue
        for key, value in doc.data.items():
            if key in LISTS:
                if value is None:
                    continue
                if not isinstance(value, list):
                    problems.append(_problem(root, (key,), f"{key} must be a list"))
                    continue
                for index, entry in enumerate(value):
                    origins[(key, len(merged[key]))] = _Origin(doc, (key, index))
                    merged[key].append(entry)
            elif key in SETTINGS:
                if key in merged and merged[key] != value:
                    first = origins[(key,)]
                    problems.append(
                        _problem(
                            root, (key,), f"{key} {value!r} disagrees with {merged[key]!r} in {first.located.file}"
                        )
                    )
                    continue
                merged[key] = value
                origins[(key,)] = _Origin(doc, (key,))
            else:
                problems.append(_problem(root, (key,), f'unknown field "{key}"{_suggest(key, [*LISTS, *SETTINGS])}'))
    return merged, origins


def _validate_entries(merged: dict, origins: dict[Path, _Origin], problems: list[Problem]):
    """Validate each list entry on its own; return the valid ones and their merged indices."""
    valid: dict[str, list] = {}
    kept: dict[str, list[int]] = {}
    for key, adapter in LISTS.items():
        valid[key], kept[key] = [], []
        for index, entry in enumerate(merged[key]):
            try:
                valid[key].append(adapter.validate_python(entry))
                kept[key].append(index)
            except ValidationError as exc:
                origin = origins[(key, index)]
                for error in exc.errors():
                    rest, message = _explain(error, key)
                    problems.append(_problem(origin, rest, message))
    return valid, kept


def _build(model, merged: dict, valid: dict, origins: dict[Path, _Origin], problems: list[Problem], files=()):
    settings = {k: merged[k] for k in SETTINGS if k in merged}
    try:
        return model(**settings, **valid)
    except ValidationError as exc:
        for error in exc.errors():
            rest, message = _explain(error, None)
            origin = origins.get((rest[0],)) if rest else None
            if origin is not None:
                problems.append(_problem(origin, rest[1:], message))
                continue
            # a missing setting: point at the start of the first file that says anything (an
            # empty list, `menus: []`, leaves no origin, but the file is not empty)
            first = next(iter(origins.values()), None)
            written = first.located if first is not None else next((f for f in files if not _empty(f)), None)
            if written is not None:
                problems.append(_problem(_Origin(written, ()), (), f"{render(rest)}: {message}"))
            elif files:
                empty = "the file is empty" if len(files) == 1 else "every file is empty"
                problems.append(Problem(files[0].file, 1, 1, render(rest), f"{message} ({empty})"))
            else:
                problems.append(Problem("catalog", 0, 0, render(rest), message))
        return None


def _validate(
    merged: dict, origins: dict[Path, _Origin], problems: list[Problem], complete: bool, files: list[Located]
) -> Catalog | None:
    valid, kept = _validate_entries(merged, origins, problems)
    if not complete:
        # A file could not be read: missing settings and dangling references would be noise.
        return None
    catalog = _build(Catalog, merged, valid, origins, problems, files)
    if catalog is None:
        return None
    # Ids of entries that failed validation still exist as far as the author is concerned:
    # reporting references to them as dangling would only add noise.
    broken = _ids_of_invalid(merged, kept)
    for violation in rules.check(catalog):
        if _mentions(violation.message, broken):
            continue
        origin, rest = _locate(violation.path, kept, origins)
        message = violation.message
        if violation.first is not None:
            first, first_rest = _locate(violation.first, kept, origins)
            line, _ = first.located.where(first.path + first_rest)
            message += f" (first at {first.located.file}:{line})"
        problems.append(_problem(origin, rest, message))
    return _images(catalog, merged, kept, origins, problems)


def _images(catalog: Catalog, merged: dict, kept: dict[str, list[int]], origins: dict[Path, _Origin], problems):
    """Local dish images: checked next to the YAML file that names them (yamlio/images.py)."""

    def at_merged(key: str, index: int, rest: tuple, message: str) -> None:
        problems.append(_problem(origins[(key, index)], rest, message))

    images.computed_written(merged, at_merged)
    parents: dict[str, FsPath] = {}  # one path per file, not one per dish (10,000 dishes: 10,000 paths)
    folders = {
        key: [_parent(origins[(key, i)].located.file, parents) for i in kept[key]] for key in ("dishes", "variations")
    }
    return images.check(catalog, folders, lambda key, i, rest, message: at_merged(key, kept[key][i], rest, message))


def _parent(file: str, parents: dict[str, FsPath]) -> FsPath:
    folder = parents.get(file)
    if folder is None:
        folder = parents[file] = FsPath(file).parent
    return folder


def parse_part(located: Located) -> tuple[CatalogPart | None, list[Problem]]:
    """Structural validation of one file on its own (what `fmt` needs; no cross-file rules)."""
    problems: list[Problem] = []
    merged, origins = _merge([located], problems)
    valid, _ = _validate_entries(merged, origins, problems)
    part = _build(CatalogPart, merged, valid, origins, problems)
    return (part if not problems else None), problems


def _locate(path: Path, kept: dict[str, list[int]], origins: dict[Path, _Origin]) -> tuple[_Origin, Path]:
    if path[0] in SETTINGS:
        return origins[(str(path[0]),)], path[1:]
    key, index = path[0], path[1]
    merged_index = kept[key][index]
    return origins[(key, merged_index)], path[2:]


def _ids_of_invalid(merged: dict, kept: dict[str, list[int]]) -> set[str]:
    ids = set()
    for key in LISTS:
        good = set(kept[key])
        for index, entry in enumerate(merged[key]):
            if index not in good and isinstance(entry, dict) and key == "locations":
                ids.update(v for v in (entry.get("name"), entry.get("id")) if isinstance(v, str))
            if index not in good and isinstance(entry, dict) and isinstance(entry.get("id"), str):
                ids.add(entry["id"])
                if key == "menus":
                    for section in entry.get("sections") or []:
                        if isinstance(section, dict) and isinstance(section.get("id"), str):
                            ids.add(section["id"])
                        if isinstance(section, dict) and isinstance(section.get("dishes"), list):
                            # "in no section" would be noise: the author did list them, in this menu
                            ids.update(d for d in section["dishes"] if isinstance(d, str))
    return ids


def _mentions(message: str, ids: set[str]) -> bool:
    return any(f'"{ident}"' in message for ident in ids)


def _explain(error: dict, list_key: str | None) -> tuple[Path, str]:
    """Turn a pydantic error into (path inside the entry, plain-language reason)."""
    loc = tuple(error["loc"])
    if list_key == "option_groups" and loc and loc[0] in _GROUP_TAGS:
        loc = loc[1:]
    kind, value = error["type"], error.get("input")
    field = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        return loc, f'unknown field "{field}"{_suggest(str(field), _ALL_FIELDS)}'
    if kind == "missing":
        return loc, f'missing required field "{field}"'
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return (*loc, "type"), 'type must be one of "selection", "extras", "deselection"'
    if kind == "string_type" and isinstance(value, (int, float, bool)):
        return loc, f"must be text; write {value!r} in quotes"
    if kind == "bool_type":
        return loc, f"must be true or false, not {value!r}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return loc, f"{value!r} is not allowed; expected {expected}"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        if pattern.startswith("^https?"):
            return loc, f"{value!r} is not an http(s) URL"
        if pattern.startswith("^[A-Za-z0-9]"):
            return (
                loc,
                f"{value!r} is not a valid id (letters, digits and _ . : # @ + -, starting with a letter or digit)",
            )
        if pattern == "^[A-Z]{3}$":
            return loc, f"{value!r} is not an ISO 4217 currency code such as USD"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return loc, message[0].lower() + message[1:] if message else message


def _suggest(word: str, candidates) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1)
    return f'; did you mean "{close[0]}"?' if close else ""


def _all_fields() -> set[str]:
    names: set[str] = set()
    seen: set[type] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(name)
            for arg in _model_args(info.annotation):
                walk(arg)

    walk(Catalog)
    return names


def _model_args(annotation) -> list[type[BaseModel]]:
    found = []
    stack = [annotation]
    while stack:
        current = stack.pop()
        if isinstance(current, type) and issubclass(current, BaseModel):
            found.append(current)
        stack.extend(getattr(current, "__args__", ()) or ())
    return found


_ALL_FIELDS = _all_fields()
