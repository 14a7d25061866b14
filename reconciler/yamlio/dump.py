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
    "menus_new",
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
    "protect",
    "ownership",
    "catalog",
    "live",
    "layer",
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
    "share",
]
_RANK = {key: index for index, key in enumerate(_KEY_ORDER)}
# A location's entry reads like the catalog it overrides: menus, sections, dishes, variations, choices.
_LOCATION_ORDER = ["id", "name", "pos_location", "menus", "sections", "dishes", "variations", "choices"]
_RANKS: dict[type, dict[str, int]] = {Location: {key: index for index, key in enumerate(_LOCATION_ORDER)}}
_MONEY_KEYS = {"price"}
_FLOW_LISTS = {
    "labels",
    "allergens",
    "fulfillment",
    "platforms",
    "defaults",
    "options",
    "only_at",
    "except_at",
    "catalog",
    "live",
    "layer",
}
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
    raw.pop("image_file", None)  # computed by the loader from image:, never written
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
    try:
        return _Emitter().document(data)
    except _Unusual:
        return _pyyaml(data)


def _pyyaml(data: dict) -> str:
    """The canonical form as PyYAML writes it: the definition :class:`_Emitter` reproduces, fast."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=2**31 - 1,
        indent=2,
        default_flow_style=False,
    )


class _Unusual(Exception):
    """A value :class:`_Emitter` leaves to PyYAML (rare multi-line texts); the whole file then is."""


_RESOLVER = yaml.resolver.Resolver()
_ESCAPES = {
    "\0": "0",
    "\x07": "a",
    "\x08": "b",
    "\x09": "t",
    "\x0a": "n",
    "\x0b": "v",
    "\x0c": "f",
    "\x0d": "r",
    "\x1b": "e",
    '"': '"',
    "\\": "\\",
    "\x85": "N",
    "\u2028": "L",
    "\u2029": "P",
}
# Characters PyYAML writes as they are inside double quotes (allow_unicode), and inside a literal block.
_DOUBLE_SAFE = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufffd]")
_DOUBLE_VERBATIM = re.compile('[\x20\x21\x23-\x5b\x5d-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*')
_BLOCK_SAFE = re.compile("[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010fffe]*")


class _Emitter:
    """Writes :func:`to_data` output exactly as PyYAML's emitter does with :func:`_pyyaml`'s settings.

    PyYAML's pure-Python emitter is general and slow (40 of 46 seconds of fmt on a 50 MB
    catalog); the canonical form uses a small part of YAML: block mappings and sequences, flow
    lists of words, flow records, and scalars whose style :func:`_represent_str` chooses. This
    writes that part directly, applying the same style rules (see ``Emitter.choose_scalar_style``
    and ``analyze_scalar`` in PyYAML); a test compares the two on generated catalogs. Anything
    outside it raises :class:`_Unusual`, and the file is written by PyYAML instead.
    """

    def __init__(self) -> None:
        self.out: list[str] = []

    def document(self, data: dict) -> str:
        if not data:
            return "{}\n"
        self._mapping(data, 0)
        return "".join(self.out)

    # -- block collections ---------------------------------------------------------------------
    def _mapping(self, data: dict, indent: int, first_inline: bool = False) -> None:
        """Keys at ``indent``; the first one already follows a "- " when ``first_inline``."""
        pad = " " * indent
        for position, (key, value) in enumerate(data.items()):
            if not (first_inline and position == 0):
                self.out.append(pad)
            self.out.append(_plain_key(key))
            self._value(value, indent)

    def _value(self, value, indent: int) -> None:
        """A mapping value after its key, at mapping indent ``indent``."""
        if isinstance(value, (_FlowList, _FlowMap)) or (isinstance(value, (list, dict)) and not value):
            self.out.append(": ")
            self._flow(value)
            self.out.append("\n")
        elif isinstance(value, dict):
            self.out.append(":\n")
            self._mapping(value, indent + 2)
        elif isinstance(value, list):
            self.out.append(":\n")
            self._sequence(value, indent + 2)
        else:
            self.out.append(": ")
            self._scalar(value, indent, flow=False)
            self.out.append("\n")

    def _sequence(self, items: list, indent: int) -> None:
        pad = " " * indent
        for item in items:
            self.out.append(pad + "- ")
            if isinstance(item, (_FlowList, _FlowMap)) or (isinstance(item, (list, dict)) and not item):
                self._flow(item)
                self.out.append("\n")
            elif isinstance(item, dict):
                self._mapping(item, indent + 2, first_inline=True)
            elif isinstance(item, list):
                raise _Unusual()
            else:
                self._scalar(item, indent, flow=False)
                self.out.append("\n")

    # -- flow collections --------------------------------------------------------------------------
    def _flow(self, value) -> None:
        if isinstance(value, dict):
            self.out.append("{")
            for position, (key, item) in enumerate(value.items()):
                if position:
                    self.out.append(", ")
                self.out.append(f"{_plain_key(key)}: ")
                self._flow_item(item)
            self.out.append("}")
        else:
            self.out.append("[")
            for position, item in enumerate(value):
                if position:
                    self.out.append(", ")
                self._flow_item(item)
            self.out.append("]")

    def _flow_item(self, item) -> None:
        if isinstance(item, (list, dict)):
            if item:
                raise _Unusual()
            self._flow(item)
        else:
            self._scalar(item, 0, flow=True)

    # -- scalars ---------------------------------------------------------------------------------
    def _scalar(self, value, indent: int, flow: bool) -> None:
        if value is None:
            self.out.append("null")
        elif value is True or value is False:
            self.out.append("true" if value else "false")
        elif isinstance(value, int):
            self.out.append(str(value))
        elif isinstance(value, str):
            self._text(value, indent, flow)
        else:
            raise _Unusual()

    def _text(self, value: str, indent: int, flow: bool) -> None:
        # The style _represent_str asks for, then what the emitter grants.
        if "\n" in value:
            if not flow and _literal_allowed(value):
                self._literal(value, indent)
            else:
                self.out.append(_double_quoted(value))
        elif _PLAIN.fullmatch(value) and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR:
            # Plain is always allowed in block context for these; a comma forbids it in flow context.
            if not flow or "," not in value:
                self.out.append(value)
            else:
                self.out.append("'" + value.replace("'", "''") + "'")
        else:
            self.out.append(_double_quoted(value))

    def _literal(self, value: str, indent: int) -> None:
        if value[0] in " \n" or value.endswith("\n\n") or value == "\n":
            raise _Unusual()  # indentation indicator or keep chomping: PyYAML's own rules apply
        self.out.append("|" if value.endswith("\n") else "|-")
        pad = " " * (indent + 2)
        for line in value.removesuffix("\n").split("\n"):
            self.out.append("\n" + pad + line if line else "\n")


_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _plain_key(key) -> str:
    """A field name as it is; other keys (the fleet file's may be anything) are left to PyYAML."""
    if isinstance(key, str) and _KEY.fullmatch(key) and _RESOLVER.resolve(yaml.ScalarNode, key, (True, False)) == _STR:
        return key
    raise _Unusual()


def _literal_allowed(value: str) -> bool:
    """PyYAML's ``allow_block``: printable characters and line breaks, no space at a line's end."""
    return (
        bool(_BLOCK_SAFE.fullmatch(value)) and not value.endswith(" ") and " \n" not in value and "\ufeff" not in value
    )


def _double_quoted(value: str) -> str:
    if _DOUBLE_VERBATIM.fullmatch(value):
        return f'"{value}"'
    out = ['"']
    for char in value:
        if char in _ESCAPES:
            out.append("\\" + _ESCAPES[char])
        elif _DOUBLE_SAFE.fullmatch(char) and char != "\ufeff":
            out.append(char)
        elif char <= "\xff":
            out.append(f"\\x{ord(char):02X}")
        elif char <= "\uffff":
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(f"\\U{ord(char):08X}")
    out.append('"')
    return "".join(out)
