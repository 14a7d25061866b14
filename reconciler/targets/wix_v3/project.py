"""The catalog in Catalogs v3 terms: the neutral essence, less what v3 has no place for.

The neutral essence (:func:`reconciler.engine.essence.essence`) was designed on Catalogs v3, so
almost everything passes through. The menu features v3 cannot hold are taken out here and named in
the plan, the same way on the desired side as the reader leaves them out on the live side, so
nothing shows up as a perpetual change:

* a choice's ``max_quantity``: a diner adds a choice once;
* ``special_request_prompt``: ``acceptSpecialRequest`` is a yes or no;
* ``external_id``: v3 has no external-id field (clients keep their own id mapping);
* ``tax_included``: v3 adds ``taxRate`` on top of the price, so the rate is left out and the price
  (which already includes the tax) is charged as written.

A dish priced on request is left out (:mod:`reconciler.targets.priced`, before the essence is made):
every v3 item has a price, so it would be shown, and sold, at 0.00. The target's ``project`` hook
composes these steps with its other rules.
"""

from __future__ import annotations

from reconciler.canonical import JsonObject
from reconciler.engine.essence import Essence
from reconciler.engine.vocabulary import Kind
from reconciler.targets.notes import left_out
from reconciler.targets.wix_v3.capabilities import EXTERNAL_IDS, ON_REQUEST, PROMPTS, QUANTITIES, TAX_INCLUDED


def without_features(desired: Essence, on_request: list[str]) -> tuple[Essence, list[str]]:
    """``desired`` (already in v3 terms) without the features v3 cannot hold, and a note for each.

    ``on_request``: the dishes priced on request that :mod:`reconciler.targets.priced` left out."""
    lost: dict[str, list[str]] = {ON_REQUEST: list(on_request)} if on_request else {}
    out: Essence = {}
    for (kind, local), record in desired.items():
        if kind in (Kind.DISH, Kind.VARIATION):
            record = _strip(record, local, lost)
        out[(kind, local)] = record
    return out, [left_out("Catalogs v3", what, who) for what, who in sorted(lost.items())]


def _strip(record: JsonObject, local: str, lost: dict[str, list[str]]) -> JsonObject:
    record = dict(record)
    record.pop("price_on_request", None)
    if record.pop("tax_included", False):
        record["tax_rate"] = "0"  # the price already includes it; v3 would add it again
        lost.setdefault(TAX_INCLUDED, []).append(local)
    if record.pop("special_request_prompt", None) is not None:
        lost.setdefault(PROMPTS, []).append(local)
    if record.pop("external_id", None) is not None:
        lost.setdefault(EXTERNAL_IDS, []).append(local)
    if any("max_quantity" in c for option in record["options"] for c in option["choices"]):
        record["options"] = without_quantities(record["options"], local, lost)
    # else the common case: nothing to take out, and the options are this (fresh) record's own
    return record


def without_quantities(options: list[JsonObject], local: str, lost: dict[str, list[str]]) -> list[JsonObject]:
    """The options of dish ``local`` without their choices' ``max_quantity``, noted in ``lost``."""
    out = []
    for option in options:
        choices = [{k: v for k, v in c.items() if k != "max_quantity"} for c in option["choices"]]
        if choices != option["choices"] and local not in lost.get(QUANTITIES, []):
            lost.setdefault(QUANTITIES, []).append(local)
        out.append({**option, "choices": choices})
    return out
