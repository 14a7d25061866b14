"""Square: Catalog API objects (ITEM, ITEM_VARIATION, CATEGORY, MODIFIER_LIST, …) → our catalog."""
