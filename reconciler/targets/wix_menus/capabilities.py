"""What the Menus (New) target manages: the declaration the engine, renderers and ``serve`` read.

A dish spreads over several Menus (New) entities (see project.py), so this target manages more
kinds than the neutral essence has, and a menu's holiday closures are entities of the Online
Orders API (ordering.py). Each kind's id namespace is also the service that holds it
(client.SERVICES): "item" for dishes, "group" for option groups.
"""

from __future__ import annotations

from reconciler.engine.calltemplates import CallTemplate
from reconciler.engine.capabilities import Capabilities, Entities, KindSpec
from reconciler.engine.vocabulary import Kind, Namespace, Removal
from reconciler.targets.wix_menus import client, online

# What a catalog can say and Menus (New) has no place for; project.py names these in its notes.
TAX_RATES = "tax rates (Menus (New) takes tax from the site's settings)"
FULFILMENT = "fulfilment restrictions"
PLATFORMS = "platform restrictions"
HOURS = "opening hours of sections and dishes (Online Orders holds hours per menu only)"
MENU_IMAGES = "menu images"
DEFAULT_SIZE = "a default size other than the first (Menus (New) lists sizes in order)"
VARIATION_DETAILS = "details of variations beyond their name and stock"
VARIATION_OPTIONS = "options on variations"
CALORIES = "calories (Menus (New) has no nutrition field)"
# The menu features (docs/menu-features.md has the research behind each):
DISCOUNTS = "discounts on choices (a modifier's additionalCharge is 0 or more; a negative choice is charged 0)"
QUANTITIES = "quantities per choice (a diner adds a modifier once)"
PROMPTS = "special-request prompts (the public orderSettings has only acceptSpecialRequests)"
EXTERNAL_IDS = "external POS references (externalReferenceInfo is not part of the public Item)"
ON_REQUEST = "dishes priced on request (an item needs priceInfo or priceVariants; 0 would sell it free)"

CAPABILITIES = Capabilities(
    kinds=(
        KindSpec(Kind.MENU, "Menus", Namespace.MENU, Removal.DELETE),
        KindSpec(Kind.SECTION, "Sections", Namespace.SECTION, Removal.DELETE),
        KindSpec(Kind.DISH, "Dishes", Namespace.ITEM, Removal.DELETE),
        KindSpec(Kind.OPTION_GROUP, "Option groups", Namespace.GROUP, Removal.DELETE),
        KindSpec(Kind.VARIANT, "Variants (sizes)", Namespace.VARIANT, Removal.DELETE),
        KindSpec(Kind.MODIFIER, "Modifiers (choices)", Namespace.MODIFIER, Removal.DELETE),
        KindSpec(Kind.LABEL, "Labels", Namespace.LABEL, Removal.DELETE),
        KindSpec(Kind.CLOSURE, "Closures (Online Orders)", Namespace.CLOSURE, Removal.DELETE),
    ),
    drafts=False,
    removal=Removal.DELETE,
    cannot_hold=(
        TAX_RATES,
        FULFILMENT,
        PLATFORMS,
        HOURS,
        MENU_IMAGES,
        DEFAULT_SIZE,
        VARIATION_DETAILS,
        VARIATION_OPTIONS,
        CALORIES,
        DISCOUNTS,
        QUANTITIES,
        PROMPTS,
        EXTERNAL_IDS,
        ON_REQUEST,
    ),
)
# Where a record's `ownership:` and `protect:` are read (docs/ownership.md). A modifier is a choice:
# the variation (or dish) an option group offers; labels and closures are no one entity's.
ENTITIES = Entities(
    (
        (Kind.MENU, ("menus",)),
        (Kind.SECTION, ("sections",)),
        (Kind.DISH, ("dishes",)),
        (Kind.OPTION_GROUP, ("option_groups",)),
        (Kind.VARIANT, ("variations",)),
        (Kind.MODIFIER, ("variations", "dishes")),
    )
)

namespace = CAPABILITIES.namespace
KIND_OF = {spec.namespace: spec.kind for spec in CAPABILITIES.kinds}  # the service of a Wix entity -> our kind


def _api() -> tuple[CallTemplate, ...]:
    """Every call a Menus (New) plan may hold, built by the same functions the planner uses."""
    templates = []
    for service in client.SERVICES:
        delete, method, path = client.bulk_delete(service, [])
        templates += [
            CallTemplate(*client.bulk_create(service)),
            CallTemplate(*client.bulk_update(service)),
            CallTemplate(delete, method, path.removesuffix("?"), query="ids"),
            CallTemplate(*client.single_create(service)),
            CallTemplate(*client.single_update(service, "{id}")),
            CallTemplate(*client.single_delete(service, "{id}")),
        ]
    # Online Orders: a menu's ordering hours, and closures (availability exceptions).
    exceptions = online.EXCEPTIONS + "/availability-exceptions"
    templates += [
        CallTemplate(online.UPSERT, "POST", online.SETTINGS + "/menu-ordering-settings/upsert/menu-id/{id}"),
        CallTemplate("availabilityExceptions.createAvailabilityException", "POST", exceptions),
        CallTemplate("availabilityExceptions.updateAvailabilityException", "PATCH", exceptions + "/{id}"),
        CallTemplate("availabilityExceptions.deleteAvailabilityException", "DELETE", exceptions + "/{id}"),
    ]
    return tuple(templates)


# ``apply --plan`` refuses any call outside these.
API = _api()
