"""Posters and thumbnails: checked by decoding them, resized to what the apps show.

An upload is trusted only as far as Pillow can decode it: the file name and the declared
content type are ignored. JPEG, PNG and WebP are accepted (anything else, or something that is
not an image at all, is 415); a truncated or corrupt image, one smaller than the largest size
the apps show, or one of more than `MAX_PIXELS` pixels is 422; a file over `MAX_IMAGE_BYTES` is
413. The image is turned upright (EXIF orientation), flattened onto black if it has
transparency, cropped to the kind's aspect ratio around its centre and written as progressive
JPEG (every TV and phone decodes it) in each size:

    poster      2:3    600x900, 300x450
    thumbnail   16:9   1280x720, 640x360

Files are stored as `<kind>s/<content id>/<sha-256 of the upload, 16 hex>-<W>x<H>.jpg`, so a
new image gets new URLs (no stale CDN caches) and an old version's URLs keep working. The
title's poster_url / thumbnail_url is set to the largest size; the others follow the pattern.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image, ImageOps, UnidentifiedImageError

from ott.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85


class AssetKind(StrEnum):
    POSTER = "poster"
    THUMBNAIL = "thumbnail"


@dataclass(frozen=True)
class AssetSpec:
    field: str
    sizes: tuple[tuple[int, int], ...]  # largest first


SPECS = {
    AssetKind.POSTER: AssetSpec("poster_url", ((600, 900), (300, 450))),
    AssetKind.THUMBNAIL: AssetSpec("thumbnail_url", ((1280, 720), (640, 360))),
}


def size_label(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def storage_key(kind: AssetKind, content_id: uuid.UUID, digest: str, size: tuple[int, int]) -> str:
    return f"{kind.value}s/{content_id}/{digest}-{size_label(size)}.jpg"


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def check_size(length: int) -> None:
    if length > MAX_IMAGE_BYTES:
        raise PayloadTooLarge(
            f"An image may be at most {MAX_IMAGE_BYTES // (1024 * 1024)} MiB",
            details={"max_bytes": MAX_IMAGE_BYTES},
        )


def render(data: bytes, kind: AssetKind) -> dict[tuple[int, int], bytes]:
    """Decode `data` and produce the kind's sizes as JPEG bytes (CPU-bound: run in a thread)."""
    check_size(len(data))
    if not data:
        raise ValidationFailed("The upload is empty", code="invalid_image")
    spec = SPECS[kind]
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError as exc:
        raise UnsupportedMediaType(
            "The file is not a JPEG, PNG or WebP image",
            details={"accepted": ["image/jpeg", "image/png", "image/webp"]},
        ) from exc
    except Image.DecompressionBombError as exc:
        raise ValidationFailed("The image has too many pixels", code="image_too_large") from exc
    with image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ValidationFailed(
                f"The image has too many pixels ({width}x{height}); at most {MAX_PIXELS}",
                code="image_too_large",
            )
        largest = spec.sizes[0]
        if width < largest[0] or height < largest[1]:
            raise ValidationFailed(
                f"A {kind.value} must be at least {size_label(largest)} pixels; "
                f"this image is {width}x{height}",
                code="image_too_small",
                details={"min_width": largest[0], "min_height": largest[1]},
            )
        try:
            image.load()
            upright = ImageOps.exif_transpose(image)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise ValidationFailed(
                "The image is damaged or truncated and cannot be decoded", code="invalid_image"
            ) from exc
        return {size: _encode(_fit(_flatten(upright), size)) for size in spec.sizes}


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (0, 0, 0))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _fit(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    return ImageOps.fit(image, size, method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()
