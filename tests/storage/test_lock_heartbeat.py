"""A lock left on a shared folder by a PC that crashed, lost power or its network is taken over after
STALE_AFTER_SECONDS without a heartbeat; a lock its holder keeps refreshing is refused as before."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from desktop_app.storage import lock as storage_lock
from desktop_app.storage.lock import DatabaseLock, lock_age
from tests.factories import folder_digest, run_cli
from tests.storage.test_office_faults import _sheet_file, assert_one_sentence, new_database

LONG_AGO = storage_lock.STALE_AFTER_SECONDS + 60
A_MOMENT_AGO = storage_lock.HEARTBEAT_SECONDS


def refreshed_ago(lock_file: Path, seconds: float) -> None:
    """The lock file as if last refreshed `seconds` ago (its holder's PC slept, or crashed)."""
    then = time.time() - seconds
    os.utime(lock_file, (then, then))


def left_by_another_pc(db_path: Path, seconds_ago: float, *, host: str = "PC-12", user: str = "田中") -> Path:
    """The lock files a window on another PC writes (QLockFile's format plus the owner note), last
    refreshed `seconds_ago`."""
    lock_file = Path(str(db_path) + ".lock")
    lock_file.write_text(f"4242\nmachizukuri\n{host}\n", encoding="utf-8")
    Path(str(db_path) + ".lock.owner").write_text(f"{user}\n{host}\n", encoding="utf-8")
    refreshed_ago(lock_file, seconds_ago)
    return lock_file


def taken_over_by_another_pc(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> DatabaseLock:
    """田中 on PC-12 opens the database and takes its (stale) lock over, with this program's code."""
    with monkeypatch.context() as other_pc:
        other_pc.setattr(socket, "gethostname", lambda: "PC-12")
        other_pc.setenv("LOGNAME", "田中")
        other_pc.setenv("USER", "田中")
        theirs = DatabaseLock(db_path)
        assert theirs.try_acquire()
    return theirs


def test_a_lock_another_pc_stopped_refreshing_is_taken_over_by_a_command_line_write(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    new_database(db_path)
    lock_file = left_by_another_pc(db_path, LONG_AGO)
    with caplog.at_level("WARNING", logger="machizukuri.storage.lock"):
        code, out, err = run_cli(capsys, "--db", db_path, "import", _sheet_file(tmp_path))
    assert code == 0, err
    assert "取り込みました" in out
    assert "田中（PC-12）" in caplog.text and "taking over stale lock" in caplog.text
    assert not lock_file.exists(), "the write took the lock and let it go again"
    assert not Path(str(db_path) + ".lock.owner").exists()


def test_a_lock_another_pc_keeps_refreshing_is_refused_naming_who_holds_it(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_database(db_path)
    lock_file = left_by_another_pc(db_path, A_MOMENT_AGO)
    before = folder_digest(db_path.parent)
    code, _, err = run_cli(capsys, "--db", db_path, "import", _sheet_file(tmp_path))
    assert code == 1
    assert_one_sentence(err, str(db_path), "田中（PC-12）が使用中のため書き込めません")
    assert folder_digest(db_path.parent) == before
    assert lock_file.read_text(encoding="utf-8") == "4242\nmachizukuri\nPC-12\n"


def test_a_lock_on_this_pc_is_judged_by_its_process_not_its_age(db_path: Path) -> None:
    """A window on this PC left idle all day still holds the database."""
    db_path.parent.mkdir(parents=True)
    ours = DatabaseLock(db_path)
    assert ours.try_acquire()
    refreshed_ago(ours.file, LONG_AGO)
    assert not DatabaseLock(db_path).try_acquire()
    ours.release()


def test_the_heartbeat_refreshes_the_lock_so_another_pc_keeps_out(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path.parent.mkdir(parents=True)
    ours = DatabaseLock(db_path)
    assert ours.try_acquire()
    refreshed_ago(ours.file, LONG_AGO)
    assert ours.heartbeat() is None
    age = lock_age(ours.file)
    assert age is not None and age < 5
    content = ours.file.read_bytes()
    with monkeypatch.context() as other_pc:
        other_pc.setattr(socket, "gethostname", lambda: "PC-12")
        assert not DatabaseLock(db_path).try_acquire()
    assert ours.file.read_bytes() == content and ours.held
    ours.release()
    assert not ours.file.exists()


def test_a_lock_taken_over_while_this_pc_slept_is_let_go_of_without_touching_the_new_holders(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path.parent.mkdir(parents=True)
    ours = DatabaseLock(db_path)
    assert ours.try_acquire()
    refreshed_ago(ours.file, LONG_AGO)  # this PC slept: no heartbeat for longer than a lock stays fresh
    taken_over_by_another_pc(db_path, monkeypatch)
    their_files = (ours.file.read_bytes(), Path(str(db_path) + ".lock.owner").read_bytes())
    assert ours.heartbeat() == "田中（PC-12）"
    assert not ours.held
    ours.release()  # as the window does when it closes: nothing of the new holder's is removed
    assert (ours.file.read_bytes(), Path(str(db_path) + ".lock.owner").read_bytes()) == their_files
    assert ours.heartbeat() is None, "said once"


def test_a_lock_file_simply_gone_is_taken_again_quietly(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    ours = DatabaseLock(db_path)
    assert ours.try_acquire()
    ours.file.unlink()
    assert ours.heartbeat() is None
    assert ours.held
    info = storage_lock.read_lock_info(ours.file)
    assert info is not None and info.pid == os.getpid() and info.host == socket.gethostname()
    ours.release()
    assert not ours.file.exists()
