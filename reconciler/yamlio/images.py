"""The loader's check of local dish images: each one exists next to the catalog and is an image.

A dish's (or variation's) ``image:`` that is not a URL is a path relative to the YAML file that
names it. The file must be a regular, readable file of at most
:data:`~reconciler.model.images.MAX_IMAGE_BYTES` whose first bytes are a JPEG, PNG, GIF or WebP
image; otherwise the catalog is refused with the file, line and field of the ``image:``, like any
other problem (every problem at once). A good file becomes the entry's ``image_file``: where it
was opened, its SHA-256, size and type. ``image_file`` is computed, never written: a YAML file that
sets it is refused.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from reconciler.model.catalog import Catalog, Dish, Variation
from reconciler.model.images import MAX_IMAGE_BYTES, ImageFile, is_url, sniff

Report = Callable[[str, int, tuple[str | int, ...], str], None]  # (list key, merged index, field path, message)
_CHUNK = 1 << 20


class ImageProblem(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_image(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_IMAGE_BYTES` (never blocks on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ImageProblem("no such file") from None
    except IsADirectoryError:
        raise ImageProblem("is a directory, not an image file") from None
    except OSError as exc:
        raise ImageProblem(f"cannot be read: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ImageProblem(
            "is a directory, not an image file" if stat.S_ISDIR(info.st_mode) else "is not a regular file"
        )
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > MAX_IMAGE_BYTES:
            raise ImageProblem(_too_big(info.st_size))
        try:
            data = handle.read(MAX_IMAGE_BYTES + 1)
        except OSError as exc:
            raise ImageProblem(f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageProblem(_too_big(len(data)))
    return data


def _too_big(size: int) -> str:
    return f"is {size / 2**20:.1f} MiB; Wix takes images of at most {MAX_IMAGE_BYTES // 2**20} MiB"


def inspect(path: Path) -> ImageFile:
    """The :class:`ImageFile` of ``path``, or :class:`ImageProblem` saying what is wrong with it."""
    data = read_image(path)
    if not data:
        raise ImageProblem("is empty")
    mime = sniff(data[:16])
    if mime is None:
        raise ImageProblem("is not a JPEG, PNG, GIF or WebP image (judged by its first bytes)")
    return ImageFile(path=path.as_posix(), sha256=hashlib.sha256(data).hexdigest(), size=len(data), mime=mime)


def computed_written(merged: dict[str, list[object]], report: Report) -> None:
    """Refuse ``image_file`` in YAML: it is what the loader computes, never what an author says."""
    for key in ("dishes", "variations"):
        for index, entry in enumerate(merged.get(key) or []):
            if isinstance(entry, dict) and "image_file" in entry:
                report(key, index, ("image_file",), "is computed by reconcile from image:; remove it")


def check(catalog: Catalog, folders: dict[str, Sequence[Path]], report: Report) -> Catalog:
    """The catalog with every local image checked and recorded; problems go to ``report``.

    ``folders[key][i]`` is the folder of the YAML file of the ``i``-th valid entry of list ``key``.
    """
    cache: dict[Path, ImageFile | ImageProblem] = {}

    def checked(entries: Sequence[Dish | Variation], key: str) -> list[Dish | Variation]:
        out = []
        for index, entry in enumerate(entries):
            if entry.image is None or is_url(entry.image):
                out.append(entry if entry.image_file is None else entry.model_copy(update={"image_file": None}))
                continue
            path = folders[key][index] / entry.image
            if path not in cache:
                try:
                    cache[path] = inspect(path)
                except ImageProblem as exc:
                    cache[path] = exc
            found = cache[path]
            if isinstance(found, ImageProblem):
                report(key, index, ("image",), f"{entry.image}: {found.reason} (looked at {path.as_posix()})")
                out.append(entry)
            else:
                out.append(entry.model_copy(update={"image_file": found}))
        return out

    dishes = checked(catalog.dishes, "dishes")
    variations = checked(catalog.variations, "variations")
    return catalog.model_copy(update={"dishes": dishes, "variations": variations})


def still_current(catalog: Catalog) -> bool:
    """Do the local images a (cached) catalog recorded still have the bytes it recorded?"""
    for entry in [*catalog.dishes, *catalog.variations]:
        if entry.image_file is None:
            continue
        try:
            if inspect(Path(entry.image_file.path)) != entry.image_file:
                return False
        except ImageProblem:
            return False
    return True
