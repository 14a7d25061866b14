"""A canary secret in every credential variable appears nowhere reconcile writes.

The canary goes into every credential variable at once, as it is, with a trailing newline (what
``echo`` and secrets files add), and with a control character. Then the real CLI and a real
``serve`` run everything that touches credentials: plans (saved, signed, printed as text, JSON and
Markdown), applies, POS imports, errors from APIs that echo what they were sent, webhooks (signed
and forged), ``/healthz``, ``reconcile history``. Every byte they print or leave behind (stdout,
stderr, the JSON log, plan files, catalog YAML, state.sqlite, queue.sqlite, history.sqlite, held
plans, HTTP answers) is scanned for the canary and for any run of 12 of its characters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from reconciler.sources.square.webhook import signature as square_signature
from tests.hostile import servers
from tests.hostile.bounded import check, run
from tests.serve.processes import ServeProcess, clean_env, history
from tests.support.emulator_server import EmulatorServer
from tests.support.fake_pos import FakePos

pytestmark = pytest.mark.e2e

CANARY = "cnry-9f3b2a7c-secret-4e1d"
WINDOW = 12
REPO = Path(__file__).resolve().parents[2]
CATALOG = str(REPO / "catalogs" / "pizzeria.yaml")
POS_FIXTURES = REPO / "tests" / "fixtures" / "pos"
NOTIFY_URL = "https://menu.example.test/webhooks/square"

CREDENTIALS = (
    "WIX_ACCESS_TOKEN",
    "WIX_API_KEY",
    "SQUARE_ACCESS_TOKEN",
    "TOAST_ACCESS_TOKEN",
    "CLOVER_ACCESS_TOKEN",
    "SQUARE_WEBHOOK_SIGNATURE_KEY",
    "TOAST_WEBHOOK_SECRET",
    "CLOVER_WEBHOOK_AUTH_CODE",
    "RECONCILE_PLAN_KEY",
)


def _pieces(secret: str) -> list[bytes]:
    return [secret[i : i + WINDOW].encode() for i in range(len(secret) - WINDOW + 1)]


PIECES = _pieces(CANARY)


def leaks(blobs: Iterable[tuple[str, bytes | str]]) -> list[str]:
    """Where the canary (or 12 characters of it) shows, as "what: piece"."""
    found = []
    for what, blob in blobs:
        data = blob.encode("utf-8", "replace") if isinstance(blob, str) else blob
        for piece in PIECES:
            if piece in data:
                found.append(f"{what}: {piece.decode()!r}")
                break
    return found


def files(root: Path) -> list[tuple[str, bytes]]:
    return [(str(p.relative_to(root)), p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]


def every_credential(value: str) -> dict[str, str]:
    return dict.fromkeys(CREDENTIALS, value)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    with EmulatorServer(state=tmp_path_factory.mktemp("canary-emulator") / "state.sqlite", token=CANARY) as server:
        yield server


@pytest.mark.parametrize("variant", ["plain", "newline"])
def test_plans_and_applies_leak_no_credential(tmp_path, emulator, variant):
    value = CANARY + ("\n" if variant == "newline" else "")
    (location,) = emulator.seed(locations=1)
    env = {**every_credential(value), "WIX_API_BASE_URL": emulator.url, "WIX_SITE_ID": "canary-site"}
    env.pop("WIX_API_KEY")  # the token is the one the emulator takes
    target = ["--target", "wix-v3", "--location", location["locationId"]]
    outputs = []
    for args, codes in (
        (["plan", CATALOG, *target, "--out", "plan.json"], [0]),
        (["plan", CATALOG, *target, "--format", "json"], [0]),
        (["plan", CATALOG, *target, "--format", "markdown"], [0]),
        (["apply", "--plan", "plan.json", "--auto-approve", *target], [0]),
        (["apply", CATALOG, *target, "--auto-approve", "--format", "json"], [0]),
        (["plan", CATALOG, *target, "--location", "no-such-location"], [1]),
    ):
        result = check(run(args, cwd=tmp_path, env=env), codes=codes)
        outputs += [(f"{args[:2]} stdout", result.stdout), (f"{args[:2]} stderr", result.stderr)]
        if variant == "newline":
            assert "has whitespace or a line break around it; it was trimmed" in result.stderr
    # The API key path (sent with the site id header), whatever the emulator makes of it.
    keyed = check(run(["plan", CATALOG, *target], cwd=tmp_path, env={**env, "WIX_API_KEY": value}), codes=[0, 1])
    outputs += [("api key", keyed.output)]
    assert not leaks([*outputs, *files(tmp_path)])


def test_a_credential_with_a_control_character_is_refused_by_name(tmp_path, emulator):
    env = {**every_credential(CANARY + "\x01"), "WIX_API_BASE_URL": emulator.url}
    env.pop("WIX_API_KEY")
    plan_key = check(run(["plan", CATALOG, "--target", "wix-v3"], cwd=tmp_path, env=env))
    assert "RECONCILE_PLAN_KEY holds a control character (U+0001)" in plan_key.stderr  # read first, by plan
    env.pop("RECONCILE_PLAN_KEY")
    result = check(run(["plan", CATALOG, "--target", "wix-v3"], cwd=tmp_path, env=env))
    assert "WIX_ACCESS_TOKEN holds a control character (U+0001)" in result.stderr
    square = check(run(["import", "square", "--from-api"], cwd=tmp_path, env=env))
    assert "SQUARE_ACCESS_TOKEN holds a control character" in square.stderr
    assert not leaks(
        [("plan key", plan_key.output), ("plan", result.output), ("import", square.output), *files(tmp_path)]
    )


@pytest.mark.parametrize("variant", ["plain", "newline"])
@pytest.mark.parametrize(
    "pos,fixture,extra",
    [
        ("square", "square-catalog.json", {}),
        ("toast", "toast-menus.json", {"TOAST_RESTAURANT_GUID": "__GUID__"}),
        ("clover", "clover-inventory.json", {"CLOVER_MERCHANT_ID": "M1CLOVERTEST1"}),
    ],
)
def test_imports_from_pos_apis_leak_no_credential(tmp_path, pos, fixture, extra, variant):
    value = CANARY + ("\n" if variant == "newline" else "")
    data = POS_FIXTURES / fixture
    if "TOAST_RESTAURANT_GUID" in extra:
        extra = {"TOAST_RESTAURANT_GUID": json.loads(data.read_text())["restaurantGuid"]}
    base = f"{pos.upper()}_API_BASE_URL"
    args = [
        "import",
        pos,
        "--from-api",
        "-o",
        str(tmp_path / "out.yaml"),
        *(["--currency", "USD"] if pos == "toast" else []),
    ]
    outputs = []
    with FakePos(pos, data, token=CANARY).running() as url:
        good = check(run(args, cwd=tmp_path, env={**every_credential(value), **extra, base: url}), codes=[0])
        outputs += [("import", good.output)]
    # An API that echoes what it was sent, in every rendering, in its error body.
    echo = json.dumps({"message": f"bad token {value!r} {json.dumps(value)} {value.encode()!r} {CANARY[:14]}"})
    with servers.answer(servers.response("401 Unauthorized", echo.encode())) as server:
        bad = check(run(args, cwd=tmp_path, env={**every_credential(value), **extra, base: server.url}))
        outputs += [("refused import", bad.output)]
    assert "HTTP 401" in bad.stderr
    assert not leaks([*outputs, *files(tmp_path)])


def test_serve_leaks_no_credential_in_its_log_state_history_or_answers(tmp_path):
    value = CANARY + "\n"
    echo = json.dumps({"message": f"token {value!r} is not valid; {json.dumps(value)}; {CANARY[:13]}…"})
    state = tmp_path / "state"
    with servers.answer(servers.response("401 Unauthorized", echo.encode())) as pos_api:
        env = clean_env(
            **every_credential(value),
            SQUARE_API_BASE_URL=pos_api.url,
            SQUARE_WEBHOOK_URL=NOTIFY_URL,
            RECONCILE_STATE_DIR=str(state),
        )
        args = ["--source", "square", "--catalog", str(tmp_path / "menu.yaml"), "--debounce", "0s", "--interval", "0"]
        serve = ServeProcess(args, env, tmp_path / "serve.log")
        answers = []
        try:
            serve.wait(lambda h: h["catalogs"]["square"]["syncs"] >= 1, "the start-up sync to fail")
            body = json.dumps({"merchant_id": "M", "type": "catalog.version.updated", "event_id": "e-1"}).encode()
            signed = {"x-square-hmacsha256-signature": square_signature(CANARY, NOTIFY_URL, body)}
            for headers in (signed, {"x-square-hmacsha256-signature": CANARY}, {}):
                answer = serve.post("square", body, headers)
                answers.append((f"webhook {answer.status_code}", answer.text))
            assert answers[0][0] == "webhook 200" and answers[1][0] == "webhook 401"
            serve.wait(lambda h: h["catalogs"]["square"]["syncs"] >= 2, "the webhook's sync to fail")
            health = serve.http.get("/healthz")
            answers.append(("healthz", health.text))
            assert "HTTP 401" in health.text  # the error is shown, without what the API echoed
        finally:
            serve.stop()
        shown = [history(env), history(env, "--format", "json")]
    assert all(h.returncode == 0 for h in shown) and "HTTP 401" in shown[0].stdout
    blobs = [
        *answers,
        ("serve log", (tmp_path / "serve.log").read_bytes()),
        *[(f"history {i}", h.stdout + h.stderr) for i, h in enumerate(shown)],
        *files(state),
    ]
    assert any(name.endswith("history.sqlite") for name, _ in files(state))
    assert not leaks(blobs)
