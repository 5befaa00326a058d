"""The embedded stores' lock-file handling: when a killed PostgreSQL's files may be removed.

(Killing and restarting the real servers under `ott serve`: tests/processes.)
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from ott.core import embedded
from ott.core.embedded import postmaster_alive, remove_stale_postmaster_pid


def write_postmaster_pid(pg_dir: Path, pid: int, *, shm_id: int = 42) -> Path:
    """postmaster.pid as PostgreSQL 18 writes it, and the socket's lock file naming `pid`."""
    pg_dir.mkdir(exist_ok=True)
    lines = [str(pid), str(pg_dir), "1796111273", "5432", str(pg_dir), "", f"  1433715 {shm_id}"]
    (pg_dir / "postmaster.pid").write_text("\n".join([*lines, "ready   "]) + "\n")
    socket_lock = pg_dir / ".s.PGSQL.5432.lock"
    socket_lock.write_text(f"{pid}\n{pg_dir}\n")
    return socket_lock


@pytest.fixture
def no_shared_memory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    table = tmp_path / "shm"
    table.write_text("key shmid perms size cpid lpid nattch\n")
    monkeypatch.setattr(embedded, "_SYSV_SHM_TABLE", table)
    return table


def test_a_pid_reused_by_another_program_is_not_the_server(
    tmp_path: Path, no_shared_memory: Path
) -> None:
    pg_dir = tmp_path / "postgres"
    socket_lock = write_postmaster_pid(pg_dir, os.getpid())  # alive, but not PostgreSQL

    assert not postmaster_alive(pg_dir)
    remove_stale_postmaster_pid(pg_dir)
    assert not (pg_dir / "postmaster.pid").exists()
    assert not socket_lock.exists()


def test_a_killed_server_not_yet_reaped_is_gone(tmp_path: Path, no_shared_memory: Path) -> None:
    """PostgreSQL takes a zombie's pid for a live server and refuses to start."""
    pg_dir = tmp_path / "postgres"
    zombie = subprocess.Popen(["true"])
    try:
        time.sleep(0.2)  # it has exited; nobody has waited for it yet
        socket_lock = write_postmaster_pid(pg_dir, zombie.pid)
        assert not postmaster_alive(pg_dir)
        remove_stale_postmaster_pid(pg_dir)
        assert not socket_lock.exists()
        assert not (pg_dir / "postmaster.pid").exists()
    finally:
        zombie.wait()


def test_files_stay_while_the_old_servers_processes_hold_its_memory(
    tmp_path: Path, no_shared_memory: Path
) -> None:
    no_shared_memory.write_text(
        "key shmid perms size cpid lpid nattch\n1433715 42 600 56 2195 2195 3\n"
    )
    pg_dir = tmp_path / "postgres"
    socket_lock = write_postmaster_pid(pg_dir, 999_999_999, shm_id=42)

    with pytest.raises(RuntimeError, match="3 processes of the previous PostgreSQL"):
        remove_stale_postmaster_pid(pg_dir)
    assert (pg_dir / "postmaster.pid").exists()
    assert socket_lock.exists()


def test_a_socket_lock_of_another_server_is_kept(tmp_path: Path, no_shared_memory: Path) -> None:
    pg_dir = tmp_path / "postgres"
    socket_lock = write_postmaster_pid(pg_dir, 999_999_999)
    socket_lock.write_text("12345\n/elsewhere\n")

    remove_stale_postmaster_pid(pg_dir)
    assert not (pg_dir / "postmaster.pid").exists()
    assert socket_lock.exists()
