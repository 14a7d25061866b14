"""What the Catalogs v3 target manages: the declaration the engine, renderers and ``serve`` read."""

from __future__ import annotations

from reconciler.engine.capabilities import Capabilities, KindSpec

# Catalogs v3 cannot delete: a removed menu is archived; a removed section, dish or variation is
# unlisted from its parent (and hidden), so it keeps its Wix id should it come back.
CAPABILITIES = Capabilities(
    kinds=(
        KindSpec("menu", "Menus", namespace="menu", removal="archive"),
        KindSpec("section", "Sections", namespace="section", removal="unlist"),
        KindSpec("dish", "Dishes", namespace="item", removal="unlist"),
        KindSpec("variation", "Variations", namespace="item", removal="unlist"),
    ),
    drafts=True,
    removal="archive",
    cannot_hold=(),  # the neutral model was designed to hold everything Catalogs v3 can
)

namespace = CAPABILITIES.namespace
