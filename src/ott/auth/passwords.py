"""Password policy and bcrypt hashing.

bcrypt at cost 12 takes a quarter of a second of CPU. It runs in a small thread pool whose
threads have a lower scheduling priority, so a burst of logins never starves the event loop
that answers everyone else.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import resources

import bcrypt

from ott.core.errors import ValidationFailed

MIN_LENGTH = 8
MAX_BYTES = 72  # bcrypt ignores everything after 72 bytes; refuse rather than truncate silently
_HASHING_NICENESS = 10


def _lower_priority() -> None:
    # Linux applies niceness per thread when given the thread's id.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _HASHING_NICENESS)


@cache
def _pool() -> ThreadPoolExecutor:
    # One core stays free for the event loop (and the database) on small machines.
    default = max(1, (os.cpu_count() or 1) - 1)
    workers = int(os.environ.get("PASSWORD_HASH_WORKERS", default))
    return ThreadPoolExecutor(
        max_workers=max(1, workers), thread_name_prefix="bcrypt", initializer=_lower_priority
    )


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("ott.auth").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_policy(password: str, *, email: str) -> None:
    """Raise ValidationFailed (code weak_password) naming every rule the password breaks."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters")
    if len(password.encode()) > MAX_BYTES:
        problems.append(f"must be at most {MAX_BYTES} bytes")
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append("is one of the most common passwords")
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 3 and local_part in lowered:
        problems.append("must not contain your email name")
    if len(set(password)) < 4:
        problems.append("must use at least 4 different characters")
    if problems:
        raise ValidationFailed(
            "The password is too weak",
            code="weak_password",
            details=[{"field": "password", "message": f"The password {p}"} for p in problems],
        )


async def hash_password(password: str, rounds: int) -> str:
    def work() -> str:
        return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()

    return await asyncio.get_running_loop().run_in_executor(_pool(), work)


async def verify_password(password: str, password_hash: str) -> bool:
    def work() -> bool:
        try:
            return bcrypt.checkpw(password.encode(), password_hash.encode())
        except ValueError:  # over 72 bytes, or a malformed hash
            return False

    return await asyncio.get_running_loop().run_in_executor(_pool(), work)


@cache
def _dummy_hash(rounds: int) -> str:
    return bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(rounds)).decode()


async def burn_equal_time(password: str, rounds: int) -> None:
    """Spend the time a real check takes, so an unknown email cannot be told apart by timing."""
    dummy = await asyncio.get_running_loop().run_in_executor(_pool(), _dummy_hash, rounds)
    await verify_password(password, dummy)
