"""A session's manifest: the encoding's HLS master playlist or DASH MPD, left with the rungs the
viewer's plan allows and pointed at the encoding's folder under the session's token.

The master lists the media playlists by relative URI; here each becomes absolute under the
signed folder, so the static media playlists and their segments resolve under the same token.
The MPD gets one MPD-level BaseURL (the signed folder) that its relative SegmentTemplates and
subtitle BaseURLs resolve against. The filtered document is kept per (encoding, format, height
cap) as a template with a placeholder where the signed folder goes; each request only puts its
own folder in. Encodings never change once written, so the templates need no invalidation.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import uuid
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import m3u8

from ott.core.memo import TtlCache
from ott.core.storage import Storage
from ott.streaming.schemas import StreamFormat

PLACEHOLDER = "@@OTT-SIGNED-FOLDER@@/"
MPD_NAMESPACE = "urn:mpeg:dash:schema:mpd:2011"
_MPD = f"{{{MPD_NAMESPACE}}}"
# Elements that precede BaseURL among an MPD's children (ISO/IEC 23009-1 MPDtype).
_BEFORE_BASE_URL = {f"{_MPD}ProgramInformation"}
CONTENT_TYPES = {
    StreamFormat.HLS: "application/vnd.apple.mpegurl",
    StreamFormat.DASH: "application/dash+xml",
}
_TEMPLATE_SECONDS = 3600.0
_MAX_TEMPLATES = 1024


class ManifestError(RuntimeError):
    """The stored manifest cannot be read or has no video."""


def fits(width: int | None, height: int | None, max_height: int | None) -> bool:
    """Whether a rung fits under the plan's cap, measured on the picture's short side (the
    ladder names portrait rungs by it too: a 1080x1920 phone video is "1080p")."""
    if max_height is None or width is None or height is None:
        return True
    return min(width, height) <= max_height


def _relative(uri: str) -> bool:
    return "://" not in uri and not uri.startswith("/")


def hls_template(master: str, *, max_height: int | None) -> str:
    """The master playlist with only the allowed variants and every URI under PLACEHOLDER."""
    playlist = m3u8.loads(master)
    if not playlist.is_variant:
        raise ManifestError("the HLS master playlist lists no variants")

    def allowed(stream_info: object) -> bool:
        resolution = getattr(stream_info, "resolution", None)
        width, height = resolution if resolution else (None, None)
        return fits(width, height, max_height)

    variants = list(playlist.playlists)
    kept = [v for v in variants if allowed(v.stream_info)] or [
        min(variants, key=lambda v: v.stream_info.bandwidth or 0)
    ]
    playlist.playlists[:] = kept
    playlist.iframe_playlists[:] = [
        v for v in playlist.iframe_playlists if allowed(v.iframe_stream_info)
    ]
    for item in [*playlist.playlists, *playlist.iframe_playlists, *playlist.media]:
        if item.uri and _relative(item.uri):
            item.uri = PLACEHOLDER + item.uri
    return str(playlist.dumps())


def _representation_size(representation: ET.Element, parent: ET.Element) -> tuple[int, int] | None:
    width = representation.get("width") or parent.get("width")
    height = representation.get("height") or parent.get("height")
    if width is None or height is None:
        return None
    return int(width), int(height)


def dash_template(mpd: str, *, max_height: int | None) -> str:
    """The MPD with only the allowed video Representations and a BaseURL of PLACEHOLDER."""
    namespaces: dict[str, str] = {}
    try:
        for _, (prefix, uri) in ET.iterparse(StringIO(mpd), events=("start-ns",)):  # noqa: S314 - the pipeline's own file
            namespaces.setdefault(prefix, uri)
        root = ET.fromstring(mpd)  # noqa: S314 - the pipeline's own file
    except ET.ParseError as error:
        raise ManifestError(f"the DASH manifest is not XML: {error}") from error
    if root.tag != f"{_MPD}MPD":
        raise ManifestError("not a DASH manifest")
    videos = 0
    for adaptation in root.iter(f"{_MPD}AdaptationSet"):
        representations = adaptation.findall(f"{_MPD}Representation")
        sized = [(r, _representation_size(r, adaptation)) for r in representations]
        if not any(size for _, size in sized):
            continue  # audio, text: nothing to filter
        videos += 1
        kept = [r for r, size in sized if size is None or fits(*size, max_height)]
        if not kept:
            kept = [min(representations, key=lambda r: int(r.get("bandwidth") or 0))]
        for representation in representations:
            if representation not in kept:
                adaptation.remove(representation)
        sizes = [size for r, size in sized if r in kept and size]
        if adaptation.get("maxWidth") is not None:
            adaptation.set("maxWidth", str(max(w for w, _ in sizes)))
        if adaptation.get("maxHeight") is not None:
            adaptation.set("maxHeight", str(max(h for _, h in sizes)))
    if not videos:
        raise ManifestError("the DASH manifest has no video")

    existing = root.find(f"{_MPD}BaseURL")
    if existing is not None and existing.text and _relative(existing.text.strip()):
        existing.text = PLACEHOLDER + existing.text.strip()
    elif existing is None:
        base = ET.Element(f"{_MPD}BaseURL")
        base.text = PLACEHOLDER
        position = sum(1 for child in root if child.tag in _BEFORE_BASE_URL)
        root.insert(position, base)

    # ElementTree's prefixes are process-wide: registering the document's own keeps them
    # (the MPD's namespace as the default one) instead of ns0, ns1...
    ET.register_namespace("", MPD_NAMESPACE)
    for prefix, uri in namespaces.items():
        if prefix and uri != MPD_NAMESPACE and not re.fullmatch(r"ns\d+", prefix):
            ET.register_namespace(prefix, uri)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def render(template: str, base_url: str) -> str:
    """The manifest for one signed folder (`base_url` ends with a slash)."""
    return template.replace(PLACEHOLDER, base_url)


async def _read_stored(storage: Storage, key: str) -> str:
    with tempfile.TemporaryDirectory(prefix="ott-manifest-") as folder:
        path = Path(folder) / "manifest"
        await storage.fetch_file(key, path)
        return await asyncio.to_thread(path.read_text, encoding="utf-8")


class ManifestTemplates:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._templates: TtlCache[tuple[uuid.UUID, StreamFormat, int | None], str] = TtlCache(
            ttl_seconds=_TEMPLATE_SECONDS, max_entries=_MAX_TEMPLATES
        )

    async def template(
        self,
        *,
        encoding_id: uuid.UUID,
        folder: str,
        file: str,
        format: StreamFormat,
        max_height: int | None,
    ) -> str:
        key = (encoding_id, format, max_height)
        if (cached := self._templates.get(key)) is not None:
            return cached
        text = await _read_stored(self.storage, f"{folder}/{file}")
        build = hls_template if format is StreamFormat.HLS else dash_template
        return self._templates.put(key, build(text, max_height=max_height))
