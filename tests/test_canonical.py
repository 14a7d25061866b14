"""The one canonical JSON form and its hashes (reconciler/canonical.py), against hashlib and json directly."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from reconciler.canonical import canonical_json, fingerprint, sha256

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_canonical_json_is_sorted_compact_utf8_json(value):
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert canonical_json(value) == expected
    assert sha256(value) == hashlib.sha256(expected).hexdigest()


def test_key_order_and_spacing_do_not_change_the_hash():
    assert sha256({"b": 1, "a": [1, "é"]}) == sha256(json.loads('{ "a" : [1, "\\u00e9"], "b": 1 }'))
    assert fingerprint({"a": 1}) == sha256({"a": 1})[:20] != fingerprint({"a": 2})
