"""A thin async face on mongomock, so the real store_mongo.py runs on it unchanged.

mongomock is a fake: it proves the store's queries and updates are well-formed and mean what
the store expects, not that a MongoDB server agrees (the contract suite runs on a real server
when MONGODB_URI is set). Each method awaits nothing and calls mongomock's synchronous one.

One gap is bridged here: mongomock 4.3.0's bulk_write cannot read the operations of PyMongo
4.20 (UpdateOne passes a `sort` it does not know), so bulk_write applies each UpdateOne through
update_one, in order, and answers the counts PyMongo's BulkWriteResult would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mongomock
from pymongo import UpdateOne


@dataclass
class BulkResult:
    matched_count: int = 0
    modified_count: int = 0
    upserted_count: int = 0


class AsyncCursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def sort(self, key: Any, direction: Any = None) -> AsyncCursor:
        self._cursor = self._cursor.sort(key, direction) if direction else self._cursor.sort(key)
        return self

    def limit(self, count: int) -> AsyncCursor:
        self._cursor = self._cursor.limit(count)
        return self

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        found = list(self._cursor)
        return found if length is None else found[:length]


class AsyncCollection:
    def __init__(self, collection: Any) -> None:
        self._collection = collection

    def find(self, *args: Any, **kwargs: Any) -> AsyncCursor:
        return AsyncCursor(self._collection.find(*args, **kwargs))

    async def find_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.find_one(*args, **kwargs)

    async def find_one_and_update(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.find_one_and_update(*args, **kwargs)

    async def update_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.update_one(*args, **kwargs)

    async def create_indexes(self, indexes: Any) -> Any:
        return self._collection.create_indexes(indexes)

    async def bulk_write(self, requests: list[Any], ordered: bool = True) -> BulkResult:
        result = BulkResult()
        for request in requests:
            if not isinstance(request, UpdateOne):
                raise NotImplementedError(f"the adapter applies UpdateOne only, not {request!r}")
            one = self._collection.update_one(
                request._filter, request._doc, upsert=bool(request._upsert)
            )
            result.matched_count += one.matched_count
            result.modified_count += one.modified_count
            result.upserted_count += one.upserted_id is not None
        return result


class AsyncDatabase:
    def __init__(self, database: Any) -> None:
        self._database = database

    def __getitem__(self, name: str) -> AsyncCollection:
        return AsyncCollection(self._database[name])


def mongomock_database() -> AsyncDatabase:
    """A new, empty in-memory database, with time zones on the datetimes read back."""
    return AsyncDatabase(mongomock.MongoClient(tz_aware=True)["ott_activity"])
