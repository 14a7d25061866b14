"""The words of a plan, as enums: one name per concept (docs/glossary.md maps them to each API's).

They are ``StrEnum`` s: a member is its own JSON value and compares equal to it, so plan files,
essence keys and the id mapping keep their plain strings.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """What a change does to an entity, in our words (a target shows a removal with its own verb)."""

    CREATE = "create"
    UPDATE = "update"
    REMOVE = "remove"


class Kind(StrEnum):
    """A kind of entity in an essence. The first four are the neutral model's; a target whose API
    spreads a dish over more entities (Menus (New)) adds its own; each target declares which it manages."""

    MENU = "menu"
    SECTION = "section"
    DISH = "dish"
    VARIATION = "variation"
    OPTION_GROUP = "option_group"
    VARIANT = "variant"  # Menus (New): a size's name; its price lives on the dish
    MODIFIER = "modifier"  # Menus (New): a choice of an option group; its price lives on the group
    LABEL = "label"  # Menus (New): a label entity, shared by name
    CLOSURE = "closure"  # Menus (New): a holiday closure, an Online Orders availability exception


class Namespace(StrEnum):
    """An id namespace: the first half of a "$ref" key and the kind column of the id mapping.

    Named after the Wix entity that holds the kind: dishes and variations are both Wix items (an
    option choice may name either), and an option group is a modifier group on Menus (New).
    """

    MENU = "menu"
    SECTION = "section"
    ITEM = "item"
    GROUP = "group"
    VARIANT = "variant"
    MODIFIER = "modifier"
    LABEL = "label"
    CLOSURE = "closure"


class Removal(StrEnum):
    """How an API takes a removed entity away; a plan shows the removal with this verb."""

    ARCHIVE = "archive"  # Catalogs v3 menus: kept, archived, can come back
    UNLIST = "unlist"  # Catalogs v3 sections, dishes, variations: taken off their parent and hidden
    DELETE = "delete"  # Menus (New): gone


class Phase(StrEnum):
    """The phases of an apply on a target without drafts (docs/menus-new-atomicity.md)."""

    BUILD = "build"  # create what is new, unattached
    CUT_OVER = "cut-over"  # every in-place update at once: the only time diners could see a mix
    CLEAN_UP = "clean-up"  # delete what was removed
