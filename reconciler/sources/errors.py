"""Errors raised while importing a POS catalog, as subclasses of :class:`ReconcileError`.

    ReconcileError
    ├── SourceInvalid        the POS export or API answer cannot be read; carries *every* problem,
    │                        each naming the object (type and id) and the field
    ├── ImportOutputInvalid  the YAML we produced does not validate: a bug in the importer, never
    │                        the user's fault; the problems are listed so it can be reported
    ├── WebhookInvalid       a verified webhook body the source does not understand (serve answers 400)
    └── PosNotReady          the POS announced a change its API does not show yet; a sync retries
                             after ``retry_after`` seconds

Configuration problems (a missing token, an unknown POS) raise the shared ``ConfigError``; failed
HTTP calls raise the shared ``ApiError`` subclasses. No message carries a credential.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.errors import ReconcileError


@dataclass(frozen=True, order=True)
class SourceProblem:
    """One thing wrong with a POS object: which object, which field, what is wrong."""

    object_type: str  # e.g. "ITEM", "MenuItem", "modifier group"
    object_id: str  # the POS id as the POS wrote it ("" when the object has none)
    field: str  # e.g. "item_data.variations[0].price_money.amount"
    message: str

    def render(self) -> str:
        who = f"{self.object_type} {self.object_id!r}" if self.object_id else self.object_type
        where = f" {self.field}:" if self.field else ""
        return f"{who}:{where} {self.message}"


class SourceInvalid(ReconcileError):
    """The POS catalog cannot be read. Raised once, with every problem found."""

    def __init__(self, source: str, problems: list[SourceProblem]):
        self.source = source
        self.problems = sorted(set(problems))
        super().__init__(f"cannot read the {source} catalog: {len(self.problems)} problem(s)")

    def render(self) -> str:
        lines = [f"Error: cannot read the {self.source} catalog ({len(self.problems)} problem(s)):"]
        lines += [f"  {p.render()}" for p in self.problems]
        return "\n".join(lines)


class ImportOutputInvalid(ReconcileError):
    """The catalog we built does not pass our own validation. Always a bug in the importer."""

    def __init__(self, source: str, details: str):
        self.source = source
        self.details = details
        super().__init__(f"bug: the catalog imported from {source} does not validate")

    def render(self) -> str:
        return (
            f"Error: bug in `reconcile import {self.source}`: the catalog it produced does not validate. "
            "Nothing was written. Please report this with the input that caused it.\n" + self.details
        )


class WebhookInvalid(ReconcileError):
    """A verified webhook body that is not one the source understands (answered with 400)."""


class PosNotReady(ReconcileError):
    """The POS announced a change its API does not show yet; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float = 5.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after
