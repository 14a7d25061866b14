"""Start a measured command from a small process, so that its peak memory is its own.

On Linux a child's ``ru_maxrss`` is at least the resident size of the process it was forked from:
``execve`` records the old address space's high-water mark before replacing it, and
``subprocess`` forks (or vforks) from the bench, which holds generated catalogs of hundreds of MB.
Measured from the bench directly, a 10,000-dish no-op plan reported the bench's 506 MB, not its own.
So the bench starts this module (a bare interpreter, about 10 MB), which forks the command, waits
for it with ``wait4`` and writes the command's wall time, CPU and peak memory as JSON to the file
named by its first argument. The launcher's own start-up is outside the measured time.

Usage: ``python -m bench.launch RESULT.json COMMAND [ARG ...]`` (stdin, stdout, stderr, cwd and the
environment pass through to the command).
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    result, command = argv[0], argv[1:]
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: becomes the command, or exits 127 as a shell does when it cannot
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    with open(result, "w", encoding="utf-8") as out:
        json.dump(
            {
                "code": code,
                "wall": wall,
                "cpu": usage.ru_utime + usage.ru_stime,
                "maxrss_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
            },
            out,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
