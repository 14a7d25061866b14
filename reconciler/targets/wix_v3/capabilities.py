"""What the Catalogs v3 target manages: the declaration the engine, renderers and ``serve`` read."""

from __future__ import annotations

from reconciler.engine.calltemplates import CallTemplate
from reconciler.engine.capabilities import Capabilities, Entities, KindSpec
from reconciler.engine.vocabulary import Kind, Namespace, Removal

# What a catalog can say and Catalogs v3 has no place for; the target's projection names these in its notes.
CALORIES = "calories (Catalogs v3 has no nutrition field)"
# The menu features (docs/menu-features.md has the research behind each):
QUANTITIES = "quantities per choice (a diner adds a choice once)"
PROMPTS = "special-request prompts (acceptSpecialRequest is a yes or no)"
EXTERNAL_IDS = "external POS references (Catalogs v3 has no external-id field)"
TAX_INCLUDED = "tax-inclusive prices (taxRate is added on top, so it is left out and prices are charged as written)"
ON_REQUEST = "dishes priced on request (every v3 item shows a price; 0 would sell it free)"
# An option group is part of each dish record here, not an entity of its own (ownership: of the dish holds).
GROUP_OWNERSHIP = "ownership of an option group's fields (Catalogs v3 keeps option groups inside each dish)"

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
    # The neutral model was designed to hold everything Catalogs v3 can; allergens it holds as
    # labels ("contains milk"), which the reader reads back as labels.
    cannot_hold=(CALORIES, QUANTITIES, PROMPTS, EXTERNAL_IDS, TAX_INCLUDED, ON_REQUEST, GROUP_OWNERSHIP),
)
# Where a record's `ownership:` and `protect:` are read (docs/ownership.md): one entity per record.
ENTITIES = Entities(
    (
        (Kind.MENU, ("menus",)),
        (Kind.SECTION, ("sections",)),
        (Kind.DISH, ("dishes",)),
        (Kind.VARIATION, ("variations",)),
    )
)

namespace = CAPABILITIES.namespace

_DRAFT = "/draft-catalogs/{catalog}"
_BULK = _DRAFT + "/bulk"

# Every call a v3 plan may hold (paths under /restaurants/v3): ``apply --plan`` refuses any other.
API = (
    CallTemplate("createDraftCatalog", "POST", _DRAFT + "/create"),
    CallTemplate("publishDraftCatalog", "POST", _DRAFT + "/publish"),
    *(
        CallTemplate(call, "POST", f"{_BULK}/{path}")
        for call, path in (
            ("bulkArchiveMenus", "menus/archive"),
            ("bulkUnarchiveMenus", "menus/unarchive"),
            ("bulkCreateMenus", "menus/create"),
            ("bulkUpdateMenus", "menus/update"),
            ("bulkCreateVariations", "variations/create"),
            ("bulkCreateSections", "sections/create"),
            ("bulkUpdateSections", "sections/update"),
            ("bulkCreateDishes", "dishes/create"),
            ("bulkUpdateItems", "items/update"),
        )
    ),
    # A single-entity change may go live directly (``live_updates``), outside a draft.
    CallTemplate("updateMenu", "PATCH", "/catalogs/{catalog}/menus/{id}"),
    CallTemplate("updateSection", "PATCH", "/catalogs/{catalog}/menus/{menu}/sections/{id}"),
    CallTemplate("updateItem", "PATCH", "/catalogs/{catalog}/items/{id}"),
)
