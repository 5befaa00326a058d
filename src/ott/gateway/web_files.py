"""The web app's static export on disk (`web/out`), as the gateway serves it.

A file is found only inside the folder: a URL's segments may not climb out (`..`), name
hidden files or hold separators, and the file's real path (symlinks followed) must still be
inside the folder's real path. Each file is read once and kept with its ETag, a gzip copy
when it is text (or the export's own `.gz` beside it), and for HTML pages the hashes of their
inline scripts, which the page's Content-Security-Policy allows; it is read again when its
size or modification time changes (a new build while the gateway runs).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import anyio.to_thread

# Larger files are streamed from disk instead of kept in memory (nothing of a Next.js export
# is that large; a video someone put in public/ might be).
MAX_CACHED_BYTES = 8 * 1024 * 1024
# Below this, gzip saves too little to be worth a header.
MIN_COMPRESSED_BYTES = 256

_TEXT = "; charset=utf-8"
CONTENT_TYPES = {
    ".html": "text/html" + _TEXT,
    ".js": "text/javascript" + _TEXT,
    ".mjs": "text/javascript" + _TEXT,
    ".css": "text/css" + _TEXT,
    ".txt": "text/plain" + _TEXT,  # Next.js's RSC payloads, fetched on client navigation
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".vtt": "text/vtt" + _TEXT,
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}
COMPRESSIBLE = frozenset(
    {".html", ".js", ".mjs", ".css", ".txt", ".json", ".map", ".webmanifest", ".xml", ".vtt"}
    | {".svg", ".ico", ".ttf", ".otf"}
)
_FORBIDDEN_IN_SEGMENT = ("\\", "\x00")


def safe_segments(path: str) -> list[str] | None:
    """The segments of a decoded URL path, or None if one may not name a file of the export:
    `.` and `..`, hidden names, backslashes, NUL, empty segments (`//`)."""
    inner = path.strip("/")
    if not inner:
        return []
    segments = inner.split("/")
    for segment in segments:
        if (
            not segment
            or segment.startswith(".")
            or any(c in segment for c in _FORBIDDEN_IN_SEGMENT)
        ):
            return None
    return segments


@dataclass(frozen=True)
class WebFile:
    path: Path
    content_type: str
    compressible: bool
    size: int
    etag: str
    body: bytes | None  # None: too large to keep; streamed from disk
    gzipped: bytes | None
    gzip_etag: str | None
    script_hashes: tuple[str, ...]  # CSP sources ('sha256-…') of an HTML page's inline scripts
    stamp: tuple[int, int, int]  # (size, mtime_ns, inode) it was read at


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


class _InlineScripts(HTMLParser):
    """The text of every `<script>` without a `src`, as the browser hashes it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._current = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.scripts.append("".join(self._current))
            self._current = None


def inline_script_hashes(html: str) -> tuple[str, ...]:
    """CSP hash sources of the page's inline scripts, each once, in order of appearance."""
    # The browser normalises line breaks before it parses, so it hashes the normalised text.
    parser = _InlineScripts()
    parser.feed(html.replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    hashes: dict[str, None] = {}
    for script in parser.scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        hashes[f"'sha256-{digest}'"] = None
    return tuple(hashes)


def _stamp(result: os.stat_result) -> tuple[int, int, int]:
    return (result.st_size, result.st_mtime_ns, result.st_ino)


def _read(path: Path, stamp: tuple[int, int, int]) -> WebFile:
    kind = content_type(path)
    compressible = path.suffix.lower() in COMPRESSIBLE
    size = stamp[0]
    if size > MAX_CACHED_BYTES:
        etag = f'"{size:x}-{stamp[1]:x}"'
        return WebFile(path, kind, False, size, etag, None, None, None, (), stamp)
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:32]
    gzipped = _gzipped(path, body) if compressible else None
    hashes = (
        inline_script_hashes(body.decode(errors="replace")) if kind.startswith("text/html") else ()
    )
    return WebFile(
        path,
        kind,
        compressible,
        len(body),
        f'"{digest}"',
        body,
        gzipped,
        f'"{digest}-gzip"' if gzipped is not None else None,
        hashes,
        stamp,
    )


def _gzipped(path: Path, body: bytes) -> bytes | None:
    """The export's own `<file>.gz` when it is at least as new as the file, else a gzip copy
    made here; None when compressing does not pay."""
    if len(body) < MIN_COMPRESSED_BYTES:
        return None
    precompressed = path.with_name(path.name + ".gz")
    try:
        if precompressed.stat().st_mtime_ns >= path.stat().st_mtime_ns:
            data = precompressed.read_bytes()
            if gzip.decompress(data) == body:  # a stale or foreign .gz is not served
                return data
    except (OSError, EOFError, gzip.BadGzipFile):
        pass
    data = gzip.compress(body, compresslevel=9, mtime=0)
    return data if len(data) < len(body) else None


class WebExport:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[Path, WebFile] = {}

    def exists(self) -> bool:
        return self.root.is_dir()

    def find(self, segments: Sequence[str]) -> Path | None:
        """The regular file these (checked) segments name inside the folder, or None."""
        try:
            root = self.root.resolve(strict=True)
            path = root.joinpath(*segments).resolve(strict=True)
        except (OSError, RuntimeError):  # missing, or a symlink loop
            return None
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path

    async def load(self, path: Path) -> WebFile | None:
        """The file as served (read again if it changed), or None if it has gone since
        `find`."""
        try:
            # Metadata of a local file the kernel has cached: cheaper than a thread hop. Files
            # are read in a thread.
            stamp = _stamp(path.stat())  # noqa: ASYNC240
        except OSError:
            return None
        cached = self._files.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached
        try:
            loaded = await anyio.to_thread.run_sync(_read, path, stamp)
        except OSError:
            return None
        self._files[path] = loaded
        return loaded
