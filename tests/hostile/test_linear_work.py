"""Import, YAML loading and fmt do work in proportion to their input: pinned by counting, never by timing.

The work is the number of Python function calls (sys.setprofile counts every call and C call; it
patches nothing) a run makes, at one size and at twice that size. Linear work doubles (a
constant start-up share makes it a little less); work that grows with the square of the input
(a list scanned for every element: the one-big-category import once did) quadruples. The bounds
also require the count to grow at all, so a test that measured nothing would fail.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bench import generate, pos_exports
from reconciler.sources.base import ImportOptions
from reconciler.sources.errors import SourceInvalid
from reconciler.sources.service import import_from_file
from reconciler.yamlio.fmt import canonical_text
from reconciler.yamlio.source import read_counted

SMALL = 300
LINEAR = (1.6, 2.3)  # the ratio of the work at 2n to the work at n


def calls(run: Callable[[], object]) -> int:
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return count


def ratio(work: Callable[[int], Callable[[], object]]) -> float:
    small, large = work(SMALL), work(2 * SMALL)
    calls(small)  # warm caches (imports, lru caches) so both counts see the same steady state
    return calls(large) / calls(small)


@pytest.mark.parametrize("one_category", [False, True], ids=["categories", "one-category"])
@pytest.mark.parametrize("pos", pos_exports.POSES)
def test_import_work_is_linear_in_the_objects(tmp_path: Path, pos, one_category):
    options = ImportOptions(currency="USD") if pos == "toast" else ImportOptions()

    def work(size: int) -> Callable[[], object]:
        path = pos_exports.write(pos, size, tmp_path / f"{pos}-{size}.json", one_category)
        return lambda: import_from_file(pos, path, options)

    low, high = LINEAR
    assert low < ratio(work) < high


def test_yaml_loading_work_is_linear_in_the_text():
    def work(dishes: int) -> Callable[[], object]:
        text = generate.dump(generate.generate(dishes, seed=3))
        return lambda: read_counted(text, "catalog.yaml")

    low, high = LINEAR
    assert low < ratio(work) < high
    text = generate.dump(generate.generate(SMALL, seed=3))
    events = read_counted(text, "catalog.yaml")[2]
    assert read_counted(text + text.split("\n", 1)[1].replace("version: 1\n", ""), "x")[2] > events


def test_fmt_work_is_linear_with_a_comment_on_every_dish():
    def work(dishes: int) -> Callable[[], object]:
        text = generate.dump(generate.generate(dishes, seed=5))
        commented = text.replace("\n- id: d", "\n# checked by the kitchen\n- id: d")
        assert commented.count("# checked by the kitchen") >= dishes
        return lambda: canonical_text(commented, "catalog.yaml", drop_comments=True)

    low, high = LINEAR
    assert low < ratio(work) < high


def test_an_export_over_the_object_limit_is_refused_naming_the_variable(tmp_path: Path, monkeypatch):
    path = pos_exports.write("clover", 100, tmp_path / "clover.json")
    import_from_file("clover", path, ImportOptions())  # within the default limit
    monkeypatch.setenv("RECONCILE_MAX_IMPORT_OBJECTS", "50")
    with pytest.raises(SourceInvalid) as refused:
        import_from_file("clover", path, ImportOptions())
    message = refused.value.render() if hasattr(refused.value, "render") else str(refused.value)
    assert "more than 50 JSON objects and lists" in message and "RECONCILE_MAX_IMPORT_OBJECTS" in message
