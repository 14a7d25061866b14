"""What `fmt` says of each file (yamlio/fmt.py): its outcome and the detail shown, compared whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.yamlio.fmt import FormatOutcome, FormatResult, format_paths

CANONICAL = 'version: 1\ncurrency: USD\ndishes:\n  - id: tea\n    name: Tea\n    price: "2.00"\n'
LOOSE = CANONICAL.replace('"2.00"', "'2.00'")


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # short relative names, as a user types them
    return tmp_path


def test_each_outcome_names_its_file_and_says_why(here: Path):
    Path("canonical.yaml").write_text(CANONICAL)
    Path("loose.yaml").write_text(LOOSE)
    Path("bad.yaml").write_text("version: 1\ncurrency: USD\ndishes:\n  - id: tea\n")
    Path("latin.yaml").write_bytes(b"name: caf\xe9\n")
    Path("locked.yaml").write_text(LOOSE)
    Path("locked.yaml").chmod(0o444)
    names = ["missing.yaml", "canonical.yaml", "loose.yaml", "bad.yaml", "latin.yaml", "locked.yaml"]
    assert format_paths(names) == [
        # a path that is not there is reported, and the rest are formatted still
        FormatResult("missing.yaml", FormatOutcome.INVALID, "missing.yaml: no such file or directory"),
        FormatResult("canonical.yaml", FormatOutcome.UNCHANGED),
        FormatResult("loose.yaml", FormatOutcome.CHANGED),
        FormatResult(
            "bad.yaml",
            FormatOutcome.INVALID,
            'bad.yaml:4:5: dishes[0].name: missing required field "name"\n'
            'bad.yaml:4:5: dishes[0].price: missing required field "price"',
        ),
        FormatResult(
            "latin.yaml", FormatOutcome.INVALID, "latin.yaml: is not UTF-8 text (byte 0xe9 on line 1); save it as UTF-8"
        ),
        FormatResult(
            "locked.yaml",
            FormatOutcome.INVALID,
            "locked.yaml: is read-only; make it writable first (nothing was changed)",
        ),
    ]
    assert Path("loose.yaml").read_text() == CANONICAL
    assert Path("locked.yaml").read_text() == LOOSE


def test_check_says_what_would_change_and_writes_nothing(here: Path):
    Path("loose.yaml").write_text(LOOSE)
    Path("canonical.yaml").write_text(CANONICAL)
    assert format_paths(["loose.yaml", "canonical.yaml"], check=True) == [
        FormatResult("loose.yaml", FormatOutcome.WOULD_CHANGE),
        FormatResult("canonical.yaml", FormatOutcome.UNCHANGED),
    ]
    assert Path("loose.yaml").read_text() == LOOSE


def commented(dishes: int) -> str:
    entries = "".join(f"  - id: d{n}\n    name: D{n}  # c\n    price: '2.00'\n" for n in range(dishes))
    return f"version: 1\ncurrency: USD\ndishes:\n{entries}"


@pytest.mark.parametrize(
    ("dishes", "shown"),
    [
        (10, "5,8,11,14,17,20,23,26,29,32"),
        (11, "5,8,11,14,17,20,23,26,29,32 and 1 more"),
        (12, "5,8,11,14,17,20,23,26,29,32 and 2 more"),
    ],
)
def test_comments_that_would_be_lost_are_named_ten_lines_at_most(here: Path, dishes: int, shown: str):
    Path("menu.yaml").write_text(commented(dishes))
    detail = f"comments on line(s) {shown} would be lost; move them into descriptions, or pass --drop-comments"
    assert format_paths(["menu.yaml"]) == [FormatResult("menu.yaml", FormatOutcome.HAS_COMMENTS, detail)]
    assert Path("menu.yaml").read_text() == commented(dishes)
