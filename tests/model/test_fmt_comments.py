"""fmt never loses a comment silently: wherever it is (column 0 included), it is reported."""

from __future__ import annotations

import pytest

from reconciler.yamlio.fmt import FormatOutcome, canonical_text, format_paths

BODY = "currency: USD\nmenus: []\n"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("currency: USD\n# about the menus\nmenus: []\n", 2),  # column 0, between keys
        ("currency: USD\nmenus: []\n# a closing note\n", 3),  # column 0, at the end
        ("currency: USD\nmenus:\n# inside the list\n  []\n", 3),  # column 0, inside a value
        ("currency: USD\nmenus: []  # inline\n", 2),
        ("currency: USD\n  # indented\nmenus: []\n", 2),
    ],
    ids=["between-keys", "at-the-end", "inside-a-value", "inline", "indented"],
)
def test_a_comment_anywhere_after_the_header_is_reported(tmp_path, text, line):
    assert canonical_text(text, "c.yaml") == (None, f"comments:{line}")
    file = tmp_path / "c.yaml"
    file.write_text(text)
    [result] = format_paths([file])
    assert result.outcome is FormatOutcome.HAS_COMMENTS and f"line(s) {line}" in result.detail
    assert file.read_text() == text


def test_the_header_comments_are_kept_and_a_hash_inside_a_value_is_no_comment():
    text = '# Luigi\'s\n\n# second header line\ncurrency: USD\nmenus: [{id: m, name: "No #1", sections: []}]\n'
    formatted, why = canonical_text(text, "c.yaml")
    assert why == "" and formatted is not None
    assert formatted.startswith("# Luigi's\n\n# second header line\n")
    assert "No #1" in formatted


def test_with_drop_comments_only_the_body_comments_go():
    text = "# kept\ncurrency: USD\n# dropped\nmenus: []\n"
    formatted, why = canonical_text(text, "c.yaml", drop_comments=True)
    assert why == "" and formatted is not None
    assert formatted.startswith("# kept\n") and "dropped" not in formatted
