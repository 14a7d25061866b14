"""Which currency an imported catalog is in, from the codes its POS prices carry and ``--currency``."""

from __future__ import annotations

from reconciler.model.money import is_currency


def choose_currency(found: dict[str, str], wanted: str | None) -> tuple[str | None, list[tuple[str, str]]]:
    """Pick the catalog currency from the codes found on prices (code → first object id having it).

    ``wanted`` (``--currency``) wins over placeholders such as Square's sample ``"CURRENCY"`` but
    must agree with every real ISO code found: one catalog holds one currency. Returns the
    currency (None when nothing says) and the conflicts as (object id, message).
    """
    real = {code: where for code, where in found.items() if is_currency(code)}  # the ISO 4217 table, not the shape
    conflicts = []
    if wanted is not None:
        for code, where in sorted(real.items()):
            if code != wanted:
                conflicts.append((where, f"price is in {code}, but --currency is {wanted}"))
        return wanted, conflicts
    if len(real) > 1:
        codes = ", ".join(sorted(real))
        for where in sorted(real.values()):
            conflicts.append((where, f"prices use several currencies ({codes}); a catalog has one"))
        return None, conflicts
    placeholders = sorted(set(found) - set(real))
    if placeholders and not real:
        where = found[placeholders[0]]
        return None, [(where, f"currency {placeholders[0]!r} is not an ISO 4217 code; pass --currency")]
    return (next(iter(real)) if real else None), conflicts
