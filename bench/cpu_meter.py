"""CPU accounting of a benchmark on a shared machine: the CPU time of the processes under test
(from /proc), of this generator and of the whole machine, turned into cores used over a phase,
and the wait for the machine to be quiet before one.

Shared by bench/auth_profiles.py, bench/catalog.py and bench/web.py (each says which processes
it counts).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from processes import with_descendants

_CLK_TCK = os.sysconf("SC_CLK_TCK")
QUIET_CORES = 0.3  # "idle": the machine busy less than this (our servers idle between phases)


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (None once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0.0 once it is gone)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK  # utime + stime


class TreeSampler:
    """CPU seconds used by a process and its descendants, read from /proc every `interval` s on
    a thread of its own, for a tree whose processes come and go while it is measured (a
    browser's renderers, one per page): each process counts up to its last sample. (The time
    of exited children is no help there: Chromium's zygote never waits for its renderers.)"""

    def __init__(self, root: int, interval: float = 0.25) -> None:
        self.root = root
        self.interval = interval
        self._seen: dict[tuple[int, str], float] = {}  # (pid, start time) -> CPU seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)

    def start(self) -> None:
        self._sample()
        self._thread.start()

    def _sample(self) -> None:
        for pid in with_descendants({self.root}):
            fields = _stat_fields(pid)
            if fields is not None:
                key = (pid, fields[19])  # starttime: a reused pid is another process
                self._seen[key] = (int(fields[11]) + int(fields[12])) / _CLK_TCK

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def stop(self) -> float:
        """Stop sampling; the CPU seconds of every process seen."""
        self._stop.set()
        self._thread.join()
        return sum(self._seen.values())


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]
    total = sum(values)
    return total - idle, total


def busy_cores(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Cores the whole machine kept busy between two `machine_jiffies()`."""
    busy0, total0 = before
    busy1, total1 = after
    return (busy1 - busy0) / max(1, total1 - total0) * (os.cpu_count() or 1)


@dataclass
class CpuSnapshot:
    wall: float  # time.perf_counter()
    groups: dict[str, dict[int, float]]  # name -> pid -> CPU seconds
    generator: float  # CPU seconds of this process
    machine: tuple[int, int]


def cpu_snapshot(groups: Mapping[str, Iterable[int | None]]) -> CpuSnapshot:
    """The CPU time so far of each named group of processes (one server, or a store's
    processes), of this process and of the machine."""
    wall = time.perf_counter()
    times = {
        name: {pid: process_cpu_seconds(pid) for pid in pids if pid}
        for name, pids in groups.items()
    }
    return CpuSnapshot(wall, times, process_cpu_seconds(os.getpid()), machine_jiffies())


@dataclass
class CpuCores:
    """CPU used between two snapshots, in cores (1.0 = one core busy the whole time)."""

    wall: float  # seconds between the snapshots
    groups: dict[str, float]
    generator: float
    machine: float
    others: float  # everything else on the machine: other tenants, the kernel's softirqs...


def cpu_cores(before: CpuSnapshot, after: CpuSnapshot) -> CpuCores:
    wall = after.wall - before.wall
    groups = {}
    for name, now in after.groups.items():
        then = before.groups.get(name, {})
        groups[name] = sum(t - then.get(pid, 0.0) for pid, t in now.items()) / wall
    generator = (after.generator - before.generator) / wall
    machine = busy_cores(before.machine, after.machine)
    others = machine
    for cores in groups.values():
        others -= cores
    return CpuCores(wall, groups, generator, machine, max(0.0, others - generator))


def background_load(seconds: float = 1.0) -> float:
    """Cores the machine keeps busy over the next `seconds` (blocking)."""
    before = machine_jiffies()
    time.sleep(seconds)
    return busy_cores(before, machine_jiffies())


async def wait_for_quiet(max_wait: float, threshold: float = QUIET_CORES) -> float:
    """Wait (up to `max_wait` s) until the machine is nearly idle for a second: it is shared,
    and another tenant's CPU burst would be measured as our latency. Returns the busy cores
    seen last."""
    deadline = time.monotonic() + max_wait
    while True:
        before = machine_jiffies()
        await asyncio.sleep(1.0)
        busy = busy_cores(before, machine_jiffies())
        if busy < threshold or time.monotonic() >= deadline:
            return busy
