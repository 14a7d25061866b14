"""What the Catalogs v3 target manages: the declaration the engine, renderers and ``serve`` read."""

from __future__ import annotations

from reconciler.engine.capabilities import Capabilities, KindSpec
from reconciler.engine.vocabulary import Kind, Namespace, Removal

# Catalogs v3 cannot delete: a removed menu is archived; a removed section, dish or variation is
# unlisted from its parent (and hidden), so it keeps its Wix id should it come back.
CAPABILITIES = Capabilities(
    kinds=(
        KindSpec(Kind.MENU, "Menus", Namespace.MENU, Removal.ARCHIVE),
        KindSpec(Kind.SECTION, "Sections", Namespace.SECTION, Removal.UNLIST),
        KindSpec(Kind.DISH, "Dishes", Namespace.ITEM, Removal.UNLIST),
        KindSpec(Kind.VARIATION, "Variations", Namespace.ITEM, Removal.UNLIST),
    ),
    drafts=True,
    removal=Removal.ARCHIVE,
    cannot_hold=(),  # the neutral model was designed to hold everything Catalogs v3 can
)

namespace = CAPABILITIES.namespace
