"""Errors a request can meet, and how they are answered: a status and a plain message.

Handlers raise `HTTPProblem`; `install` maps it (and Starlette's own 404/405, request
validation errors and anything unexpected) to a ``text/plain`` answer that names the problem
and never carries a stack trace, a file path or other internals.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ctgraph.graph.store import StoreUnavailable

log = logging.getLogger("ctgraph.web")


class HTTPProblem(Exception):
    """A request that cannot be answered as asked: `status` and a message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def problem_response(status: int, message: str, headers: dict[str, str] | None = None):
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the error handlers on `app`."""

    @app.exception_handler(HTTPProblem)
    async def _problem(request: Request, exc: HTTPProblem) -> PlainTextResponse:
        return problem_response(exc.status, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> PlainTextResponse:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allow = headers.get("Allow", "")
            if "GET" in allow and "HEAD" not in allow:  # HeadAsGet serves HEAD for every GET
                allow = headers["Allow"] = allow.replace("GET", "GET, HEAD", 1)
            message = f"Method {request.method} is not allowed on {request.url.path}" + (
                f"; allowed: {allow}" if allow else ""
            )
        elif exc.status_code == 404:
            message = f"Not found: {request.url.path}"
        return problem_response(exc.status_code, message, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> PlainTextResponse:
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()))
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        return problem_response(400, "Invalid request: " + "; ".join(parts))

    @app.exception_handler(StoreUnavailable)
    async def _store_down(request: Request, exc: StoreUnavailable) -> PlainTextResponse:
        from ctgraph.graph.remote_store import redacted  # the store's URL: the log only

        store = getattr(request.app.state.settings, "store", None) or "(remote)"
        log.warning("remote store %s unavailable answering %s %s: %s", redacted(store),
                    request.method, request.url.path, exc)
        return problem_response(exc.status, f"The graph store is unavailable: {exc}. "
                                "Try again later.", {"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> PlainTextResponse:
        log.exception("unexpected error answering %s %s", request.method, request.url.path)
        return problem_response(500, "Internal error; the server log has the details")
