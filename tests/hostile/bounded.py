"""Run the real `reconcile` CLI as a subprocess with bounded memory and time.

Every hostile-input test goes through :func:`run`: the child gets an address-space limit
(``RLIMIT_AS``) and a CPU-time limit (``RLIMIT_CPU``), and the parent a wall-clock timeout, so a
regression shows up as a failed test (killed child, ``MemoryError`` or timeout) instead of a
hung or swapping machine. The bounds are generous ceilings, not measurements of our speed.

:func:`check` asserts what every hostile case must satisfy: a documented exit code, no
traceback on either stream, and (with ``untouched``) files byte-identical to what they were.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import EXIT_CODES

DOCUMENTED = {code for code, _ in EXIT_CODES}
MEMORY_LIMIT = 1536 * 1024 * 1024  # bytes of address space for one CLI run
CPU_LIMIT = 60  # seconds of CPU for one CLI run
WALL_LIMIT = 120.0  # seconds before the parent gives up (the machine may be busy)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _limits(memory: int, cpu: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    return apply


def run(
    args: Iterable[str],
    *,
    cwd: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    memory: int = MEMORY_LIMIT,
    cpu: int = CPU_LIMIT,
    timeout: float = WALL_LIMIT,
) -> Result:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("RECONCILE_", "WIX_"))}
    environ.update({"NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    environ.update(env or {})
    done = subprocess.run(
        [sys.executable, "-c", "from reconciler.cli.main import main; main()", *args],
        cwd=cwd,
        env=environ,
        input=stdin,
        capture_output=True,
        timeout=timeout,
        preexec_fn=_limits(memory, cpu),
    )
    return Result(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))


def invoke(args: Iterable[str], env: Mapping[str, str] | None = None, stdin: str | None = None) -> Result:
    """The CLI in this process (fast; no resource bounds): for inputs that cannot exhaust anything."""
    from click.testing import CliRunner

    from reconciler.cli.main import cli

    clean = {k: None for k in os.environ if k.startswith(("RECONCILE_", "WIX_"))}
    done = CliRunner().invoke(cli, list(args), env={**clean, "NO_COLOR": "1", **(env or {})}, input=stdin)
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise AssertionError(f"the CLI raised {done.exception!r}") from done.exception
    return Result(done.exit_code, done.stdout, done.stderr)


def snapshot(paths: Iterable[Path]) -> dict[Path, tuple[bytes, int] | None]:
    """Content and mode of each path (None when absent), to prove a failed command changed nothing."""
    found: dict[Path, tuple[bytes, int] | None] = {}
    for path in paths:
        found[path] = (path.read_bytes(), path.stat().st_mode) if path.is_file() else None
    return found


def check(result: Result, codes: Iterable[int] = (1,), untouched: Mapping[Path, object] | None = None) -> Result:
    allowed = set(codes)
    assert allowed <= DOCUMENTED, f"test expects undocumented exit codes {allowed - DOCUMENTED}"
    assert "Traceback" not in result.output, result.output[-3000:]
    assert result.code in allowed, f"exit {result.code}, expected one of {sorted(allowed)}:\n{result.output[-3000:]}"
    if untouched is not None:
        assert snapshot(untouched) == untouched, "a failed command changed a file"
    return result
