"""Write a catalog in its one canonical YAML form: byte-identical for the same model.

Rules: keys in a fixed order (ids and names first), defaults left out, money as quoted strings with
the currency's minor digits, two-space indentation, one line per list entry so Git diffs stay
small, short lists of words (labels, platforms) and small records (choices, hours) on one line.
"""

from __future__ import annotations

import re
from decimal import Decimal

import yaml
from pydantic import BaseModel

from reconciler.model.catalog import Catalog, CatalogPart, Choice, OpeningWindow, SpecialHours
from reconciler.model.locations import ChoiceOverride, Location, Override, VisibleOverride
from reconciler.model.money import decimal_text, money_text

SCHEMA_COMMENT = "# yaml-language-server: $schema={url}\n"

# One global order works because no model uses two of these keys with different meanings.
_KEY_ORDER = [
    "version",
    "currency",
    "location",
    "id",
    "group",
    "item",
    "name",
    "external_id",
    "pos_location",
    "type",
    "description",
    "price",
    "price_on_request",
    "max_quantity",
    "tax_rate",
    "tax_included",
    "image",
    "labels",
    "allergens",
    "calories",
    "in_stock",
    "special_requests",
    "special_request_prompt",
    "options",
    "default",
    "defaults",
    "min",
    "max",
    "choices",
    "visible",
    "fulfillment",
    "platforms",
    "hours",
    "special_hours",
    "only_at",
    "except_at",
    "day",
    "open",
    "close",
    "close_day",
    "start",
    "end",
    "available",
    "sections",
    "menus",
    "dishes",
    "variations",
    "option_groups",
    "locations",
]
_RANK = {key: index for index, key in enumerate(_KEY_ORDER)}
# A location's entry reads like the catalog it overrides: menus, sections, dishes, variations, choices.
_LOCATION_ORDER = ["id", "name", "pos_location", "menus", "sections", "dishes", "variations", "choices"]
_RANKS: dict[type, dict[str, int]] = {Location: {key: index for index, key in enumerate(_LOCATION_ORDER)}}
_MONEY_KEYS = {"price"}
_FLOW_LISTS = {"labels", "allergens", "fulfillment", "platforms", "defaults", "options", "only_at", "except_at"}
_FLOW_RECORDS = (Choice, OpeningWindow, SpecialHours, Override, VisibleOverride, ChoiceOverride)


_PLAIN = re.compile(r"[A-Za-z][\w .,'&()/+\-]*(?<! )")
_STR = "tag:yaml.org,2002:str"


class _FlowList(list):
    pass


class _FlowMap(dict):
    pass


class _Dumper(yaml.SafeDumper):
    """Indents block sequences under their key, which most YAML style guides expect."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Plain for ordinary words, double quotes for anything a YAML reader could misread
    # (numbers, times, booleans, punctuation), a literal block for multi-line text.
    style = None
    if "\n" in value:
        style = "|"
    elif not _PLAIN.fullmatch(value) or dumper.resolve(yaml.ScalarNode, value, (True, False)) != _STR:
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
_Dumper.add_representer(dict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=False))


def to_data(model: Catalog | CatalogPart, currency: str | None = None) -> dict:
    """The plain, ordered data of the canonical form (also used for JSON output)."""
    return _shape(model, currency or model.currency, top=True)


def _shape(model, currency: str | None, top: bool = False) -> dict:
    # exclude_defaults keeps files short; the loader restores the same defaults, so
    # load(dump(c)) == c. Fields that are required are always written.
    raw = model.model_dump(mode="python", exclude_defaults=True)
    if getattr(model, "price_on_request", False):
        raw.pop("price", None)  # a dish priced on request has none (the model holds it as 0)
    if top and getattr(model, "version", None) is not None:
        raw["version"] = model.version  # always written, so a future format can tell files apart
    out: dict = {}
    rank = _RANKS.get(type(model), _RANK)
    for key in sorted(raw, key=lambda k: (rank.get(k, len(rank)), k)):
        out[key] = _value(key, getattr(model, key), raw[key], currency)
    return _FlowMap(out) if isinstance(model, _FLOW_RECORDS) else out


def _value(key: str, attr, raw, currency: str | None):
    if isinstance(attr, Decimal):
        return money_text(attr, currency) if key in _MONEY_KEYS else decimal_text(attr)
    if isinstance(attr, list):
        if key in _FLOW_LISTS:
            return _FlowList(attr)
        return [(_shape(item, currency) if isinstance(item, BaseModel) else item) for item in attr]
    if isinstance(attr, BaseModel):
        return _shape(attr, currency)
    return raw


def dump_catalog(model: Catalog | CatalogPart, schema_url: str | None = None, currency: str | None = None) -> str:
    header = SCHEMA_COMMENT.format(url=schema_url) if schema_url else ""
    return header + dump_data(to_data(model, currency))


# Other files in the catalog's style (the fleet file) mark their one-line lists and records with these.
FlowList = _FlowList
FlowMap = _FlowMap


def dump_data(data: dict) -> str:
    """Plain ordered data in the canonical style: block mappings, quoting only where YAML could misread."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=2**31 - 1,
        indent=2,
        default_flow_style=False,
    )
