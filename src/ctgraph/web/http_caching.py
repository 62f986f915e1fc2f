"""HTTP caching: ETags from the store version, Last-Modified from load time, 304 answers.

An answer is fully determined by the store version, the request's resource and the negotiated
format; that is what the ETag hashes. The data never changes under an embedded store while the
server runs; a remote store's version follows `ctgraph load`, and so does Last-Modified (the
time the load recorded, the same on every replica).
"""

from __future__ import annotations

import hashlib
import time
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from starlette.requests import Request


def etag_for(*parts: object) -> str:
    """A weak entity tag (the representation is equivalent, not byte-identical after gzip)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:24]
    return f'W/"{digest}"'


def last_modified(state: Any) -> float:
    """The app's Last-Modified time: the remote store's last load when it recorded one, else
    when this server loaded its store."""
    modified = getattr(state.store, "modified", None)
    return modified if modified is not None else getattr(state, "loaded_at", time.time())


def http_date(timestamp: float) -> str:
    from datetime import UTC, datetime

    return format_datetime(datetime.fromtimestamp(int(timestamp), UTC), usegmt=True)


def is_not_modified(request: Request, etag: str, last_modified: float) -> bool:
    """RFC 9110 §13.1.2-3: If-None-Match wins; If-Modified-Since only applies without it."""
    if request.method not in ("GET", "HEAD"):
        return False
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
        return int(last_modified) <= since
    return False


def validators(etag: str, last_modified: float, max_age: int) -> dict[str, str]:
    """ETag, Last-Modified, Cache-Control and Vary headers for a negotiated GET answer."""
    return {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": f"public, max-age={max_age}",
        "Vary": "Accept",
    }
