"""The media stores: local files, and S3 over HTTP with Signature Version 4 (checked against
the examples of the S3 documentation, and end to end against an S3-like server that verifies
every signature)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from ott.core.storage import (
    EMPTY_PAYLOAD_SHA256,
    InvalidKey,
    LocalStorage,
    S3Storage,
    StorageError,
    check_key,
    sign_v4,
)
from tests.fake_s3 import FakeS3

EXAMPLE = {
    "access_key": "AKIAIOSFODNN7EXAMPLE",
    "secret_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "region": "us-east-1",
    "now": datetime(2013, 5, 24, tzinfo=UTC),
}
HOST = "https://examplebucket.s3.amazonaws.com"


def _signature(headers: dict[str, str]) -> str:
    return headers["Authorization"].rsplit("Signature=", 1)[1]


@pytest.mark.parametrize(
    ("method", "url", "headers", "payload", "signed", "signature"),
    [
        (
            "GET",
            f"{HOST}/test.txt",
            {"Range": "bytes=0-9"},
            b"",
            "host;range;x-amz-content-sha256;x-amz-date",
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        ),
        (
            "PUT",
            f"{HOST}/test$file.text",
            {"Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"},
            b"Welcome to Amazon S3.",
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        ),
        (
            "GET",
            f"{HOST}/?lifecycle",
            {},
            b"",
            "host;x-amz-content-sha256;x-amz-date",
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        ),
        (
            "GET",
            f"{HOST}/?max-keys=2&prefix=J",
            {},
            b"",
            "host;x-amz-content-sha256;x-amz-date",
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        ),
    ],
)
def test_signatures_match_the_s3_documentation(
    method: str, url: str, headers: dict[str, str], payload: bytes, signed: str, signature: str
) -> None:
    result = sign_v4(method, url, headers, hashlib.sha256(payload).hexdigest(), **EXAMPLE)
    assert result["x-amz-date"] == "20130524T000000Z"
    assert f"SignedHeaders={signed}," in result["Authorization"]
    assert result["Authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
    )
    assert _signature(result) == signature


async def test_s3_storage_puts_and_deletes_signed_objects() -> None:
    server = FakeS3("media-key", "media-secret")
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=server.app))
    storage = S3Storage(
        endpoint="http://s3.test:9000",
        bucket="ott-media",
        region="eu-west-1",
        access_key="media-key",
        secret_key="media-secret",
        public_base_url="https://cdn.example.com/media",
        client=client,
    )
    url = await storage.put("posters/abc/1-600x900.jpg", b"\xff\xd8jpeg", "image/jpeg")
    assert url == "https://cdn.example.com/media/posters/abc/1-600x900.jpg"
    assert server.objects == {
        "/ott-media/posters/abc/1-600x900.jpg": (b"\xff\xd8jpeg", "image/jpeg")
    }
    await storage.delete("posters/abc/1-600x900.jpg")
    await storage.delete("posters/abc/never-there.jpg")
    assert server.objects == {}

    wrong = S3Storage(
        endpoint="http://s3.test:9000",
        bucket="ott-media",
        region="eu-west-1",
        access_key="media-key",
        secret_key="not-the-secret",
        client=client,
    )
    with pytest.raises(StorageError, match="403"):
        await wrong.put("posters/abc/x.jpg", b"data", "image/jpeg")
    assert server.objects == {}
    assert wrong.url("a/b.jpg") == "http://s3.test:9000/ott-media/a/b.jpg"
    await storage.aclose()


async def test_local_storage_writes_serves_and_deletes(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media")
    url = await storage.put("thumbnails/x/abc-640x360.jpg", b"jpeg bytes", "image/jpeg")
    assert url == "/media/thumbnails/x/abc-640x360.jpg"
    assert (tmp_path / "media/thumbnails/x/abc-640x360.jpg").read_bytes() == b"jpeg bytes"
    await storage.put("thumbnails/x/abc-640x360.jpg", b"new bytes", "image/jpeg")
    assert (tmp_path / "media/thumbnails/x/abc-640x360.jpg").read_bytes() == b"new bytes"
    assert [p.name for p in (tmp_path / "media/thumbnails/x").iterdir()] == ["abc-640x360.jpg"]
    await storage.delete("thumbnails/x/abc-640x360.jpg")
    await storage.delete("thumbnails/x/abc-640x360.jpg")
    assert not (tmp_path / "media/thumbnails/x/abc-640x360.jpg").exists()


@pytest.mark.parametrize(
    "key",
    ["../etc/passwd", "/abs/path.jpg", "a/../b.jpg", "a//b.jpg", "A.jpg", "a b.jpg", "", "a/"],
)
def test_unsafe_keys_are_refused(key: str) -> None:
    with pytest.raises(InvalidKey):
        check_key(key)


def test_the_empty_payload_hash() -> None:
    assert (
        EMPTY_PAYLOAD_SHA256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
