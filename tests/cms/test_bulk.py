"""Bulk ingestion through the gateway: JSON and CSV files with seasons and episodes, the
per-row error report (with nothing imported), idempotent re-imports, and who may import."""

from __future__ import annotations

import copy
import csv
import io
import json
from typing import Any

import httpx
import pytest

from ott.cms.bulk import csv_file
from ott.core.app_context import AppContext
from tests.cms.conftest import (
    CMS,
    Staff,
    content_by_external_id,
    create,
    episode,
    ext_id,
    fetch,
    movie,
    show,
    table_counts,
    title_rows,
)
from tests.conftest import assert_error

BULK = f"{CMS}/bulk-upload"


def catalogue(count: int = 12) -> list[dict[str, Any]]:
    """Films, shows with seasons and episodes, and a sports title."""
    titles: list[dict[str, Any]] = []
    for i in range(count):
        if i % 3 == 0:
            titles.append(show(seasons=2, episodes=4, title=f"Show {i}"))
        elif i % 3 == 1:
            titles.append(movie(title=f"Film {i}", popularity=float(i)))
        else:
            titles.append(
                movie(
                    type="sports",
                    title=f"Match {i}",
                    genres=["sports"],
                    availability_rules=[],
                    duration_minutes=180,
                )
            )
    return titles


async def upload(
    api: httpx.AsyncClient,
    user: Any,
    content: bytes | str,
    content_type: str = "application/json",
    **params: Any,
) -> httpx.Response:
    return await api.post(
        BULK,
        content=content,
        params=params,
        headers={**user.headers, "content-type": content_type},
        timeout=120,
    )


def as_json(titles: list[dict[str, Any]]) -> bytes:
    return json.dumps({"titles": titles}).encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(value)
    return str(value)


def as_csv(titles: list[dict[str, Any]]) -> str:
    """The documented CSV layout: one row per episode, title-level columns repeated."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(csv_file.CSV_COLUMNS))
    writer.writeheader()
    for title in titles:
        base = {column: _cell(title.get(column)) for column in csv_file.TITLE_COLUMNS}
        rules = title.get("availability_rules") or []
        assert len(rules) <= 1
        if rules:
            rule = rules[0]
            base |= {
                "allowed_countries": _cell(rule.get("allowed_countries")),
                "blocked_countries": _cell(rule.get("blocked_countries")),
                "rule_starts_at": _cell(rule.get("starts_at")),
                "rule_ends_at": _cell(rule.get("ends_at")),
                "rule_tier": _cell(rule.get("tier")),
            }
        if not title.get("seasons"):
            writer.writerow(base)
            continue
        for season in title["seasons"]:
            season_cells = {
                "season_number": str(season["season_number"]),
                "season_title": _cell(season.get("title")),
                "season_title_hi": _cell(season.get("title_hi")),
                "season_release_date": _cell(season.get("release_date")),
            }
            for ep in season["episodes"] or [{}]:
                writer.writerow(
                    base
                    | season_cells
                    | {
                        f"episode_{k}" if k != "episode_number" else k: _cell(v)
                        for k, v in ep.items()
                    }
                )
    return out.getvalue()


def _editable(view: dict[str, Any]) -> dict[str, Any]:
    """A view reduced to what the file describes (no ids, states or timestamps)."""
    out = {k: view[k] for k in movie() if k not in ("availability_rules", "seasons")}
    out["availability_rules"] = [
        {k: v for k, v in r.items() if k != "id"} for r in view["availability_rules"]
    ]
    out["seasons"] = [
        {
            **{k: v for k, v in s.items() if k not in ("id", "episodes")},
            "episodes": [{k: v for k, v in e.items() if k != "id"} for e in s["episodes"]],
        }
        for s in view["seasons"]
    ]
    return out


def _expected(title: dict[str, Any]) -> dict[str, Any]:
    expected = copy.deepcopy(title)
    expected["genres"] = sorted(expected["genres"])
    return expected


# --- JSON ---------------------------------------------------------------------------------


async def test_a_json_file_imports_every_title_with_seasons_and_episodes(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    titles = catalogue(12)
    counts = await table_counts(resources)
    response = await upload(api, staff.editor, as_json(titles))
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["total"], result["created"], result["updated"], result["unchanged"]) == (
        12,
        12,
        0,
        0,
    )
    assert [t["external_id"] for t in result["titles"]] == [t["external_id"] for t in titles]
    assert all(t["status"] == "created" and t["version"] == 1 for t in result["titles"])
    assert all(t["workflow_state"] == "draft" for t in result["titles"])

    after = await table_counts(resources)
    assert after["content"] - counts["content"] == 12
    assert after["content_versions"] - counts["content_versions"] == 12
    assert after["seasons"] - counts["seasons"] == 4 * 2
    assert after["episodes"] - counts["episodes"] == 4 * 2 * 4

    for title, entry in zip(titles, result["titles"], strict=True):
        view = await fetch(api, staff.editor, entry["id"])
        assert _editable(view) == _expected(title)
        assert view["created_by"] == staff.editor.id
        assert view["workflow_state"] == "draft"
    rows = await content_by_external_id(resources, [t["external_id"] for t in titles])
    assert all(row["search_vector"] is not None for row in rows)
    assert {row["sort_title"] for row in rows} == {t["title"].casefold() for t in titles}


async def test_re_importing_the_same_file_changes_nothing(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    titles = catalogue(9)
    first = await upload(api, staff.editor, as_json(titles))
    assert first.status_code == 200, first.text
    counts = await table_counts(resources)
    rows = {t["id"]: await title_rows(resources, t["id"]) for t in first.json()["titles"]}

    again = await upload(api, staff.editor, as_json(titles))
    assert again.status_code == 200, again.text
    result = again.json()
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 9)
    assert [t["id"] for t in result["titles"]] == [t["id"] for t in first.json()["titles"]]
    assert all(t["status"] == "unchanged" and t["version"] == 1 for t in result["titles"])
    assert await table_counts(resources) == counts
    for content_id, before in rows.items():
        assert await title_rows(resources, content_id) == before


async def test_a_changed_title_in_a_re_import_gets_a_new_version(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    titles = catalogue(6)
    first = (await upload(api, staff.editor, as_json(titles))).json()
    show_id = first["titles"][0]["id"]
    episode_ids = {
        e["episode_number"]: e["id"]
        for e in (await fetch(api, staff.editor, show_id))["seasons"][0]["episodes"]
    }
    changed = copy.deepcopy(titles)
    changed[0]["seasons"][0]["episodes"][1]["title"] = "A better name"
    changed[0]["seasons"][0]["episodes"].append(episode(9))
    counts = await table_counts(resources)

    response = await upload(api, staff.editor, as_json(changed))
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 5)
    assert result["titles"][0] == {
        "external_id": titles[0]["external_id"],
        "id": show_id,
        "status": "updated",
        "workflow_state": "draft",
        "version": 2,
    }
    after = await table_counts(resources)
    assert after["content"] == counts["content"]
    assert after["content_versions"] == counts["content_versions"] + 1
    assert after["episodes"] == counts["episodes"] + 1
    view = await fetch(api, staff.editor, show_id)
    episodes = {e["episode_number"]: e for e in view["seasons"][0]["episodes"]}
    assert episodes[2]["title"] == "A better name"
    assert all(episodes[n]["id"] == episode_ids[n] for n in episode_ids)  # ids kept
    history = (await api.get(f"{CMS}/{show_id}/versions", headers=staff.editor.headers)).json()
    assert history["versions"][0]["action"] == "bulk_import"
    assert {c["field"] for c in history["versions"][0]["changes"]} == {
        "seasons.1.episodes.2.title",
        "seasons.1.episodes.9",
    }


async def test_a_multipart_upload_works_too(api: httpx.AsyncClient, staff: Staff) -> None:
    titles = catalogue(3)
    response = await api.post(
        BULK,
        files={"file": ("titles.json", as_json(titles), "application/json")},
        headers=staff.editor.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 3
    response = await api.post(
        BULK,
        files={"file": ("titles.csv", as_csv(titles).encode(), "application/octet-stream")},
        headers=staff.editor.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["unchanged"] == 3


# --- errors -------------------------------------------------------------------------------


async def test_a_file_with_errors_is_reported_whole_and_nothing_is_imported(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    titles = catalogue(9)
    titles[1]["maturity_rating"] = "X"
    del titles[2]["title"]
    titles[3]["seasons"][1]["episodes"][2]["title"] = ""
    titles[4]["external_id"] = titles[0]["external_id"]
    titles[5]["genres"] = ["drama", "space-opera"]
    titles[6]["availability_rules"] = [{"allowed_countries": ["india"]}]
    del titles[7]["external_id"]
    counts = await table_counts(resources)

    response = await upload(api, staff.editor, as_json(titles))
    error = assert_error(response, 422, "bulk_validation_failed")
    found = {(e["item"], e["field"]) for e in error["details"]["errors"]}
    assert found == {
        (1, "maturity_rating"),
        (2, "title"),
        (3, "seasons.1.episodes.2.title"),
        (4, "external_id"),
        (5, "genres"),
        (6, "availability_rules.0.allowed_countries.0"),
        (7, "external_id"),
    }
    assert error["details"]["error_count"] == 7
    assert error["details"]["truncated"] is False
    by_item = {e["item"]: e for e in error["details"]["errors"]}
    assert by_item[4]["message"] == "repeats the external id of item 0"
    assert by_item[5]["message"] == "unknown genre 'space-opera'"
    assert by_item[1]["external_id"] == titles[1]["external_id"]
    assert await table_counts(resources) == counts
    assert await content_by_external_id(resources, [t.get("external_id") for t in titles]) == []


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b'{"titles": [', 400, "malformed_json"),
        (b"[]", 422, "bulk_validation_failed"),
        (b'{"titles": {}}', 422, "bulk_validation_failed"),
        (b'{"titles": []}', 422, "bulk_validation_failed"),
        (b'{"titles": [1, "x"]}', 422, "bulk_validation_failed"),
        (b'{"titles": [], "extra": 1}', 422, "bulk_validation_failed"),
    ],
)
async def test_a_malformed_json_file_is_refused(
    api: httpx.AsyncClient,
    staff: Staff,
    resources: AppContext,
    content: bytes,
    status: int,
    code: str,
) -> None:
    counts = await table_counts(resources)
    assert_error(await upload(api, staff.editor, content), status, code)
    assert await table_counts(resources) == counts


async def test_an_unsupported_file_type_is_415(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    counts = await table_counts(resources)
    response = await upload(api, staff.editor, b"<titles/>", "application/xml")
    assert_error(response, 415, "unsupported_media_type")
    response = await api.post(
        BULK,
        files={"file": ("titles.xml", b"<titles/>", "application/xml")},
        headers=staff.editor.headers,
    )
    assert_error(response, 415, "unsupported_media_type")
    assert await table_counts(resources) == counts


# --- CSV ----------------------------------------------------------------------------------


def test_the_csv_columns_are_documented() -> None:
    doc = csv_file.__doc__ or ""
    for column in csv_file.CSV_COLUMNS:
        assert column in doc, column
    assert len(set(csv_file.CSV_COLUMNS)) == len(csv_file.CSV_COLUMNS)


async def test_a_csv_file_imports_the_same_titles_as_json(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    titles = catalogue(9)
    titles[0]["seasons"].append({"season_number": 5, "title": "Specials", "episodes": []})
    titles[0]["seasons"][0]["episodes"][0]["description"] = 'Quotes "and", commas\nand lines'
    titles[1]["availability_rules"] = [
        {
            "allowed_countries": None,
            "blocked_countries": ["CN", "PK"],
            "starts_at": "2026-01-01T00:00:00Z",
            "ends_at": "2027-01-01T00:00:00Z",
            "tier": "premium",
        }
    ]
    counts = await table_counts(resources)
    response = await upload(api, staff.editor, as_csv(titles), "text/csv; charset=utf-8")
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["created"] == 9
    after = await table_counts(resources)
    assert after["episodes"] - counts["episodes"] == 3 * 2 * 4
    assert after["seasons"] - counts["seasons"] == 3 * 2 + 1
    for title, entry in zip(titles, result["titles"], strict=True):
        expected = _expected(title)
        for season in expected["seasons"]:
            season.setdefault("title_hi", None)
            season.setdefault("release_date", None)
        assert _editable(await fetch(api, staff.editor, entry["id"])) == expected

    # The same titles as JSON are the same titles: nothing changes.
    again = await upload(api, staff.editor, as_json(titles))
    assert again.json()["unchanged"] == 9, again.text


async def test_a_csv_with_a_byte_order_mark_and_few_columns_imports(
    api: httpx.AsyncClient, staff: Staff
) -> None:
    first, second = ext_id(), ext_id()
    content = (
        "\ufefftitle,type,external_id,genres,season_number,episode_number,episode_title\n"
        f"Solo,movie,{first},drama|comedy,,,\n"
        f"Serial,tv_show,{second},,1,1,Pilot\n"
        f"Serial,tv_show,{second},,1,2,Second\n"
    ).encode()
    response = await upload(api, staff.editor, content, "text/csv")
    assert response.status_code == 200, response.text
    ids = [t["id"] for t in response.json()["titles"]]
    solo, serial = [await fetch(api, staff.editor, i) for i in ids]
    assert (solo["title"], solo["genres"], solo["seasons"]) == ("Solo", ["comedy", "drama"], [])
    assert [e["title"] for e in serial["seasons"][0]["episodes"]] == ["Pilot", "Second"]


async def test_csv_errors_name_the_row_and_the_column(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    good, bad_rating, mixed, shaky = ext_id(), ext_id(), ext_id(), ext_id()
    content = (
        "external_id,type,title,maturity_rating,season_number,episode_number,episode_title,"
        "episode_duration_minutes\n"
        f"{good},movie,Fine,PG,,,,\n"  # row 2
        f"{bad_rating},movie,Bad rating,XXX,,,,\n"  # row 3
        f"{mixed},tv_show,Mixed,PG,1,1,One,40\n"  # row 4
        f"{mixed},tv_show,Mixed (typo),PG,1,2,Two,40\n"  # row 5: title differs
        f"{shaky},tv_show,Shaky,PG,1,1,One,-5\n"  # row 6: bad duration
        f"{shaky},tv_show,Shaky,PG,1,2,,40\n"  # row 7: no episode title
        f"{shaky},tv_show,Shaky,PG,x,3,Three,40\n"  # row 8: season not a number
        ",movie,No id,PG,,,,\n"  # row 9
    ).encode()
    counts = await table_counts(resources)
    response = await upload(api, staff.editor, content, "text/csv")
    error = assert_error(response, 422, "bulk_validation_failed")
    found = {(e["row"], e["field"]) for e in error["details"]["errors"]}
    assert found == {
        (3, "maturity_rating"),
        (5, "title"),
        (8, "season_number"),
        (9, "external_id"),
    }, error
    assert await table_counts(resources) == counts

    # Once the structural errors are fixed, the field errors of the episodes show.
    content = (
        "external_id,type,title,maturity_rating,season_number,episode_number,episode_title,"
        "episode_duration_minutes\n"
        f"{shaky},tv_show,Shaky,PG,1,1,One,-5\n"
        f"{shaky},tv_show,Shaky,PG,1,2,,40\n"
        f"{mixed},tv_show,Mixed,PG,2,1,One,40\n"
        f"{mixed},tv_show,Mixed,PG,2,1,Again,40\n"
    ).encode()
    error = assert_error(await upload(api, staff.editor, content, "text/csv"), 422)
    found = {(e["row"], e["field"], e["external_id"]) for e in error["details"]["errors"]}
    assert found == {
        (2, "episode_duration_minutes", shaky),
        (3, "episode_title", shaky),
        (4, "episode_number", mixed),  # repeated in its season, named at the season's row
    }
    assert await table_counts(resources) == counts


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"external_id,type,title,colour\nx,movie,T,red\n", "colour"),
        (b"external_id,type\nx,movie\n", "title"),
        (b"external_id,type,title\nx,movie,T,extra\n", None),
        (b"external_id,type,title,episode_title\nx,movie,T,Lost\n", "season_number"),
    ],
)
async def test_structural_csv_errors(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, content: bytes, field: str | None
) -> None:
    counts = await table_counts(resources)
    error = assert_error(
        await upload(api, staff.editor, content, "text/csv"), 422, "bulk_validation_failed"
    )
    assert [e["field"] for e in error["details"]["errors"]] == [field]
    assert await table_counts(resources) == counts


async def test_a_csv_that_is_not_utf8_is_400(api: httpx.AsyncClient, staff: Staff) -> None:
    content = "external_id,type,title\nx,movie,Caf\xe9\n".encode("latin-1")
    assert_error(await upload(api, staff.editor, content, "text/csv"), 400, "malformed_csv")


# --- who may import -----------------------------------------------------------------------


async def test_publishing_on_import_is_for_admins(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    titles = catalogue(4)
    titles[1]["available_from"] = "2099-01-01T00:00:00Z"
    counts = await table_counts(resources)
    for user in (staff.editor, staff.reviewer):
        assert_error(await upload(api, user, as_json(titles), publish="true"), 403, "forbidden")
    assert_error(await upload(api, staff.reviewer, as_json(titles)), 403, "forbidden")
    assert_error(await upload(api, staff.viewer, as_json(titles)), 403, "forbidden")
    assert await table_counts(resources) == counts

    response = await upload(api, staff.admin, as_json(titles), publish="true")
    assert response.status_code == 200, response.text
    entries = response.json()["titles"]
    assert all(t["workflow_state"] == "published" for t in entries)
    scheduled = await fetch(api, staff.admin, entries[1]["id"])
    assert scheduled["scheduled_publish_at"] == "2099-01-01T00:00:00Z"
    live = await fetch(api, staff.admin, entries[0]["id"])
    assert live["published_at"] is not None
    assert live["scheduled_publish_at"] is None


async def test_an_import_publishes_existing_drafts_for_admins(
    api: httpx.AsyncClient, staff: Staff
) -> None:
    titles = catalogue(3)
    first = (await upload(api, staff.editor, as_json(titles))).json()
    response = await upload(api, staff.admin, as_json(titles), publish="true")
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 3, 0)
    assert all(t["status"] == "published" for t in result["titles"])
    assert [t["id"] for t in result["titles"]] == [t["id"] for t in first["titles"]]
    again = (await upload(api, staff.admin, as_json(titles), publish="true")).json()
    assert again["unchanged"] == 3


async def test_an_editor_cannot_change_other_titles_by_import(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    theirs = movie()
    view = await create(api, staff.other_editor, theirs)
    mine = movie()
    before = await title_rows(resources, view["id"])
    counts = await table_counts(resources)

    changed = {**theirs, "title": "Taken over"}
    response = await upload(api, staff.editor, as_json([mine, changed]))
    error = assert_error(response, 422, "bulk_validation_failed")
    assert [(e["item"], e["external_id"]) for e in error["details"]["errors"]] == [
        (1, theirs["external_id"])
    ]
    assert "created" in error["details"]["errors"][0]["message"]
    assert await title_rows(resources, view["id"]) == before
    assert await table_counts(resources) == counts

    # Unchanged, it is simply left alone.
    response = await upload(api, staff.editor, as_json([mine, theirs]))
    assert response.status_code == 200, response.text
    assert [t["status"] for t in response.json()["titles"]] == ["created", "unchanged"]
