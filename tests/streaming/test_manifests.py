"""Per-plan manifests from what the pipeline stored, wherever it is: here an S3 bucket (the
signature-checking fake) behind a CDN base URL."""

from __future__ import annotations

import uuid

import httpx
import m3u8
import pytest

from ott.core.signing import MediaSigner
from ott.core.storage import S3Storage
from ott.streaming.manifests import (
    ManifestError,
    ManifestTemplates,
    dash_template,
    fits,
    hls_template,
    render,
)
from ott.streaming.schemas import StreamFormat
from tests.fake_s3 import FakeS3
from tests.streaming.conftest import Encoded

CDN = "https://cdn.example.com/media"


async def test_manifests_come_from_the_bucket_and_point_at_the_cdn(encoded: Encoded) -> None:
    server = FakeS3("key", "secret")
    storage = S3Storage(
        endpoint="http://s3.test:9000",
        bucket="ott-media",
        region="eu-west-1",
        access_key="key",
        secret_key="secret",
        public_base_url=CDN,
        client=httpx.AsyncClient(transport=httpx.ASGITransport(app=server.app)),
    )
    encoding = uuid.uuid4()
    folder = f"videos/{uuid.uuid4()}/{encoding}"
    for name in ("master.m3u8", "manifest.mpd"):
        await storage.put_file(f"{folder}/{name}", encoded.folder / name, "text/plain")
    templates = ManifestTemplates(storage)
    signed = MediaSigner(secret="s" * 40, base_url=CDN, token_seconds=600).sign(folder)
    assert signed.base_url.startswith(f"{CDN}/s/")

    master = await templates.template(
        encoding_id=encoding, folder=folder, file="master.m3u8", format=StreamFormat.HLS,
        max_height=200,
    )  # fmt: skip
    parsed = m3u8.loads(render(master, signed.base_url))
    assert [p.stream_info.resolution for p in parsed.playlists] == [(256, 144)]
    assert all(p.uri.startswith(signed.base_url) for p in [*parsed.playlists, *parsed.media])

    mpd = await templates.template(
        encoding_id=encoding, folder=folder, file="manifest.mpd", format=StreamFormat.DASH,
        max_height=None,
    )  # fmt: skip
    assert f"<BaseURL>{signed.base_url}</BaseURL>" in render(mpd, signed.base_url)
    assert 'height="360"' in mpd

    # Encodings never change: the second ask is answered from memory, not from the bucket.
    server.objects.clear()
    again = await templates.template(
        encoding_id=encoding, folder=folder, file="master.m3u8", format=StreamFormat.HLS,
        max_height=200,
    )  # fmt: skip
    assert again == master
    await storage.aclose()


def test_the_cap_is_on_the_pictures_short_side() -> None:
    assert fits(1080, 1920, 1080)  # a portrait phone video's "1080p" rung
    assert not fits(1920, 1080, 720)
    assert fits(1280, 720, 720)
    assert fits(1920, 1080, None)


def test_when_no_rung_fits_the_smallest_is_kept(encoded: Encoded) -> None:
    master = (encoded.folder / "master.m3u8").read_text()
    parsed = m3u8.loads(hls_template(master, max_height=10))
    assert [p.stream_info.resolution for p in parsed.playlists] == [(256, 144)]
    mpd = dash_template((encoded.folder / "manifest.mpd").read_text(), max_height=10)
    assert 'height="144"' in mpd
    assert 'height="360"' not in mpd
    assert 'maxWidth="256" maxHeight="144"' in mpd  # FFmpeg writes both; kept true


def test_documents_that_are_not_manifests_are_refused() -> None:
    with pytest.raises(ManifestError):
        hls_template("#EXTM3U\n#EXTINF:4,\nsegment.ts\n", max_height=None)
    with pytest.raises(ManifestError):
        dash_template("<html/>", max_height=None)
    with pytest.raises(ManifestError):
        dash_template("not xml", max_height=None)
