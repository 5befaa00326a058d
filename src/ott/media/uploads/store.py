"""The upload store on disk: each upload's bytes in `DATA_DIR/uploads/<id>`.

The row's `received_bytes` is the truth; bytes past it in the file (a crash mid-PATCH) were
never acknowledged and are cut off when the next PATCH opens the file.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import BinaryIO

from ott.media.models import Upload

UPLOADS_DIR = "uploads"
_HASH_BLOCK = 1024 * 1024


def relative_path(upload_id: uuid.UUID) -> str:
    """Where a new upload's bytes go, relative to DATA_DIR (stored on its row)."""
    return f"{UPLOADS_DIR}/{upload_id}"


def upload_file_path(data_dir: Path, upload: Upload) -> Path:
    """Where the upload's bytes are."""
    return data_dir / upload.path


def open_for_append(path: Path, offset: int) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b", buffering=0)
    handle.truncate(offset)  # bytes past the recorded offset were never acknowledged
    handle.seek(offset)
    return handle


def create_empty(path: Path) -> None:
    open_for_append(path, 0).close()


def sync(handle: BinaryIO) -> None:
    os.fsync(handle.fileno())


def truncate(path: Path, length: int) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(length)
        os.fsync(handle.fileno())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()
