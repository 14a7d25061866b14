"""The depth and size of a decoded document read from its bytes agree with the walk of its value."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler import jsonio
from tests.strategies import examples

tricky = st.text(alphabet='ab[]{}"\\:,é\n', max_size=6) | st.text(alphabet="ab:,é\n ", max_size=6)
documents = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | tricky,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(tricky, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=examples(500))
@given(value=documents, limit=st.integers(1, 12))
def test_the_shape_from_bytes_is_the_shape_of_the_walk(value, limit):
    data = orjson.dumps(value)
    found = jsonio._shape(data, limit)
    walked = jsonio._walk(orjson.loads(data), limit, None)
    if found is not None:
        assert (found[0] > limit) == (walked[0] > limit)
        if walked[0] <= limit:
            assert found == walked


def test_a_bracket_in_a_string_or_a_backslash_leaves_it_to_the_walk():
    assert jsonio._shape(b'{"a": "[[["}', 100) is None
    assert jsonio._shape(b'["[", ""]', 100) is None
    assert jsonio._shape(b'["\\"", []]', 100) is None
    assert jsonio._shape(b'{"a": [{"b": []}, "c"]}', 100) == (4, 4)
    assert jsonio._shape(b'"plain"', 100) == (0, 0)


@pytest.mark.parametrize("limit", [1, 5, 100])
def test_a_document_one_level_too_deep_is_refused_and_one_at_the_limit_is_not(limit):
    assert jsonio.loads(b"[" * limit + b"]" * limit, max_depth=limit) is not None
    with pytest.raises(jsonio.JsonInvalid, match="nested more than"):
        jsonio.loads(b"[" * (limit + 1) + b"]" * (limit + 1), max_depth=limit)
    with pytest.raises(jsonio.JsonInvalid, match="more than 2 JSON objects"):
        jsonio.loads(b'{"a": [{}]}', max_containers=2)
