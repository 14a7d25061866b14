"""Toast: the Menus v2 document (menus, menu groups, items, modifier references) → our catalog."""
