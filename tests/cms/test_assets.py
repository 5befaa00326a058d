"""Poster and thumbnail uploads: decoded and resized for real, stored through the media
storage, the title updated with a new version; anything that is not a usable image is refused
and changes nothing."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import httpx
import pytest
from PIL import Image

from ott.cms import images
from ott.core.app_context import AppContext
from ott.core.errors import PayloadTooLarge, ValidationFailed
from ott.core.settings import Settings
from tests.cms.conftest import CMS, Staff, create, movie, title_rows, to_state
from tests.conftest import assert_error, settings_with


def image_bytes(size: tuple[int, int], fmt: str = "PNG", mode: str = "RGB") -> bytes:
    """A real image: a colour gradient, so resizing and cropping have something to do."""
    image = Image.new(mode, size)
    if mode in ("RGB", "RGBA"):
        gradient = Image.linear_gradient("L").resize(size)
        channels = [gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient]
        if mode == "RGBA":
            channels.append(Image.new("L", size, 128))
        image = Image.merge(mode, channels)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def media_files(settings: Settings, content_id: str) -> list[Path]:
    root = settings.data_dir / "media"
    return sorted(p for p in root.glob(f"*/{content_id}/*") if p.is_file())


async def post_image(
    api: httpx.AsyncClient,
    user: object,
    content_id: str,
    kind: str,
    data: bytes,
    content_type: str = "image/png",
    **params: object,
) -> httpx.Response:
    return await api.post(
        f"{CMS}/{content_id}/assets/{kind}",
        content=data,
        params=params,
        headers={**user.headers, "content-type": content_type},  # type: ignore[attr-defined]
    )


async def test_a_poster_is_resized_stored_and_set_on_the_title(
    api: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    view = await create(api, staff.editor, movie(poster_url=None))
    data = image_bytes((800, 1100))  # not 2:3: cropped around the centre
    response = await post_image(api, staff.editor, view["id"], "poster", data)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "poster"
    assert set(body["urls"]) == {"600x900", "300x450"}
    digest = images.digest_of(data)
    assert body["urls"]["600x900"] == f"/media/posters/{view['id']}/{digest}-600x900.jpg"
    content = body["content"]
    assert content["poster_url"] == body["urls"]["600x900"]
    assert content["version"] == 2

    files = media_files(settings, view["id"])
    assert [f.name for f in files] == [f"{digest}-300x450.jpg", f"{digest}-600x900.jpg"]
    for file, size in zip(files, [(300, 450), (600, 900)], strict=True):
        with Image.open(file) as stored:
            assert (stored.format, stored.size, stored.mode) == ("JPEG", size, "RGB")

    history = (await api.get(f"{CMS}/{view['id']}/versions", headers=staff.editor.headers)).json()
    latest = history["versions"][0]
    assert (latest["action"], latest["note"]) == ("poster_upload", "new poster")
    assert latest["changes"] == [
        {"field": "poster_url", "before": None, "after": body["urls"]["600x900"]}
    ]


async def test_a_thumbnail_arrives_as_multipart_webp_with_transparency(
    api: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    view = await create(api, staff.editor, movie())
    data = image_bytes((1920, 1200), fmt="WEBP", mode="RGBA")
    response = await api.post(
        f"{CMS}/{view['id']}/assets/thumbnail",
        files={"file": ("frame.bin", data, "application/octet-stream")},
        params={"version": 1},
        headers=staff.editor.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["urls"]) == {"1280x720", "640x360"}
    assert body["content"]["thumbnail_url"] == body["urls"]["1280x720"]
    sizes = []
    for file in media_files(settings, view["id"]):
        with Image.open(file) as stored:
            sizes.append(stored.size)
            assert stored.mode == "RGB"
    assert sorted(sizes) == [(640, 360), (1280, 720)]


async def test_an_admin_replaces_the_poster_of_a_published_title(
    api: httpx.AsyncClient, staff: Staff
) -> None:
    view = await to_state(api, staff, movie(), "published")
    response = await post_image(api, staff.admin, view["id"], "poster", image_bytes((600, 900)))
    assert response.status_code == 200, response.text
    assert response.json()["content"]["workflow_state"] == "published"
    refused = await post_image(api, staff.editor, view["id"], "poster", image_bytes((600, 900)))
    assert_error(refused, 403, "forbidden")


def _truncated_png() -> bytes:
    data = image_bytes((700, 1000))
    return data[: len(data) // 2]


BAD_IMAGES = {
    "text renamed .jpg": (b"This is not an image at all, just text.\n" * 20, 415, None),
    "html": (b"<html><body><script>alert(1)</script></body></html>", 415, None),
    "gif": (image_bytes((700, 1000), fmt="GIF", mode="P"), 415, None),
    "bmp": (image_bytes((300, 300), fmt="BMP"), 415, None),
    "truncated png": (_truncated_png(), 422, "invalid_image"),
    "too small": (image_bytes((300, 450)), 422, "image_too_small"),
    "wrong orientation": (image_bytes((900, 600)), 422, "image_too_small"),
    "empty": (b"", 422, "invalid_image"),
    "too many pixels": (image_bytes((7000, 7000), mode="1"), 422, "image_too_large"),
}


@pytest.mark.parametrize("case", list(BAD_IMAGES))
async def test_a_bad_image_is_refused_and_nothing_changes(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, settings: Settings, case: str
) -> None:
    data, status, code = BAD_IMAGES[case]
    view = await create(api, staff.editor, movie())
    before = await title_rows(resources, view["id"])
    response = await api.post(
        f"{CMS}/{view['id']}/assets/poster",
        files={"file": ("poster.jpg", data, "image/jpeg")},
        headers=staff.editor.headers,
    )
    error = assert_error(response, status, code or "unsupported_media_type")
    assert error["message"]
    assert await title_rows(resources, view["id"]) == before
    assert media_files(settings, view["id"]) == []


async def test_refused_uploads_change_nothing(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, settings: Settings
) -> None:
    view = await create(api, staff.editor, movie())
    before = await title_rows(resources, view["id"])
    good = image_bytes((600, 900))
    assert_error(await post_image(api, staff.editor, view["id"], "banner", good), 422)
    assert_error(await post_image(api, staff.viewer, view["id"], "poster", good), 403)
    assert_error(
        await post_image(api, staff.other_editor, view["id"], "poster", good), 403, "not_owner"
    )
    assert_error(
        await post_image(api, staff.editor, view["id"], "poster", good, version=7),
        409,
        "stale_version",
    )
    missing = await api.post(
        f"{CMS}/{view['id']}/assets/poster",
        files={"image": ("p.png", good, "image/png")},
        headers=staff.editor.headers,
    )
    assert_error(missing, 400, "missing_file")
    assert await title_rows(resources, view["id"]) == before
    assert media_files(settings, view["id"]) == []

    pending = await to_state(api, staff, movie(), "pending_review")
    response = await post_image(api, staff.admin, pending["id"], "poster", good)
    assert_error(response, 409, "illegal_transition")
    assert media_files(settings, pending["id"]) == []


async def test_an_image_over_the_limit_is_413(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, settings: Settings
) -> None:
    view = await create(api, staff.editor, movie())
    before = await title_rows(resources, view["id"])
    limit = settings.max_image_upload_bytes
    response = await post_image(api, staff.editor, view["id"], "poster", b"\0" * (limit + 1))
    assert_error(response, 413)
    assert await title_rows(resources, view["id"]) == before
    with pytest.raises(PayloadTooLarge):
        images.render(b"\0" * 1001, images.AssetKind.POSTER, max_bytes=1000)


def _jpeg(size: tuple[int, int], orientation: int | None = None) -> bytes:
    image = Image.open(io.BytesIO(image_bytes(size))).convert("RGB")
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def _decoded(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_an_exif_turned_photo_is_judged_and_stored_upright() -> None:
    """Stored 1200x800 but shown turned a quarter (orientation 6): a portrait of 800x1200."""
    rendered = images.render(_jpeg((1200, 800), 6), images.AssetKind.POSTER, max_bytes=10**7)
    assert [_decoded(data).size for data in rendered.values()] == [(600, 900), (300, 450)]
    with pytest.raises(ValidationFailed) as refused:
        images.render(_jpeg((1200, 800), 6), images.AssetKind.THUMBNAIL, max_bytes=10**7)
    assert refused.value.code == "image_too_small"


@pytest.mark.parametrize(
    ("size", "mode", "fmt"),
    [
        ((6000, 6600), "RGB", "JPEG"),  # decoded at 1/4 scale (draft)
        ((3000, 4000), "RGBA", "PNG"),
        ((700, 1000), "P", "PNG"),
        ((700, 1000), "L", "WEBP"),
        ((2000, 3000), "1", "PNG"),
    ],
)
def test_large_and_unusual_images_render_to_every_size(
    size: tuple[int, int], mode: str, fmt: str
) -> None:
    image = Image.new(mode, size, 1 if mode in ("1", "P") else None)
    if mode == "P":
        image.info["transparency"] = 0
    out = io.BytesIO()
    image.save(out, format=fmt)
    rendered = images.render(out.getvalue(), images.AssetKind.POSTER, max_bytes=10**7)
    for data, expected in zip(rendered.values(), [(600, 900), (300, 450)], strict=True):
        with _decoded(data) as stored:
            assert (stored.format, stored.size, stored.mode) == ("JPEG", expected, "RGB")


async def test_the_cms_itself_keeps_to_max_image_upload_bytes(
    staff: Staff, settings: Settings, api: httpx.AsyncClient
) -> None:
    """Called directly (split mode, past the gateway's limit), the CMS refuses what the
    setting refuses; it used a hard-coded 10 MiB."""
    from ott.cms.app import create_app
    from ott.core.identity import IDENTITY_HEADER, Identity, Role, encode_internal_identity

    view = await create(api, staff.editor, movie())
    small_limit = settings_with(settings, max_image_upload_bytes=2_000, run_worker_in_process=False)
    app = create_app(small_limit)
    identity = Identity(
        user_id=uuid.UUID(staff.editor.id),
        session_id="direct",
        roles=frozenset({Role.EDITOR.value, Role.VIEWER.value}),
    )
    headers = {
        IDENTITY_HEADER: encode_internal_identity(identity, small_limit),
        "content-type": "image/png",
    }
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cms") as direct,
    ):
        big = image_bytes((600, 900))
        assert len(big) > 2_000
        response = await direct.post(
            f"{CMS}/{view['id']}/assets/poster", content=big, headers=headers
        )
        error = assert_error(response, 413)
        assert error["details"] == {"max_bytes": 2_000}
