"""Dish images in the Wix Media Manager, for both targets."""

from __future__ import annotations

from reconciler.model.catalog import Catalog


def local_images(catalog: Catalog) -> list[str]:
    """Local image files cannot be uploaded by this version yet: refuse them before anything is read."""
    found = sorted({e.image for e in [*catalog.dishes, *catalog.variations] if e.image_file is not None and e.image})
    if not found:
        return []
    return [f"local image files are not uploaded by this version yet ({', '.join(found[:3])}); use http(s) URLs"]
