"""``fieldMask`` projection (reference U10): keep only the listed REST field paths of an entity.

Paths are dotted (``price.value``); a path through an array applies to every element
(``dishOptions.values.name``). ``id`` is always kept, unknown paths are ignored, and an empty mask
keeps the whole entity. Key order follows the entity. Used by the list handlers of any API.
"""

from __future__ import annotations

from typing import Any

Tree = dict[str, "Tree"]


def mask_tree(paths: list[str], always: tuple[str, ...] = ("id",)) -> Tree:
    tree: Tree = {}
    for path in [*always, *paths]:
        node = tree
        parts = [part for part in path.split(".") if part]
        for depth, part in enumerate(parts):
            if part in node and not node[part]:
                break  # an ancestor is already kept whole
            if depth == len(parts) - 1:
                node[part] = {}  # keep whole
            else:
                node = node.setdefault(part, {"\0partial": {}})
    return tree


def _apply(value: Any, tree: Tree) -> Any:
    if not tree:
        return value
    if isinstance(value, list):
        return [_apply(element, tree) for element in value]
    if not isinstance(value, dict):
        return value
    return {key: _apply(child, tree[key]) for key, child in value.items() if key in tree}


def _clean(tree: Tree) -> Tree:
    return {key: _clean(sub) for key, sub in tree.items() if key != "\0partial"}


def projector(paths: list[str], always: tuple[str, ...] = ("id",)) -> Any:
    """A function entity -> projected entity, or ``None`` when the mask is empty (keep everything).
    ``always``: the fields kept whatever the mask says."""
    if not paths:
        return None
    tree = _clean(mask_tree(paths, always))
    return lambda entity: _apply(entity, tree)
