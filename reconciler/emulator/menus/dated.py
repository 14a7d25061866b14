"""A Query or Count filtered on ``updatedDate`` alone, answered without parsing every stored body.

A reader that keeps a snapshot asks each service, on every plan, for what changed since a time
(``{"updatedDate": {"$gte": since}}``) and how many entities it holds; the general path parses and
tests every row (31,000 at 10,000 dishes) to find the few, usually none, that match. Here SQLite
reads only the ``updatedDate`` of each row (``json_extract``, in C) and each distinct text is
judged once, with exactly the general predicate's rules (``filters._instant``, ``filters._compare``):
a row whose ``updatedDate`` is not a string is left to the general predicate (it is a candidate).
So :func:`candidates` is a superset of the matching rows, in creation order, and the caller still
tests each with the general predicate: the answer is the general path's, row for row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from reconciler.emulator.menus import filters, repo
from reconciler.emulator.store import Collection, Tx

_OPERATORS = frozenset({"$gt", "$gte", "$lt", "$lte"})
_CHUNK = 500  # ids per IN (…) query, as the store's own lookups

Scan = Callable[[Tx, str, int], Iterator[tuple[int, str]]]


def _condition(raw: Any) -> tuple[str, Any] | None:
    """``(operator, operand as an instant)`` of a filter that is one comparison of ``updatedDate``."""
    if not isinstance(raw, dict) or len(raw) != 1:
        return None
    ((key, condition),) = raw.items()
    if not isinstance(key, str) or filters.rest_path(key) != "updatedDate":
        return None
    if not isinstance(condition, dict) or len(condition) != 1:
        return None
    ((op, operand),) = condition.items()
    return (op, filters._instant(operand)) if op in _OPERATORS else None


def _judged(tx: Tx, kind: str, raw: Any) -> list[tuple[int, bool | None]] | None:
    """Each row's seq (creation order) and whether it matches (None: its body decides), or None
    when the filter is not one comparison of ``updatedDate``."""
    condition = _condition(raw)
    return None if condition is None else list(_verdicts(tx, kind, condition, ""))


def _verdicts(
    tx: Tx, kind: str, condition: tuple[str, Any], bound: str, at: int = 0
) -> Iterator[tuple[int, bool | None]]:
    """``(seq, verdict)`` of the rows (``bound``: an SQL condition on ``seq`` against ``at``), in
    creation order, read lazily: a page that has its rows stops reading."""
    op, operand = condition
    rows = repo.rows(tx, kind)
    seen: dict[str, bool] = {}  # one write stamps everything it touches alike: few distinct texts
    for seq, kind_of, text in tx.conn.execute(
        "SELECT seq, json_type(body, '$.updatedDate'), json_extract(body, '$.updatedDate') "
        f"FROM entities WHERE {Collection._WHERE}{bound} ORDER BY seq",
        (*rows.key, at) if bound else rows.key,
    ):
        if kind_of != "text":  # absent, null, an object or an array: the general predicate's own case
            yield int(seq), None
            continue
        verdict = seen.get(text)
        if verdict is None:
            verdict = seen[text] = filters._compare(op, filters._instant(text), operand)
        yield int(seq), verdict


def scan(raw: Any, predicate: filters.Predicate) -> Scan | None:
    """The candidate rows ``(seq, body)`` of a filter that is one comparison of ``updatedDate``
    after ``after`` (a superset of the matching ones, in creation order), preceded by those up to
    ``after`` as far as the first that matches (a page needs no more of them: it only asks whether
    one precedes it); rows and bodies are read as the page takes them. None for any other filter."""
    condition = _condition(raw)
    if condition is None:
        return None

    def candidates(tx: Tx, kind: str, after: int) -> Iterator[tuple[int, str]]:
        for seq, verdict in _verdicts(tx, kind, condition, " AND seq <= ?", after):
            if verdict is False:
                continue
            found = list(_bodies(tx, kind, [seq]))
            yield from found
            if found and predicate(json.loads(found[0][1])):
                break
        wanted: list[int] = []
        for seq, verdict in _verdicts(tx, kind, condition, " AND seq > ?", after):
            if verdict is not False:
                wanted.append(seq)
            if len(wanted) == _CHUNK:
                yield from _bodies(tx, kind, wanted)
                wanted = []
        yield from _bodies(tx, kind, wanted)

    return candidates


def _bodies(tx: Tx, kind: str, seqs: list[int]) -> Iterator[tuple[int, str]]:
    rows = repo.rows(tx, kind)
    for start in range(0, len(seqs), _CHUNK):
        chunk = seqs[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found = dict(
            tx.conn.execute(
                f"SELECT seq, body FROM entities WHERE {Collection._WHERE} AND seq IN ({marks})", (*rows.key, *chunk)
            ).fetchall()
        )
        yield from ((seq, found[seq]) for seq in chunk if seq in found)


def count(tx: Tx, kind: str, raw: Any, predicate: filters.Predicate) -> int | None:
    """How many rows match: SQL COUNT for no filter, the judged ``updatedDate`` for one comparison
    of it (the undecided rows tested with ``predicate``); None for any other filter."""
    if raw is None or raw == {}:
        return repo.rows(tx, kind).count()
    judged = _judged(tx, kind, raw)
    if judged is None:
        return None
    undecided = [seq for seq, verdict in judged if verdict is None]
    total = sum(1 for _seq, verdict in judged if verdict)
    if undecided:
        rows = repo.rows(tx, kind)
        for start in range(0, len(undecided), _CHUNK):
            chunk = undecided[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for (text,) in tx.conn.execute(
                f"SELECT body FROM entities WHERE {Collection._WHERE} AND seq IN ({marks})", (*rows.key, *chunk)
            ):
                total += bool(predicate(json.loads(text)))
    return total
