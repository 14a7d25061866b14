"""serve keeps the last catalog of each file in memory while its bytes are unchanged (serve/catalogs.py)."""

from __future__ import annotations

from reconciler.serve.catalogs import previous

CATALOG = """\
version: 1
currency: USD
menus:
  - id: main
    name: Main
    sections:
      - id: mains
        name: Mains
        dishes: [soup]
dishes:
  - id: soup
    name: Soup
    price: "{price}"
"""


def test_the_same_bytes_are_the_same_catalog_and_a_changed_byte_a_new_load(tmp_path, monkeypatch):
    monkeypatch.delenv("RECONCILE_CATALOG_CACHE", raising=False)
    path, state = tmp_path / "menu.yaml", tmp_path / "state"
    path.write_text(CATALOG.format(price="5.00"), encoding="utf-8")
    first = previous(path, state)
    assert first is not None and str(first.dishes[0].price) == "5.00"
    assert previous(path, state) is first  # not parsed, nor validated, again
    path.write_text(CATALOG.format(price="5.50"), encoding="utf-8")
    second = previous(path, state)
    assert second is not first and str(second.dishes[0].price) == "5.50"


def test_a_file_that_no_longer_loads_or_is_gone_is_none(tmp_path, monkeypatch):
    monkeypatch.delenv("RECONCILE_CATALOG_CACHE", raising=False)
    path, state = tmp_path / "menu.yaml", tmp_path / "state"
    path.write_text(CATALOG.format(price="5.00"), encoding="utf-8")
    assert previous(path, state) is not None
    path.write_text(CATALOG.format(price="five"), encoding="utf-8")
    assert previous(path, state) is None
    path.unlink()
    assert previous(path, state) is None


def test_with_the_cache_off_every_call_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("RECONCILE_CATALOG_CACHE", "off")
    path, state = tmp_path / "menu.yaml", tmp_path / "state"
    path.write_text(CATALOG.format(price="5.00"), encoding="utf-8")
    assert previous(path, state) is not previous(path, state)
