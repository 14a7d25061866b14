"""The fast canonical emitter writes exactly what PyYAML writes (PyYAML is the oracle).

`reconcile fmt` and `import` write the canonical form with :class:`_Emitter`; PyYAML's emitter,
with the settings the format was defined by, judges it. Generated catalogs cover the structure;
generated texts (any code point a catalog allows, in every position: block value, block list
item, flow list, flow record) cover the scalar styles.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.yamlio.dump import _Emitter, _FlowList, _FlowMap, _pyyaml, _Unusual, to_data
from tests.strategies import catalogs

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    max_size=12,
)
WORDS = st.text(alphabet=st.sampled_from("ab ,'-#:\n\t\"\\01.&"), max_size=8)
ANY = st.one_of(TEXT, WORDS, st.sampled_from(["yes", "07:00", "1_000", "null", "~", "-", "- a", "a\n", "a\nb"]))


def _same(data: dict) -> None:
    expected = _pyyaml(data)
    try:
        written = _Emitter().document(data)
    except _Unusual:
        return  # left to PyYAML: nothing to compare
    assert written == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_generated_catalogs_are_written_as_pyyaml_writes_them(catalog):
    _same(to_data(catalog))


@settings(max_examples=400, deadline=None)
@given(ANY, ANY, st.integers(), st.booleans())
def test_every_text_in_every_position(a, b, number, flag):
    _same(
        {
            "name": a,
            "dishes": [{"id": b, "description": a, "count": number, "visible": flag}],
            "labels": _FlowList([a, b]),
            "choices": [_FlowMap({"item": a, "price": b}), _FlowMap({})],
            "items": [a, b],
            "empty": [],
            "none": {},
            "nested": {"deep": {"text": a}},
        }
    )


def test_fast_emitter_covers_the_examples_and_a_plain_catalog():
    """_Unusual is for rare texts: ordinary catalogs must not fall back to the slow path."""
    from pathlib import Path

    from reconciler.yamlio.load import load_catalog

    for example in sorted(Path("catalogs").glob("*.yaml")):
        data = to_data(load_catalog(example))
        assert _Emitter().document(data) == _pyyaml(data)
