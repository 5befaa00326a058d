"""The processes a benchmark starts and stops: `ott serve` (or another server) on a free port,
the stores it leaves behind, the scratch folder it all runs in, and the environment it gets.

Shared by bench/auth_profiles.py, bench/catalog.py and bench/transcode.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from loadgen import one_shot, render_request
from ott.core.settings import Settings

STARTUP_TIMEOUT_S = 180.0
# What the platform reads from the environment: its settings, the data folder of `ott serve`,
# and the one variable read outside Settings.
PLATFORM_ENV = {name.upper() for name in Settings.model_fields} | {
    "DATA_DIR",
    "PASSWORD_HASH_WORKERS",
}


def platform_env() -> dict[str, str]:
    """This process's environment without any of the platform's variables: a server started
    with it (in a scratch folder, so no .env either) runs on the values the benchmark sets, not
    on what a developer's shell carries."""
    return {k: v for k, v in os.environ.items() if k.upper() not in PLATFORM_ENV}


@contextlib.contextmanager
def scratch_folder(prefix: str, *, keep: bool = False) -> Iterator[Path]:
    """A fresh temporary folder, removed afterwards (unless `keep`: then its path is printed).
    World-readable: the embedded PostgreSQL runs as another user when we are root."""
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    scratch.chmod(0o755)
    try:
        yield scratch
    finally:
        if keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ott_command() -> list[str]:
    """How to run the `ott` command of this environment."""
    script = Path(sys.executable).with_name("ott")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ott"]


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def start_process(
    name: str, command: list[str], url: str, cwd: Path, env: dict[str, str]
) -> Server:
    """Start a server in a session of its own, its output in `cwd`/`name`.log."""
    log_path = cwd / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(name, url, process, log_path)


async def wait_healthy(server: Server, within: float = STARTUP_TIMEOUT_S) -> None:
    parts = urlsplit(server.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    raw = render_request("GET", "/health", f"{host}:{port}")
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with code {server.process.returncode}:\n{server.log_tail()}"
            )
        with contextlib.suppress(Exception):
            if (await one_shot(host, port, raw, timeout_s=2.0)).status == 200:
                return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer /health within {within:.0f} s")


def print_failure(message: str, server: Server | None = None) -> None:
    """A run's fatal error on stderr, with the end of the server's log when one is running."""
    print(f"\nERROR: {message}", file=sys.stderr)
    if server is not None:
        print(f"--- ott serve log (tail) ---\n{server.log_tail()}", file=sys.stderr)


def processes_mentioning(text: str) -> list[int]:
    """The pids of the processes whose command line contains `text`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            if text in cmdline.decode(errors="ignore"):
                pids.append(int(entry.name))
    return pids


def parent_pids() -> dict[int, int]:
    """pid -> parent pid of every process."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def with_descendants(roots: set[int]) -> list[int]:
    """`roots` and all their children, grandchildren..."""
    parents = parent_pids()
    found = set(roots)
    while True:
        children = {pid for pid, ppid in parents.items() if ppid in found} - found
        if not children:
            return sorted(found)
        found |= children


def terminate_mentioning(text: str, within: float = 10.0) -> list[int]:
    """SIGTERM to every process whose command line contains `text` (for a unique temporary
    data folder: the stores started from it), then wait up to `within` s for them to be gone.
    Returns the pids signalled."""
    signalled: list[int] = []
    for pid in processes_mentioning(text):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
            signalled.append(pid)
    deadline = time.monotonic() + within
    while signalled and time.monotonic() < deadline and processes_mentioning(text):
        time.sleep(0.1)
    return signalled


def stop_server(server: Server, data_dir: Path | None) -> list[int]:
    """Stop a server we started (SIGINT, as Ctrl+C would); return the pids of embedded stores
    still running afterwards, which this then stops (a safety net: `ott serve` stops its own
    PostgreSQL and Redis when it exits cleanly)."""
    process = server.process
    if process is None:
        return []
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    if data_dir is None:
        return []
    # Stores are started by `ott serve` (ours) and keep the data folder on their command line.
    return terminate_mentioning(str(data_dir))
