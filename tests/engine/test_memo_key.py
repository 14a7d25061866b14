"""The plan memo's key of a live read (engine/memo.py): the settled mapping counts by value, whatever
order its rows come in (a database's collation orders them its own way) and whichever path built
them (Entry rows after a full plan, the database's rows for a memo's answer)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reconciler.engine.memo import PlanMemo
from reconciler.state.mapping import Entry, MappingStore

TEXT = st.text(alphabet="aBz-_é0", min_size=1, max_size=4)
ENTRIES = st.lists(
    st.builds(Entry, st.sampled_from(["item", "menu", "group"]), TEXT, TEXT, st.none() | TEXT),
    unique_by=lambda e: (e.namespace, e.local_id),
    max_size=6,
)


def _memo(tmp_path) -> PlanMemo:
    return PlanMemo(tmp_path, "catalog-key", {"target": "wix-v3"})


@given(entries=ENTRIES, order=st.randoms())
def test_the_key_is_the_mappings_value_in_any_order(tmp_path_factory, entries, order):
    memo = _memo(tmp_path_factory.mktemp("memo"))
    shuffled = [e.row() for e in entries]
    order.shuffle(shuffled)
    assert memo.live_key("s", "raw", shuffled, "w") == memo.live_key("s", "raw", [e.row() for e in entries], "w")


@given(entries=ENTRIES.filter(bool), field=st.integers(0, 3), pick=st.integers(0, 5))
def test_any_field_of_any_row_changes_the_key(tmp_path_factory, entries, field, pick):
    memo = _memo(tmp_path_factory.mktemp("memo"))
    rows = [e.row() for e in entries]
    changed = list(rows)
    row = list(changed[pick % len(rows)])
    row[field] = "other" if row[field] != "other" else "other2"
    changed[pick % len(rows)] = tuple(row)
    keys = {memo.live_key("s", "raw", rows, "w"), memo.live_key("s", "raw", changed, "w")}
    assert len(keys) == 2
    assert memo.live_key("s", "raw", rows, "w") != memo.live_key("s", "raw", rows[1:], "w")


def test_the_databases_rows_key_as_the_entries_rows_do(tmp_path):
    """A memo's answer hashes the database's rows; the full plan that kept it, its Entry rows."""
    store = MappingStore(tmp_path / "state.sqlite")
    entries = [Entry("item", "b", "w2", "h"), Entry("item", "a", "w1"), Entry("menu", "a", "w3", "h3")]
    store.stage("scope", "run", entries)
    store.commit("scope", "run")
    memo = _memo(tmp_path)
    assert sorted(store.rows("scope")) == sorted(e.row() for e in entries)
    assert memo.live_key("scope", "raw", store.rows("scope"), "w") == memo.live_key(
        "scope", "raw", [e.row() for e in store.entries("scope")], "w"
    )
    store.close()
