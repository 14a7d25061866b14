"""A saved plan is applied only as far as apply can prove it is what was reviewed, on both targets.

Every tampered plan below has its checksum recomputed (anyone who can edit the file can), so only
apply's own checks stand between it and the live catalog: the target's known calls and path
templates, the plan made again from the catalog it carries, the safety verdict recomputed, the
catalog id, and (with ``RECONCILE_PLAN_KEY``) the signature. After each refusal the live catalog
is exactly as it was: no write call reached the API, and plans read the same as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.canonical import sha256
from reconciler.errors import ExitCode
from tests.hostile.bounded import Result, check, run
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PIZZERIA = str(REPO / "catalogs" / "pizzeria.yaml")
CAFE = str(REPO / "catalogs" / "cafe.yaml")
KEY = "k" * 8 + "-plan-key-for-tests-0123456789"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    with EmulatorServer(state=tmp_path_factory.mktemp("saved-plans") / "state.sqlite") as server:
        yield server


class Site:
    """One fresh location on the emulator, driven through the real CLI with one target."""

    def __init__(self, emulator: EmulatorServer, tmp_path: Path, target: str) -> None:
        app = "menus" if target == "wix-menus" else "v3"
        self.emulator = emulator
        self.location = emulator.seed(locations=1, names=[f"saved {target} {tmp_path.name}"], app=app)[0]["locationId"]
        self.tmp = tmp_path
        self.env = {
            "WIX_API_BASE_URL": emulator.url,
            "WIX_ACCESS_TOKEN": emulator.token,
            "RECONCILE_STATE_DIR": str(tmp_path / "state"),
        }
        self.where = ["--target", target, "--location", self.location]

    def cli(self, *args: str, codes=(0,), env: dict[str, str] | None = None) -> Result:
        return check(run([*args, *self.where], cwd=self.tmp, env={**self.env, **(env or {})}), codes=codes)

    def writes(self) -> int:
        """Calls that could change something, over the whole emulator (reads are list/get/query)."""
        operations = self.emulator.counters()["operations"]
        reads = ("list", "get", "query", "search")
        return sum(n for name, n in operations.items() if not name.split(".")[-1].startswith(reads))


def _summary(result: Result) -> str:
    return next(line for line in result.stdout.splitlines() if line.startswith("Plan:"))


def tamper(source: Path, target: Path, edit: Callable[[dict], None]) -> Path:
    """A copy of a plan file with ``edit`` applied and its checksum recomputed, as an attacker would."""
    document = json.loads(source.read_text(encoding="utf-8"))
    edit(document)
    document.pop("checksum", None)
    document.pop("signature", None)
    document["checksum"] = "sha256:" + sha256(document)
    target.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return target


def _first_with_body(document: dict) -> dict:
    return next(op for op in document["operations"] if isinstance(op["body"], dict))


def _outside_path(document: dict) -> None:
    _first_with_body(document)["path"] = "/../../_emulator/wipe"


def _unknown_call(document: dict) -> None:
    _first_with_body(document)["call"] = "deleteEverything"


def _other_method(document: dict) -> None:
    _first_with_body(document)["method"] = "DELETE"


def _other_body(document: dict) -> None:
    _first_with_body(document)["body"]["injected"] = {"name": "not reviewed"}


def _extra_call(document: dict) -> None:
    document["operations"].append(dict(_first_with_body(document)))


def _renamed_change(document: dict) -> None:
    document["changes"][0]["name"] = "Something else was reviewed"


def _other_desired(document: dict) -> None:
    document["desired"]["menus"][0]["name"] = "A menu nobody reviewed"


def _no_desired(document: dict) -> None:
    document["desired"] = {}


def _other_catalog(document: dict) -> None:
    """Another catalog (v3) or location (Menus (New)), consistently everywhere the plan names it."""
    old = document["target"]["catalog_id"] or document["target"]["location_id"]
    text = json.dumps(document).replace(old, "0" * 8 + old[8:])
    document.clear()
    document.update(json.loads(text))


TAMPERS = {
    "a path outside the API": (_outside_path, "holds calls outside the target's API"),
    "an unknown call": (_unknown_call, "not a call this target makes"),
    "another method": (_other_method, "the method or path is not the API's"),
    "a body other than the changes make": (_other_body, "does not do what its changes say"),
    "an extra call": (_extra_call, "does not do what its changes say"),
    "changes other than the calls": (_renamed_change, "does not do what its changes say"),
    "a catalog other than the reviewed one": (_other_desired, "does not do what its changes say"),
    "no catalog": (_no_desired, "does not carry the catalog it was made from"),
    "another catalog id or location": (_other_catalog, "was made for"),
}


@pytest.mark.parametrize("target", ["wix-v3", "wix-menus"])
def test_a_tampered_saved_plan_is_refused_and_nothing_is_sent(emulator, tmp_path, target):
    site = Site(emulator, tmp_path, target)
    site.cli("apply", PIZZERIA, "--auto-approve")
    planned = site.cli("plan", CAFE, "--out", "plan.json", "--max-remove-share", "1", "--max-update-share", "1")
    good = tmp_path / "plan.json"
    writes = site.writes()
    for name, (edit, message) in TAMPERS.items():
        bad = tamper(good, tmp_path / "tampered.json", edit)
        refused = site.cli("apply", "--plan", str(bad), "--auto-approve", "--force", codes=[ExitCode.PLAN_FILE_INVALID])
        assert message in refused.stderr, f"{name}: {refused.stderr}"
        assert "Traceback" not in refused.output
        assert site.writes() == writes, f"{name}: a write reached the API"
    # The live catalog is still the pizzeria, and the untampered plan still applies.
    site.cli("plan", PIZZERIA, "--detailed-exitcode")
    again = site.cli("plan", CAFE, "--max-remove-share", "1", "--max-update-share", "1")
    assert _summary(again) == _summary(planned)
    # The thresholds are those in force at apply time: the plan was made under looser ones.
    site.cli("apply", "--plan", str(good), "--auto-approve", codes=[ExitCode.UNSAFE_PLAN])
    site.cli("apply", "--plan", str(good), "--auto-approve", "--max-remove-share", "1", "--max-update-share", "1")
    site.cli("plan", CAFE, "--detailed-exitcode")


@pytest.mark.parametrize("target", ["wix-v3", "wix-menus"])
def test_an_unsafe_plan_marked_safe_still_needs_force(emulator, tmp_path, target):
    site = Site(emulator, tmp_path, target)
    site.cli("apply", PIZZERIA, "--auto-approve")
    site.cli("plan", CAFE, "--out", "plan.json")
    document = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert document["safety"]["unsafe"], "the test needs a plan the default thresholds call unsafe"

    def marked_safe(document: dict) -> None:
        document["safety"] = {"unsafe": False, "reasons": [], "existing": 0}
        document["summary"]["unsafe"] = False

    bad = tamper(tmp_path / "plan.json", tmp_path / "safe.json", marked_safe)
    writes = site.writes()
    refused = site.cli("apply", "--plan", str(bad), "--auto-approve", codes=[ExitCode.UNSAFE_PLAN])
    assert "the plan is unsafe" in refused.stderr and "says it is safe" in refused.stderr
    assert site.writes() == writes
    # The verdict is apply's own, so --force is what applies it (and the plan is otherwise the reviewed one).
    site.cli("apply", "--plan", str(bad), "--auto-approve", "--force")
    site.cli("plan", CAFE, "--detailed-exitcode")


@pytest.mark.parametrize("target", ["wix-v3", "wix-menus"])
def test_a_saved_plan_is_stale_when_the_live_catalog_moved(emulator, tmp_path, target):
    site = Site(emulator, tmp_path, target)
    site.cli("plan", PIZZERIA, "--out", "plan.json")
    site.cli("apply", CAFE, "--auto-approve")
    stale = site.cli("apply", "--plan", "plan.json", "--auto-approve", codes=[ExitCode.STALE_PLAN])
    assert "the live catalog changed since this plan was made" in stale.stderr


def test_signed_plans_with_a_key_from_the_environment(tmp_path):
    """RECONCILE_PLAN_KEY: plan signs, apply refuses unsigned, wrongly signed and re-signed plans."""
    state = {"RECONCILE_STATE_DIR": str(tmp_path / "state")}
    keyed = {**state, "RECONCILE_PLAN_KEY": KEY}
    check(run(["plan", PIZZERIA, "--out", "signed.json"], cwd=tmp_path, env=keyed), codes=[0])
    check(run(["plan", PIZZERIA, "--out", "unsigned.json"], cwd=tmp_path, env=state), codes=[0])
    signed = json.loads((tmp_path / "signed.json").read_text(encoding="utf-8"))
    assert signed["signature"].startswith("hmac-sha256:") and KEY not in (tmp_path / "signed.json").read_text()
    assert "signature" not in json.loads((tmp_path / "unsigned.json").read_text(encoding="utf-8"))

    def apply(plan: str, env: dict[str, str], code: int) -> Result:
        return check(run(["apply", "--plan", plan, "--auto-approve"], cwd=tmp_path, env=env), codes=[code])

    unsigned = apply("unsigned.json", keyed, ExitCode.PLAN_FILE_INVALID)
    assert "is not signed, and RECONCILE_PLAN_KEY is set" in unsigned.stderr
    other = apply("signed.json", {**state, "RECONCILE_PLAN_KEY": KEY[::-1]}, ExitCode.PLAN_FILE_INVALID)
    assert "its signature does not match RECONCILE_PLAN_KEY" in other.stderr
    # Edited and re-checksummed, the old signature no longer fits.
    edited = json.loads((tmp_path / "signed.json").read_text(encoding="utf-8"))
    edited["notes"] = ["edited"]
    edited.pop("checksum")
    edited["checksum"] = "sha256:" + sha256({k: v for k, v in edited.items() if k != "signature"})
    (tmp_path / "edited.json").write_text(json.dumps(edited), encoding="utf-8")
    assert "signature does not match" in apply("edited.json", keyed, ExitCode.PLAN_FILE_INVALID).stderr
    short = apply("signed.json", {**state, "RECONCILE_PLAN_KEY": "short"}, ExitCode.ERROR)
    assert "RECONCILE_PLAN_KEY is 5 characters long" in short.stderr and "short" not in short.stderr.replace(
        "characters long", ""
    )
    # Without the key a signed plan still applies, with a warning that the signature was not checked.
    unchecked = apply("signed.json", state, 0)
    assert "its signature was not checked" in unchecked.stderr
    apply("signed.json", keyed, ExitCode.STALE_PLAN)  # verified, and then found stale: it was just applied


def test_every_call_a_plan_makes_is_a_known_call_of_its_target(emulator, tmp_path):
    """The declared templates cover what the planners make: creates, updates, removals, live updates."""
    from reconciler.engine.planfile import from_json
    from reconciler.engine.review import unknown_calls
    from reconciler.targets.wix_menus.target import WixMenusTarget
    from reconciler.targets.wix_v3.target import WixV3Target

    for target, cls in (("wix-v3", WixV3Target), ("wix-menus", WixMenusTarget)):
        site = Site(emulator, tmp_path / target, target)
        (tmp_path / target).mkdir(exist_ok=True)
        plans = []
        for catalog in (PIZZERIA, CAFE, PIZZERIA):
            site.cli("plan", catalog, "--out", "p.json")
            plans.append(from_json((tmp_path / target / "p.json").read_text(encoding="utf-8")))
            site.cli("apply", "--plan", "p.json", "--auto-approve", "--force")
        one_price = Path(PIZZERIA).read_text(encoding="utf-8").replace('"11.00"', '"11.50"', 1)
        assert one_price != Path(PIZZERIA).read_text(encoding="utf-8")
        (tmp_path / target / "one.yaml").write_text(one_price, encoding="utf-8")
        site.cli("plan", "one.yaml", "--out", "p.json")
        plans.append(from_json((tmp_path / target / "p.json").read_text(encoding="utf-8")))
        calls = {op.call for plan in plans for op in plan.operations}
        assert len(calls) >= 6, calls
        for plan in plans:
            assert unknown_calls(plan.operations, cls.known_calls) == [], target
