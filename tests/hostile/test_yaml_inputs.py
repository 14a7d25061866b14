"""Hostile catalog files: every class of bad input gets our error, with its location, and changes nothing.

Each case is a file a user (or an attacker) could hand to ``validate``, ``fmt`` or ``plan``; each
runs the real CLI in a subprocess with bounded memory and CPU (tests/hostile/bounded.py). The
examples come from the classes found from outside: alias bombs and recursive anchors, deep
nesting, characters YAML forbids, floats where decimals belong, prices too long to compute
with, bytes that are not UTF-8, odd tags and keys, currencies that do not exist, digits that
are not ASCII, names that show nothing, and files that are not regular files.
"""

from __future__ import annotations

import os

import pytest

from tests.hostile.bounded import check, invoke, run, snapshot

pytestmark = pytest.mark.e2e  # most cases run the real CLI as a bounded subprocess

HEADER = "version: 1\ncurrency: USD\nmenus: [{id: m, name: M, sections: [{id: s, name: S, dishes: [a]}]}]\n"


def _dish(**fields: str) -> str:
    body = {"id": "a", "name": "A", "price": '"1.00"', **fields}
    return HEADER + "dishes:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in body.items()) + "\n"


def _alias_bomb(levels: int = 9, width: int = 10) -> str:
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


CASES = {
    # (file content, text the message must contain)
    "alias bomb": (_alias_bomb().encode(), "aliases expand to more than"),
    "recursive anchor": (b"a: &a [*a]\n", "recursive anchor"),
    "recursive mapping anchor": (b"a: &a {b: *a}\n", "recursive anchor"),
    "deep block nesting": (("x:\n" + "".join("  " * i + "- \n" for i in range(1, 700))).encode(), "levels deep"),
    "deep flow nesting": (b"menus: " + b"[" * 900 + b"]" * 900 + b"\n", "nested more than 64 levels deep"),
    "very deep flow nesting": (b"menus: " + b"[" * 5000 + b"]" * 5000 + b"\n", "YAML syntax error"),
    "NUL": (HEADER.encode() + b'dishes: [{id: a, name: "x\x00y", price: "1.00"}]\n', "U+0000"),
    "ESC": (HEADER.encode() + b"dishes: [{id: a, name: x\x1by, price: '1.00'}]\n", "U+001B"),
    "C1 control": (HEADER.encode() + 'dishes: [{id: a, name: "x\x9by", price: "1.00"}]\n'.encode(), "U+009B"),
    "escaped control in a name": (_dish(name='"x\\x01y"').encode(), "control character (U+0001)"),
    "NaN price": (_dish(price=".nan").encode(), "quoted string"),
    "inf price": (_dish(price="-.inf").encode(), "quoted string"),
    "28-digit price": (_dish(price='"1234567890123456789012345678.00"').encode(), "more than 15 digits"),
    "huge integer": (_dish(price="9" * 5000).encode(), "a number of 5000 digits is too long"),
    "invalid UTF-8": (HEADER.encode() + b"dishes: [{id: a, name: \xff\xfe, price: '1.00'}]\n", "not UTF-8"),
    "UTF-16": ("version: 1\ncurrency: USD\n".encode("utf-16"), "UTF-16"),
    "empty file": (b"", "(the file is empty)"),
    "a list key": (HEADER.encode() + b"? [a, b]\n: 1\n", "a key must be plain text, not a list"),
    "a mapping key": (HEADER.encode() + b"? {a: b}\n: 1\n", "a key must be plain text, not a mapping"),
    "unknown local tag": (_dish(price='!money "1.00"').encode(), 'the tag "!money"'),
    "binary tag": (_dish(name="!!binary aGk=").encode(), 'the tag "!!binary"'),
    "python tag": (_dish(name="!!python/object:os.system ls").encode(), "!!python/object:os.system"),
    "tagged mapping": (HEADER.encode() + b"dishes: !!omap [{id: a}]\n", 'the tag "!!omap"'),
    "made-up currency": (b"version: 1\ncurrency: ABC\n", "'ABC' is not an ISO 4217 currency code"),
    "crypto currency": (b"version: 1\ncurrency: BTC\n", "'BTC' is not an ISO 4217"),
    "fund code": (b"version: 1\ncurrency: USN\n", "'USN' is not an ISO 4217"),
    "lower-case currency": (b"version: 1\ncurrency: usd\n", "write it as USD"),
    "too many decimals for USD": (_dish(price='"1.005"').encode(), "more decimals than USD has (2 decimal places)"),
    "decimals in yen": (_dish(price='"100.5"').replace("USD", "JPY").encode(), "more decimals than JPY has"),
    "full-width digits": (_dish(price='"１２.00"').encode(), "decimal number written as a string"),
    "Arabic-Indic digits": (_dish(price='"١٢.٠٠"').encode(), "decimal number written as a string"),
    "full-width time": (
        _dish(hours='[{day: mon, open: "０７:00", close: "11:00"}]').encode(),
        "is not a time of day",
    ),
    "blank name": (_dish(name='"   "').encode(), "name: cannot be blank"),
    "tab-only name": (_dish(name='"\\t"').encode(), "cannot be blank"),
    "line separator in a name": (_dish(name='"a\\u2028b"').encode(), "control character (U+2028)"),
    "bell in a description": (_dish(description='"ring\\a"').encode(), "control character (U+0007)"),
    "tax rate over 100": (_dish(tax_rate='"150"').encode(), "from 0 to 100"),
}


# Rules that need the whole catalog (its currency, its sections): fmt formats part files on their own.
_STRUCTURAL_ONLY = {"too many decimals for USD", "decimals in yen", "empty file"}
# Cases that would exhaust memory or the stack if a limit were missing: run them in a bounded child.
_HEAVY = {"alias bomb", "recursive anchor", "recursive mapping anchor", "deep block nesting", "deep flow nesting"}


@pytest.mark.parametrize("command", ["validate", "fmt", "plan"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_catalog_is_refused_with_its_location(tmp_path, monkeypatch, case, command):
    content, expected = CASES[case]
    if command == "fmt" and case in _STRUCTURAL_ONLY:
        pytest.skip("fmt checks one file's structure; cross-file rules (precision, sections) are validate's")
    file = tmp_path / "catalog.yaml"
    file.write_bytes(content)
    before = snapshot([file])
    monkeypatch.chdir(tmp_path)
    result = check(run([command, str(file)], cwd=tmp_path) if case in _HEAVY else invoke([command, str(file)]))
    assert snapshot([file]) == before
    assert expected in result.output, result.output[-2000:]
    assert "catalog.yaml" in result.output  # every message names the file
    assert not (tmp_path / ".reconcile").exists()  # plan refused before creating its state directory


def test_fifo_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "catalog.yaml"
    os.mkfifo(fifo)
    for command in ("validate", "fmt", "plan"):
        result = check(run([command, str(fifo)], cwd=tmp_path, timeout=60))
        assert "FIFO" in result.output and "only regular files" in result.output


def test_fifo_in_a_catalog_directory_is_refused(tmp_path):
    (tmp_path / "menu").mkdir()
    (tmp_path / "menu" / "a.yaml").write_text(HEADER)
    os.mkfifo(tmp_path / "menu" / "b.yaml")
    result = check(run(["validate", str(tmp_path / "menu")], cwd=tmp_path, timeout=60))
    assert "b.yaml: is a FIFO" in result.output


def test_file_over_the_size_limit_names_the_variable_that_raises_it(tmp_path):
    file = tmp_path / "catalog.yaml"
    file.write_text(HEADER + "# " + "x" * (2 * 1024 * 1024) + "\n")
    result = check(run(["validate", str(file)], env={"RECONCILE_MAX_INPUT_MB": "1"}))
    assert "more than the limit of 1 MiB" in result.output and "RECONCILE_MAX_INPUT_MB" in result.output
    check(run(["validate", str(file)], env={"RECONCILE_MAX_INPUT_MB": "3"}), codes=[1])  # read, then invalid


def test_bad_limit_variable_is_a_clear_error(tmp_path):
    file = tmp_path / "catalog.yaml"
    file.write_text(HEADER)
    for value in ("", "abc", "nan", "0", "-1"):
        result = check(run(["validate", str(file)], env={"RECONCILE_MAX_INPUT_MB": value}))
        assert "RECONCILE_MAX_INPUT_MB must be" in result.output


def test_tab_after_a_colon_is_read_the_same_by_validate_and_fmt(tmp_path):
    file = tmp_path / "catalog.yaml"
    file.write_text("version: 1\ncurrency:\tUSD\n")
    check(run(["validate", str(file)]), codes=[0])
    check(run(["fmt", str(file)]), codes=[0])
    assert file.read_text() == "version: 1\ncurrency: USD\n"


def test_problems_are_all_reported_at_once(tmp_path):
    file = tmp_path / "catalog.yaml"
    file.write_text(_dish(name='"   "', price='"1.005"', description='"a\\x07"').replace("USD", "usd"))
    result = check(run(["validate", str(file)]))
    assert "cannot be blank" in result.output and "control character" in result.output
    assert "write it as USD" in result.output
