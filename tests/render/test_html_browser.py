"""The HTML plan in a real browser: headless Chromium (Debian's `chromium`), over the DevTools protocol.

From the rendered page: every dish a pull request changes is marked (and the mark is visible,
in words), every price shown equals the plan's, the page asks for nothing but itself (checked
on a control page that does fetch), and a screenshot is kept as an artifact under
build/test-artifacts/ (or $RECONCILE_TEST_ARTIFACTS).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.render import site_case
from tests.render.review_case import read_page
from tests.render.test_html_plan import (
    APIS,
    NEW_YEAR,
    applied_then_changed,
    board_dishes,
    choice_prices,
    online_orders_before_and_after,
    prices,
)
from tests.support import chromium

pytestmark = pytest.mark.e2e
BROWSER = chromium.binary()
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="Debian's chromium is not installed (`.ci/run` installs it: apt-get install chromium)"
)
ARTIFACTS = Path(
    os.environ.get("RECONCILE_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "build" / "test-artifacts")
)

# What the rendered page says about each dish entry once every section is open.
MARKS = """(() => { document.getElementById('expand').click();
  return [...document.querySelectorAll('li.dish')].map(li => ({
    dish: li.dataset.dish, status: li.dataset.status,
    badge: (li.querySelector(':scope > .badge') || {}).textContent || '',
    shown: li.getBoundingClientRect().height > 0 })); })()"""


def load(path: Path, screenshot: Path | None = None, script: str | None = None):
    async def go():
        assert BROWSER is not None
        async with chromium.chromium(BROWSER) as page:
            loaded = await page.open(path.resolve().as_uri())
            marks = await page.evaluate(script) if script else None
            if screenshot is not None:
                await page.screenshot(screenshot)
            return loaded, marks

    return asyncio.run(go())


@needs_browser
@pytest.mark.parametrize("api", APIS)
def test_the_browser_shows_every_change_marked_and_every_price_the_plans(tmp_path, api):
    _, before, after, _, page = applied_then_changed(tmp_path, api)
    path = tmp_path / "plan.html"
    path.write_text(page, encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"plan-{api}.png"
    loaded, marks = load(path, shot, MARKS)
    assert loaded.requests == []
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    old, new = board_dishes(before, api), board_dishes(after, api)
    rendered = read_page(loaded.html).dishes
    assert {d.name for d in rendered} == set(old) | set(new)
    for seen in rendered:  # the DOM the browser built, not the file
        truth = old[seen.name][2] if seen.status == "removed" else new[seen.name][2]
        assert seen.prices == prices(truth), seen
        assert seen.choices == choice_prices(truth), seen
    changed = {n for n in set(old) & set(new) if old[n][2] != new[n][2]} | (set(old) ^ set(new))
    by_name = {d.dish: d.name for d in rendered}
    for mark in marks:
        assert mark["shown"], mark
        if by_name[mark["dish"]] in changed:
            assert mark["status"] != "unchanged" and mark["badge"].strip(), mark
        if mark["status"] == "unchanged":
            assert mark["badge"] == "", mark


@needs_browser
def test_a_page_that_fetches_something_is_caught(tmp_path):
    """The control: the same check sees a request the page makes (so an empty list means something)."""
    path = tmp_path / "fetches.html"
    path.write_text('<!DOCTYPE html><title>x</title><img src="http://cdn.example.invalid/dish.png">', encoding="utf-8")
    loaded, _ = load(path)
    assert loaded.requests == ["http://cdn.example.invalid/dish.png"]


SITE_MARKS = MARKS.replace(
    "dish: li.dataset.dish,", "dish: li.dataset.dish, location: li.closest('details.location').dataset.location,"
)


@needs_browser
@pytest.mark.parametrize("api", APIS)
def test_a_plan_of_several_locations_marks_every_change_at_every_location(tmp_path, api):
    _, before, after, _, page = site_case.applied_then_changed(tmp_path, api)
    path = tmp_path / "site-plan.html"
    path.write_text(page, encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    loaded, marks = load(path, ARTIFACTS / f"site-plan-{api}.png", SITE_MARKS)
    assert loaded.requests == []
    rendered = read_page(loaded.html).dishes
    assert {d.location for d in rendered} == set(site_case.LOCATIONS)
    names = {(d.location, d.dish): d.name for d in rendered}
    for location in site_case.LOCATIONS:
        old, new = site_case.board(before, location, api), site_case.board(after, location, api)
        here = [d for d in rendered if d.location == location]
        assert {d.name for d in here} == set(old) | set(new), location
        for seen in here:  # the DOM the browser built, each price the plan's for this location
            truth = old[seen.name][2] if seen.status == "removed" else new[seen.name][2]
            assert seen.prices == prices(truth), (location, seen)
            assert seen.choices == choice_prices(truth), (location, seen)
        changed = {n for n in set(old) & set(new) if old[n][2] != new[n][2]} | (set(old) ^ set(new))
        assert changed, location  # the pull request changes something at every location
        for mark in (m for m in marks if m["location"] == location):
            assert mark["shown"], mark
            if names[(location, mark["dish"])] in changed:
                assert mark["status"] != "unchanged" and mark["badge"].strip(), mark
            if mark["status"] == "unchanged":
                assert mark["badge"] == "", mark


# The menu's own lines as the browser shows them: its mark, its facts (hours, closures, online
# ordering) and what changed, each visible.
MENU_MARKS = """(() => [...document.querySelectorAll('section.menu')].map(s => ({
  menu: s.dataset.menu, status: s.dataset.status,
  badge: (s.querySelector(':scope > h2 > .badge') || {}).textContent || '',
  facts: [...s.querySelectorAll(':scope > p.availability')].map(p => p.innerText).join(' | '),
  deltas: [...s.querySelectorAll(':scope > ul.deltas > li')].map(li => ({
    text: li.innerText, was: (li.querySelector('del') || {}).textContent || '',
    now: (li.querySelector('ins') || {}).textContent || '' })),
  shown: s.querySelector(':scope > p.availability').getBoundingClientRect().height > 0 })))()"""


@needs_browser
def test_online_orders_settings_on_menus_new_are_shown_and_marked(tmp_path):
    plan, page = online_orders_before_and_after(tmp_path, "menus")
    path = tmp_path / "online-orders.html"
    path.write_text(page, encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    loaded, menus = load(path, ARTIFACTS / "plan-online-orders-menus.png", MENU_MARKS)
    assert loaded.requests == []
    assert {op.call for op in plan.operations} == {
        "menuOrderingSettings.upsertMenuOrderingSettingsByMenuId",
        "availabilityExceptions.createAvailabilityException",
    }
    [menu] = menus
    assert menu["status"] == "changed" and menu["badge"].strip() == "~ Changed" and menu["shown"], menu
    assert "mon 12:00–15:00" in menu["facts"] and "not for online orders" in menu["facts"]
    assert f"closed {NEW_YEAR['start']} – {NEW_YEAR['end']} (New Year)" in menu["facts"]
    [availability] = menu["deltas"]
    assert availability["text"].startswith("availability:")
    assert "mon 11:00–15:00" in availability["was"] and "New Year" not in availability["was"]
    assert "not for online orders" in availability["now"] and "New Year" in availability["now"]
