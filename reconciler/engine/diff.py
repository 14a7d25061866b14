"""Compare two essences and describe each difference as a frozen :class:`Change`.

This is a pure function of its inputs. deepdiff finds field-level differences inside one record;
it stays behind these types and never reaches plans or renderers.

Ordering is the one rule used everywhere: dependency rank of the kind (as the target declares
it, :meth:`~reconciler.engine.capabilities.Capabilities.rank`), then the action (create, update,
remove), then the id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reconciler.canonical import JsonObject
from reconciler.engine.essence import Essence, Key
from reconciler.engine.vocabulary import Action, Kind

ACTIONS = tuple(Action)  # the second key of the ordering rule: creates, then updates, then removals


@dataclass(frozen=True)
class FieldChange:
    path: str  # e.g. "price", "options[Size].choices[size-12].price"
    before: object
    after: object


@dataclass(frozen=True)
class Change:
    action: Action
    kind: Kind
    id: str
    name: str
    fields: tuple[FieldChange, ...] = ()
    drift: bool = False  # the live record differs from what reconcile last wrote
    notes: tuple[str, ...] = field(default=())

    @property
    def key(self) -> Key:
        return (self.kind, self.id)


Rank = Callable[[Kind], int]  # kind -> dependency rank
FieldPath = tuple[str | int, ...]  # keys and list indexes from a record's top down


def sort_key(change: Change, rank: Rank) -> tuple[int, int, str]:
    return (rank(change.kind), ACTIONS.index(change.action), change.id)


def diff(desired: Essence, live: Essence, rank: Rank, drifted: frozenset[Key] = frozenset()) -> list[Change]:
    """Every create, update and remove that turns ``live`` into ``desired``, in ``rank`` order."""
    changes: list[Change] = []
    for key, after in desired.items():
        before = live.get(key)
        if before is None:
            changes.append(
                Change(
                    Action.CREATE,
                    key[0],
                    key[1],
                    after.get("name", ""),
                    tuple(FieldChange(k, None, v) for k, v in after.items()),
                )
            )
        elif before != after:
            changes.append(
                Change(
                    Action.UPDATE,
                    key[0],
                    key[1],
                    after.get("name", ""),
                    field_changes(before, after),
                    drift=key in drifted,
                )
            )
    for key, before in live.items():
        if key not in desired:
            changes.append(
                Change(
                    Action.REMOVE,
                    key[0],
                    key[1],
                    before.get("name", ""),
                    tuple(FieldChange(k, v, None) for k, v in before.items()),
                    drift=key in drifted,
                )
            )
    return sorted(changes, key=lambda change: sort_key(change, rank))


def field_changes(before: JsonObject, after: JsonObject) -> tuple[FieldChange, ...]:
    """Field-level differences, with list entries named by what a person would call them.

    Plain values and lists of plain values are compared directly (most changes are a price or a
    name); deepdiff walks only the fields that hold records, such as options and hours.
    """
    found: dict[FieldPath, FieldChange] = {}
    nested_before: JsonObject = {}
    nested_after: JsonObject = {}
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if _holds_records(old) or _holds_records(new):
            nested_before[key], nested_after[key] = old, new
        else:
            found[(key,)] = FieldChange(key, old, new)
    if not nested_before:
        return _sorted_changes(found)
    from deepdiff import DeepDiff  # imported here: a run whose changes hold no records never needs it (0.1 s)

    tree = DeepDiff(nested_before, nested_after, view="tree", verbose_level=2)
    for levels in tree.values():
        for level in levels:
            path = _collapse(level.path(output_format="list"), before, after)
            if any(path[: len(p)] == p for p in found if len(p) < len(path)):
                continue  # already covered by a whole-list change above it
            for longer in [p for p in found if len(p) > len(path) and p[: len(path)] == path]:
                del found[longer]
            found[path] = FieldChange(_render(path, before, after), _get(before, path), _get(after, path))
    return _sorted_changes(found)


def _sorted_changes(found: dict[FieldPath, FieldChange]) -> tuple[FieldChange, ...]:
    return tuple(found[p] for p in sorted(found, key=lambda p: [str(x) for x in p]))


def _holds_records(value: object) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict) for v in value))


def _get(data: object, path: FieldPath) -> object:
    for part in path:
        try:
            data = data[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _collapse(path: list[str | int], before: JsonObject, after: JsonObject) -> FieldPath:
    """Cut a path at the first list that changed length or holds plain values: show it whole."""
    out: list[str | int] = []
    for part in path:
        if isinstance(part, int):
            old, new = _get(before, tuple(out)), _get(after, tuple(out))
            plain = not (isinstance(old, list) and old and isinstance(old[0], dict))
            resized = not (isinstance(old, list) and isinstance(new, list) and len(old) == len(new))
            if plain or resized:
                return tuple(out)
        out.append(part)
    return tuple(out)


def _render(path: FieldPath, before: JsonObject, after: JsonObject) -> str:
    text = ""
    for index, part in enumerate(path):
        if isinstance(part, int):
            entry = _get(after, path[: index + 1]) or _get(before, path[: index + 1])
            text += f"[{_label(entry, part)}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _label(entry: object, index: int) -> str:
    if isinstance(entry, dict):
        for key in ("name", "item", "variant", "modifier"):
            if entry.get(key):
                return str(entry[key])
        if "day" in entry:
            return f"{entry['day']} {entry.get('open', '')}".strip()
    return str(index)
