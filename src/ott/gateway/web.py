"""The web app on the gateway's port: every GET or HEAD that is not for the API (`/api`), the
media files (`/media`) or a probe (`/health`, `/ready`, `/metrics`) is answered from the web
app's static export (WEB_DIST_DIR, by default `web/out`).

`/` is `index.html`, `/title/` is `title/index.html`, `/title` redirects to `/title/`, an
unknown path gets the export's `404.html` with status 404. Next.js's hashed build files
(`/_next/static/`) may be cached for a year; everything else is revalidated with its ETag
each time (HTML included, so a new build shows at once). Text goes out gzipped when the
browser takes it.

These answers sit outside the rate limit (admission.py): they are files from memory that touch
no store, and one page load fetches dozens of them, which a budget of 100 requests a minute
per address would not survive. The API calls the page then makes are counted as ever.

Each HTML page carries a Content-Security-Policy: scripts from this origin and the page's own
inline scripts by their hashes (a Next.js static export inlines its React Server Component
payload as `<script>self.__next_f.push(…)</script>`; hashing each lets them run without
allowing any other inline script), media and workers also from `blob:` (the player's Media
Source Extensions and its transmuxing worker), and the media store's origin when it is
elsewhere (MEDIA_PUBLIC_BASE_URL, an S3 endpoint).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlsplit

from starlette.responses import FileResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ott.core.errors import NotFound, app_error_response
from ott.core.settings import Environment, Settings
from ott.gateway.dispatch import RouteLabel
from ott.gateway.web_files import WebExport, WebFile, safe_segments

PASSED_ON_PREFIXES = ("/api", "/media")
PASSED_ON_PATHS = frozenset({"/health", "/ready", "/metrics"})
IMMUTABLE_PREFIX = "/_next/static/"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
NOT_FOUND_PAGE = "404.html"
_ROUTE = RouteLabel("/*")  # one metrics label for every file of the web app
_BUILD_HINT = (
    "The web app is not built: `scripts/run` builds it when its sources change, or run "
    "`npm ci && npm run build` in web/ (WEB_DIST_DIR names another export folder)"
)


def is_web_path(path: str) -> bool:
    if path in PASSED_ON_PATHS:
        return False
    return not any(path == prefix or path.startswith(prefix + "/") for prefix in PASSED_ON_PREFIXES)


def media_origins(settings: Settings) -> list[str]:
    """Origins other than the platform's own that serve media files (posters, segments)."""
    urls = [settings.media_public_base_url]
    if settings.media_s3_bucket and not settings.media_public_base_url:
        urls.append(settings.media_s3_endpoint)
    origins: list[str] = []
    for url in urls:
        parts = urlsplit(url or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


class PagePolicy:
    """The Content-Security-Policy of the web app's answers."""

    def __init__(self, *, media_origins: Sequence[str] = ()) -> None:
        media = " ".join(media_origins)
        self._before_scripts = "default-src 'self'; script-src 'self'"
        self._after_scripts = "; ".join(
            [
                "",
                "style-src 'self' 'unsafe-inline'",
                f"img-src 'self' data: blob: {media}".rstrip(),
                f"media-src 'self' blob: {media}".rstrip(),
                f"connect-src 'self' {media}".rstrip(),
                "font-src 'self' data:",
                "worker-src 'self' blob:",
                "manifest-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )
        self._headers: dict[tuple[str, ...], bytes] = {}

    def header(self, script_hashes: tuple[str, ...] = ()) -> bytes:
        cached = self._headers.get(script_hashes)
        if cached is None:
            scripts = "".join(f" {source}" for source in script_hashes)
            cached = f"{self._before_scripts}{scripts}{self._after_scripts}".encode()
            if len(self._headers) < 10_000:
                self._headers[script_hashes] = cached
        return cached


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether Accept-Encoding allows gzip: named (or `*`) with a weight above 0."""
    weights: dict[str, float] = {}
    for part in (accept_encoding or "").split(","):
        coding, _, parameters = part.partition(";")
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        weights[coding.strip().lower()] = weight
    for coding in ("gzip", "x-gzip", "*"):
        if coding in weights:
            return weights[coding] > 0
    return False


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 13.1.2)."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag.removeprefix("W/") in tags


class WebAppMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.export = WebExport(settings.web_dist_dir)
        self.policy = PagePolicy(media_origins=media_origins(settings))
        self.show_folder = settings.ott_env is not Environment.PRODUCTION

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not is_web_path(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        scope["route"] = _ROUTE
        if not self.export.exists():
            details = {"web_dist_dir": str(self.export.root)} if self.show_folder else None
            error = NotFound(_BUILD_HINT, code="web_not_built", details=details)
            await app_error_response(error)(scope, receive, send)
            return
        path: str = scope["path"]
        segments = safe_segments(path)
        if segments is not None:
            if path.endswith("/"):
                found = self.export.find([*segments, "index.html"])
            else:
                found = self.export.find(segments)
                if found is None and self.export.find([*segments, "index.html"]):
                    await self._redirect(scope, send, segments)
                    return
                if found is None:  # an export without trailing slashes: /title is title.html
                    found = self.export.find([*segments[:-1], segments[-1] + ".html"])
            file = await self.export.load(found) if found else None
            if file is not None:
                await self._serve(scope, receive, send, file, status=200)
                return
        await self._not_found(scope, receive, send)

    async def _not_found(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.export.find([NOT_FOUND_PAGE])
        file = await self.export.load(found) if found else None
        if file is None:
            await app_error_response(NotFound("No such page"))(scope, receive, send)
            return
        await self._serve(scope, receive, send, file, status=404)

    async def _redirect(self, scope: Scope, send: Send, segments: list[str]) -> None:
        # Built from the checked segments, so it is always a path on this site (never `//host`).
        location = "/" + "/".join(quote(segment) for segment in segments) + "/"
        if scope.get("query_string"):
            location += "?" + scope["query_string"].decode("latin-1")
        headers = [
            (b"location", location.encode("latin-1")),
            (b"cache-control", REVALIDATE),
            (b"content-length", b"0"),
            (b"content-security-policy", self.policy.header()),
        ]
        await send({"type": "http.response.start", "status": 308, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, file: WebFile, *, status: int
    ) -> None:
        immutable = status == 200 and scope["path"].startswith(IMMUTABLE_PREFIX)
        headers = [
            (b"cache-control", IMMUTABLE if immutable else REVALIDATE),
            (b"content-security-policy", self.policy.header(file.script_hashes)),
        ]
        if file.compressible:
            headers.append((b"vary", b"accept-encoding"))
        gzipped = file.gzipped is not None and accepts_gzip(_header(scope, b"accept-encoding"))
        etag = file.gzip_etag if gzipped and file.gzip_etag else file.etag
        headers.append((b"etag", etag.encode()))
        if status == 200 and etag_matches(_header(scope, b"if-none-match"), etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        if file.body is None:
            response = FileResponse(
                file.path,
                status_code=status,
                headers={name.decode(): value.decode() for name, value in headers},
                media_type=file.content_type,
            )
            await response(scope, receive, send)
            return
        body = file.gzipped if gzipped and file.gzipped is not None else file.body
        if gzipped:
            headers.append((b"content-encoding", b"gzip"))
        headers += [
            (b"content-type", file.content_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )
