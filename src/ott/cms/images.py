"""Posters and thumbnails: checked by decoding them, resized to what the apps show.

An upload is trusted only as far as Pillow can decode it: the file name and the declared
content type are ignored. JPEG, PNG and WebP are accepted (anything else, or something that is
not an image at all, is 415); a truncated or corrupt image, one smaller than the largest size
the apps show, or one of more than `MAX_PIXELS` pixels is 422; a file over
MAX_IMAGE_UPLOAD_BYTES is 413. The image is turned upright (EXIF orientation), flattened onto
black if it has transparency, cropped to the kind's aspect ratio around its centre and written
as progressive JPEG (every TV and phone decodes it) in each size:

    poster      2:3    600x900, 300x450
    thumbnail   16:9   1280x720, 640x360

Memory: a 38 KB PNG can declare 6000x6600 pixels, 119 MB once decoded. The size is read from
the header and checked before anything is decoded; a JPEG is decoded at the smallest DCT scale
(1/2, 1/4, 1/8) still larger than the target (`draft`); other formats are decoded whole and at
once reduced by an integer factor, so that every later step (turning, flattening, cropping)
works on an image about the target's size. One decode thus holds at most about
MAX_PIXELS x 4 bytes x 2 (a transparent or palette image is converted before it is reduced);
how many run at once is bounded by the caller (ott.cms.assets). Pillow's process-wide
MAX_IMAGE_PIXELS is left alone: the video pipeline uses Pillow too.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from enum import StrEnum

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from ott.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed

MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85

Size = tuple[int, int]


class AssetKind(StrEnum):
    POSTER = "poster"
    THUMBNAIL = "thumbnail"


@dataclass(frozen=True)
class AssetSpec:
    field: str
    sizes: tuple[Size, ...]  # largest first


SPECS = {
    AssetKind.POSTER: AssetSpec("poster_url", ((600, 900), (300, 450))),
    AssetKind.THUMBNAIL: AssetSpec("thumbnail_url", ((1280, 720), (640, 360))),
}

# EXIF orientations and the transpose that makes the image upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_QUARTER_TURNS = {5, 6, 7, 8}
# Modes whose pixels can be averaged as they are (not palette indices, not bits).
_REDUCIBLE = {"L", "RGB", "CMYK", "YCbCr", "I", "F"}


def size_label(size: Size) -> str:
    return f"{size[0]}x{size[1]}"


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def check_size(length: int, *, max_bytes: int) -> None:
    if length > max_bytes:
        raise PayloadTooLarge(
            f"An image may be at most {max_bytes / (1024 * 1024):g} MiB",
            details={"max_bytes": max_bytes},
        )


def render(data: bytes, kind: AssetKind, *, max_bytes: int) -> dict[Size, bytes]:
    """Decode `data` and produce the kind's sizes as JPEG bytes (CPU-bound: run it in a
    thread, and bound how many run at once)."""
    check_size(len(data), max_bytes=max_bytes)
    if not data:
        raise ValidationFailed("The upload is empty", code="invalid_image")
    largest = SPECS[kind].sizes[0]
    with _open(data) as image:
        orientation = _orientation(image)
        turned = orientation in _QUARTER_TURNS
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ValidationFailed(
                f"The image has too many pixels ({width}x{height}); at most {MAX_PIXELS}",
                code="image_too_large",
            )
        upright_size = (height, width) if turned else (width, height)
        if upright_size[0] < largest[0] or upright_size[1] < largest[1]:
            raise ValidationFailed(
                f"A {kind.value} must be at least {size_label(largest)} pixels; "
                f"this image is {upright_size[0]}x{upright_size[1]}",
                code="image_too_small",
                details={"min_width": largest[0], "min_height": largest[1]},
            )
        # The target in the image's stored orientation.
        target = (largest[1], largest[0]) if turned else largest
        small = _decode_small(image, target)
        method = _UPRIGHT.get(orientation)
        upright = small.transpose(method) if method is not None else small
        return {size: _encode(_fit(upright, size)) for size in SPECS[kind].sizes}


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)  # reads the header only
    except UnidentifiedImageError as exc:
        raise UnsupportedMediaType(
            "The file is not a JPEG, PNG or WebP image",
            details={"accepted": ["image/jpeg", "image/png", "image/webp"]},
        ) from exc
    except Image.DecompressionBombError as exc:
        raise ValidationFailed("The image has too many pixels", code="image_too_large") from exc


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except (OSError, SyntaxError, ValueError):
        return 1
    return value if isinstance(value, int) else 1


def _decode_small(image: Image.Image, target: Size) -> Image.Image:
    """The image decoded, flattened to RGB and reduced to no less than `target`."""
    if image.format == "JPEG":
        image.draft(image.mode, target)
    try:
        image.load()
        flat = image if image.mode in _REDUCIBLE else _flatten(image)
        factor = min(flat.width // target[0], flat.height // target[1])
        small = flat.reduce(factor) if factor >= 2 else flat
        return _flatten(small) if small.mode != "RGB" else small
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationFailed(
            "The image is damaged or truncated and cannot be decoded", code="invalid_image"
        ) from exc


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (0, 0, 0))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _fit(image: Image.Image, size: Size) -> Image.Image:
    return ImageOps.fit(image, size, method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()
