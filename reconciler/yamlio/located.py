"""YAML data with the text it was read from, which locates any path when a problem must be reported.

Apart from the reader (:mod:`reconciler.yamlio.source`) and importing PyYAML only when a position
is asked for: a catalog the fast parse read (yamlio/fast.py) is held as this too, and a plan of a
valid catalog then never imports PyYAML (0.01 s of its start-up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reconciler.paths import Path

if TYPE_CHECKING:
    import yaml


@dataclass
class Located:
    """YAML data plus its text, which locates any path when a problem must be reported.

    Positions are looked up only for problems: the node tree is composed from the text the first
    time one is asked for, so loading a large valid catalog pays nothing for them (neither time
    nor the tree's memory).
    """

    file: str
    data: object
    text: str = field(default="", repr=False)
    comment_lines: list[int] = field(default_factory=list)
    _root: yaml.Node | None = field(default=None, init=False, repr=False)
    _composed: bool = field(default=False, init=False, repr=False)

    @property
    def root(self) -> yaml.Node | None:
        if not self._composed:
            import yaml

            from reconciler.yamlio.source import FastCoreLoader

            self._composed = True
            loader = FastCoreLoader(self.text)
            try:
                self._root = loader.get_single_node()
            except (yaml.YAMLError, RecursionError):  # read() refused such a text already
                self._root = None
            finally:
                loader.dispose()
        return self._root

    def where(self, path: Path) -> tuple[int, int]:
        """Best position for a path: its key if it has one, else its value, else the nearest parent."""
        import yaml

        node, mark = self.root, None
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                pair = next(((k, v) for k, v in node.value if _text(k) == part), None)
                if pair is None:
                    break
                mark, node = pair[0].start_mark, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        if mark is None:
            mark = node.start_mark if node is not None else None
        return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _text(node: yaml.Node) -> str:
    import yaml

    from reconciler.yamlio.convert import scalar_text

    if isinstance(node, yaml.ScalarNode):
        return scalar_text(node.tag, node.value)
    return str(node.value)
