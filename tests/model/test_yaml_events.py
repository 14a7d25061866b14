"""YAML read from parser events (yamlio/convert.py, yamlio/source.py): aliases, tags, keys, limits.

Each case is a small text read in-process; the data, or each problem's line, column, path and
message, are compared whole. (tests/hostile/test_yaml_inputs.py drives the same through the CLI.)
"""

from __future__ import annotations

import pytest

from reconciler import limits
from reconciler.yamlio.source import CoreLoader, FastCoreLoader, read

TAG = 'the tag "{}" is not part of the catalog format; write the value without it'


def problems(text: str) -> list[tuple[int, int, str, str]]:
    _, found = read(text, "f.yaml")
    return [(p.line, p.column, p.path, p.message) for p in found]


def data(text: str) -> object:
    located, found = read(text, "f.yaml")
    assert located is not None and not found, found
    return located.data


def test_an_alias_reads_as_its_anchors_value():
    assert data("a: &x 5\nb: *x\nc: &m {k: [1, 2]}\nd: *m\n") == {
        "a": 5,
        "b": 5,
        "c": {"k": [1, 2]},
        "d": {"k": [1, 2]},
    }
    assert data("a: &s name\n*s : v\n") == {"a": "name", "name": "v"}


def test_an_alias_to_a_scalar_the_format_refuses_is_refused_where_the_anchor_is():
    assert problems("a: &x !!binary aGk=\nb: *x\n") == [
        (1, 4, "a", TAG.format("!!binary")),
        (1, 4, "b", TAG.format("!!binary")),
    ]


@pytest.mark.parametrize(
    ("text", "where"),
    [("a: &x\n  b: *x\n", (2, 3, "a.b")), ("a: &x\n  - *x\n", (2, 5, "a[0]"))],
)
def test_an_anchor_containing_its_own_alias_is_refused_at_the_alias(text, where):
    message = "an alias refers to a list or mapping that contains it (a recursive anchor)"
    assert problems(text) == [(*where, message)]


def test_an_undefined_alias_is_a_syntax_error_at_the_alias():
    assert problems("a: 1\nb: *nope\n") == [(2, 4, "", "YAML syntax error: found undefined alias 'nope'")]


@pytest.mark.parametrize(
    ("text", "tag"),
    [("a: !!binary aGk=\n", "!!binary"), ("a: !thing {k: 1}\n", "!thing"), ("a: !!set [1]\n", "!!set")],
)
def test_a_tag_the_format_does_not_use_is_refused_by_its_short_name(text, tag):
    assert problems(text) == [(1, 4, "a", TAG.format(tag))]


@pytest.mark.parametrize(
    ("text", "where", "kind"),
    [
        ("? [1, 2]\n: v\n", (1, 3), "a list"),
        ("? {k: 1}\n: v\n", (1, 3), "a mapping"),
        ("a: &l [1]\n? *l\n: v\n", (2, 3), "a list"),
        ("a: &m {k: 1}\n? *m\n: v\n", (2, 3), "a mapping"),
    ],
)
def test_a_key_that_is_not_text_is_refused_saying_what_it_is(text, where, kind):
    assert problems(text) == [(*where, "", f"a key must be plain text, not {kind}")]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("a: 1\nbb: x\x07y\n", 2, 6), ("\x07", 1, 1), ("\n\x07", 2, 1), ("a\nb\nc\x07", 3, 2), ("\x07\n\n\n", 1, 1)],
)
def test_a_character_yaml_forbids_is_refused_at_its_line_and_column(text, line, column):
    message = "character U+0007 is not allowed: control characters are not allowed"
    assert problems(text) == [(line, column, "", message)]


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels + "\n"


def test_nesting_is_read_to_the_limit_and_refused_beyond_it_at_the_first_level_too_deep():
    depth = limits.YAML_MAX_DEPTH
    assert read(nested(depth), "f.yaml")[1] == []
    path = "[0]" * depth  # the list at that depth, inside the one that reached the limit
    assert problems(nested(depth + 1)) == [(1, depth + 1, path, f"nested more than {depth} levels deep")]


def test_what_lies_deeper_than_the_limit_is_passed_over_whole():
    depth = limits.YAML_MAX_DEPTH
    # lists inside the one refused, then more after it (a skip that lost count read past the end)
    text = f"a: {nested(depth + 10)}b: !!binary aGk=\n"
    message = f"nested more than {depth} levels deep"
    assert problems(text) == [(1, depth + 3, "a" + "[0]" * (depth - 1), message)]


def test_after_a_limit_the_rest_is_passed_over_and_an_alias_to_a_skipped_anchor_is_not_an_error():
    depth = limits.YAML_MAX_DEPTH
    text = f"a: {nested(depth)}b: [&x [1]]\nc: *x\n"
    message = f"nested more than {depth} levels deep"
    assert problems(text) == [(1, depth + 3, "a" + "[0]" * (depth - 1), message)]


def list_aliases(count: int) -> str:
    """``count`` aliases to a list (to a scalar they are read again, like any scalar, and not counted)."""
    return (
        "a: &x [1]\nb: ["
        + ", ".join(["*x"] * (limits.YAML_MAX_ALIASES - 1))
        + "]\nc: *x\n"
        + "d: *x\n" * (count - limits.YAML_MAX_ALIASES)
    )


def test_aliases_are_allowed_up_to_the_limit_and_refused_at_the_first_one_beyond():
    # so many aliases also expand beyond the expansion limit: only the count's problem is looked at
    def counted(text: str) -> list[tuple[int, int, str, str]]:
        return [p for p in problems(text) if "aliases in one file" in p[3]]

    assert counted(list_aliases(limits.YAML_MAX_ALIASES)) == []
    message = f"more than {limits.YAML_MAX_ALIASES:,} aliases in one file"
    assert counted(list_aliases(limits.YAML_MAX_ALIASES + 1)) == [(4, 1, "d", message)]


def expansion(anchor_size: int, uses: int) -> str:
    items = ", ".join(["1"] * (anchor_size - 1))
    lines = "".join(f"k{n}: *x\n" for n in range(uses))
    return f"a: &x [{items}]\n{lines}"


def test_aliases_may_expand_to_the_limit_and_are_refused_at_the_alias_that_passes_it():
    size = 1_000  # the anchor's list and its 999 values: 1,000 values per use
    uses = limits.YAML_MIN_EXPANSION // size
    assert read(expansion(size, uses), "f.yaml")[1] == []
    message = (
        f"aliases expand to more than {limits.YAML_MIN_EXPANSION:,} values, more than the file itself "
        "holds (an alias bomb?); write the values out, or use fewer aliases"
    )
    assert problems(expansion(size, uses + 1)) == [(uses + 2, 1, f"k{uses}", message)]


def test_the_pure_python_loader_reads_a_catalog_as_libyaml_does():
    text = open("catalogs/pizzeria.yaml", encoding="utf-8").read()  # noqa: SIM115
    slow, fast = CoreLoader(text), FastCoreLoader(text)
    try:
        assert slow.get_single_data() == fast.get_single_data()
    finally:
        slow.dispose()
        fast.dispose()


@pytest.mark.parametrize(
    ("text", "line", "column", "reason"),
    [
        ("a: [1, 2\n", 2, 1, "while parsing a flow sequence: did not find expected ',' or ']'"),
        ("a: b: c\n", 1, 5, "mapping values are not allowed in this context"),
        ("a: 1\n---\nb: 2\n", 2, 1, "expected a single document in the stream: but found another document"),
    ],
)
def test_a_syntax_error_is_reported_at_its_place_with_the_parsers_reason(text, line, column, reason):
    located, found = read(text, "f.yaml")
    assert located is None
    assert [(p.file, p.line, p.column, p.path, p.message) for p in found] == [
        ("f.yaml", line, column, "", f"YAML syntax error: {reason}")
    ]


LOCATED = "# a comment first\nversion: 1\ndishes:\n  - id: tea\n    name: Tea\n"


@pytest.mark.parametrize(
    ("path", "where"),
    [
        (("version",), (2, 1)),
        (("dishes", 0), (4, 5)),
        (("dishes", 0, "name"), (5, 5)),
        # a path that goes further than the text: the nearest part of it that is there
        (("nope",), (2, 1)),
        (("dishes", "name"), (3, 1)),
        (("dishes", 5), (3, 1)),
        (("dishes", 1), (3, 1)),  # one past the last item
        (("dishes", -1), (3, 1)),
        (("dishes", 0, "price"), (4, 5)),
    ],
)
def test_a_path_is_located_at_its_key_else_its_value_else_its_nearest_parent(path, where):
    located, _ = read(LOCATED, "f.yaml")
    assert located is not None
    assert located.where(path) == where


def test_a_path_in_an_empty_text_is_located_at_its_start():
    located, _ = read("", "f.yaml")
    assert located is not None
    assert located.where(("a",)) == (1, 1)


def test_a_refused_keys_value_reports_nothing_of_its_own_and_later_problems_are_still_reported():
    assert problems("? [1]\n: !!binary aGk=\nb: !!binary aGk=\n") == [
        (1, 3, "", "a key must be plain text, not a list"),
        (3, 4, "b", TAG.format("!!binary")),
    ]
