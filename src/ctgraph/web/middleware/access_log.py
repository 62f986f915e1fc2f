"""One log line per request, as text (``GET /sparql 200 3.1ms``, the default) or, with
``--log-format json``, one JSON object a line: time, method, path, status, duration_ms, bytes,
client, query_hash, cache_hit, timed_out (pure ASGI, so it adds no task or body copy the way a
``BaseHTTPMiddleware`` would).

The middleware is the outermost layer: it identifies the client (`client_limits`), opens the
`RequestRecord` that inner code fills (the query's hash, whether it timed out) through the
`current_request` context variable, and, when it finishes, hands the record to the metrics.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ctgraph.web.middleware.client_limits import Network, client_address

access_log = logging.getLogger("ctgraph.access")


@dataclass
class RequestRecord:
    """What is known about one request; filled while it is answered."""

    method: str
    path: str
    client: str
    status: int = 500  # what the client gets if the app fails before answering
    bytes: int = 0
    query_hash: str | None = None
    cache_hit: bool | None = None
    timed_out: bool = False
    duration: float = 0.0


current_request: ContextVar[RequestRecord | None] = ContextVar("ctgraph_request", default=None)


def query_hash(text: str) -> str:
    """A short, stable digest naming a query in logs without writing its text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def note_query(text: str | None) -> None:
    """Record the query the current request runs (called by the routes that take one)."""
    record = current_request.get()
    if record is not None and text is not None:
        record.query_hash = query_hash(text)


class AccessLog:
    def __init__(self, app: ASGIApp, *, log_format: str = "text",
                 trusted_proxies: list[Network] | None = None,
                 on_finish: Callable[[Scope, RequestRecord], None] | None = None,
                 state: Any = None):
        self.app = app
        self.state = state
        """The app's state: ``state.stopping`` is set once a stop signal came."""
        self.json = log_format == "json"
        self.trusted = trusted_proxies or []
        self.on_finish = on_finish

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        record = RequestRecord(scope["method"], scope["path"],
                               client_address(scope, self.trusted))
        scope["ctgraph.request"] = record
        token = current_request.set(record)
        started_response = False

        async def recording_send(message: Message) -> None:
            nonlocal started_response
            if message["type"] == "http.response.start":
                started_response = True
                record.status = message["status"]
                for name, value in message.get("headers", ()):
                    if name.lower() == b"x-cache":
                        record.cache_hit = value == b"hit"
            elif message["type"] == "http.response.body":
                record.bytes += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        except Exception as e:
            if not started_response:
                raise  # answered 500 by the error handler, which logs the traceback
            # The answer was under way (a streamed answer cut at the time or memory limit):
            # returning without its end makes uvicorn abort the transfer, so the client sees
            # an incomplete answer, never a shorter one that looks whole. One line, no trace.
            if type(e).__name__ == "StreamCut":
                access_log.warning("%s %s: answer cut after %d bytes: %s", record.method,
                                   record.path, record.bytes, e)
            else:
                access_log.error("%s %s: answer failed after %d bytes", record.method,
                                 record.path, record.bytes, exc_info=e)
        except asyncio.CancelledError:
            if not getattr(self.state, "stopping", False):
                raise
            # The stop's grace period is over and uvicorn cancels what still runs: the
            # client gets a 503 to retry elsewhere, and the log no traceback.
            if not started_response:
                record.status = 503
                await send({"type": "http.response.start", "status": 503, "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"1"),
                    (b"cache-control", b"no-store"), (b"connection", b"close")]})
                await send({"type": "http.response.body",
                            "body": b"The server is stopping; send the request again.\n"})
        finally:
            current_request.reset(token)
            record.duration = time.perf_counter() - started
            self._log(record)
            if self.on_finish is not None:
                self.on_finish(scope, record)

    def _log(self, r: RequestRecord) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        if not self.json:
            access_log.info("%s %s %d %.1fms", r.method, r.path, r.status, r.duration * 1000)
            return
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "method": r.method, "path": r.path, "status": r.status,
            "duration_ms": round(r.duration * 1000, 3), "bytes": r.bytes, "client": r.client,
            "query_hash": r.query_hash, "cache_hit": r.cache_hit, "timed_out": r.timed_out,
        }
        access_log.info(json.dumps(line, ensure_ascii=False), extra={"ctgraph_json": True})


class JSONFormatter(logging.Formatter):
    """Every log record as one JSON object a line; access lines are already JSON and pass
    as they are, so each request is exactly one object."""

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "ctgraph_json", False):
            return record.getMessage()
        line = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
