"""Checks on the repository's own files (no stores needed)."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFLICT_MARKER = re.compile(r"^(<{7}|>{7}) ", re.MULTILINE)


def test_no_merge_conflict_markers_are_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = []
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".png", ".jpg", ".mp4", ".ico", ".woff2"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if CONFLICT_MARKER.search(text):
            offenders.append(name)
    assert offenders == []
