"""A diner view as plain text (``reconcile show --format text``): menus, sections, dishes, prices."""

from __future__ import annotations

from reconciler.engine.menuview import CatalogView


def render_menu_text(view: CatalogView, currency: str) -> str:
    out: list[str] = []
    for menu in view.menus:
        out.append(menu.name + (f"  ({'; '.join(menu.availability)})" if menu.availability else ""))
        if menu.description:
            out.append(f"  {menu.description}")
        for section_id in menu.sections:
            section = view.sections.get(section_id)
            if section is None:
                continue
            facts = f"  ({'; '.join(section.availability)})" if section.availability else ""
            out.append(f"  {section.name}{facts}")
            for dish_id in section.dishes:
                dish = view.dishes.get(dish_id)
                if dish is None:
                    continue
                price = f"{currency} {dish.price}" if dish.price is not None else ""
                labels = f"  [{', '.join(dish.labels)}]" if dish.labels else ""
                out.append(f"    {dish.name}  {price}{labels}".rstrip())
                if dish.description:
                    out.append(f"      {dish.description}")
                if dish.sizes:
                    out.append("      sizes: " + ", ".join(f"{s.name} {currency} {s.price}" for s in dish.sizes))
                for option in dish.options:
                    choices = ", ".join(
                        f"{c.name} +{c.price}" + (" (included)" if c.preselected else "") for c in option.choices
                    )
                    out.append(f"      {option.name} ({option.rule}): {choices}")
                if dish.availability:
                    out.append(f"      {'; '.join(dish.availability)}")
        out.append("")
    return "\n".join(out) if out else "(no menus)\n"
