"""An S3-like server for tests: path-style objects in memory. Every request must carry a valid
AWS Signature Version 4 for the one known key pair; a signed payload must match its hash, and
an UNSIGNED-PAYLOAD body is taken as it streams (the number of pieces it came in is kept)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ott.core.storage import UNSIGNED_PAYLOAD, sign_v4

_AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, "
    r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$"
)


class FakeS3:
    def __init__(self, access_key: str, secret_key: str) -> None:
        self.access_key, self.secret_key = access_key, secret_key
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.pieces: dict[str, int] = {}
        self.app = Starlette(
            routes=[Route("/{path:path}", self.handle, methods=["PUT", "GET", "DELETE"])]
        )

    def _signed_correctly(self, request: Request) -> bool:
        match = _AUTH.match(request.headers.get("authorization", ""))
        if not match or match[1] != self.access_key:
            return False
        given = {
            name: request.headers[name]
            for name in match[4].split(";")
            if name not in ("host", "x-amz-date", "x-amz-content-sha256")
        }
        expected = sign_v4(
            request.method,
            str(request.url),
            given,
            request.headers["x-amz-content-sha256"],
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=match[3],
            now=datetime.strptime(request.headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(
                tzinfo=UTC
            ),
        )
        return expected["Authorization"].endswith(f"Signature={match[5]}")

    async def handle(self, request: Request) -> Response:
        if not self._signed_correctly(request):
            return Response("SignatureDoesNotMatch", status_code=403)
        path = request.url.path
        if request.method == "PUT":
            pieces = [chunk async for chunk in request.stream() if chunk]
            body = b"".join(pieces)
            declared = request.headers["x-amz-content-sha256"]
            if declared != UNSIGNED_PAYLOAD and declared != hashlib.sha256(body).hexdigest():
                return Response("XAmzContentSHA256Mismatch", status_code=400)
            if len(body) != int(request.headers.get("content-length", len(body))):
                return Response("IncompleteBody", status_code=400)
            self.objects[path] = (body, request.headers.get("content-type", ""))
            self.pieces[path] = len(pieces)
            return Response(status_code=200)
        if request.method == "GET":
            if path not in self.objects:
                return Response("NoSuchKey", status_code=404)
            return Response(self.objects[path][0], media_type=self.objects[path][1])
        self.objects.pop(path, None)
        return Response(status_code=204)
