"""fmt rewrites a file in place: it keeps what the file was (mode, owner, links) and refuses what it must not touch."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.hostile.bounded import check, invoke

REPO = Path(__file__).resolve().parents[2]
UNFORMATTED = (REPO / "catalogs" / "pizzeria.yaml").read_text().replace("name: Main Menu", "name: 'Main Menu'", 1)
assert (REPO / "catalogs" / "pizzeria.yaml").read_text() != UNFORMATTED


def _formatted(path: Path) -> bool:
    return "'Main Menu'" not in path.read_text()


def _fmt(*paths: Path, codes=(0,)):
    return check(invoke(["fmt", *map(str, paths)]), codes=codes)


@pytest.mark.parametrize("mode", [0o644, 0o664, 0o600, 0o640, 0o755])
def test_mode_is_kept(tmp_path, mode):
    file = tmp_path / "menu.yaml"
    file.write_text(UNFORMATTED)
    file.chmod(mode)
    _fmt(file)
    assert _formatted(file) and stat.S_IMODE(file.stat().st_mode) == mode


def test_owner_is_kept(tmp_path):
    if os.getuid() != 0:
        pytest.skip("only root can give a file to another owner")
    file = tmp_path / "menu.yaml"
    file.write_text(UNFORMATTED)
    os.chown(file, 12345, 23456)
    _fmt(file)
    info = file.stat()
    assert _formatted(file) and (info.st_uid, info.st_gid) == (12345, 23456)


def test_a_symlink_stays_a_link_and_its_target_is_formatted(tmp_path):
    target = tmp_path / "real" / "menu.yaml"
    target.parent.mkdir()
    target.write_text(UNFORMATTED)
    link = tmp_path / "menu.yaml"
    link.symlink_to(Path("real") / "menu.yaml")
    _fmt(link)
    assert link.is_symlink() and os.readlink(link) == str(Path("real") / "menu.yaml")
    assert _formatted(target)


def test_hard_links_all_see_the_new_content(tmp_path):
    first = tmp_path / "menu.yaml"
    first.write_text(UNFORMATTED)
    second = tmp_path / "copy.yaml"
    os.link(first, second)
    _fmt(first)
    assert _formatted(first) and _formatted(second)
    assert first.stat().st_ino == second.stat().st_ino and first.stat().st_nlink == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_read_only_file_is_refused_and_left_alone(tmp_path):
    file = tmp_path / "menu.yaml"
    file.write_text(UNFORMATTED)
    file.chmod(0o444)
    result = _fmt(file, codes=(1,))
    assert "is read-only" in result.output
    assert file.read_text() == UNFORMATTED and stat.S_IMODE(file.stat().st_mode) == 0o444


def test_a_directory_that_cannot_be_written_is_a_clear_error(tmp_path):
    if os.getuid() == 0:
        pytest.skip("root can write a read-only directory")
    folder = tmp_path / "menus"
    folder.mkdir()
    file = folder / "menu.yaml"
    file.write_text(UNFORMATTED)
    folder.chmod(0o555)
    try:
        result = _fmt(file, codes=(1,))
    finally:
        folder.chmod(0o755)
    assert "cannot be written" in result.output and file.read_text() == UNFORMATTED


def test_check_mode_changes_nothing(tmp_path):
    file = tmp_path / "menu.yaml"
    file.write_text(UNFORMATTED)
    before = file.stat()
    result = check(invoke(["fmt", "--check", str(file)]), codes=(1,))
    assert "would reformat" in result.output
    assert file.read_text() == UNFORMATTED and file.stat().st_mtime_ns == before.st_mtime_ns


def test_a_new_file_written_by_import_gets_the_usual_mode(tmp_path):
    out = tmp_path / "cafe.yaml"
    check(
        invoke(
            ["import", "square", "--from-file", str(REPO / "tests/fixtures/pos/square-catalog.json"), "-o", str(out)]
        ),
        codes=(0,),
    )
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
