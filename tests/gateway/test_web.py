"""The gateway serves the web app's static export: pages, caching, compression, ETags, the
404 page, its Content-Security-Policy, no rate limit, and never a file outside the folder."""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ott.core.settings import Settings
from ott.gateway import web_files
from ott.gateway.web import PagePolicy, accepts_gzip, etag_matches, is_web_path, media_origins
from tests.conftest import assert_error, settings_with
from tests.gateway.conftest import clear_of_a_minute_boundary

INLINE_SCRIPT = "(self.__next_f=self.__next_f||[]).push([0])"
SECOND_SCRIPT = 'self.__next_f.push([1,"0:{\\"a\\":1}\\n"])'
INDEX = (
    "<!DOCTYPE html><html><head><meta charset=utf-8>"
    '<script src="/_next/static/chunks/main-1a2b.js" async=""></script></head>'
    f"<body><h1>Home page</h1><script>{INLINE_SCRIPT}</script>"
    f"<script>{SECOND_SCRIPT}</script><script>{INLINE_SCRIPT}</script></body></html>"
)
APP_JS = "console.log('the web app');\n" * 400
SECRET = "the secret outside the export"


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def make_export(root: Path) -> Path:
    """A small Next.js-like static export in `root / "out"`, and a secret beside it."""
    out = root / "out"
    (out / "title").mkdir(parents=True)
    (out / "_next" / "static" / "chunks").mkdir(parents=True)
    (out / "_next" / "static" / "css").mkdir(parents=True)
    (out / "evil.example").mkdir()
    (out / "index.html").write_text(INDEX)
    (out / "title" / "index.html").write_text("<html><body>Title page</body></html>")
    (out / "title" / "index.txt").write_text("1:RSC payload\n" * 50)
    (out / "404.html").write_text("<html><body>This page could not be found</body></html>")
    (out / "about.html").write_text("<html><body>About, without a trailing slash</body></html>")
    (out / "evil.example" / "index.html").write_text("<html>not another site</html>")
    (out / "_next" / "static" / "chunks" / "main-1a2b.js").write_text(APP_JS)
    css = "body { color: black; }\n" * 100
    (out / "_next" / "static" / "css" / "app.css").write_text(css)
    # The export's own precompressed copy (gzip level 1: other bytes than the gateway's).
    precompressed = gzip.compress(css.encode(), compresslevel=1, mtime=0)
    (out / "_next" / "static" / "css" / "app.css.gz").write_bytes(precompressed)
    (out / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (out / ".env").write_text("HIDDEN=1")
    (root / "secret.txt").write_text(SECRET)
    (root / "private").mkdir()
    (root / "private" / "index.html").write_text(SECRET)
    os.symlink(root / "secret.txt", out / "leak.txt")
    os.symlink(root / "private", out / "leakdir")
    os.symlink(out / "title" / "index.html", out / "inside.html")
    return out


@dataclass
class Gateway:
    app: FastAPI
    client: httpx.AsyncClient
    export: Path
    outside: Path


@pytest.fixture(scope="module")
async def web(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    from ott.gateway.app import create_app

    root = tmp_path_factory.mktemp("web")
    export = make_export(root)
    app = create_app(settings_with(settings, web_dist_dir=export))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Gateway(app, client, export, root)


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


async def raw_get(
    app: FastAPI, path: str, *, raw_path: bytes | None = None, headers: dict[str, str] | None = None
) -> RawAnswer:
    """Call the app with exactly this (decoded) path, as a server hands it over: no client
    normalises `..` away, and the body is what went on the wire (not decoded)."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": raw_path if raw_path is not None else path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("192.0.2.11", 4000),
        "server": ("testserver", 80),
        "state": {},
    }
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    answer_headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return RawAnswer(start["status"], answer_headers, body)


async def test_the_home_page_is_index_html(web: Gateway) -> None:
    response = await web.client.get("/")
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


async def test_a_folder_with_a_slash_is_its_index_and_without_one_redirects(web: Gateway) -> None:
    page = await web.client.get("/title/")
    assert page.status_code == 200
    assert page.text == "<html><body>Title page</body></html>"
    redirect = await web.client.get("/title", follow_redirects=False)
    assert redirect.status_code == 308
    assert redirect.headers["location"] == "/title/"
    with_query = await web.client.get("/title?id=42&lang=hi", follow_redirects=False)
    assert with_query.headers["location"] == "/title/?id=42&lang=hi"
    # Next.js's RSC payload beside the page, fetched on client navigation.
    payload = await web.client.get("/title/index.txt?_rsc=abc")
    assert payload.status_code == 200
    assert payload.headers["content-type"] == "text/plain; charset=utf-8"


async def test_an_export_without_trailing_slashes_serves_name_html(web: Gateway) -> None:
    response = await web.client.get("/about")
    assert response.status_code == 200
    assert "without a trailing slash" in response.text


async def test_unknown_paths_get_the_export_404_page(web: Gateway) -> None:
    for path in ("/no-such-page", "/no/such/page/", "/title/missing.js", "/logo.png/"):
        response = await web.client.get(path)
        assert response.status_code == 404, path
        assert response.text == "<html><body>This page could not be found</body></html>"
        assert response.headers["cache-control"] == "no-cache"


async def test_api_media_and_probe_paths_are_not_the_web_app(web: Gateway) -> None:
    assert_error(await web.client.get("/api/nothing-here"), 404)
    assert_error(await web.client.get("/api"), 404)
    media = await raw_get(web.app, "/media")  # the streaming service's answer
    assert b"could not be found" not in media.body
    assert_error(await web.client.get("/metrics"), 404)  # not public by default
    assert (await web.client.get("/health")).json()["status"] == "ok"
    assert (await web.client.get("/api/docs")).status_code == 200
    # Other methods are not the web app's either.
    assert (await web.client.post("/", json={})).status_code in (404, 405)
    assert all(is_web_path(p) for p in ("/apis", "/mediathek", "/healthy", "/title/"))
    assert not any(is_web_path(p) for p in ("/api/auth/me", "/ready", "/media/x", "/api"))


async def test_hashed_build_files_are_immutable_and_gzipped(web: Gateway) -> None:
    path = "/_next/static/chunks/main-1a2b.js"
    zipped = await raw_get(web.app, path, headers={"accept-encoding": "gzip, br"})
    assert zipped.status == 200
    assert zipped.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert zipped.headers["content-type"] == "text/javascript; charset=utf-8"
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "accept-encoding"
    assert gzip.decompress(zipped.body).decode() == APP_JS
    assert int(zipped.headers["content-length"]) == len(zipped.body) < len(APP_JS) / 10
    plain = await raw_get(web.app, path)
    assert "content-encoding" not in plain.headers
    assert plain.body.decode() == APP_JS
    assert plain.headers["etag"] != zipped.headers["etag"]
    refused = await raw_get(web.app, path, headers={"accept-encoding": "gzip;q=0, *"})
    assert "content-encoding" not in refused.headers
    # Images are not compressed again.
    image = await raw_get(web.app, "/logo.png", headers={"accept-encoding": "gzip"})
    assert image.headers["content-type"] == "image/png"
    assert "content-encoding" not in image.headers
    assert image.headers["cache-control"] == "no-cache"


async def test_a_precompressed_copy_in_the_export_is_served(web: Gateway) -> None:
    path = "/_next/static/css/app.css"
    zipped = await raw_get(web.app, path, headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.body == (web.export / "_next/static/css/app.css.gz").read_bytes()


async def test_etags_answer_304(web: Gateway) -> None:
    for encoding in ("gzip", "identity"):
        first = await raw_get(web.app, "/", headers={"accept-encoding": encoding})
        etag = first.headers["etag"]
        again = await raw_get(
            web.app, "/", headers={"accept-encoding": encoding, "if-none-match": f'"x", {etag}'}
        )
        assert again.status == 304
        assert again.body == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == "no-cache"
        weak = await raw_get(
            web.app, "/", headers={"accept-encoding": encoding, "if-none-match": f"W/{etag}"}
        )
        assert weak.status == 304
    stale = await raw_get(web.app, "/", headers={"if-none-match": '"something-else"'})
    assert stale.status == 200
    assert stale.body.decode() == INDEX


async def test_a_rebuilt_file_is_served_anew(web: Gateway) -> None:
    page = web.export / "title" / "index.html"
    before = await web.client.get("/title/")
    page.write_text("<html><body>Title page, rebuilt</body></html>")
    try:
        after = await web.client.get("/title/")
        assert after.text == "<html><body>Title page, rebuilt</body></html>"
        assert after.headers["etag"] != before.headers["etag"]
    finally:
        page.write_text("<html><body>Title page</body></html>")


async def test_head_answers_headers_only(web: Gateway) -> None:
    got = await web.client.get("/", headers={"accept-encoding": "identity"})
    head = await web.client.head("/", headers={"accept-encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"] == str(len(INDEX))
    assert head.headers["etag"] == got.headers["etag"]


@pytest.mark.parametrize(
    ("path", "raw_path"),
    [
        ("/../secret.txt", b"/../secret.txt"),
        ("/title/../../secret.txt", b"/title/../../secret.txt"),
        ("/../secret.txt", b"/%2e%2e/secret.txt"),  # the server decodes before the app sees it
        ("/../secret.txt", b"/%2E%2E/secret.txt"),
        ("/%2e%2e/secret.txt", b"/%252e%252e/secret.txt"),  # double encoding stays a name
        ("/..\\secret.txt", b"/..%5csecret.txt"),
        ("/title/..", b"/title/.."),
        ("/leak.txt", b"/leak.txt"),  # a symlink to a file outside
        ("/leakdir/", b"/leakdir/"),  # a symlink to a folder outside
        ("/leakdir/index.html", b"/leakdir/index.html"),
        ("/.env", b"/.env"),  # hidden files
        ("/title/\x00", b"/title/%00"),
    ],
)
async def test_never_a_file_outside_the_folder(web: Gateway, path: str, raw_path: bytes) -> None:
    answer = await raw_get(web.app, path, raw_path=raw_path)
    assert answer.status == 404, (path, answer)
    assert SECRET.encode() not in answer.body
    assert b"HIDDEN" not in answer.body
    assert b"could not be found" in answer.body


async def test_a_symlink_inside_the_folder_is_followed(web: Gateway) -> None:
    response = await web.client.get("/inside.html")
    assert response.status_code == 200
    assert response.text == "<html><body>Title page</body></html>"


async def test_redirects_stay_on_this_site(web: Gateway) -> None:
    # `//evil.example` must not become the protocol-relative `//evil.example/`.
    answer = await raw_get(web.app, "//evil.example")
    assert answer.status == 308
    assert answer.headers["location"] == "/evil.example/"


async def test_pages_allow_their_own_inline_scripts_by_hash_and_nothing_else(
    web: Gateway,
) -> None:
    policy = (await web.client.get("/")).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    scripts = directives["script-src"].split()
    assert scripts == ["'self'", _csp_hash(INLINE_SCRIPT), _csp_hash(SECOND_SCRIPT)]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in policy
    assert directives["default-src"] == "'self'"
    assert directives["media-src"].split() == ["'self'", "blob:"]
    assert "blob:" in directives["worker-src"].split()
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    # Another page has its own (here: no inline scripts at all).
    other = (await web.client.get("/title/")).headers["content-security-policy"]
    assert "script-src 'self';" in other


def test_inline_script_hashes_are_the_browsers() -> None:
    html = (
        "<script>a()</script><SCRIPT type='module'>b()\r\n</SCRIPT>"
        "<script src='/x.js'></script><script async src=/y.js>ignored()</script>"
        '<script type="application/json">{"c": 1}</script>'
    )
    assert web_files.inline_script_hashes(html) == (
        _csp_hash("a()"),
        _csp_hash("b()\n"),  # the browser normalises CRLF before hashing
        _csp_hash('{"c": 1}'),
    )


def test_the_media_store_origin_is_allowed_when_it_is_elsewhere(settings: Settings) -> None:
    cdn = settings_with(settings, media_public_base_url="https://cdn.example.com/media/")
    assert media_origins(cdn) == ["https://cdn.example.com"]
    bucket = settings_with(
        settings, media_s3_bucket="videos", media_s3_endpoint="https://s3.example.net:9000"
    )
    assert media_origins(bucket) == ["https://s3.example.net:9000"]
    assert media_origins(settings_with(settings, media_public_base_url=None)) == []
    policy = PagePolicy(media_origins=["https://cdn.example.com"]).header().decode()
    assert "media-src 'self' blob: https://cdn.example.com;" in policy
    assert "connect-src 'self' https://cdn.example.com;" in policy


def test_accept_encoding_and_if_none_match_parsing() -> None:
    assert accepts_gzip("gzip")
    assert accepts_gzip("br;q=1.0, gzip;q=0.5")
    assert accepts_gzip("*")
    assert not accepts_gzip(None)
    assert not accepts_gzip("identity")
    assert not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("gzip;q=0, *;q=1")
    assert not accepts_gzip("gzip;q=abc")
    assert etag_matches('"a"', '"a"')
    assert etag_matches('W/"a", "b"', '"a"')
    assert etag_matches("*", '"a"')
    assert not etag_matches('"ab"', '"a"')
    assert not etag_matches(None, '"a"')


async def test_large_files_are_streamed_from_disk(
    web: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_files, "MAX_CACHED_BYTES", 1024)
    content = bytes(range(256)) * 64
    (web.export / "big.webm").write_bytes(content)
    response = await web.client.get("/big.webm")
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == "video/webm"
    etag = response.headers["etag"]
    again = await web.client.get("/big.webm", headers={"if-none-match": etag})
    assert again.status_code == 304
    part = await web.client.get("/big.webm", headers={"range": "bytes=0-9"})
    assert part.status_code == 206
    assert part.content == content[:10]


async def test_a_page_load_of_many_assets_is_not_rate_limited(
    settings: Settings, tmp_path: Path
) -> None:
    from ott.gateway.app import create_app

    own = settings_with(
        settings,
        web_dist_dir=make_export(tmp_path),
        rate_limit_per_minute=5,
        redis_key_prefix=f"{settings.redis_key_prefix}web-{uuid.uuid4().hex[:6]}:",
    )
    app = create_app(own)
    await clear_of_a_minute_boundary()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assets = ["/", "/_next/static/chunks/main-1a2b.js", "/_next/static/css/app.css"]
            for _ in range(15):  # 45 files, nine times the budget
                for path in assets:
                    response = await client.get(path)
                    assert response.status_code == 200, path
                    assert "x-ratelimit-limit" not in response.headers
            # The API is counted as ever: five, then 429.
            statuses = [(await client.get("/api/catalog/genres")).status_code for _ in range(6)]
            assert statuses == [200] * 5 + [429]
            # and the web app still answers.
            assert (await client.get("/")).status_code == 200


async def test_a_missing_export_says_how_to_build_it(settings: Settings, tmp_path: Path) -> None:
    from ott.gateway.app import create_app

    app = create_app(settings_with(settings, web_dist_dir=tmp_path / "not-built"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("192.0.2.12", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            for path in ("/", "/title/", "/favicon.ico"):
                error = assert_error(await client.get(path), 404, "web_not_built")
                assert "npm run build" in error["message"]
                assert error["details"]["web_dist_dir"] == str(tmp_path / "not-built")
            assert (await client.get("/health")).status_code == 200
            assert_error(await client.get("/api/nothing-here"), 404, "not_found")
