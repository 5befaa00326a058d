"""Bulk ingestion: thousands of titles, with seasons and episodes, from one JSON or CSV file.

The formats are described in `json_file` and `csv_file`; `importer` validates a parsed file
whole and writes it in one transaction. Modules: items (what a file holds), report (the
per-row error report), validation, existing (titles already in the CMS), planning (what to
write), importer.
"""

from ott.cms.bulk.csv_file import parse_csv
from ott.cms.bulk.importer import import_titles, new_title_state
from ott.cms.bulk.items import Parsed
from ott.cms.bulk.json_file import parse_json

__all__ = ["Parsed", "import_titles", "new_title_state", "parse_csv", "parse_json"]
