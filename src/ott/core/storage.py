"""Where media files (posters, thumbnails) are kept, behind one small interface.

`Storage` is what services use: `put` a file under a key, get its public `url`, `delete` it.
Keys are relative, slash-separated paths of lower-case letters, digits, `.`, `_`, `-`
(e.g. `posters/<content id>/<digest>-600x900.jpg`); anything else is refused, so a key can
never climb out of its root.

`LocalStorage` keeps files under `settings.data_dir / "media"` and names them by the URL
`/media/<key>`; whoever serves the platform's HTTP maps `/media/` to that folder (or a CDN
points at it). An S3-compatible store fits the same interface (put = PUT object, url = the
bucket's public or CDN URL, delete = DELETE object); it is not built yet.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from ott.core.settings import Settings

MEDIA_URL_PREFIX = "/media"
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")


class InvalidKey(ValueError):
    pass


def check_key(key: str) -> str:
    """The key, if it is a safe relative path; InvalidKey otherwise."""
    if len(key) > 400 or not _KEY.match(key) or any(part in {".", ".."} for part in key.split("/")):
        raise InvalidKey(f"invalid storage key {key!r}")
    return key


class Storage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> str:
        """Store `data` under `key` (replacing what was there) and return its URL."""
        ...

    def url(self, key: str) -> str:
        """The URL clients fetch the file from."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the file; removing a missing file is not an error."""
        ...


class LocalStorage:
    """Files in a folder on this machine; writes are atomic (a temporary file, then rename)."""

    def __init__(self, root: Path, *, base_url: str = MEDIA_URL_PREFIX) -> None:
        self.root = root
        self.base_url = base_url.rstrip("/")

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def url(self, key: str) -> str:
        return f"{self.base_url}/{check_key(key)}"

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        path = self.path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.chmod(temporary, 0o644)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise

        await asyncio.to_thread(write)
        return self.url(key)

    async def delete(self, key: str) -> None:
        path = self.path(key)
        await asyncio.to_thread(path.unlink, missing_ok=True)


def create_storage(settings: Settings) -> Storage:
    """The platform's media store: local files under the data folder."""
    return LocalStorage(settings.data_dir / "media")
