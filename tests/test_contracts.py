"""What the two plug-in contracts promise about the rest of the code, checked on the source itself.

The targets declare their kinds once (targets/<target>/capabilities.py); nothing outside the targets
lists kinds again. The dead code the contracts replaced stays gone. Tests never assert on how long
something took (speed goals live in bench/). import-linter checks the layering and that neither
target imports the other (tests/test_tooling.py).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from reconciler.engine.vocabulary import Kind

REPO = Path(__file__).resolve().parents[1]
KIND_VALUES = {k.value for k in Kind}
# The packages that must read kinds from a target's Capabilities. engine/essence.py builds the
# neutral model's records and engine/vocabulary.py defines the words: they name kinds one at a time.
READERS = ("engine", "render", "serve", "cli", "fleet", "state")


def _python(*tops: str) -> list[Path]:
    return sorted(p for top in tops for p in (REPO / top).rglob("*.py") if "node_modules" not in p.parts)


def _kind_lists(tree: ast.AST) -> list[int]:
    """Lines of literals that enumerate kinds: two or more ``Kind.X``, or three or more kind names."""

    def counts(elements: list[ast.expr | None]) -> tuple[int, int]:
        members = sum(
            isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "Kind" for e in elements
        )
        names = sum(isinstance(e, ast.Constant) and e.value in KIND_VALUES for e in elements)
        return members, names

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            elements: list[ast.expr | None] = list(node.elts)
        elif isinstance(node, ast.Dict):
            elements = list(node.keys)
        else:
            continue
        members, names = counts(elements)
        if members >= 2 or names >= 3:
            found.append(node.lineno)
    return found


def test_the_kind_list_finder_finds_kind_lists():
    assert _kind_lists(ast.parse("ORDER = (Kind.MENU, Kind.SECTION)")) == [1]
    assert _kind_lists(ast.parse("T = {'menu': 1, 'section': 2, 'dish': 3}")) == [1]
    assert _kind_lists(ast.parse("KEYS = ('name', 'item', 'variant', 'modifier')")) == []  # field names


def test_nothing_outside_the_targets_lists_kinds_of_its_own():
    found = [
        f"{path.relative_to(REPO)}:{line}"
        for package in READERS
        for path in _python(f"reconciler/{package}")
        if path.name != "vocabulary.py"
        for line in _kind_lists(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == [], "read the kinds from the target's Capabilities instead: " + ", ".join(found)


def test_the_dead_code_the_contracts_replaced_stays_gone():
    from reconciler.engine import essence
    from reconciler.http import CallStats

    assert not hasattr(essence, "references")
    assert not hasattr(CallStats(), "retries")
    serve_cmd = ast.parse((REPO / "reconciler/cli/serve_cmd.py").read_text(encoding="utf-8"))
    mains = [n for n in ast.walk(serve_cmd) if isinstance(n, ast.If) and "__main__" in ast.unparse(n.test)]
    assert mains == []


TIMING = re.compile(r"\b(monotonic|perf_counter|process_time|time\.time|elapsed|duration|took)\b|_seconds\b")


def _timing_assertions(source: str) -> list[int]:
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        ordered = any(
            isinstance(c, ast.Compare) and any(isinstance(o, ast.Lt | ast.LtE | ast.Gt | ast.GtE) for o in c.ops)
            for c in ast.walk(node.test)
        )
        if ordered and TIMING.search(ast.get_source_segment(source, node.test) or ""):
            found.append(node.lineno)
    return found


def test_the_timing_assertion_finder_finds_them():
    assert _timing_assertions("assert time.monotonic() - start < 2.0") == [1]
    assert _timing_assertions("assert result.cutover_seconds < 0.5") == [1]
    assert _timing_assertions("assert result.cutover_seconds is not None") == []


def test_no_test_asserts_how_long_something_took():
    found = [
        f"{path.relative_to(REPO)}:{line}"
        for path in _python("tests")
        for line in _timing_assertions(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "speed goals belong in bench/, printed next to their floor: " + ", ".join(found)


def test_every_list_of_target_names_is_the_registry_s():
    """Configs check a target name against a fixed list (the fleet file's is a Literal, for its
    schema): each must be exactly what the registry offers."""
    import typing

    from reconciler.fleet.model import Defaults, Site
    from reconciler.targets.registry import TARGETS

    for field in (Defaults.model_fields["target"], Site.model_fields["target"]):
        annotation = field.annotation
        if typing.get_origin(annotation) is not typing.Literal:  # Optional[Literal[...]]
            annotation = next(a for a in typing.get_args(annotation) if typing.get_origin(a) is typing.Literal)
        assert typing.get_args(annotation) == TARGETS
