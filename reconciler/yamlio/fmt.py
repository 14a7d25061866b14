"""`reconcile fmt`: rewrite catalog files into the canonical form, never losing a comment silently."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path as FsPath

from reconciler.errors import CatalogInvalid
from reconciler.files import FileProblem, read_text, write_text
from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.key import catalog_files
from reconciler.yamlio.load import parse_part
from reconciler.yamlio.source import read


class FormatOutcome(enum.Enum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    WOULD_CHANGE = "would change"
    INVALID = "invalid"
    HAS_COMMENTS = "has comments"


@dataclass(frozen=True)
class FormatResult:
    file: str
    outcome: FormatOutcome
    detail: str = ""


def canonical_text(
    text: str, file: str, currency: str | None = None, drop_comments: bool = False
) -> tuple[str | None, str]:
    """The canonical form of one file's text, or (None, why not)."""
    located, problems = read(text, file, comments=True)
    if located is not None and not problems:
        part, problems = parse_part(located)
    if problems:
        return None, "\n".join(p.render() for p in problems)
    header_text, body_comments = split_comments(text, located.comment_lines)
    if body_comments and not drop_comments:
        return None, "comments:" + ",".join(str(n) for n in body_comments)
    return header_text + dump_catalog(part, currency=currency or part.currency), ""


def split_comments(text: str, comment_lines: list[int]) -> tuple[str, list[int]]:
    """The comment block at the top of a file (kept by fmt), and the lines of every other comment."""
    header = []
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("#") or not line.strip():
            header.append(line)
        else:
            break
    while header and not header[-1].strip():
        header.pop()
    header_text = "".join(header)
    if header_text and not header_text.endswith("\n"):
        header_text += "\n"
    return header_text, [n for n in comment_lines if n > len(header)]


def format_paths(paths, check: bool = False, drop_comments: bool = False) -> list[FormatResult]:
    results = []
    for target in paths:
        try:
            files = catalog_files(target)
        except CatalogInvalid as exc:  # a missing path, or a directory without YAML files
            results.append(FormatResult(str(target), FormatOutcome.INVALID, exc.render()))
            continue
        # One file states its own currency; parts of a directory take the one another part states.
        currency = _shared_currency(files) if len(files) > 1 else None
        for file in files:
            results.append(_format_file(file, currency, check, drop_comments))
    return results


def _format_file(file: FsPath, currency: str | None, check: bool, drop_comments: bool) -> FormatResult:
    try:
        text = read_text(file)
    except FileProblem as exc:
        return FormatResult(str(file), FormatOutcome.INVALID, str(exc))
    new, why = canonical_text(text, str(file), currency, drop_comments)
    if new is None and why.startswith("comments:"):
        lines = why.removeprefix("comments:").split(",")
        shown = ",".join(lines[:10]) + (f" and {len(lines) - 10:,} more" if len(lines) > 10 else "")
        return FormatResult(
            str(file),
            FormatOutcome.HAS_COMMENTS,
            f"comments on line(s) {shown} would be lost; move them into descriptions, or pass --drop-comments",
        )
    if new is None:
        return FormatResult(str(file), FormatOutcome.INVALID, why)
    if new == text:
        return FormatResult(str(file), FormatOutcome.UNCHANGED)
    if check:
        return FormatResult(str(file), FormatOutcome.WOULD_CHANGE)
    try:
        write_text(file, new)
    except FileProblem as exc:
        return FormatResult(str(file), FormatOutcome.INVALID, f"{exc}")
    return FormatResult(str(file), FormatOutcome.CHANGED)


def _shared_currency(files: list[FsPath]) -> str | None:
    for file in files:
        try:
            located, _ = read(read_text(file), str(file))
        except FileProblem:
            continue  # reported when the file itself is formatted
        if located and isinstance(located.data, dict) and isinstance(located.data.get("currency"), str):
            return located.data["currency"]
    return None
