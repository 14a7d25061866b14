"""Clover: v3 inventory (items, categories, modifier groups, item groups) → our catalog."""
