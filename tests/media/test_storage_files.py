"""Storage of large files (`put_file`, `fetch_file`): streamed, never whole in memory, and
atomic. S3 is checked against an S3-like server that verifies every signature."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from ott.core.storage import LocalStorage, S3Storage, StorageError
from tests.fake_s3 import FakeS3


@pytest.fixture
def s3() -> tuple[FakeS3, S3Storage]:
    server = FakeS3("key", "secret")
    storage = S3Storage(
        endpoint="http://s3.test:9000",
        bucket="media",
        region="eu-west-1",
        access_key="key",
        secret_key="secret",
        client=httpx.AsyncClient(transport=httpx.ASGITransport(app=server.app)),
    )
    return server, storage


async def test_s3_streams_files_up_and_down(s3: tuple[FakeS3, S3Storage], tmp_path: Path) -> None:
    server, storage = s3
    data = os.urandom(3 * 1024 * 1024 + 17)
    source = tmp_path / "segment.m4s"
    source.write_bytes(data)

    url = await storage.put_file("videos/a/b/segment.m4s", source, "video/iso.segment")
    assert url == "http://s3.test:9000/media/videos/a/b/segment.m4s"
    assert server.objects["/media/videos/a/b/segment.m4s"] == (data, "video/iso.segment")
    assert server.pieces["/media/videos/a/b/segment.m4s"] > 1  # streamed, in chunks

    target = tmp_path / "down" / "copy.m4s"
    await storage.fetch_file("videos/a/b/segment.m4s", target)
    assert target.read_bytes() == data
    assert [p.name for p in target.parent.iterdir()] == ["copy.m4s"]

    with pytest.raises(StorageError, match="404"):
        await storage.fetch_file("videos/a/b/missing.m4s", tmp_path / "down" / "missing.m4s")
    assert [p.name for p in target.parent.iterdir()] == ["copy.m4s"]  # no partial file

    storage.secret_key = "wrong"
    with pytest.raises(StorageError, match="403"):
        await storage.put_file("videos/a/b/other.m4s", source, "video/iso.segment")
    await storage.aclose()


async def test_local_files_are_linked_or_copied_into_place(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media")
    source = tmp_path / "work" / "master.m3u8"
    source.parent.mkdir()
    source.write_text("#EXTM3U\n")

    url = await storage.put_file("videos/x/y/master.m3u8", source, "application/vnd.apple.mpegurl")
    assert url == "/media/videos/x/y/master.m3u8"
    stored = tmp_path / "media/videos/x/y/master.m3u8"
    assert stored.read_text() == "#EXTM3U\n"
    assert stored.stat().st_ino == source.stat().st_ino  # same file system: a hard link

    replacement = tmp_path / "work" / "new.m3u8"
    replacement.write_text("#EXTM3U\n#EXT-X-VERSION:7\n")
    await storage.put_file("videos/x/y/master.m3u8", replacement, "application/vnd.apple.mpegurl")
    assert stored.read_text().endswith("VERSION:7\n")
    assert source.read_text() == "#EXTM3U\n"  # the earlier file was replaced, not written over
    assert [p.name for p in stored.parent.iterdir()] == ["master.m3u8"]

    fetched = tmp_path / "fetched" / "m.m3u8"
    await storage.fetch_file("videos/x/y/master.m3u8", fetched)
    assert fetched.read_text().endswith("VERSION:7\n")
    with pytest.raises(StorageError):
        await storage.fetch_file("videos/x/y/none.m3u8", tmp_path / "fetched" / "none")
