"""The drafts of :mod:`reconciler.sources.build` as catalog models: only the fields that were set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.model.catalog import Menu, Section

if TYPE_CHECKING:
    from reconciler.sources.build import MenuDraft


def _present(fields: dict) -> dict:
    """Leave out None so the model's defaults apply (and the YAML stays short)."""
    return {k: v for k, v in fields.items() if v is not None}


def _menu(draft: MenuDraft) -> Menu:
    sections = [
        Section(
            **_present(
                {
                    "id": s.id,
                    "name": s.name,
                    "visible": s.visible,
                    "description": s.description,
                    "image": s.image,
                    "dishes": s.dishes,
                }
            )
        )
        for s in draft.sections
    ]
    return Menu(
        **_present(
            {
                "id": draft.id,
                "name": draft.name,
                "visible": draft.visible,
                "description": draft.description,
                "image": draft.image,
                "hours": draft.hours,
                "sections": sections,
            }
        )
    )
