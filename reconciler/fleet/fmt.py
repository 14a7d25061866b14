"""`reconcile fleet fmt`: the one canonical form of a fleet file, in the catalogs' style.

Keys in the order the model declares them, defaults left out (``version`` always written), short
lists (waves, locations) and small records (credentials, source) on one line, one line per site
field so a pull request that moves a site to another wave is a one-line diff. Comments at the top
are kept; comments elsewhere make fmt refuse unless told to drop them, as for catalogs.
"""

from __future__ import annotations

from pydantic import ValidationError

from reconciler.errors import Problem
from reconciler.fleet.load import explain
from reconciler.fleet.model import FleetFile
from reconciler.paths import render
from reconciler.yamlio.dump import FlowList, FlowMap, dump_data
from reconciler.yamlio.fmt import split_comments
from reconciler.yamlio.source import read

FLOW_LISTS = {"waves", "locations"}
FLOW_MAPS = {"credentials", "source"}


def to_data(fleet: FleetFile) -> dict:
    data = fleet.model_dump(mode="json", exclude_defaults=True)
    data = {"version": fleet.version, **data}
    return _styled(data)


def _styled(value, key: str | None = None):
    if isinstance(value, dict):
        shaped = {k: _styled(v, k) for k, v in value.items()}
        return FlowMap(shaped) if key in FLOW_MAPS else shaped
    if isinstance(value, list):
        items = [_styled(v) for v in value]
        return FlowList(items) if key in FLOW_LISTS else items
    return value


def dump_fleet(fleet: FleetFile) -> str:
    return dump_data(to_data(fleet))


def canonical_text(text: str, file: str, drop_comments: bool = False) -> tuple[str | None, str]:
    """The canonical form of a fleet file's text, or (None, why not)."""
    located, problems = read(text, file, comments=True)
    if problems or located is None:
        return None, "\n".join(p.render() for p in problems)
    try:
        fleet = FleetFile.model_validate(located.data)
    except ValidationError as exc:
        found = [Problem(file, *located.where(loc), render(loc), msg) for loc, msg in map(explain, exc.errors())]
        return None, "\n".join(p.render() for p in sorted(found, key=lambda p: (p.line, p.column, p.path)))
    header, body_comments = split_comments(text, located.comment_lines)
    if body_comments and not drop_comments:
        return None, "comments:" + ",".join(str(n) for n in body_comments)
    return header + dump_fleet(fleet), ""
