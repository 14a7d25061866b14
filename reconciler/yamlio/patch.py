"""Rewrite a catalog file as a minimal diff: only the lines a change touches, comments and layout kept.

``reconcile pull`` changes a few fields of a catalog. Writing the whole file anew (as ``fmt`` does)
would drop its comments and reflow what someone wrote by hand, so instead: the file's model is
written in the canonical form before and after the change, the two are compared line by line
(:mod:`difflib`), and only the changed lines are replaced in the file's own text. The file's lines
are matched to the canonical ones with their comments set aside, so a comment on its own line stays
where it is and a comment after a changed value stays after the new value. A change that lands on
lines which are not in the canonical form cannot be placed safely: :class:`NotCanonical` says where,
and nothing is written (``reconcile fmt`` first).
"""

from __future__ import annotations

import difflib

from reconciler.model.catalog import CatalogPart
from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.source import comment_hashes


class NotCanonical(Exception):
    """The lines a change touches are not written in the canonical form (``line``: the first, 1-based)."""

    def __init__(self, line: int) -> None:
        self.line = line
        super().__init__(f"line {line} is not in the canonical form; run `reconcile fmt` on the file first")


def comment_starts(text: str) -> dict[int, int]:
    """Line (0-based) -> offset in that line where its comment starts, for '#'s outside every scalar."""
    found: dict[int, int] = {}
    line, pos = 0, 0
    for index in comment_hashes(text):  # in increasing order
        line += text.count("\n", pos, index)
        pos = index
        found.setdefault(line, index - (text.rfind("\n", 0, index) + 1))
    return found


def patched(text: str, old: CatalogPart, new: CatalogPart, currency: str | None) -> str:
    """``text`` (which holds ``old``) changed so that it holds ``new``, touching only what changed."""
    before = dump_catalog(old, currency=currency).splitlines()
    after = dump_catalog(new, currency=currency).splitlines()
    lines = text.splitlines(keepends=True)
    comments = comment_starts(text)
    bare = [(line[: comments[n]] if n in comments else line).rstrip() for n, line in enumerate(lines)]
    where = _aligned(bare, before)  # canonical line -> line of the file
    out = list(lines)
    edits = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(edits):  # from the bottom up, so earlier positions stay valid
        if tag == "equal":
            continue
        missing = [i for i in range(i1, i2) if i not in where]
        if missing:
            raise NotCanonical(_near(where, missing[0]) + 1)
        new_lines = [f"{line}\n" for line in after[j1:j2]]
        if i1 == i2:  # an insertion: after the line the previous canonical line is on
            at = where[i1 - 1] + 1 if i1 > 0 else 0
            out[at:at] = new_lines
            continue
        first, last = where[i1], where[i2 - 1]
        if i2 - i1 == 1 and j2 - j1 == 1 and first in comments:
            tail = lines[first][comments[first] :].rstrip("\n")
            new_lines = [f"{after[j1]}  {tail}\n"]
        kept = [lines[n] for n in range(first, last + 1) if not bare[n].strip() and n in comments]
        out[first : last + 1] = new_lines + kept
    result = "".join(out)
    return result if result.endswith("\n") or not result else result + "\n"


def _aligned(bare: list[str], canonical: list[str]) -> dict[int, int]:
    """Which line of the file each canonical line is, where they are equal (comments set aside)."""
    content = [n for n, line in enumerate(bare) if line.strip()]
    matcher = difflib.SequenceMatcher(None, [bare[n] for n in content], canonical, autojunk=False)
    where: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            where[block.b + k] = content[block.a + k]
    return where


def _near(where: dict[int, int], index: int) -> int:
    """The file line nearest to canonical line ``index`` (for the message)."""
    before = [where[i] for i in where if i < index]
    return max(before) + 1 if before else 0
