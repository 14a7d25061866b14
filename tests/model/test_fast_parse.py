"""The fast first parse (rapidyaml, reconciler/yamlio/fast.py) against today's reader, the oracle.

Whenever the fast parse answers, its data must be exactly what `reconciler.yamlio.source.read`
gives for the same text (same types, same key order) and that reader must find no problem; when it
does not answer, the loader reads the text the usual way, so the outcome is the reader's by
construction. Generated documents mix the scalar forms our YAML 1.2 rules type (and YAML 1.1's
that they do not), every quoting style, block and flow collections, anchors, repeated keys, unicode
and odd whitespace.

The fast parse answers only in a process of one thread (it quiets the error stream while rapidyaml
parses, which would hide another thread's lines), and a pytest-xdist worker has a second one: there
these tests are skipped, and tests/model/test_fast_parse_in_one_thread.py runs this file in a
process of its own instead, so they run (and can fail) under the suite's `pytest -n 2` too.
"""

from __future__ import annotations

import math
import shutil
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.files import read_text
from reconciler.yamlio import fast
from reconciler.yamlio.load import load_catalog
from reconciler.yamlio.source import read
from tests.strategies import examples

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> None:
    # Threads left by earlier tests of the same worker (servers, executors) count too: asked when
    # this file's tests run, not when they are collected.
    if threading.active_count() != 1:
        pytest.skip("needs a process of one thread: test_fast_parse_in_one_thread.py runs this file in one")


REAL = sorted([*ROOT.glob("catalogs/*.yaml"), *ROOT.glob("examples/*.yaml")])

# Plain forms on both sides of every typing rule: YAML 1.2 core (typed) and YAML 1.1 (text for us).
WORDS = """
0 1 -1 +1 007 00 -0 +0 1.5 -1.5 +1.5 1. .5 -.5 +.5 1e3 1E3 1e+3 1.5e-3 .5e3 1e 01.5 1.2.3
0x1F 0o17 0b11 1_000 1,000 190:20:30 11:00 12:30:00 2001-12-14 2001-12-14T21:59:43Z
true false True False TRUE FALSE tRUE yes no on off Yes NO y n
null Null NULL ~ nULL none None
.inf -.inf +.inf .Inf .INF inf -inf .nan .NaN .NAN nan NaN Infinity
x a-b a_b a.b café 日本 😀 a#b a:b http://x.y/z?q=1 -x .x 99999999999999999999999 1e400
"""
TRICKY = WORDS.split()
PLAIN = st.sampled_from(TRICKY) | st.from_regex(r"[a-z][a-z0-9 .,'/()-]{0,12}[a-z0-9)]", fullmatch=True)
ODD = st.sampled_from(list("&*!?%@`|>#:-{}[],\\'\""))
TEXT = st.lists(
    st.one_of(
        st.sampled_from(TRICKY),
        ODD,
        st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\x85", "\u2028", "\ufeff", "\x07", "é", "😀", "日"]),
        st.text(alphabet="abc XYZ019.+-_", min_size=1, max_size=4),
    ),
    max_size=6,
).map("".join)
ESCAPES = st.sampled_from(
    [
        *["\\n", "\\t", "\\\\", '\\"', "\\/", "\\0", "\\a", "\\e", "\\ ", "\\_", "\\N", "\\L", "\\P"],
        *["\\x41", "\\u00e9", "\\U0001F600", "\\ud800", "\\q", "\\x4", "\\\n  ", "\n  ", "\n\n  "],
    ]
)


def _double(parts: list[str]) -> str:
    return '"' + "".join(parts) + '"'


TAME_TEXT = st.lists(
    st.one_of(st.sampled_from(TRICKY), ODD, st.sampled_from([" ", "  ", "é", "😀", "日"]), st.text("abc XYZ019.+-_")),
    max_size=6,
).map("".join)


def scalars(wild: bool):
    text = TEXT if wild else TAME_TEXT
    return st.one_of(
        PLAIN,
        text.map(lambda t: "'" + t.replace("'", "''") + "'"),
        st.lists(st.one_of(text.map(lambda t: t.replace('"', "").replace("\\", "")), ESCAPES), max_size=5).map(_double),
        st.sampled_from(["", "''", '""', "'it''s'", "a b  c", "a: b", "a :b", "x #c", "'a\n  b'", '"a\n\n  b"']),
        st.sampled_from(TRICKY).map(lambda t: f"'{t}'"),
        st.sampled_from(TRICKY).map(lambda t: f'"{t}"'),
    )


SCALARS = {True: scalars(True), False: scalars(False)}
KEYS = {
    False: st.one_of(PLAIN, st.sampled_from(["id", "name", "price", "a", "b", "'1'", '"true"', '"a b"'])),
    True: st.one_of(PLAIN, st.sampled_from(["id", "a", "'1'", '"true"', "? x", "[a]", "{a: 1}", "&k a", "*k"])),
}
HEADS = {False: ["|", ">", "|-", ">-", "|+", ">+"], True: ["|", ">+", "|2", ">1-", "|-2"]}
LINES = {False: ["x", "  y", "", "z z", "# no", "a: b", "- c"], True: ["x", "", "\t", " \t", "\ta"]}
ANCHORS = {False: [""], True: ["", "", "&a ", "&b ", "!!str ", "! ", "!x ", "!!int "]}


@st.composite
def values(draw, indent: int = 0, depth: int = 0, wild: bool = True):
    """(text of a value on the line after ``key:`` or ``-``, whether it starts on its own line)."""
    pad = " " * indent
    choice = draw(st.integers(0, 9 if depth < 3 else 3))
    anchor = draw(st.sampled_from(ANCHORS[wild]))
    if choice <= 2 or (choice == 3 and not wild):
        return anchor + draw(SCALARS[wild]), False
    if choice == 3:
        return draw(st.sampled_from(["*a", "*b", "*c"])), False
    if choice == 4:
        head = draw(st.sampled_from(HEADS[wild]))
        lines = draw(st.lists(st.sampled_from(LINES[wild]), max_size=4))
        body = "".join(f"\n{pad}  {line}" if line else "\n" for line in lines)
        return anchor + head + body, False
    if choice == 5:  # flow collection
        items = draw(st.lists(SCALARS[wild].filter(lambda s: "\n" not in s), max_size=4))
        if draw(st.booleans()):
            return anchor + "[" + ", ".join(items) + "]", False
        keys = draw(st.lists(PLAIN, min_size=len(items), max_size=len(items)))
        return anchor + "{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, items, strict=True)) + "}", False
    if choice <= 7:
        return anchor + draw(mapping(indent + 2, depth + 1, wild)), True
    return anchor + draw(sequence(indent + 2, depth + 1, wild)), True


@st.composite
def mapping(draw, indent: int = 0, depth: int = 0, wild: bool = True):
    pad = " " * indent
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(KEYS[wild])
        text, own_line = draw(values(indent, depth, wild))
        comment = draw(st.sampled_from(["", "", " # c", "  #c"]))
        space = draw(st.sampled_from([" ", " ", "  "]))
        lines.append(f"{pad}{key}:" + (f"{comment}\n{text}" if own_line else f"{space}{text}{comment}"))
    return "\n".join(lines)


@st.composite
def sequence(draw, indent: int = 0, depth: int = 0, wild: bool = True):
    pad = " " * indent
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        text, own_line = draw(values(indent, depth, wild))
        lines.append(f"{pad}-" + (f"\n{text}" if own_line else f" {text}"))
    return "\n".join(lines)


@st.composite
def documents(draw, wild: bool = True):
    """Documents in any form (``wild``), or in the forms the fast parse is meant to read."""
    body = draw(st.one_of(mapping(wild=wild), sequence(wild=wild), values(wild=wild).map(lambda v: v[0])))
    if not wild:
        return draw(st.sampled_from(["", "# head\n", "\n\n"])) + body + draw(st.sampled_from(["\n", "\n\n", "  \n"]))
    prefix = draw(st.sampled_from(["", "", "# head\n", "---\n", "%YAML 1.2\n---\n", "\ufeff", "\n\n"]))
    suffix = draw(st.sampled_from(["\n", "\n", "", "\n\n", "  \n", "\n...\n", "\n---\nb: 1\n"]))
    text = prefix + body + suffix
    return text.replace("\n", "\r\n") if draw(st.integers(0, 9)) == 0 else text


def same(left: object, right: object) -> bool:
    """Equal with the same types throughout (True is not 1, 1.0 is not 1) and keys in the same order."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        assert isinstance(right, dict)
        return list(left) == list(right) and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        assert isinstance(right, list)
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)  # type: ignore[arg-type]
    return left == right


def check(text: str) -> bool:
    """The property for one text; True when the fast parse answered."""
    exact, data = fast.read_data(text)
    if not exact:
        return False  # the loader reads it the usual way: the oracle's own outcome
    located, problems = read(text, "doc.yaml")
    assert problems == [], (text, problems)
    assert located is not None, text
    assert same(located.data, data), (text, located.data, data)
    return True


@settings(max_examples=examples(1500), deadline=None)
@given(documents(wild=False))
def test_fast_parse_is_todays_data(text):
    check(text)


@settings(max_examples=examples(1000), deadline=None)
@given(documents(wild=True))
def test_fast_parse_is_todays_data_or_no_answer(text):
    check(text)


@settings(max_examples=examples(600), deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab1.:-#'\"&*!?|> \n[]{},~\\eE+0", "\t", "é"]), max_size=40))
def test_fast_parse_of_any_short_text(text):
    check(text)


def test_the_real_catalogs_are_read_fast_and_exactly():
    for path in REAL:
        assert check(read_text(path)), f"{path.name} was not read by the fast parse"


def test_common_forms_are_read_fast():
    text = 'id: a\nprice: "12.50"\ntax: \'10\'\nopen: \'11:30\'\nn: 3\nok: true\ntags: [x, "1"]\nnote: Fish & Chips\n'
    assert check(text)
    assert fast.read_data(text)[1] == {
        "id": "a",
        "price": "12.50",
        "tax": "10",
        "open": "11:30",
        "n": 3,
        "ok": True,
        "tags": ["x", "1"],
        "note": "Fish & Chips",
    }


def test_forms_in_doubt_get_no_answer():
    for text in ["a: 1\na: 2\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: True\n", "a: 007\n", "1: x\n", "a: 1e400\n"]:
        assert fast.read_data(text) == (False, None), text


def test_a_catalog_loads_the_same_through_either_path(tmp_path):
    """Each real catalog, and the same file behind a document marker (which the fast parse refuses,
    so the loader reads it with libyaml's events alone), validate to the same catalog and warnings."""
    for image in (ROOT / "catalogs").glob("*.png"):
        shutil.copy(image, tmp_path / image.name)
    for path in REAL:
        if path.parent.name != "catalogs":
            continue
        copy = tmp_path / path.name
        copy.write_text(read_text(path), encoding="utf-8")
        fast_warnings: list = []
        one = load_catalog(copy, fast_warnings).model_dump_json()
        copy.write_text("---\n" + read_text(path), encoding="utf-8")
        assert fast.read_data(read_text(copy)) == (False, None)
        slow_warnings: list = []
        other = load_catalog(copy, slow_warnings).model_dump_json()
        assert one == other, path.name
        # the marker is one line more above every position
        assert [(w.line, w.column, w.path, w.message) for w in fast_warnings] == [
            (w.line - 1, w.column, w.path, w.message) for w in slow_warnings
        ], path.name
