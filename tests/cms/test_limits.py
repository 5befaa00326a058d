"""Hostile bodies: deeply nested JSON, huge CSV cells and oversized files get a 4xx in the
error format, never a 500, and change nothing."""

from __future__ import annotations

import httpx
import pytest

from ott.core.app_context import AppContext
from ott.core.settings import Settings
from tests.cms.conftest import CMS, Staff, create, movie, table_counts
from tests.cms.test_bulk import BULK, upload
from tests.conftest import assert_error

DEPTH = 50_000


def _deep(depth: int, open_: str = "[", close: str = "]") -> bytes:
    return (open_ * depth + close * depth).encode()


DEEP_FILES = {
    "bare brackets": _deep(DEPTH),
    "under titles": b'{"titles": [{"people": ' + _deep(DEPTH) + b"}]}",
    "objects": (b'{"a":' * DEPTH) + b"1" + (b"}" * DEPTH),
    "just over the limit, within Python's": b'{"titles": [' + _deep(40) + b"]}",
    "unclosed": b"[" * DEPTH,
    "inside strings is fine, outside not": b'{"titles": ["'
    + b"[" * 500
    + b'", '
    + _deep(DEPTH)
    + b"]}",
}


@pytest.mark.parametrize("case", list(DEEP_FILES))
async def test_a_deeply_nested_json_file_is_400(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, case: str
) -> None:
    counts = await table_counts(resources)
    error = assert_error(await upload(api, staff.editor, DEEP_FILES[case]), 400)
    assert error["code"] in {"json_too_deep", "malformed_json"}
    multipart = await api.post(
        BULK,
        files={"file": ("titles.json", DEEP_FILES[case], "application/json")},
        headers=staff.editor.headers,
    )
    assert_error(multipart, 400)
    assert await table_counts(resources) == counts


async def test_the_depth_limit_names_itself(api: httpx.AsyncClient, staff: Staff) -> None:
    error = assert_error(await upload(api, staff.editor, DEEP_FILES["under titles"]), 400)
    assert error["code"] == "json_too_deep"
    assert error["details"]["max_depth"] >= 8


async def test_strings_that_look_nested_are_only_text(api: httpx.AsyncClient, staff: Staff) -> None:
    """Brackets inside strings do not count, escaped quotes included."""
    title = movie(title='[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\\"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{')
    body = b'{"titles": [' + httpx.Request("POST", "/", json=title).content + b"]}"
    response = await upload(api, staff.editor, body)
    assert response.status_code == 200, response.text


async def test_deep_json_on_the_editing_routes_is_4xx(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    view = await create(api, staff.editor, movie())
    counts = await table_counts(resources)
    deep = _deep(200_000)  # under the 1 MiB request limit
    for method, url in [
        ("POST", CMS),
        ("PUT", f"{CMS}/{view['id']}"),
        ("PATCH", f"{CMS}/{view['id']}"),
        ("POST", f"{CMS}/{view['id']}/approve"),
    ]:
        response = await api.request(
            method,
            url,
            content=deep,
            headers={**staff.editor.headers, "content-type": "application/json"},
        )
        assert 400 <= response.status_code < 500, (method, url, response.text)
        assert_error(response, response.status_code)
    assert await table_counts(resources) == counts


async def test_a_huge_csv_cell_or_deep_csv_text_is_4xx(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    counts = await table_counts(resources)
    huge = b"external_id,type,title\nx,movie," + b"a" * 300_000 + b"\n"
    assert_error(await upload(api, staff.editor, huge, "text/csv"), 400, "malformed_csv")
    brackets = b"external_id,type,title,genres\nx,movie,T," + b"[" * DEPTH + b"\n"
    error = assert_error(
        await upload(api, staff.editor, brackets, "text/csv"), 422, "bulk_validation_failed"
    )
    assert error["details"]["errors"][0]["field"] == "genres"
    quoted = b'external_id,type,title\nx,movie,"' + b"[" * 100_000
    assert_error(await upload(api, staff.editor, quoted, "text/csv"), 400, "malformed_csv")
    assert await table_counts(resources) == counts


async def test_a_file_over_the_bulk_limit_is_413(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, settings: Settings
) -> None:
    limit = settings.max_bulk_upload_bytes
    counts = await table_counts(resources)
    body = b'{"titles": [' + b" " * limit + b"]}"
    assert_error(await upload(api, staff.editor, body), 413)
    assert await table_counts(resources) == counts
