"""Where the fast first parse (reconciler/yamlio/fast.py) must answer, and where it must not.

It must never answer for a form it cannot read exactly (another document, a tag where a document
starts, an integer JSON cannot hold): then the loader reads the file the usual way and reports
what is wrong. And it must keep answering for the common forms of a hand-written catalog (a ``#``
inside a word, a comment on a line without brackets, ``&`` or ``,`` inside a plain text, a quoted
key of a typed form, nesting up to its limit), or every cold load of such a catalog pays for
libyaml's events. Whenever it answers, its data is what the reader gives (``check``).

Like test_fast_parse.py, these tests need a process of one thread (the fast parse never answers
beside another thread): under pytest-xdist they are skipped, and
test_fast_parse_refusals_in_one_thread.py runs this file in a process of its own.
"""

from __future__ import annotations

import threading

import pytest

from reconciler import limits
from reconciler.yamlio import fast
from reconciler.yamlio.load import load_catalog
from reconciler.yamlio.source import read


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> None:
    if threading.active_count() != 1:
        pytest.skip("needs a process of one thread: test_fast_parse_refusals_in_one_thread.py runs this file in one")


def answered(text: str) -> object:
    """The fast parse's data for ``text``, which must be the reader's (a failure when it gives none)."""
    exact, data = fast.read_data(text)
    located, problems = read(text, "doc.yaml")
    assert exact, f"the fast parse gave no answer for {text!r}"
    assert problems == [] and located is not None, (text, problems)
    assert data == located.data and repr(data) == repr(located.data), (text, data, located.data)
    return data


def refused(text: str) -> None:
    assert fast.read_data(text) == (False, None), text


def test_more_than_one_document_or_a_document_marker_gets_no_answer():
    # the reader refuses a second document; rapidyaml would hand back a list of both
    for text in ["a: 1\n---\nb: 2\n", "a: 1\n---\n", "a: 1\n...\nb: 2\n", "...\na: 1\n"]:
        refused(text)
        assert read(text, "doc.yaml")[1], text
    refused("a: 1\n...\n")


def test_a_hash_inside_a_word_is_no_comment_and_keeps_the_fast_parse():
    assert answered("name: x#y {z}\n") == {"name": "x#y {z}"}
    assert answered("a#: {b: c}\n") == {"a#": {"b": "c"}}
    assert answered("name: b c#d [e]\n") == {"name": "b c#d [e]"}
    assert answered("name: X#y [z]\n") == {"name": "X#y [z]"}


def test_a_comment_on_a_line_without_brackets_keeps_the_fast_parse_whatever_other_lines_hold():
    assert answered("a: {b: c}\nd: e # f\n") == {"a": {"b": "c"}, "d": "e"}
    assert answered("a: 1\nb: {c: d}\ne: f # g\n") == {"a": 1, "b": {"c": "d"}, "e": "f"}
    assert answered("a: b # c\nd: [e]\n") == {"a": "b", "d": ["e"]}


def test_a_comment_after_a_flow_collection_gets_no_answer():
    for text in ["a: [b] # c\n", "{a: b} # x\n", "a: [b, # x\n  c]\n", "[a, # x\n b]\n", "\n# c [x]\na: 1\n"]:
        refused(text)


def test_indicator_characters_inside_a_plain_text_keep_the_fast_parse():
    assert answered("a &b: 1\n") == {"a &b": 1}
    assert answered("x ,y: 1\n") == {"x ,y": 1}
    assert answered("a @b: 1\n") == {"a @b": 1}
    assert answered("note: Fish & Chips, Peas\n") == {"note": "Fish & Chips, Peas"}


def test_a_tag_or_anchor_where_an_indented_document_starts_gets_no_answer():
    # rapidyaml reads a mapping under a !!str tag; the reader refuses it, with its position
    for text in [" !!str\n a: 1\n", " !x\n a: 1\n", " !!map\n - a\n"]:
        refused(text)
        assert read(text, "doc.yaml")[1], text
    for text in [" &a\n b: 1\n", " !!float a: 1\n"]:
        refused(text)


def test_a_block_scalar_with_an_explicit_indentation_gets_no_answer_and_one_without_is_read():
    for text in ["a: |2\n   x\nb: 1\n", "a: >1\n  x\n", "a:\n- |1\n  x\n"]:
        refused(text)
    assert answered("a: |\n  x\nb: 1\n") == {"a": "x\n", "b": 1}
    assert answered("a: >-\n  x\n  y\n") == {"a": "x y"}


def test_a_quoted_key_of_a_typed_form_is_read_fast_as_its_text():
    assert answered("'1': x\n") == {"1": "x"}
    assert answered('"true": x\nb: 2\n') == {"true": "x", "b": 2}
    refused("1: x\n")


def test_a_one_key_document_is_read_fast():
    assert answered("a: 1\n") == {"a": 1}
    assert answered("- 1\n") == [1]


def test_numbers_are_read_fast_unless_json_cannot_hold_them_exactly():
    assert answered("a: 1.5\nb: -0.25\nc: 9007199254740993\n") == {"a": 1.5, "b": -0.25, "c": 9007199254740993}
    # integers beyond 64 bits come out of rapidyaml's JSON as floats: no answer, the reader's integer
    for text in ["a: 99999999999999999999\n", "a: 18446744073709551616\n", "a: 1e300\n", "a: 1e400\n"]:
        refused(text)


def _nested(levels: int) -> str:
    """A mapping nested ``levels`` mappings deep under the root, its last holding one number."""
    return "".join("  " * i + "a:\n" for i in range(levels)) + "  " * levels + "b: 1\n"


def test_nesting_is_read_fast_up_to_its_limit_and_not_beyond():
    deepest = limits.YAML_MAX_DEPTH - 2  # the deepest nesting the fast parse answers for
    data = answered(_nested(deepest))
    for _ in range(deepest):
        assert isinstance(data, dict)
        data = data["a"]
    assert data == {"b": 1}
    refused(_nested(limits.YAML_MAX_DEPTH))
    assert read(_nested(limits.YAML_MAX_DEPTH), "doc.yaml")[1]  # too deep: the reader says so


def test_a_file_the_fast_parse_refuses_is_read_the_usual_way_beside_files_it_reads(tmp_path):
    """A catalog of two files, one behind a document marker: nothing of either file is lost."""
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "currency: USD\nmenus:\n  - id: food\n    name: Food\n    sections:\n      - id: soups\n"
        "        name: Soups\n        dishes: [soup]\ndishes:\n  - id: soup\n    name: Soup\n    price: '4.50'\n",
        encoding="utf-8",
    )
    (folder / "b.yaml").write_text(
        "---\nmenus:\n  - id: late\n    name: Late\n    sections:\n      - id: night\n        name: Night\n"
        "        dishes: [soup]\n",
        encoding="utf-8",
    )
    refused((folder / "b.yaml").read_text(encoding="utf-8"))
    catalog = load_catalog(folder)
    assert [menu.id for menu in catalog.menus] == ["food", "late"]
