"""Reading input files and writing output files, safely: the one place reconcile touches a path.

Reading (:func:`read_text`): only regular files (a FIFO, a device or a directory given as a
catalog would block or make no sense), at most :func:`reconciler.limits.max_input_bytes`, UTF-8
(a UTF-8 byte-order mark is allowed). Every failure is a :class:`FileProblem` naming the file.

Writing (:func:`write_text`): the new content is complete on disk before it becomes visible
(a temporary file in the same directory, fsync, rename), and the file keeps what it was:

* its mode and owner (a new file gets the usual ``0666 & ~umask``);
* a symbolic link stays a link: its target is rewritten;
* a file with hard links is rewritten in place, so every link sees the new content; the new
  content is first written in full beside it, so a crash leaves it there rather than losing it;
* a read-only file is refused, not replaced.

Used by the catalog loader, fmt, ``plan --out``, ``import -o``, saved plans, serve's config and
held plans, and the POS export reader.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
from pathlib import Path

from reconciler import limits
from reconciler.errors import ReconcileError


class FileProblem(ReconcileError):
    """A file could not be read or written; the message names it and says why."""

    def __init__(self, path: str | os.PathLike, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of a regular file, at most the input limit."""
    limit = limits.max_input_bytes()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileProblem(path, "cannot be read: no such file or directory") from None
    except IsADirectoryError:
        raise FileProblem(path, "cannot be read: it is a directory, not a file") from None
    except OSError as exc:
        raise FileProblem(path, f"cannot be read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(path, f"is {_kind(info.st_mode)}; only regular files are read")
        if info.st_size > limit:
            raise FileProblem(path, _too_big(info.st_size, limit))
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise FileProblem(path, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:  # it grew while we read it
        raise FileProblem(path, _too_big(len(data), limit))
    return data


def _too_big(size: int, limit: int) -> str:
    return (
        f"is {size / limits.MIB:,.1f} MiB, more than the limit of {limit / limits.MIB:,.0f} MiB "
        f"(raise it with {limits.INPUT_MB_VARIABLE})"
    )


def read_text(path: str | os.PathLike) -> str:
    """The text of a regular UTF-8 file (see :func:`read_bytes`)."""
    return decode(read_bytes(path), path)


def decode(data: bytes, path: str | os.PathLike) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(path, "is UTF-16 text; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileProblem(
            path, f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); save it as UTF-8"
        ) from None


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically, keeping mode, owner, symlinks and hard links."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    shown = Path(path)
    target = Path(os.path.realpath(path)) if os.path.islink(path) else shown
    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise FileProblem(shown, f"cannot be written: {exc.strerror or exc}") from None
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(shown, f"is {_kind(info.st_mode)}; only regular files are written")
        if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise FileProblem(shown, "is read-only; make it writable first (nothing was changed)")
    folder = target.parent
    if not folder.is_dir():
        raise FileProblem(shown, f"cannot be written: the directory {folder} does not exist")
    with _uninterrupted():  # a deadline or Ctrl-C waits until the file is whole, old or new
        temporary = _temporary(folder, target.name, shown, data, info)
        try:
            if info is not None and info.st_nlink > 1:
                _rewrite_in_place(target, data)  # a rename would break the other links
                os.unlink(temporary)
            else:
                os.replace(temporary, target)
            _sync_directory(folder)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise FileProblem(shown, f"cannot be written: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _uninterrupted():
    """Hold SIGINT and SIGALRM (Ctrl-C, the command deadline) while a file is being replaced."""
    held = {signal.SIGINT, signal.SIGALRM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - platforms without it
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _temporary(folder: Path, name: str, shown: Path, data: bytes, info: os.stat_result | None) -> str:
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise FileProblem(shown, f"cannot be written: no write access to {folder} ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
        os.chmod(temporary, mode)
        if info is not None and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
            with contextlib.suppress(PermissionError):  # only root may give a file away
                os.chown(temporary, info.st_uid, info.st_gid)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise FileProblem(shown, f"cannot be written: {exc.strerror or exc}") from None
        raise
    return temporary


def _rewrite_in_place(target: Path, data: bytes) -> None:
    with open(target, "r+b") as handle:
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())


def _sync_directory(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    """The process umask, read without changing it (os.umask would race with other threads)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
