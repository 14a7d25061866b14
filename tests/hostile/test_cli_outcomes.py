"""Exit codes, usage errors, bad settings, internal errors and the deadline, through the real CLI.

The table in README.md is the truth: it must equal :data:`reconciler.errors.EXIT_CODES`, every
error class must exit with a code from it, and no usage error may exit 2 (``plan
--detailed-exitcode`` says "there are changes" with 2).
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from reconciler import errors
from reconciler.cli.main import ReconcileCli
from reconciler.errors import EXIT_CODES
from tests.hostile import servers
from tests.hostile.bounded import check, invoke, run

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
CATALOG = str(REPO / "catalogs" / "pizzeria.yaml")


def test_readme_exit_code_table_is_the_one_table():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", section, re.MULTILINE)
    assert [(int(code), meaning) for code, meaning in rows] == list(EXIT_CODES)


def test_every_error_class_exits_with_a_documented_code():
    documented = {code for code, _ in EXIT_CODES}

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    import reconciler.cli.deadline
    import reconciler.files  # noqa: F401 - defines FileProblem

    found = list(subclasses(errors.ReconcileError))
    assert len(found) > 10
    assert {cls.exit_code for cls in found} <= documented


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--no-such-flag", CATALOG],
        ["plan", "/no/such/catalog.yaml"],
        ["apply", "--concurrency", "0", CATALOG],
        ["apply", CATALOG, "--plan", CATALOG],
        ["apply"],
        ["plan", CATALOG, "--max-update-share", "nan"],
        ["plan", CATALOG, "--max-remove-share", "inf"],
        ["plan", CATALOG, "--max-update-share", "1.5"],
        ["plan", CATALOG, "--safety-min-entities", "-1"],
        ["plan", CATALOG, "--format", "yaml"],
        ["no-such-command"],
        ["import", "lightspeed", "--from-api"],
        ["serve", "--source", "square"],
        ["--deadline", "0", "validate", CATALOG],
        ["--deadline", "nan", "validate", CATALOG],
    ],
)
def test_usage_errors_exit_1_never_2(tmp_path, args):
    result = check(run(args, cwd=tmp_path), codes=[1])
    assert "Error" in result.stderr
    assert not (tmp_path / ".reconcile").exists()


@pytest.mark.parametrize(
    "variable,value",
    [
        ("RECONCILE_MAX_UPDATE_SHARE", "abc"),
        ("RECONCILE_MAX_UPDATE_SHARE", ""),
        ("RECONCILE_MAX_UPDATE_SHARE", "nan"),
        ("RECONCILE_MAX_REMOVE_SHARE", "1.5"),
        ("RECONCILE_SAFETY_MIN_ENTITIES", "1.5"),
        ("RECONCILE_SAFETY_MIN_ENTITIES", "-3"),
        ("RECONCILE_SAFETY_MIN_ENTITIES", "١٠"),
        ("RECONCILE_HTTP_TIMEOUT", "0"),
        ("RECONCILE_MAX_RESPONSE_MB", "abc"),
        ("RECONCILE_DEADLINE", "abc"),
        ("RECONCILE_DATABASE_URL", "nonsense"),
        ("RECONCILE_DATABASE_URL", "postgress://user:secret-pass@db.example/menus"),
    ],
)
def test_bad_setting_variables_are_named(tmp_path, variable, value):
    result = check(run(["apply", CATALOG, "--auto-approve"], cwd=tmp_path, env={variable: value}))
    assert variable in result.output
    if variable == "RECONCILE_DATABASE_URL":
        assert value not in result.output, "a database URL may carry a password: never repeated"
    assert not [p for p in tmp_path.iterdir() if p.name != ".reconcile"], "a bad setting created a file"


def test_zero_min_entities_on_an_empty_site_is_no_division_by_zero(tmp_path):
    check(run(["plan", CATALOG], cwd=tmp_path, env={"RECONCILE_SAFETY_MIN_ENTITIES": "0"}), codes=[0])


@pytest.mark.parametrize(
    "url,why",
    [
        ("http://[::1", "not a valid URL"),
        ("http://localhost:99999", "port must be from 1 to 65535"),
        ("http://localhost:0", "port must be from 1 to 65535"),
        ("http://exa mple.com", "space, line break or control character"),
        ("http://example.com\r\nX-Injected: 1", "space, line break or control character"),
        ("ftp://example.com", "http:// or https://"),
        ("https://user:pass@example.com", "user name or password"),
        ("https://example.com/?a=1", "query"),
    ],
)
def test_invalid_base_urls_are_refused_when_read(tmp_path, url, why):
    env = {"WIX_ACCESS_TOKEN": "a-token-of-some-length", "WIX_API_BASE_URL": url}
    result = check(run(["plan", CATALOG, "--target", "wix-v3"], cwd=tmp_path, env=env))
    assert "WIX_API_BASE_URL is not a usable API base URL" in result.output and why in result.output
    env = {"SQUARE_ACCESS_TOKEN": "a-token-of-some-length", "SQUARE_API_BASE_URL": url}
    result = check(run(["import", "square", "--from-api"], cwd=tmp_path, env=env))
    assert "SQUARE_API_BASE_URL is not a usable API base URL" in result.output


def test_an_unexpected_exception_is_an_internal_error_with_the_run_id_and_no_traceback():
    @click.group(cls=ReconcileCli)
    def cli() -> None:
        pass

    @cli.command()
    def explode() -> None:
        raise RuntimeError("a bug")

    quiet = CliRunner().invoke(cli, ["explode"])
    assert quiet.exit_code == 1
    assert "internal error in reconcile (run " in quiet.stderr and "RuntimeError: a bug" in quiet.stderr
    assert "Traceback" not in quiet.output and "--debug" in quiet.stderr
    for loud in (CliRunner().invoke(cli, ["explode", "--debug"]), CliRunner().invoke(cli, ["--debug", "explode"])):
        assert loud.exit_code == 1 and "Traceback" in loud.stderr and 'raise RuntimeError("a bug")' in loud.stderr
    env = CliRunner().invoke(cli, ["explode"], env={"RECONCILE_DEBUG": "1"})
    assert "Traceback" in env.stderr


def test_the_deadline_stops_a_plan_against_a_server_that_never_answers(tmp_path):
    with servers.silent() as server:
        env = {"WIX_ACCESS_TOKEN": "a-token-of-some-length", "WIX_API_BASE_URL": server.url}
        result = check(run(["--deadline", "2", "plan", CATALOG, "--target", "wix-v3"], cwd=tmp_path, env=env))
    assert (
        "deadline of 2 s" in result.stderr and "--deadline" in result.stderr and "RECONCILE_DEADLINE" in result.stderr
    )


def test_a_spent_deadline_is_not_armed_again_while_its_error_is_reported():
    """The timer must not go off once more after the command's task was cancelled (it did, a
    millisecond later, while the error was being printed: a traceback under load)."""
    import asyncio
    import signal

    from reconciler.cli import deadline

    deadline.start(1)
    try:
        with pytest.raises(deadline.DeadlineExceeded, match="deadline of 1 s"):
            deadline.run_async(asyncio.Event().wait())  # never set: only the deadline ends it
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert deadline.remaining() is None
    finally:
        deadline.stop()


@pytest.mark.parametrize("bounded", [False, True])
def test_a_commands_result_is_handed_back_without_the_main_task_holding_it(bounded):
    """asyncio.run's end formats the repr of the main task (Python 3.11, ``signal.getsignal``), and
    a task's repr holds its result: a whole plan. The result comes back beside the task instead."""
    import asyncio

    from reconciler.cli import deadline

    tasks: list[asyncio.Task] = []
    result = object()

    async def command() -> object:
        task = asyncio.current_task()
        assert task is not None
        tasks.append(task)
        return result

    if bounded:
        deadline.start(60)
    try:
        assert (deadline.run_async(command()) if bounded else deadline.run(command())) is result
    finally:
        deadline.stop()
    assert tasks and tasks[0].done() and tasks[0].result() is None
    with pytest.raises(ZeroDivisionError):  # an error still comes out as it is
        deadline.run(_fails())


async def _fails() -> None:
    raise ZeroDivisionError


def test_a_server_that_never_answers_fails_the_plan_naming_the_timeout_variable(tmp_path):
    with servers.silent() as server:
        env = {
            "WIX_ACCESS_TOKEN": "a-token-of-some-length",
            "WIX_API_BASE_URL": server.url,
            "RECONCILE_HTTP_TIMEOUT": "2",
        }
        result = check(run(["plan", CATALOG, "--target", "wix-v3"], cwd=tmp_path, env=env))
    assert "RECONCILE_HTTP_TIMEOUT" in result.stderr


def test_plan_out_onto_the_catalog_is_refused(tmp_path):
    catalog = tmp_path / "menu.yaml"
    catalog.write_text(Path(CATALOG).read_text())
    before = catalog.read_bytes()
    result = check(invoke(["plan", str(catalog), "--out", str(catalog), "--state-dir", str(tmp_path / "s")]))
    assert "is the catalog itself" in result.stderr and catalog.read_bytes() == before
    folder = tmp_path / "menus"
    folder.mkdir()
    (folder / "a.yaml").write_text(Path(CATALOG).read_text())
    result = check(
        invoke(["plan", str(folder), "--out", str(folder / "plan.yaml"), "--state-dir", str(tmp_path / "s")])
    )
    assert "inside the catalog directory" in result.stderr and not (folder / "plan.yaml").exists()


@pytest.mark.parametrize("where", ["missing-dir", "read-only-dir"])
def test_writing_into_a_directory_that_cannot_take_it_is_a_clear_error(tmp_path, where):
    folder = tmp_path / "out"
    if where == "read-only-dir":
        folder.mkdir()
        folder.chmod(0o555)
    target = folder / "plan.json"
    result = run(["plan", CATALOG, "--out", str(target)], cwd=tmp_path, env={"HOME": str(tmp_path)})
    if where == "read-only-dir" and result.code == 0:
        pytest.skip("running as root: a read-only directory is still writable")
    check(result)
    assert "plan.json: cannot be written" in result.stderr
    imported = run(
        ["import", "square", "--from-file", str(REPO / "tests/fixtures/pos/square-catalog.json"), "-o", str(target)],
        cwd=tmp_path,
    )
    check(imported)
    assert "plan.json: cannot be written" in imported.stderr
