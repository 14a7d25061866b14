"""`reconcile rollback --out` plans are signed with RECONCILE_PLAN_KEY and reviewed on `apply --plan`, on both Wix APIs.

A rollback plan carries no catalog (it goes back to a journaled before-state), so `apply --plan`
cannot make it again to check it: it applies one only when its signature under the key checks out,
and still checks its calls against the target's API, its target, that the live side has not moved,
and its verdict under the thresholds in force. The real CLI against a real emulator server.
"""

from __future__ import annotations

import json

import pytest

from reconciler.engine.planfile import _checksum
from tests.e2e.test_review_cli import api_site, edited_pizzeria, writes  # noqa: F401  (api_site is a fixture)

pytestmark = pytest.mark.e2e
KEY = "k" * 40


def _changed_site(api_site, tmp_path):  # noqa: F811
    _, where, site = api_site
    site.cli("apply", "catalogs/pizzeria.yaml", *where, "--auto-approve")
    site.env.update(RECONCILE_MAX_UPDATE_SHARE="1", RECONCILE_MAX_REMOVE_SHARE="1")  # a big change, on purpose
    site.cli("apply", str(edited_pizzeria(tmp_path)), *where, "--auto-approve")
    return where, site


def _retampered(path, edit) -> None:
    """Edit a saved plan and recompute its checksum, as anyone who can write the file can."""
    document = json.loads(path.read_text())
    edit(document)
    body = {k: v for k, v in document.items() if k not in ("checksum", "signature")}
    document["checksum"] = _checksum(body)
    path.write_text(json.dumps(document, sort_keys=True, indent=2))


def test_a_signed_rollback_plan_applies_and_puts_the_menu_back(api_site, tmp_path):  # noqa: F811
    where, site = _changed_site(api_site, tmp_path)
    saved = tmp_path / "back.json"
    site.cli("rollback", "--out", str(saved), env={"RECONCILE_PLAN_KEY": KEY})
    assert json.loads(saved.read_text())["signature"].startswith("hmac-sha256:")
    before = writes(site)
    unsigned = site.cli("apply", "--plan", str(saved), "--auto-approve", check=5)  # no key: cannot be checked
    assert "RECONCILE_PLAN_KEY" in unsigned.stderr and writes(site) == before
    wrong = site.cli("apply", "--plan", str(saved), "--auto-approve", check=5, env={"RECONCILE_PLAN_KEY": "w" * 40})
    assert "signature" in wrong.stderr and writes(site) == before
    site.cli("apply", "--plan", str(saved), "--auto-approve", env={"RECONCILE_PLAN_KEY": KEY})
    assert site.cli("plan", "catalogs/pizzeria.yaml", *where, "--detailed-exitcode").returncode == 0


def test_a_tampered_rollback_plan_is_refused_and_sends_nothing(api_site, tmp_path):  # noqa: F811
    _, site = _changed_site(api_site, tmp_path)
    saved = tmp_path / "back.json"
    site.cli("rollback", "--out", str(saved), env={"RECONCILE_PLAN_KEY": KEY})

    def wipe(document):
        document["operations"][0]["path"] = "/../../_emulator/wipe"

    _retampered(saved, wipe)
    before = writes(site)
    refused = site.cli("apply", "--plan", str(saved), "--auto-approve", check=5, env={"RECONCILE_PLAN_KEY": KEY})
    assert "signature" in refused.stderr and writes(site) == before


def test_a_signed_rollback_plan_gets_its_verdict_from_the_thresholds_in_force(api_site, tmp_path):  # noqa: F811
    where, site = _changed_site(api_site, tmp_path)
    saved = tmp_path / "back.json"
    site.cli("rollback", "--out", str(saved), env={"RECONCILE_PLAN_KEY": KEY})
    assert json.loads(saved.read_text())["safety"]["unsafe"] is False  # made under shares of 100%
    before = writes(site)
    strict = {"RECONCILE_PLAN_KEY": KEY, "RECONCILE_MAX_UPDATE_SHARE": "0.01", "RECONCILE_MAX_REMOVE_SHARE": "0.01"}
    refused = site.cli("apply", "--plan", str(saved), "--auto-approve", check=6, env=strict)
    assert "unsafe" in (refused.stdout + refused.stderr).lower() and writes(site) == before
    site.cli("apply", "--plan", str(saved), "--auto-approve", "--force", env=strict)
    assert site.cli("plan", "catalogs/pizzeria.yaml", *where, "--detailed-exitcode").returncode == 0
