"""`where_entities` (yamlio/where.py): the ``file:line`` of each entity, for messages that name them."""

from __future__ import annotations

from reconciler.yamlio.where import where_entities

MENU = """version: 1
currency: USD
menus:
  - id: all-day
    name: All Day
    sections:
      - id: bakes
        name: Bakes
        dishes: [tea]
      - name: no id
  - sections: []
"""
DISHES = """version: 1
dishes:
  - id: tea
    name: Tea
    price: "2.00"
  - 7
variations:
  - id: small
    name: Small
option_groups:
  - id: size
    name: Size
"""


def test_every_named_entity_is_found_at_the_line_of_its_entry(tmp_path):
    (tmp_path / "a-menu.yaml").write_text(MENU)
    (tmp_path / "b-dishes.yaml").write_text(DISHES)
    menu, dishes = tmp_path / "a-menu.yaml", tmp_path / "b-dishes.yaml"
    assert where_entities(tmp_path) == {
        ("menus", "all-day"): f"{menu}:4",
        ("sections", "bakes"): f"{menu}:7",
        ("dishes", "tea"): f"{dishes}:3",
        ("variations", "small"): f"{dishes}:8",
        ("option_groups", "size"): f"{dishes}:11",
    }


def test_an_id_written_twice_is_found_where_it_is_first_written(tmp_path):
    (tmp_path / "a.yaml").write_text("dishes:\n  - id: tea\n")
    (tmp_path / "b.yaml").write_text("dishes:\n  - id: tea\n")
    assert where_entities(tmp_path) == {("dishes", "tea"): f"{tmp_path / 'a.yaml'}:2"}


def test_files_that_do_not_read_as_a_catalog_are_passed_over(tmp_path):
    (tmp_path / "a.yaml").write_bytes(b"dishes:\n  - id: caf\xe9\n")  # not UTF-8
    (tmp_path / "b.yaml").write_text("- id: tea\n")  # a list, not a catalog
    (tmp_path / "c.yaml").write_text("dishes: [\n")  # a syntax error
    (tmp_path / "d.yaml").write_text("menus:\n  - 3\n  - id: m\n    sections:\n      - 5\ndishes:\n  - id: cake\n")
    d = tmp_path / "d.yaml"
    assert where_entities(tmp_path) == {("menus", "m"): f"{d}:3", ("dishes", "cake"): f"{d}:7"}


def test_a_single_file_can_be_named(tmp_path):
    file = tmp_path / "catalog.yaml"
    file.write_text(DISHES)
    assert where_entities(str(file))[("dishes", "tea")] == f"{file}:3"
