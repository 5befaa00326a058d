"""Where media files (posters, thumbnails) are kept, behind one small interface.

`Storage` is what services use: `put` a file under a key, get its public `url`, `delete` it.
Large files (video sources, segments) go through `put_file` and `fetch_file`, which stream
from and to disk and never hold a whole file in memory.
Keys are relative, slash-separated paths of lower-case letters, digits, `.`, `_`, `-`
(e.g. `posters/<content id>/<digest>-600x900.jpg`); anything else is refused, so a key can
never climb out of its root.

`LocalStorage` keeps files under `settings.data_dir / "media"` and names them by the URL
`/media/<key>`; whoever serves the platform's HTTP maps `/media/` to that folder (or a CDN
points at it).

`S3Storage` keeps them in a bucket of any S3-compatible store (AWS S3, MinIO, Cloudflare R2,
Ceph...) over plain HTTP with AWS Signature Version 4 (no SDK needed); the URL is the
bucket's public or CDN base URL plus the key. `create_storage` picks it when MEDIA_S3_BUCKET
is set (with MEDIA_S3_ENDPOINT, MEDIA_S3_REGION, MEDIA_S3_ACCESS_KEY, MEDIA_S3_SECRET_KEY and
MEDIA_PUBLIC_BASE_URL), otherwise local files.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

import httpx

from ott.core.settings import Settings

MEDIA_URL_PREFIX = "/media"
# Keys under this prefix are inputs (uploaded sources waiting for a worker), never served:
# the gateway's /media refuses them, and a production bucket must not make them public.
PRIVATE_PREFIX = "sources/"
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

    async def put_file(self, key: str, path: Path, content_type: str) -> str:
        """Store the file at `path` under `key` without reading it into memory; its URL."""
        ...

    async def fetch_file(self, key: str, dest: Path) -> None:
        """Write the object under `key` to `dest` (replaced atomically); StorageError if the
        object is missing or unreadable."""
        ...

    def url(self, key: str) -> str:
        """The URL clients fetch the file from."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the file; removing a missing file is not an error."""
        ...

    async def aclose(self) -> None:
        """Release what the store holds (an S3 store's HTTP client)."""
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

    async def aclose(self) -> None:
        """Local files hold nothing open."""

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

    async def put_file(self, key: str, path: Path, content_type: str) -> str:
        target = self.path(key)
        await asyncio.to_thread(_link_or_copy, path, target)
        return self.url(key)

    async def fetch_file(self, key: str, dest: Path) -> None:
        source = self.path(key)
        if not source.is_file():
            raise StorageError(f"no object {key!r}")
        await asyncio.to_thread(_link_or_copy, source, dest)

    async def delete(self, key: str) -> None:
        path = self.path(key)
        await asyncio.to_thread(path.unlink, missing_ok=True)


def _link_or_copy(source: Path, target: Path) -> None:
    """Put `source` at `target` atomically: a hard link when both are on one file system
    (instant, no extra space), otherwise a copy; either way under a temporary name first,
    then renamed, so a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".upload-{os.urandom(8).hex()}"
    try:
        try:
            os.link(source, temporary)
        except OSError:
            shutil.copyfile(source, temporary)
            os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class StorageError(RuntimeError):
    """The store refused or failed an operation."""


# --- S3 -----------------------------------------------------------------------------------

EMPTY_PAYLOAD_SHA256 = hashlib.sha256(b"").hexdigest()
# Streamed bodies are not hashed ahead of sending (that would read every file twice); HTTPS
# protects them in transit, and S3 accepts this in place of the hash.
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_CHUNK = 1024 * 1024
_ALGORITHM = "AWS4-HMAC-SHA256"


def _uri_encode(value: str, *, keep_slash: bool) -> str:
    return quote(value, safe="/-_.~" if keep_slash else "-_.~")


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def sign_v4(
    method: str,
    url: str,
    headers: Mapping[str, str],
    payload_sha256: str,
    *,
    access_key: str,
    secret_key: str,
    region: str,
    now: datetime,
    service: str = "s3",
) -> dict[str, str]:
    """The request's headers plus `host`, `x-amz-date`, `x-amz-content-sha256` and
    `Authorization`, per AWS Signature Version 4 (every given header is signed).

    `url` carries the path as the store will see it, unencoded (`/bucket/a b.jpg`); the
    canonical request encodes it once, as S3 expects.
    """
    parts = urlsplit(url)
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    signed = {name.lower(): " ".join(str(value).split()) for name, value in headers.items()}
    signed["host"] = parts.netloc
    signed["x-amz-date"] = stamp
    signed["x-amz-content-sha256"] = payload_sha256
    names = sorted(signed)
    query_pairs = []
    for pair in parts.query.split("&") if parts.query else []:
        key, _, value = pair.partition("=")
        query_pairs.append(
            (_uri_encode(key, keep_slash=False), _uri_encode(value, keep_slash=False))
        )
    canonical_request = "\n".join(
        [
            method.upper(),
            _uri_encode(parts.path or "/", keep_slash=True),
            "&".join(f"{k}={v}" for k, v in sorted(query_pairs)),
            "".join(f"{name}:{signed[name]}\n" for name in names),
            ";".join(names),
            payload_sha256,
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [_ALGORITHM, stamp, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    signing_key = _hmac(
        _hmac(_hmac(_hmac(f"AWS4{secret_key}".encode(), day), region), service), "aws4_request"
    )
    signature = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        **headers,
        "x-amz-date": stamp,
        "x-amz-content-sha256": payload_sha256,
        "Authorization": (
            f"{_ALGORITHM} Credential={access_key}/{scope}, "
            f"SignedHeaders={';'.join(names)}, Signature={signature}"
        ),
    }


class S3Storage:
    """Objects in a bucket of an S3-compatible store, addressed path-style
    (`<endpoint>/<bucket>/<key>`), which every S3-compatible store understands."""

    def __init__(
        self,
        *,
        endpoint: str,
        bucket: str,
        region: str,
        access_key: str,
        secret_key: str,
        public_base_url: str | None = None,
        client: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.bucket = bucket
        self.region = region
        self.access_key = access_key
        self.secret_key = secret_key
        self.public_base_url = (public_base_url or f"{self.endpoint}/{bucket}").rstrip("/")
        self.client = client or httpx.AsyncClient(timeout=timeout)

    def url(self, key: str) -> str:
        return f"{self.public_base_url}/{check_key(key)}"

    def _object_url(self, key: str) -> str:
        return f"{self.endpoint}/{self.bucket}/{check_key(key)}"

    def _signed(
        self, method: str, url: str, headers: dict[str, str], payload_sha256: str
    ) -> dict[str, str]:
        return sign_v4(
            method,
            url,
            headers,
            payload_sha256,
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=self.region,
            now=datetime.now(UTC),
        )

    async def _send(
        self, method: str, key: str, body: bytes, headers: dict[str, str]
    ) -> httpx.Response:
        url = self._object_url(key)
        signed = self._signed(method, url, headers, hashlib.sha256(body).hexdigest())
        return await self.client.request(method, url, content=body, headers=signed)

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        response = await self._send(
            "PUT",
            key,
            data,
            {"content-type": content_type, "cache-control": "public, max-age=31536000"},
        )
        if response.status_code // 100 != 2:
            raise StorageError(f"PUT {key}: {response.status_code} {response.text[:200]}")
        return self.url(key)

    async def put_file(self, key: str, path: Path, content_type: str) -> str:
        url = self._object_url(key)
        size = (await asyncio.to_thread(path.stat)).st_size
        headers = self._signed(
            "PUT",
            url,
            {
                "content-type": content_type,
                "content-length": str(size),
                "cache-control": "public, max-age=31536000",
            },
            UNSIGNED_PAYLOAD,
        )
        response = await self.client.put(url, content=_read_chunks(path), headers=headers)
        if response.status_code // 100 != 2:
            raise StorageError(f"PUT {key}: {response.status_code} {response.text[:200]}")
        return self.url(key)

    async def fetch_file(self, key: str, dest: Path) -> None:
        url = self._object_url(key)
        headers = self._signed("GET", url, {}, EMPTY_PAYLOAD_SHA256)
        dest.parent.mkdir(parents=True, exist_ok=True)
        temporary = dest.parent / f".download-{os.urandom(8).hex()}"
        try:
            async with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code // 100 != 2:
                    await response.aread()
                    raise StorageError(f"GET {key}: {response.status_code} {response.text[:200]}")
                handle = await asyncio.to_thread(temporary.open, "wb")
                try:
                    async for chunk in response.aiter_bytes(_CHUNK):
                        await asyncio.to_thread(handle.write, chunk)
                finally:
                    await asyncio.to_thread(handle.close)
            await asyncio.to_thread(os.replace, temporary, dest)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    async def delete(self, key: str) -> None:
        response = await self._send("DELETE", key, b"", {})
        if response.status_code // 100 != 2 and response.status_code != 404:
            raise StorageError(f"DELETE {key}: {response.status_code} {response.text[:200]}")

    async def aclose(self) -> None:
        await self.client.aclose()


async def _read_chunks(path: Path) -> AsyncIterator[bytes]:
    handle = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(handle.read, _CHUNK):
            yield chunk
    finally:
        await asyncio.to_thread(handle.close)


def create_storage(settings: Settings) -> Storage:
    """The platform's media store: an S3 bucket when MEDIA_S3_BUCKET is set, otherwise local
    files under the data folder."""
    if settings.media_s3_bucket:
        return S3Storage(
            endpoint=settings.media_s3_endpoint,
            bucket=settings.media_s3_bucket,
            region=settings.media_s3_region,
            access_key=settings.media_s3_access_key,
            secret_key=settings.media_s3_secret_key,
            public_base_url=settings.media_public_base_url,
        )
    return LocalStorage(settings.data_dir / "media")
