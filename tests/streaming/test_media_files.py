"""Media files through the gateway in development: signed folders, byte ranges, content types,
cache headers, CORS; unsigned video refused but published titles' posters public; no path out
of the media folder; no rate limit on /media."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from ott.core.settings import Settings
from ott.core.signing import MediaSigner
from tests.catalog.conftest import Catalog
from tests.conftest import assert_error, start_gateway
from tests.streaming.conftest import Videos
from tests.streaming.test_playback import _episodes


@pytest.fixture
def signer(stream_settings: Settings) -> MediaSigner:
    return MediaSigner.from_settings(stream_settings)


def _flipped(token: str) -> str:
    return ("A" if token[0] != "A" else "B") + token[1:]


async def test_a_signed_folder_serves_its_files_with_types_and_cache_headers(
    sapi: httpx.AsyncClient,
    catalog: Catalog,
    videos: Videos,
    signer: MediaSigner,
    stream_settings: Settings,
) -> None:
    video = await videos.add(await catalog.title("Served"))
    folder = signer.sign(video.folder)
    root = stream_settings.data_dir / "media" / video.folder
    expected = {
        "master.m3u8": ("application/vnd.apple.mpegurl", "public, max-age=60"),
        "manifest.mpd": ("application/dash+xml", "public, max-age=60"),
        "media_0.m3u8": ("application/vnd.apple.mpegurl", "public, max-age=60"),
        "init_0.m4s": ("video/iso.segment", "public, max-age=31536000, immutable"),
        "chunk_0_00001.m4s": ("video/iso.segment", "public, max-age=31536000, immutable"),
        "sub_0_en.vtt": ("text/vtt", "public, max-age=31536000, immutable"),
        "poster.jpg": ("image/jpeg", "public, max-age=31536000, immutable"),
    }
    for name, (content_type, cache) in expected.items():
        response = await sapi.get(folder.url(name))
        assert response.status_code == 200, (name, response.text)
        assert response.headers["content-type"].split(";")[0] == content_type
        assert response.headers["cache-control"] == cache
        assert response.headers["accept-ranges"] == "bytes"
        assert response.content == (root / name).read_bytes()
        assert "x-ratelimit-limit" not in response.headers

    head = await sapi.head(folder.url("chunk_0_00001.m4s"))
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) == (root / "chunk_0_00001.m4s").stat().st_size
    etag = head.headers["etag"]
    cached = await sapi.get(folder.url("chunk_0_00001.m4s"), headers={"if-none-match": etag})
    assert cached.status_code == 304
    assert_error(await sapi.get(folder.url("no_such_file.m4s")), 404)


async def test_byte_ranges(
    sapi: httpx.AsyncClient,
    catalog: Catalog,
    videos: Videos,
    signer: MediaSigner,
    stream_settings: Settings,
) -> None:
    video = await videos.add(await catalog.title("Ranged"))
    url = signer.sign(video.folder).url("chunk_1_00001.m4s")
    data = (stream_settings.data_dir / "media" / video.folder / "chunk_1_00001.m4s").read_bytes()
    size = len(data)

    part = await sapi.get(url, headers={"range": "bytes=10-99"})
    assert part.status_code == 206
    assert part.content == data[10:100]
    assert part.headers["content-range"] == f"bytes 10-99/{size}"
    assert part.headers["content-length"] == "90"
    tail = await sapi.get(url, headers={"range": "bytes=-16"})
    assert (tail.status_code, tail.content) == (206, data[-16:])
    rest = await sapi.get(url, headers={"range": f"bytes={size - 5}-"})
    assert (rest.status_code, rest.content) == (206, data[-5:])
    several = await sapi.get(url, headers={"range": "bytes=0-1,4-5"})
    assert several.status_code == 206
    assert several.headers["content-type"].startswith("multipart/byteranges")

    beyond = await sapi.get(url, headers={"range": f"bytes={size}-"})
    assert_error(beyond, 416, "range_not_satisfiable")
    assert beyond.headers["content-range"] == f"bytes */{size}"
    assert_error(await sapi.get(url, headers={"range": "bytes=-0"}), 416)
    # A header that is not a byte range is ignored (RFC 9110): the whole file.
    for ignored in ("bytes=9-2", "items=0-5", "bytes=abc", "bytes="):
        whole = await sapi.get(url, headers={"range": ignored})
        assert (whole.status_code, whole.content) == (200, data), ignored


async def test_tokens_must_be_this_folders_and_current(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, signer: MediaSigner
) -> None:
    mine = await videos.add(await catalog.title("Mine"))
    other = await videos.add(await catalog.title("Other"))
    good = signer.sign(mine.folder).url("master.m3u8")
    assert (await sapi.get(good)).status_code == 200

    token, expires = good.split("/")[3:5]
    base = "/media/s"
    flipped = _flipped(token)
    assert_error(
        await sapi.get(f"{base}/{flipped}/{expires}/{mine.folder}/master.m3u8"),
        403,
        "invalid_media_token",
    )
    # A later expiry with the same token: the expiry is signed too.
    assert_error(
        await sapi.get(f"{base}/{token}/{int(expires) + 60}/{mine.folder}/master.m3u8"),
        403,
        "invalid_media_token",
    )
    # Another encoding's folder under this folder's token.
    assert_error(
        await sapi.get(f"{base}/{token}/{expires}/{other.folder}/master.m3u8"),
        403,
        "invalid_media_token",
    )
    for malformed in ("short", "x" * 22 + "!"):
        response = await sapi.get(f"{base}/{malformed}/{expires}/{mine.folder}/master.m3u8")
        assert_error(response, 403, "invalid_media_token")
    assert_error(await sapi.get(f"{base}/{token}/soon/{mine.folder}/master.m3u8"), 403)

    expired = signer.sign(mine.folder, now=time.time() - signer.token_seconds - 5)
    assert_error(await sapi.get(expired.url("master.m3u8")), 410, "media_token_expired")
    # An expired forgery is a forgery (403), as Nginx answers it.
    expired_token = expired.base_url.split("/")[3]
    forged = expired.base_url.replace(expired_token, _flipped(expired_token))
    assert_error(await sapi.get(forged + "master.m3u8"), 403, "invalid_media_token")


async def test_no_path_leaves_the_folder(
    sapi: httpx.AsyncClient,
    catalog: Catalog,
    videos: Videos,
    signer: MediaSigner,
    stream_settings: Settings,
) -> None:
    mine = await videos.add(await catalog.title("Walled"))
    other = await videos.add(await catalog.title("Neighbour"))
    secret = stream_settings.data_dir / "not-media.txt"
    secret.write_text("private")
    folder = signer.sign(mine.folder)
    owner, encoding = other.folder.split("/")[1:]
    for escape in (
        f"%2e%2e/%2e%2e/{owner}/{encoding}/master.m3u8",
        "%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fnot-media.txt",
        "..%2F..%2F..%2F..%2Fnot-media.txt",
        "%2fetc%2fpasswd",
        "Master.M3U8",
    ):
        response = await sapi.get(httpx.URL(folder.base_url + escape))
        assert_error(response, 404)
    for escape in ("%2e%2e/not-media.txt", "videos/%2e%2e/%2e%2e/not-media.txt", "%2fetc/passwd"):
        response = await sapi.get(httpx.URL(f"/media/{escape}"))
        assert response.status_code in (403, 404), escape
        assert b"private" not in response.content


async def test_unsigned_video_is_refused_but_published_posters_are_public(
    sapi: httpx.AsyncClient,
    catalog: Catalog,
    videos: Videos,
    stream_settings: Settings,
) -> None:
    published = await videos.add(await catalog.title("Out Now"))
    draft = await videos.add(await catalog.title("Not Yet", workflow_state="draft"))
    series = await catalog.title("Shown", seasons=[["Opener"]])
    [episode] = await _episodes(catalog.resources, series)
    episode_video = await videos.add(series, episode)

    for video in (published, episode_video):
        for name in ("poster.jpg", "thumbnails.vtt", "sprite_0.jpg"):
            response = await sapi.get(f"/media/{video.folder}/{name}")
            assert response.status_code == 200, (name, response.text)
            assert response.headers["cache-control"] == "public, max-age=300"
        for name in ("master.m3u8", "media_0.m3u8", "chunk_0_00001.m4s", "manifest.mpd"):
            response = await sapi.get(f"/media/{video.folder}/{name}")
            assert_error(response, 403, "signed_url_required")
    for name in ("poster.jpg", "thumbnails.vtt"):
        assert_error(await sapi.get(f"/media/{draft.folder}/{name}"), 404)
    assert_error(await sapi.get("/media/videos/not-a-uuid/x/poster.jpg"), 404)

    # Sources waiting for a worker are never served; the CMS's images are, to anyone.
    media = stream_settings.data_dir / "media"
    (media / "sources" / "job").mkdir(parents=True, exist_ok=True)
    (media / "sources" / "job" / "source.mp4").write_bytes(b"source")
    assert_error(await sapi.get("/media/sources/job/source.mp4"), 404)
    image = media / "posters" / str(uuid.uuid4()) / "abc-600x900.jpg"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"\xff\xd8 poster")
    response = await sapi.get("/media/" + str(image.relative_to(media)))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_media_answers_carry_cors_for_the_allowed_origins(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, signer: MediaSigner
) -> None:
    video = await videos.add(await catalog.title("Cross Origin"))
    url = signer.sign(video.folder).url("chunk_0_00001.m4s")
    origin = "http://localhost:3000"
    preflight = await sapi.options(
        url,
        headers={
            "origin": origin,
            "access-control-request-method": "GET",
            "access-control-request-headers": "range",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "range" in preflight.headers["access-control-allow-headers"].lower()
    assert "GET" in preflight.headers["access-control-allow-methods"]
    ranged = await sapi.get(url, headers={"origin": origin, "range": "bytes=0-9"})
    assert ranged.status_code == 206
    assert ranged.headers["access-control-allow-origin"] == origin
    exposed = ranged.headers["access-control-expose-headers"].lower()
    assert {"content-range", "content-length", "accept-ranges"} <= set(exposed.split(", "))
    foreign = await sapi.get(url, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers


@pytest.fixture
async def strict_gateway(stream_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    # A key prefix of its own: no other test's requests count against this one's callers.
    client, lifespan = await start_gateway(
        stream_settings.model_copy(
            update={
                "rate_limit_per_minute": 5,
                "redis_key_prefix": f"{stream_settings.redis_key_prefix}{uuid.uuid4().hex[:6]}:",
            }
        )
    )
    yield client
    await client.aclose()
    await lifespan.__aexit__(None, None, None)


async def test_media_files_are_not_rate_limited(
    strict_gateway: httpx.AsyncClient, catalog: Catalog, videos: Videos, signer: MediaSigner
) -> None:
    video = await videos.add(await catalog.title("Many Segments"))
    folder = signer.sign(video.folder)
    client = strict_gateway  # its own rate limit: 5 a minute per caller
    for _ in range(20):
        assert (await client.get(folder.url("chunk_0_00001.m4s"))).status_code == 200
    statuses = [(await client.get("/api/catalog/genres")).status_code for _ in range(8)]
    assert statuses[:5] == [200] * 5
    assert 429 in statuses
