"""Field paths such as ``menus[0].sections[2].dishes[1]``: how every error names a location."""

from __future__ import annotations

Path = tuple[str | int, ...]


def render(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
