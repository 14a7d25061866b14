"""Property-based fuzzing of every input boundary: hostile YAML, POS JSON, saved plans, environment values.

Each property draws inputs from strategies built to be hostile (a valid document with hostile
fragments spliced in, values swapped for hostile ones at random places, byte-level damage) and
asserts what the guide promises for bad input, judged without the code under test's own opinion:

* nothing but our own errors escapes (:class:`~reconciler.errors.ReconcileError`, whose classes all
  carry a documented exit code), so the CLI never shows a traceback;
* a failed command leaves the file byte-identical;
* what is accepted is sound: a formatted catalog reads back as the same catalog, a number read
  from the environment is finite and in range, a cleaned credential can be an HTTP header, and
  a saved plan that apply accepts does exactly what the untampered plan does.

Time is bounded by the example counts (``examples()``, scaled by the Hypothesis profile) and the
input sizes the strategies allow; the CLI cases run in a subprocess with CPU and memory limits.
"""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reconciler.canonical import sha256
from reconciler.engine.planfile import from_json, to_json
from reconciler.engine.review import review_saved
from reconciler.environment import check_base_url, clean_secret, parse_number
from reconciler.errors import EXIT_CODES, ConfigError, ReconcileError
from reconciler.sources.base import ImportOptions
from reconciler.sources.service import import_from_file
from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.fmt import FormatOutcome, format_paths
from reconciler.yamlio.load import load_catalog
from tests.engine.harness import Harness
from tests.hostile.bounded import check, run
from tests.strategies import catalogs, examples

REPO = Path(__file__).resolve().parents[2]
PIZZERIA = REPO / "catalogs" / "pizzeria.yaml"
CAFE = REPO / "catalogs" / "cafe.yaml"
POS_FIXTURES = REPO / "tests" / "fixtures" / "pos"
DOCUMENTED = {code for code, _ in EXIT_CODES}


def fuzz(n: int) -> settings:
    """``n`` examples (scaled by the profile); no deadline: the machine may be busy, the count bounds the time."""
    return settings(
        max_examples=examples(n),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        deadline=None,
    )


# -- hostile YAML ------------------------------------------------------------------------------------
FRAGMENTS = [
    "&a ",
    "*a",
    "*nope",
    "<<: *a\n",
    "!!python/object:os.system ls",
    "!!binary aGk=",
    "!money ",
    "!!omap ",
    "\t",
    "\x00",
    "\x1b[31m",
    "\x85",
    "\u2028",
    "\ufeff",
    "\x7f",
    "\ud7ff",
    "? [a, b]\n: 1\n",
    "? {a: b}\n: 1\n",
    ".nan",
    "-.inf",
    "1e400",
    "9" * 400,
    '"1234567890123456789012345678.00"',
    "'",
    '"',
    "\\",
    ": ",
    "- ",
    "#",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "[" * 80,
    "]" * 80,
    "{" * 80,
    "}" * 80,
    "\n" + "  " * 70 + "- x",
    "｜",
    "１２",
    "١٢",
    "   ",
    "{id: x}",
    "[x, y]",
    "null",
    "~",
    "yes",
    "0x1F",
    "0o17",
    "2001-12-14",
    "price: .NaN\n",
    "currency: BTC\n",
    "currency: usd\n",
    "version: 2\n",
    "\r",
    "\r\n",
]


def _splice(text: str, pieces: list[tuple[int, str]]) -> str:
    for position, piece in pieces:
        at = position % (len(text) + 1)
        text = text[:at] + piece + text[at:]
    return text


def _alias_bomb(levels: int, width: int) -> str:
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


base_yaml = st.one_of(
    st.just(PIZZERIA.read_text(encoding="utf-8")),
    st.just(CAFE.read_text(encoding="utf-8")),
    catalogs().map(dump_catalog),
)
hostile_yaml = st.one_of(
    st.tuples(base_yaml, st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(FRAGMENTS)), max_size=6)).map(
        lambda drawn: _splice(*drawn).encode("utf-8", "surrogatepass")
    ),
    st.tuples(base_yaml, st.lists(st.tuples(st.integers(0, 10**6), st.text(max_size=20)), max_size=4)).map(
        lambda drawn: _splice(*drawn).encode("utf-8", "surrogatepass")
    ),
    # Byte-level damage: invalid UTF-8, truncation.
    st.tuples(base_yaml, st.integers(0, 10**6), st.binary(min_size=1, max_size=8)).map(
        lambda d: (lambda raw, at: raw[:at] + d[2] + raw[at:])(d[0].encode(), d[1] % (len(d[0]) + 1))
    ),
    st.tuples(base_yaml, st.integers(0, 10**6)).map(lambda d: d[0].encode()[: d[1] % (len(d[0]) + 1)]),
    st.builds(_alias_bomb, st.integers(2, 9), st.integers(2, 10)).map(str.encode),
)


# What fmt refuses leaves the file as it was: invalid YAML or catalog, and comments it would lose.
REFUSALS = {FormatOutcome.INVALID, FormatOutcome.HAS_COMMENTS}


@fuzz(150)
@given(data=hostile_yaml)
# Found by this property: an anchor before the schema comment makes that line a comment fmt would
# lose, so fmt refuses the (valid) catalog; the property once expected such a file to be formatted.
@example(data=b"&a " + PIZZERIA.read_bytes())
def test_hostile_yaml_is_our_error_or_a_sound_catalog(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("yaml") / "catalog.yaml"
    path.write_bytes(data)
    try:
        loaded = load_catalog(path)
    except ReconcileError as exc:
        assert exc.exit_code in DOCUMENTED
        loaded = None
    results = format_paths([path])
    assert all(r.outcome in FormatOutcome for r in results)
    if any(r.outcome in REFUSALS for r in results):
        assert path.read_bytes() == data, "fmt changed a file it refused"
        if any(r.outcome == FormatOutcome.INVALID for r in results):
            assert loaded is None or len(results) != 1, "fmt refused a file validate accepts"
        else:  # a comment it would lose: refused again, the file still untouched
            assert [r.outcome for r in format_paths([path])] == [r.outcome for r in results]
            assert path.read_bytes() == data
        return
    if loaded is not None:
        assert load_catalog(path) == loaded, "fmt changed what the catalog says"
        formatted = path.read_bytes()
        assert all(r.outcome == FormatOutcome.UNCHANGED for r in format_paths([path]))
        assert path.read_bytes() == formatted


@pytest.mark.e2e
@fuzz(12)
@given(data=hostile_yaml, command=st.sampled_from(["validate", "fmt", "plan"]))
def test_hostile_yaml_through_the_cli_exits_with_a_documented_code(tmp_path_factory, data, command):
    folder = tmp_path_factory.mktemp("cli")
    path = folder / "catalog.yaml"
    path.write_bytes(data)
    result = check(
        run(
            [command, str(path), "--state-dir", str(folder / "state")] if command == "plan" else [command, str(path)],
            cwd=folder,
        ),
        codes=DOCUMENTED,
    )
    if result.code != 0:
        assert path.read_bytes() == data


# -- hostile POS JSON --------------------------------------------------------------------------------
HOSTILE_VALUES = [
    10**40,
    -(10**40),
    -1,
    0,
    2**63,
    1.5,
    1e308,
    "",
    " ",
    "\x00",
    "\x1b[2J",
    "1" * 5000,
    "NaN",
    "Infinity",
    None,
    True,
    [],
    {},
    [[[[[]]]]],
    {"a": {"b": {"c": {}}}},
    "١٢",
    "１２",
    "𝟙𝟚",
    "-0",
    "1e400",
]
RAW_TOKENS = ["NaN", "Infinity", "-Infinity", "1e400", "[" * 300 + "]" * 300]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:8]):
            found += _paths(item, (*prefix, index))
    return found


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


FIXTURES = {
    "square": json.loads((POS_FIXTURES / "square-catalog.json").read_text(encoding="utf-8")),
    "toast": json.loads((POS_FIXTURES / "toast-menus.json").read_text(encoding="utf-8")),
    "clover": json.loads((POS_FIXTURES / "clover-inventory.json").read_text(encoding="utf-8")),
}
PATHS = {pos: _paths(data) for pos, data in FIXTURES.items()}


@st.composite
def hostile_exports(draw) -> tuple[str, str]:
    pos = draw(st.sampled_from(sorted(FIXTURES)))
    data = FIXTURES[pos]
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS[pos]))
        try:
            data = _replace(data, path, draw(st.sampled_from(HOSTILE_VALUES)))
        except (KeyError, IndexError, TypeError):
            continue
    text = json.dumps(data)
    if draw(st.booleans()):  # tokens json.dumps would never write, where a number stands
        text = text.replace("0", draw(st.sampled_from(RAW_TOKENS)), 1)
    return pos, text


@fuzz(150)
@given(export=hostile_exports(), currency=st.sampled_from([None, "USD", "JPY", "BTC"]))
def test_hostile_pos_exports_are_our_error_or_a_valid_catalog(tmp_path_factory, export, currency):
    pos, text = export
    path = tmp_path_factory.mktemp("pos") / "export.json"
    path.write_text(text, encoding="utf-8")
    try:
        output = import_from_file(pos, path, ImportOptions(currency=currency))
    except ReconcileError as exc:
        assert exc.exit_code in DOCUMENTED
        return
    yaml_path = path.with_suffix(".yaml")
    yaml_path.write_text(output.text, encoding="utf-8")
    assert load_catalog(yaml_path) == output.result.catalog


# -- hostile saved plans -----------------------------------------------------------------------------
@pytest.fixture(scope="module", params=["v3", "menus"])
def saved(request, tmp_path_factory):
    """A site with the pizzeria applied, and the plan to the café saved (both targets)."""
    harness = Harness(tmp_path_factory.mktemp(f"plans-{request.param}"), api=request.param)
    harness.apply(load_catalog(PIZZERIA))
    plan = harness.plan(load_catalog(CAFE))
    SAVED[request.param] = json.loads(to_json(plan))
    return harness, request.param, plan


PLAN_VALUES = [
    "/../../_emulator/wipe",
    "DELETE",
    "PATCH",
    "deleteEverything",
    0,
    -1,
    10**40,
    None,
    True,
    "",
    [],
    {},
    {"$ref": "item:nope"},
    {"$rev": "menu:nope"},
    "x" * 300,
    "\x1b[2J",
    {"a": [{"b": {}}]},
    1.5,
]


SAVED: dict[str, dict] = {}  # the untampered plan documents, by API (kept out of the strategies' reprs)


@st.composite
def tampered_plans(draw, api: str) -> dict:
    document = SAVED[api]
    paths = [p for p in _paths(document) if p and p[0] not in ("checksum", "format", "version")]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        try:
            document = _replace(document, path, draw(st.sampled_from(PLAN_VALUES)))
        except (KeyError, IndexError, TypeError):
            continue
    document = {k: v for k, v in document.items() if k != "checksum"}
    try:
        checksum = "sha256:" + sha256(document)  # recomputed, as anyone who can edit the file can
    except TypeError:  # a number canonical JSON cannot hold: the plan's reader refuses it first
        checksum = "sha256:" + "0" * 64
    return {**document, "checksum": checksum}


@fuzz(60)
@given(data=st.data())
def test_a_tampered_plan_is_refused_or_does_exactly_what_the_reviewed_plan_does(saved, data):
    harness, api, original = saved
    tampered = data.draw(tampered_plans(api))
    try:
        plan = from_json(json.dumps(tampered), "tampered.json")
    except ReconcileError as exc:
        assert exc.exit_code in DOCUMENTED
        return

    async def review():
        async with harness.target() as target:
            return await review_saved(plan, target, harness.store, harness.thresholds, "tampered.json")

    try:
        reviewed = asyncio.run(review())
    except ReconcileError as exc:
        assert exc.exit_code in DOCUMENTED
        return
    # Accepted: then it is the reviewed plan, call for call (the summary and verdict are apply's own).
    assert reviewed.operations == original.operations and reviewed.changes == original.changes
    assert reviewed.ids == original.ids and reviewed.mapping == original.mapping


# -- hostile environment values ----------------------------------------------------------------------
env_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "nan", "NaN", "inf", "-inf", "1e400", "0", "-0", "1.5", "١٠", "１０", "0x10", "1_000"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
)


@fuzz(300)
@given(raw=env_text, low=st.sampled_from([None, 0, 1]), high=st.sampled_from([None, 1, 10**9]), integer=st.booleans())
def test_a_number_from_the_environment_is_finite_and_in_range_or_refused_by_name(raw, low, high, integer):
    try:
        value = parse_number(raw, "RECONCILE_SOMETHING", low=low, high=high, integer=integer)
    except ConfigError as exc:
        assert "RECONCILE_SOMETHING" in str(exc)
        return
    assert math.isfinite(value)
    assert (low is None or value >= low) and (high is None or value <= high)
    assert not integer or value == int(value)


@fuzz(300)
@given(raw=st.one_of(st.text(max_size=40), st.text(max_size=20).map(lambda s: "tok-" + s + "\n")))
def test_a_credential_is_a_valid_header_value_or_refused_without_showing_it(raw):
    try:
        value = clean_secret("SOME_TOKEN", raw)
    except ConfigError as exc:
        assert "SOME_TOKEN" in str(exc)
        assert raw.strip() not in str(exc) or len(raw.strip()) < 4
        return
    assert value == value.strip()
    httpx.Headers({"Authorization": value}).raw  # noqa: B018 - would raise on a value a header cannot carry
    httpx.Request("GET", "http://127.0.0.1/", headers={"Authorization": value})


url_text = st.one_of(
    st.text(max_size=40),
    st.tuples(
        st.sampled_from(["http://", "https://", "ftp://", "", "http:/", "HTTP://"]),
        st.sampled_from(["localhost", "127.0.0.1", "[::1", "[::1]", "exa mple.com", "a\r\nb", "", "user:pw@host"]),
        st.sampled_from(["", ":0", ":80", ":99999", ":-1", ":abc", "/path", "/?q=1", "#f", "/%00"]),
    ).map("".join),
)


@fuzz(300)
@given(raw=url_text)
def test_a_base_url_is_one_httpx_can_use_or_refused_by_name(raw):
    try:
        value = check_base_url("WIX_API_BASE_URL", raw)
    except ConfigError as exc:
        assert "WIX_API_BASE_URL" in str(exc)
        return
    url = httpx.URL(value)
    assert url.scheme in ("http", "https") and url.host
    assert url.port is None or 1 <= url.port <= 65535
    httpx.Request("GET", url.join("/restaurants/v3/catalogs"))
