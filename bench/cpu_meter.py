"""CPU accounting of a benchmark on a shared machine: the CPU time of the processes under test
(from /proc), of this generator and of the whole machine, turned into cores used over a phase,
and the wait for the machine to be quiet before one.

Shared by bench/auth_profiles.py, bench/catalog.py and bench/web.py (each says which processes
it counts).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

_CLK_TCK = os.sysconf("SC_CLK_TCK")
QUIET_CORES = 0.3  # "idle": the machine busy less than this (our servers idle between phases)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0.0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK  # utime + stime


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


def exited_children_cpu_seconds() -> float:
    """CPU seconds of this process's children (and theirs) that have exited and been waited
    for: a program a phase runs to its end (a browser and its helpers) is counted this way,
    since its processes are gone by the time the phase's last snapshot is taken."""
    times = os.times()
    return times.children_user + times.children_system


@dataclass
class CpuSnapshot:
    wall: float  # time.perf_counter()
    groups: dict[str, dict[int, float]]  # name -> pid -> CPU seconds
    generator: float  # CPU seconds of this process
    machine: tuple[int, int]
    children: float = 0.0  # exited_children_cpu_seconds()


def cpu_snapshot(groups: Mapping[str, Iterable[int | None]]) -> CpuSnapshot:
    """The CPU time so far of each named group of processes (one server, or a store's
    processes), of this process and of the machine."""
    wall = time.perf_counter()
    times = {
        name: {pid: process_cpu_seconds(pid) for pid in pids if pid}
        for name, pids in groups.items()
    }
    return CpuSnapshot(
        wall,
        times,
        process_cpu_seconds(os.getpid()),
        machine_jiffies(),
        exited_children_cpu_seconds(),
    )


@dataclass
class CpuCores:
    """CPU used between two snapshots, in cores (1.0 = one core busy the whole time)."""

    wall: float  # seconds between the snapshots
    groups: dict[str, float]
    generator: float
    machine: float
    others: float  # everything else on the machine: other tenants, the kernel's softirqs...
    children: float = 0.0  # this process's children that exited during the phase


def cpu_cores(before: CpuSnapshot, after: CpuSnapshot) -> CpuCores:
    wall = after.wall - before.wall
    groups = {}
    for name, now in after.groups.items():
        then = before.groups.get(name, {})
        groups[name] = sum(t - then.get(pid, 0.0) for pid, t in now.items()) / wall
    generator = (after.generator - before.generator) / wall
    children = (after.children - before.children) / wall
    machine = busy_cores(before.machine, after.machine)
    others = machine - generator - children
    for cores in groups.values():
        others -= cores
    return CpuCores(wall, groups, generator, machine, max(0.0, others), children)


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
