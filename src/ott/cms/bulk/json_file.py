"""Reading a JSON bulk file: `{"titles": [<title>, ...]}`, each title exactly the body of
POST /api/cms/content (`ott.cms.schemas.TitleIn`) with `external_id` required. An error names
the item by its index in `titles` (from 0): `{"item": 3, "external_id": "...",
"field": "seasons.0.episodes.2.title", "message": "..."}`. Nesting is bounded before parsing
(ott.cms.json_body): a deeper file is 400 `json_too_deep`."""

from __future__ import annotations

from ott.cms import json_body
from ott.cms.bulk.items import Item, JsonOrigin, Parsed
from ott.cms.bulk.report import Report


def parse_json(body: bytes) -> Parsed:
    document = json_body.loads(body, what="The file")
    if not isinstance(document, dict) or not isinstance(document.get("titles"), list):
        report = Report()
        report.add(
            {"item": None},
            external_id=None,
            field_name="titles",
            message="must be a list of titles",
        )
        raise report.failure('A JSON bulk file is an object {"titles": [...]}')
    report = Report()
    for key in sorted(set(document) - {"titles"}):
        report.add(
            {"item": None}, external_id=None, field_name=key, message="unknown top-level field"
        )
    items = []
    for index, raw in enumerate(document["titles"]):
        if not isinstance(raw, dict):
            report.add(
                {"item": index},
                external_id=None,
                field_name=None,
                message="each title must be an object",
            )
            continue
        items.append(Item(where={"item": index}, raw=raw, origin=JsonOrigin(index)))
    if not document["titles"]:
        report.add(
            {"item": None}, external_id=None, field_name="titles", message="the file has no titles"
        )
    return Parsed(items, report)
