"""`fmt` of a catalog directory: a part without a currency is written in the one another part states."""

from __future__ import annotations

from reconciler.yamlio.fmt import FormatOutcome, format_paths

DISH = 'dishes:\n  - id: tea\n    name: Tea\n    price: "2.5"\n'


def test_prices_of_a_part_take_the_currency_the_first_readable_part_states(tmp_path):
    (tmp_path / "a.yaml").write_text(DISH)
    (tmp_path / "b.yaml").write_bytes(b"name: caf\xe9\n")  # not UTF-8: passed over, reported itself
    (tmp_path / "c.yaml").write_text("- 1\n")  # not a mapping
    (tmp_path / "d.yaml").write_text("currency: 3\n")  # not a code
    (tmp_path / "e.yaml").write_text("version: 1\ncurrency: KWD\n")  # three minor digits
    (tmp_path / "f.yaml").write_text("currency: JPY\n")  # a later part's is not read
    outcomes = {r.file.rsplit("/", 1)[1]: r.outcome for r in format_paths([tmp_path])}
    assert outcomes["a.yaml"] is FormatOutcome.CHANGED
    assert outcomes["b.yaml"] is FormatOutcome.INVALID
    assert (tmp_path / "a.yaml").read_text() == DISH.replace('"2.5"', '"2.500"')


def test_without_any_currency_prices_have_two_digits(tmp_path):
    (tmp_path / "a.yaml").write_text(DISH)
    (tmp_path / "b.yaml").write_text("version: 1\n")
    format_paths([tmp_path])
    assert (tmp_path / "a.yaml").read_text() == DISH.replace('"2.5"', '"2.50"')


def test_a_single_file_is_written_in_its_own_currency_only(tmp_path):
    file = tmp_path / "a.yaml"
    file.write_text(DISH)
    format_paths([file])
    assert file.read_text() == DISH.replace('"2.5"', '"2.50"')
