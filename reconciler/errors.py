"""Every error reconcile raises, in one tree, with the exit code the CLI maps it to.

    ReconcileError                      exit 1  (anything not listed below)
    ├── CatalogInvalid                  exit 1  a catalog YAML has problems; carries *all* of them
    ├── ConfigError                     exit 1  bad flags, environment or config file
    ├── FileProblem (files)             exit 1  a file cannot be read or written
    ├── DeadlineExceeded (cli.deadline) exit 1  the command ran past its deadline
    ├── ApiError                                a call to a remote API failed (body truncated, secrets removed)
    │   ├── TemporaryApiError                   429, 5xx, timeouts, dropped connections: worth retrying
    │   └── PermanentApiError                   other 4xx: retrying will not help
    ├── UnsupportedByTarget             exit 1  the catalog uses something the target cannot hold
    ├── PlanFileInvalid                 exit 5  a saved plan is unreadable or its checksum does not match
    ├── StalePlan                       exit 4  the live catalog moved since the plan was made
    ├── UnsafePlan                      exit 6  the plan exceeds the safety thresholds and --force was not given
    ├── ProtectedRemoval                exit 10 the plan would remove an entity marked `protect: true`
    ├── LockHeld                        exit 7  another apply holds the catalog (local lock or remote draft)
    ├── ApplyFailed                     exit 3  apply stopped; the live catalog and the mapping are unchanged
    ├── ApplyOutcomeUnknown             exit 9  apply stopped and we could not prove what the live catalog holds
    └── VerifyFailed                    exit 8  published, but the live catalog does not equal the desired state

Library code raises these; only the CLI turns them into messages and exit codes. No message may
contain a credential: API errors are built by :func:`reconciler.redact.redact` before they exist.
"""

from __future__ import annotations

from dataclasses import dataclass


class ReconcileError(Exception):
    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    file: str
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    path: str  # field path such as ``menus[0].sections[2].dishes[1]``
    message: str

    def render(self) -> str:
        where = self.file
        if self.line:
            where = f"{where}:{self.line}:{self.column}"
        path = f" {self.path}:" if self.path else ""
        return f"{where}:{path} {self.message}"


class CatalogInvalid(ReconcileError):
    """Raised once with every problem found, never one at a time."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.path, p.message))
        super().__init__(f"{len(self.problems)} problem(s) in the catalog")

    def render(self) -> str:
        return "\n".join(p.render() for p in self.problems)


class ConfigError(ReconcileError):
    pass


@dataclass
class ApiError(ReconcileError):
    """A remote API call failed. ``body`` is truncated and redacted; safe to print."""

    message: str
    status: int | None = None
    code: str | None = None
    operation: str | None = None
    body: str = ""

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        parts = [self.message]
        if self.operation:
            parts.insert(0, f"{self.operation}:")
        if self.status is not None:
            parts.append(f"(HTTP {self.status}{', ' + self.code if self.code else ''})")
        return " ".join(parts)


@dataclass
class TemporaryApiError(ApiError):
    retry_after: float | None = None


@dataclass
class PermanentApiError(ApiError):
    pass


class UnsupportedByTarget(ReconcileError):
    def __init__(self, target: str, reasons: list[str]):
        self.target = target
        self.reasons = reasons
        super().__init__(f"the {target} target cannot hold this catalog:\n" + "\n".join(f"  - {r}" for r in reasons))


class PlanFileInvalid(ReconcileError):
    exit_code = 5


class StalePlan(ReconcileError):
    exit_code = 4

    def __init__(
        self,
        moved: list[str],
        lead: str = "the live catalog changed since this plan was made; run `reconcile plan` again.",
    ):
        self.moved = moved
        shown = "\n".join(f"  - {m}" for m in moved[:20])
        more = f"\n  … and {len(moved) - 20} more" if len(moved) > 20 else ""
        super().__init__(f"{lead}\nWhat moved:\n{shown}{more}")


class UnsafePlan(ReconcileError):
    exit_code = 6


class ProtectedRemoval(ReconcileError):
    """A plan would remove entities marked ``protect: true``; it is refused, naming every one.

    ``entities`` holds (catalog list, id, how a plan names it, where protection was declared); the
    CLI fills in the file and line of those still in the catalog (:meth:`located`).
    """

    exit_code = 10

    def __init__(self, entities: list[tuple[str, str, str, str]]):
        self.entities = sorted(entities)
        lines = [f"  - {label} ({where})" for _, _, label, where in self.entities]
        super().__init__(
            f"the plan would remove {len(self.entities)} protected entit{'y' if len(self.entities) == 1 else 'ies'}; "
            "nothing was planned or changed:\n"
            + "\n".join(lines)
            + "\nPut it back in the catalog, or apply the catalog with `protect: true` taken off first."
        )

    def located(self, where: dict[tuple[str, str], str]) -> ProtectedRemoval:
        """The same refusal, naming the file and line of each entity found in ``where``."""
        return ProtectedRemoval(
            [
                (t, i, label, f"{where[(t, i)]}: protect: true" if (t, i) in where else declared)
                for t, i, label, declared in self.entities
            ]
        )


class LockHeld(ReconcileError):
    exit_code = 7


class ApplyFailed(ReconcileError):
    exit_code = 3


class ConflictingEdit(ApplyFailed):
    """An update met an entity someone else changed since it was read (a stale revision, and the
    entity holds neither what was read nor what was sent); nothing was changed."""


class ApplyOutcomeUnknown(ReconcileError):
    exit_code = 9


class VerifyFailed(ReconcileError):
    exit_code = 8


class ExitCode:
    """The exit codes by name; :data:`EXIT_CODES` says what each means."""

    OK = 0
    ERROR = 1
    USAGE = 1  # never click's 2: that is CHANGES
    INTERNAL = 1  # a bug; the message says so and names the run
    CHANGES = 2  # only with --detailed-exitcode
    APPLY_FAILED = 3
    STALE_PLAN = 4
    PLAN_FILE_INVALID = 5
    UNSAFE_PLAN = 6
    LOCK_HELD = 7
    VERIFY_FAILED = 8
    OUTCOME_UNKNOWN = 9
    PROTECTED = 10
    INTERRUPTED = 130


# The one table of exit codes: the CLI uses ExitCode, README's table is tested against this.
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (ExitCode.OK, "success (with `plan --detailed-exitcode`: no changes)"),
    (
        ExitCode.ERROR,
        "error: invalid catalog or input file, bad flags or usage, configuration or environment, API error, "
        "deadline reached, internal error",
    ),
    (ExitCode.CHANGES, "`plan --detailed-exitcode`: there are changes"),
    (ExitCode.APPLY_FAILED, "apply failed; the live catalog and the id mapping are unchanged"),
    (
        ExitCode.STALE_PLAN,
        "the plan is stale: the live catalog changed since it was made (or while the draft was open)",
    ),
    (
        ExitCode.PLAN_FILE_INVALID,
        "saved plan file is invalid, its checksum or signature does not match, or it does not match what it claims",
    ),
    (ExitCode.UNSAFE_PLAN, "the plan is unsafe and `--force` was not given"),
    (ExitCode.LOCK_HELD, "another apply holds the catalog (local lock, or someone else's draft)"),
    (ExitCode.VERIFY_FAILED, "published, but the live catalog does not match the desired state"),
    (ExitCode.OUTCOME_UNKNOWN, "apply stopped and the outcome could not be determined (the next run settles it)"),
    (ExitCode.PROTECTED, "the plan would remove an entity marked `protect: true`; nothing was planned or changed"),
    (ExitCode.INTERRUPTED, "interrupted (Ctrl-C); an interrupted apply is settled by the next run"),
)
