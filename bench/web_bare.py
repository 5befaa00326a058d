"""The bare player of bench/web.py: a page with nothing but Video.js, served by the benchmark
itself on a port of its own, playing the master playlist of a playback session.

The page loads the same video.js release the web app bundles (web/node_modules/video.js, its
own minified build) and sets up a player with the one option the app's player also sets for
the engine (VHS even where the browser claims HLS). Pressing its Play button gives the player
the source and plays: what is timed is the manifest, the media playlists, the segments and
decoding, with no application around them.

The master playlist is the session's, as the streaming API signed it. It is served from this
page's origin, so its media playlist URIs (absolute paths under the signed folder) are made
absolute URLs of the gateway; the media files then come from the gateway as the app's do,
cross-origin (the gateway is started with this page's origin in CORS_ORIGINS).
"""

from __future__ import annotations

import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from processes import free_port

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Bare Video.js</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/video-js.min.css">
<style>
  html, body { margin: 0; height: 100%; background: #000; }
  #play { position: fixed; left: 16px; bottom: 16px; z-index: 10; font: 16px sans-serif; }
</style>
<script src="/video.min.js"></script>
</head>
<body>
<video-js id="player" class="vjs-fill" playsinline></video-js>
<button id="play" type="button">Play</button>
<script>
  const player = videojs("player", {
    controls: true,
    preload: "auto",
    fill: true,
    html5: { vhs: { overrideNative: !videojs.browser.IS_SAFARI } },
  });
  document.getElementById("play").addEventListener("click", () => {
    player.src({ src: "/master.m3u8", type: "application/x-mpegURL" });
    player.play();
  });
  player.ready(() => { window.benchPlayerReady = true; });
</script>
</body>
</html>
"""

# A URI at the start of a line, or in a tag's URI="..." attribute, that is an absolute path.
_ABSOLUTE_PATH = re.compile(r'(^|URI=")(/[^/])', re.MULTILINE)


def with_origin(playlist: str, origin: str) -> str:
    """The playlist with every absolute-path URI made an absolute URL of `origin`."""
    return _ABSOLUTE_PATH.sub(lambda m: f"{m.group(1)}{origin}{m.group(2)}", playlist)


class BarePage:
    """The page, the video.js files and the current master playlist, from memory."""

    def __init__(self, video_js_dist: Path) -> None:
        self.files: dict[str, tuple[bytes, str]] = {
            "/": (PAGE.encode(), "text/html; charset=utf-8"),
            "/video.min.js": (
                (video_js_dist / "video.min.js").read_bytes(),
                "text/javascript; charset=utf-8",
            ),
            "/video-js.min.css": (
                (video_js_dist / "video-js.min.css").read_bytes(),
                "text/css; charset=utf-8",
            ),
        }
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self._server: ThreadingHTTPServer | None = None

    def set_master(self, playlist: str, *, media_origin: str) -> None:
        self.files["/master.m3u8"] = (
            with_origin(playlist, media_origin).encode(),
            "application/vnd.apple.mpegurl",
        )

    def start(self) -> None:
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                found = files.get(self.path.split("?", 1)[0])
                if found is None:
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                body, content_type = found
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
