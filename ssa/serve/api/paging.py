"""Polling: JSON bodies with a strong ETag (304 on If-None-Match), TCA-order cursors,
change-order next_since, and query times as the store's naive UTC."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime

from fastapi import Request, Response
from pydantic import BaseModel

from ssa.serve.api.deps import MAX_ROW_ID
from ssa.serve.auth import ProblemException
from ssa.serve.store import high_water


def etag_response(request: Request, page: BaseModel) -> Response:
    """`page` as JSON with a strong ETag over the body; 304 when If-None-Match matches."""
    body = json.dumps(page.model_dump(mode="json"), separators=(",", ":"), allow_nan=False).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    inm = request.headers.get("if-none-match")
    if inm and (inm.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in inm.split(",")]):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/json", headers={"ETag": etag, "Cache-Control": "no-cache"})


def change_page(session, query, since: int, limit: int) -> tuple[list, bool, int]:
    """One page of ORM rows of `query` (filtered to change_seq > since, in change order):
    (rows, has_more, next_since). The committed high water is read first (see
    ssa.serve.store.changes); a poller already at it gets its empty page without the query."""
    newest_seq = high_water(session)
    rows = [] if since >= newest_seq else session.scalars(query.limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    return rows, has_more, next_since(rows, has_more, newest_seq, since)


def next_since(rows, has_more: bool, newest_seq: int, since: int) -> int:
    """What a poller passes as since= next: the last change of a full page, else the newest
    change committed (read before the rows: see ssa.serve.store.changes)."""
    return rows[-1].change_seq if has_more else max([newest_seq, since] + [r.change_seq for r in rows])


def encode_cursor(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """(TCA, event id) from a cursor of encode_cursor; 422 for anything else."""
    try:
        tca, event_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(tca, str) and type(event_id) is int and 0 <= event_id <= MAX_ROW_ID:
            return datetime.fromisoformat(tca), event_id
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, RecursionError):
        pass
    raise ProblemException(422, "Invalid cursor", "the cursor is not one this API issued", field="cursor")


def naive_utc(when: datetime, field: str) -> datetime:
    """A query datetime as the store's naive UTC (422 naming `field` when UTC falls outside years 1-9999)."""
    if when.tzinfo is not None:
        try:
            when = when.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:
            raise ProblemException(422, "Invalid request", f"{field}: {when.isoformat()} is outside years 1-9999 "
                                   "in UTC", field=field) from None
    return when
