"""What the benchmarks' reports share: where they are written, the machine they ran on, and
the pieces of their Markdown tables.

Shared by bench/auth_profiles.py, bench/catalog.py and bench/transcode.py.
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
from collections import Counter
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"  # ignored by git


def machine_description() -> dict[str, str]:
    model = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": str(os.cpu_count()),
        "model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def ms(value: object) -> str:
    """A number of milliseconds for a table: one decimal, '-' when there is none (None, nan)."""
    if isinstance(value, int | float) and not math.isnan(value):
        return f"{value:.1f}"
    return "-"


def error_counts(statuses: Counter[str]) -> str:
    """`404 x2, timeout x1`, or 0."""
    return ", ".join(f"{k} x{v}" for k, v in sorted(statuses.items())) or "0"


def table_head(head: str) -> list[str]:
    """A Markdown table's header row and the separator row under it."""
    return [head, "|" + "---|" * (head.count("|") - 1)]
