"""Where each entity of a catalog is written: ``file:line`` of its entry, for messages that name entities.

Read only when such a message is shown (a plan refused for removing a protected entity), so loading a
catalog pays nothing for it.
"""

from __future__ import annotations

from pathlib import Path as FsPath

from reconciler.files import FileProblem, read_text
from reconciler.paths import Path
from reconciler.yamlio.key import catalog_files
from reconciler.yamlio.source import Located, read

Where = dict[tuple[str, str], str]  # (catalog list, id) -> "file:line"
_LISTS = ("dishes", "variations", "option_groups")


def where_entities(target: str | FsPath) -> Where:
    """``file:line`` of every menu, section, dish, variation and option group the catalog names."""
    found: Where = {}
    for file in catalog_files(target):
        try:
            located, _ = read(read_text(file), str(file))
        except FileProblem:
            continue
        if located is not None and isinstance(located.data, dict):
            _walk(located, found)
    return found


def _walk(located: Located, found: Where) -> None:
    data = located.data
    assert isinstance(data, dict)

    def note(table: str, entry: object, path: Path) -> None:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            line, _ = located.where(path)
            found.setdefault((table, entry["id"]), f"{located.file}:{line}")

    for m, menu in enumerate(data.get("menus") or []):
        note("menus", menu, ("menus", m))
        for s, section in enumerate((menu.get("sections") or []) if isinstance(menu, dict) else []):
            note("sections", section, ("menus", m, "sections", s))
    for table in _LISTS:
        for index, entry in enumerate(data.get(table) or []):
            note(table, entry, (table, index))
