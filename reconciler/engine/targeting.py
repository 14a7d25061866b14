"""Targeted plans: ``--only KIND:ID[,...]`` and ``--exclude KIND:ID[,...]`` (Terraform's ``-target``).

A targeted plan keeps the changes of the selected entities and nothing else. Its desired state is
the live catalog with only those changes made, so the target builds it like any plan (one draft on
Catalogs v3, one cut-over on Menus (New)), and its mapping rows are the touched entities' only, so
what it leaves alone keeps its drift. It refuses to leave a dangling reference: a kept change whose
record names an entity that would not exist after it (a dish in a section that is not created), or
a kept removal of an entity that something left alone still names. The refusal names both ends and
says what to add to ``--only``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence, Key
from reconciler.engine.vocabulary import Action, Kind
from reconciler.errors import ConfigError

TARGETED_NOTE = "targeted plan: "  # the prefix of the plan note that says it is one (verify reads it)


@dataclass(frozen=True)
class Selection:
    """What ``--only`` and ``--exclude`` name: (kind, id) pairs; ``*`` as the id means every one of a kind."""

    only: frozenset[tuple[str, str]] = frozenset()
    exclude: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def parse(cls, only: str | None, exclude: str | None) -> Selection | None:
        if not only and not exclude:
            return None
        return cls(frozenset(_pairs(only, "--only")), frozenset(_pairs(exclude, "--exclude")))

    def keeps(self, key: Key) -> bool:
        def named(pairs: frozenset[tuple[str, str]]) -> bool:
            return (str(key[0]), key[1]) in pairs or (str(key[0]), "*") in pairs

        return (not self.only or named(self.only)) and not named(self.exclude)

    def describe(self) -> str:
        parts = []
        if self.only:
            parts.append("only " + ", ".join(f"{k}:{i}" for k, i in sorted(self.only)))
        if self.exclude:
            parts.append("excluding " + ", ".join(f"{k}:{i}" for k, i in sorted(self.exclude)))
        return TARGETED_NOTE + "; ".join(parts) + " (the rest of the catalog is left as it is live)"


def _pairs(text: str | None, option: str) -> Iterator[tuple[str, str]]:
    kinds = {str(k) for k in Kind}
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        kind, sep, ident = part.partition(":")
        kind = kind.strip().replace("-", "_")
        if not sep or not ident.strip() or kind not in kinds:
            raise ConfigError(
                f'{option} "{part}" is not KIND:ID (KIND one of {", ".join(sorted(kinds))}), e.g. dish:margherita'
            )
        yield kind, ident.strip()


# The fields of an essence record that hold free text for people: a name is never a reference,
# even when it happens to equal an id. Everything else that is text and an id is one.
TEXT_FIELDS = frozenset({"name", "description", "image"})


def _refs(record: object) -> Iterator[str]:
    """The texts of a record outside its free-text fields: the ids it names are among them."""
    if isinstance(record, str):
        yield record
    elif isinstance(record, dict):
        for key, value in record.items():
            if key not in TEXT_FIELDS:
                yield from _refs(value)
    elif isinstance(record, list):
        for value in record:
            yield from _refs(value)


def targeted(
    changes: Iterable[Change], desired: Essence, live: Essence, selection: Selection
) -> tuple[list[Change], Essence]:
    """The kept changes, and the desired state that makes exactly them; refuses a dangling reference."""
    kept = [c for c in changes if selection.keeps(c.key)]
    after = dict(live)
    for change in kept:
        if change.action == Action.REMOVE:
            after.pop(change.key, None)
        else:
            after[change.key] = desired[change.key]
    known = {i for _, i in (*desired, *live)}
    present = {i for _, i in after}
    touched = {c.key for c in kept}
    problems = []
    for key in sorted(touched & set(after)):
        for ref in sorted(set(_refs(after[key])) & known - present - {key[1]}):
            problems.append(f"{key[0]} {key[1]} names {ref}, which this plan would leave out: add it to --only")
    for change in (c for c in kept if c.action == Action.REMOVE):
        for key, record in sorted(after.items()):
            if key not in touched and change.id in set(_refs(record)):
                problems.append(
                    f"{change.kind} {change.id} would be removed but {key[0]} {key[1]} still names it: "
                    f"add {key[0]}:{key[1]} to --only"
                )
    if problems:
        raise ConfigError(
            "the targeted plan would leave dangling references:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return kept, after
