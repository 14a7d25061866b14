"""A dish's image: a URL, or a local file next to the catalog, and how both are named in an essence.

In YAML ``image:`` is one string. An ``http(s)://`` URL is imported into the Wix Media Manager by
Wix itself (Import File); anything else is a path relative to the catalog file (or directory) that
the loader checks (:mod:`reconciler.yamlio.images`: it exists, is a regular readable file of at
most :data:`MAX_IMAGE_BYTES`, and its first bytes are a JPEG, PNG, GIF or WebP image) and records
as an :class:`ImageFile`: its SHA-256, size and type. Nothing else in the pipeline reads the file
until apply uploads it, and apply refuses it if its bytes no longer have that hash.

An image's identity is its **content key** (:func:`content_key`): ``sha256:<hex>`` of the bytes for
a file, and of the URL's text for a URL (the bytes of a URL are fetched by Wix, never by
reconcile). The id mapping keys uploaded media by it, so an image already uploaded is never
uploaded again, whichever dish or path names it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from reconciler.model.fields import Model

# Wix's own limit for images in the Media Manager is 25 MB per file (docs/media.md); a larger
# file would only fail after the upload, so the loader refuses it first.
MAX_IMAGE_BYTES = 25 * 1024 * 1024
MIME_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
WIX_MEDIA = "https://static.wixstatic.com/media/"  # the URL of a Media Manager file is this + its id

_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HEX = re.compile(r"^[0-9a-f]{64}$")
_SEPARATOR = " sha256:"  # between a file's path and its hash in an essence value


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _image_ref(value: str) -> str:
    if is_url(value):
        if not _URL.match(value):
            raise ValueError(f"{value!r} is not a valid http(s) URL")
        return value
    if _SCHEME.match(value):
        raise ValueError(f"{value!r}: an image is an http(s) URL or a path relative to the catalog file")
    if value.startswith(("/", "~")) or "\\" in value:
        raise ValueError(
            f"{value!r}: a local image is a path relative to the catalog file, with '/' between folders "
            "(an absolute path would not work on another machine)"
        )
    if value != value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value) or value.endswith("/"):
        raise ValueError(f"{value!r} is not a file path (spaces at the ends, control characters or a folder)")
    if _SEPARATOR in value:
        raise ValueError(f"{value!r}: a path may not contain {_SEPARATOR.strip()!r}")
    return value


ImageRef = Annotated[str, StringConstraints(min_length=1, max_length=2048), AfterValidator(_image_ref)]


class ImageFile(Model):
    """A local image as the loader found it (never written in YAML: the loader computes it)."""

    path: str = Field(description="The file as opened: the catalog's folder joined with the image path.")
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    size: int = Field(ge=1, le=MAX_IMAGE_BYTES)
    mime: str


def sniff(head: bytes) -> str | None:
    """The image type of a file from its first bytes (the extension may lie), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def essence_value(image: str | None, file: ImageFile | None) -> str | None:
    """How a dish's image is compared: a URL as written, a file as "<path> sha256:<hex>", so a
    file whose bytes change is a change, and a plan shows which file it is."""
    if image is None or is_url(image):
        return image
    if file is None:
        raise ValueError(f"internal error: the local image {image!r} was not checked by the loader")
    return f"{image}{_SEPARATOR}{file.sha256}"


def content_key(value: str) -> str:
    """``sha256:<hex>``: of the bytes for a file (from its essence value), of the text for a URL."""
    if not is_url(value) and _SEPARATOR in value:
        digest = value.rsplit(_SEPARATOR, 1)[1]
        if _HEX.match(digest):
            return f"sha256:{digest}"
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def source_of(value: str) -> str:
    """What a person wrote: the URL, or the file's path without its hash."""
    return value if is_url(value) else value.rsplit(_SEPARATOR, 1)[0]


def wix_media_id(url: str) -> str | None:
    """The Media Manager file id of a ``static.wixstatic.com/media/…`` URL (no import needed)."""
    if not url.startswith(WIX_MEDIA):
        return None
    rest = url[len(WIX_MEDIA) :].split("/", 1)[0].split("?", 1)[0]
    return rest or None
