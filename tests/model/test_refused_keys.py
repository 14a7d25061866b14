"""A key the format refuses (repeated, or a list or mapping): where it is reported, and what of its
value still counts.

The refused key's value is not kept, but it is still read within the limits: nested past the depth
limit it is refused as too deep, at its own path, however it came to be discarded. And the size of
a mapping counts every value in it, so aliases of it expand to exactly that many values.
"""

from __future__ import annotations

from reconciler import limits
from reconciler.yamlio.source import read

DEEP = "nested more than 64 levels deep"


def problems(text: str) -> list[tuple]:
    _located, found = read(text, "menu.yaml")
    return [(p.file, p.line, p.column, p.path, p.message) for p in found]


def nested(levels: int, indent: int) -> str:
    """A mapping ``levels`` mappings deep, written from column ``indent``."""
    return "".join(" " * (indent + 2 * i) + "a:\n" for i in range(levels)) + " " * (indent + 2 * levels) + "b: 1\n"


def test_a_repeated_key_is_placed_at_its_file_line_and_names_the_first():
    assert problems("name: Tea\nprice: 1\nname: Green Tea\n") == [
        ("menu.yaml", 3, 1, "name", "key repeated (first at line 1); only one is allowed")
    ]
    assert problems("dish:\n  id: a\n  name: A\n  id: b\n") == [
        ("menu.yaml", 4, 3, "dish.id", "key repeated (first at line 2); only one is allowed")
    ]


def test_a_key_that_is_a_list_or_mapping_is_placed_at_its_file_and_line():
    assert problems("a: 1\nb:\n  ? [k]\n  : v\n") == [("menu.yaml", 3, 5, "b", "a key must be plain text, not a list")]
    assert problems("? {k: 1}\n: v\n") == [("menu.yaml", 1, 3, "", "a key must be plain text, not a mapping")]


def test_the_value_of_a_repeated_key_is_held_to_the_depth_limit():
    deepest = limits.YAML_MAX_DEPTH - 2  # under the root and the repeated key
    assert problems("x: 1\nx:\n" + nested(deepest, 2)) == [
        ("menu.yaml", 2, 1, "x", "key repeated (first at line 1); only one is allowed")
    ]
    [(file, line, column, path, message)] = problems("x: 1\nx:\n" + nested(deepest + 1, 2))
    assert (file, line, column, message) == ("menu.yaml", 2 + deepest + 2, 2 * (deepest + 1) + 3, DEEP)
    assert path == "x" + ".a" * (deepest + 1)


def test_the_value_of_a_key_that_is_a_list_is_held_to_the_depth_limit():
    deepest = limits.YAML_MAX_DEPTH - 2
    assert problems("? [k]\n:\n" + nested(deepest, 2)) == [
        ("menu.yaml", 1, 3, "", "a key must be plain text, not a list")
    ]
    [(file, line, column, path, message)] = problems("? [k]\n:\n" + nested(deepest + 1, 2))
    assert (file, line, column, message) == ("menu.yaml", 2 + deepest + 2, 2 * (deepest + 1) + 3, DEEP)
    assert path == ".".join(["a"] * (deepest + 1))


def test_a_key_that_is_a_list_is_itself_held_to_the_depth_limit():
    deepest = limits.YAML_MAX_DEPTH - 1  # lists inside the key, under the root mapping
    key = "[" * deepest + "k" + "]" * deepest
    assert problems(f"? {key}\n: 1\n") == [("menu.yaml", 1, 3, "", "a key must be plain text, not a list")]
    key = "[" * (deepest + 1) + "k" + "]" * (deepest + 1)
    [(file, line, column, path, message)] = problems(f"? {key}\n: 1\n")
    assert (file, line, column, message) == ("menu.yaml", 1, 3 + deepest, DEEP)
    assert path == "[0]" * deepest


def test_aliases_of_a_mapping_expand_to_its_values_counted_exactly():
    """A mapping of nine values is ten (itself and them): 10,000 aliases of it are 100,000 values,
    the most a file may expand to; one alias more is refused, at that alias."""
    anchor = "m: &m {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}\nl:\n"
    uses = limits.YAML_MIN_EXPANSION // 10
    assert problems(anchor + "  - *m\n" * uses) == []
    assert problems(anchor + "  - *m\n" * (uses + 1)) == [
        (
            "menu.yaml",
            uses + 3,
            5,
            f"l[{uses}]",
            "aliases expand to more than 100,000 values, more than the file itself holds (an alias bomb?); "
            "write the values out, or use fewer aliases",
        )
    ]
