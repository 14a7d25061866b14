"""What real menus hold beyond a price and options: the fields dishes and variations mix in.

Kept apart from :mod:`reconciler.model.catalog` (which composes them into ``Orderable`` and
``Dish``) so each feature reads in one place. What each Wix API can hold of them is in
``docs/menu-features.md``; a target that cannot hold one says so in the plan.

* ``special_request_prompt``: the question a dish's free-text note asks ("How would you like it
  cooked?"), from a POS's text modifier;
* ``tax_included``: the price already includes ``tax_rate`` (VAT-style pricing, Square's
  inclusive taxes);
* ``external_id``: the POS's own id of the object, kept as a reference on the Wix entity;
* ``price_on_request`` (dishes): no fixed price ("market price"); the catalog leaves ``price`` out.

Negative choice prices and per-choice quantities live on :class:`~reconciler.model.catalog.Choice`;
nested option groups are option groups on variations (``Variation.options``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from reconciler.model.fields import Model

Prompt = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class Features(Model):
    """Mixed into dishes and variations (``Orderable``)."""

    special_request_prompt: Prompt | None = Field(
        default=None, description='What the free-text note asks for, e.g. "How would you like it cooked?".'
    )
    tax_included: bool = Field(default=False, description="The price already includes tax_rate (VAT-style pricing).")
    external_id: ExternalId | None = Field(
        default=None, description="The POS's own id of this object, kept as a reference on the Wix entity."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Features:
        wrong = []
        if self.special_request_prompt is not None and getattr(self, "special_requests", True) is False:
            wrong.append("special_request_prompt asks for a note that `special_requests: false` does not accept")
        if self.tax_included and getattr(self, "tax_rate", Decimal(0)) == 0:
            wrong.append("tax_included says the price includes tax, but there is no tax_rate to include")
        if wrong:
            raise ValueError("; ".join(wrong))
        return self


def _price_unless_on_request(schema: dict[str, Any]) -> None:
    """In the JSON Schema: ``price`` is required, unless ``price_on_request: true`` (then absent)."""
    schema["required"] = [r for r in schema.get("required", []) if r != "price"]
    on_request = {"properties": {"price_on_request": {"const": True}}, "required": ["price_on_request"]}
    schema["if"] = on_request
    schema["then"] = {"not": {"required": ["price"]}}
    schema["else"] = {"required": ["price"]}


class OnRequest(Model):
    """Mixed into dishes: a dish priced on request has no ``price`` (it is held as 0)."""

    model_config = ConfigDict(json_schema_extra=_price_unless_on_request)

    price_on_request: bool = Field(
        default=False, description='No fixed price: shown as "price on request"; leave `price` out.'
    )

    @model_validator(mode="before")
    @classmethod
    def _no_price(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("price_on_request") is True:
            if data.get("price") not in (None, "0", Decimal(0)):
                raise ValueError("price_on_request: a dish priced on request has no price; leave `price` out")
            return {**data, "price": Decimal(0)}
        return data
