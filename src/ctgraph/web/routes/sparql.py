"""The SPARQL 1.1 Protocol query operation at /sparql (read-only).

Requests: GET ``?query=``, POST ``application/x-www-form-urlencoded`` and POST
``application/sparql-query``, each with optional ``default-graph-uri`` / ``named-graph-uri``
(which replace the query's FROM / FROM NAMED), plus ``format=`` for browsers. GET without a
query answers the service description. Answers are negotiated (`ctgraph.sparql.media_types`),
evaluated and streamed by `ctgraph.sparql.execution` (threads, or a killable worker), cached by
(query, dataset, format, store version) when they fit in its hold buffer, and validated with
ETag / Last-Modified.

Refusals: an update (``update=`` or ``application/sparql-update``) gets 403, since this
service offers the query operation only; a SERVICE call to an endpoint not in
``settings.service_allowlist`` gets 400 before anything is evaluated.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from ctgraph.graph.namespaces import PREFIXES
from ctgraph.sparql import media_types as media
from ctgraph.sparql.analysis import (
    analyse,
    error_position,
    explain_syntax_error,
    parser_stop_position,
)
from ctgraph.sparql.execution import (
    EvaluationError,
    Job,
    NotAcceptable,
    QueryMemoryExceeded,
    QuerySyntaxError,
    QueryTimeout,
    Streamed,
    WorkerLost,
)
from ctgraph.web.errors import HTTPProblem
from ctgraph.web.http_caching import etag_for, is_not_modified, last_modified, validators
from ctgraph.web.middleware.access_log import note_query

log = logging.getLogger("ctgraph.sparql")
router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = (
    "This endpoint is read-only: SPARQL Update is not accepted (the service offers the "
    "SPARQL 1.1 query operation only)."
)
_UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")


@dataclass
class Operation:
    """A protocol request, read and checked, before evaluation."""

    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None
    format_names: list[str] = field(default_factory=list)
    """Every ``format``/``output``/``results`` value in request order (`media.FORMAT_PARAMS`)."""


def _params(raw: bytes | str, where: str) -> list[tuple[str, str]]:
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    try:
        return parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise HTTPProblem(400, f"The {where} is not valid percent-encoded UTF-8") from None


async def _read_body(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise HTTPProblem(413, f"Request body of {length} bytes exceeds the limit of {limit}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPProblem(413, f"Request body exceeds the limit of {limit} bytes")
    return bytes(body)


def _media_type(header: str) -> tuple[str, dict[str, str]]:
    main, *params = header.split(";")
    parsed = {}
    for p in params:
        name, _, value = p.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"').lower()
    return main.strip().lower(), parsed


async def read_operation(request: Request, limit: int) -> Operation:
    """Read query and dataset from any of the three protocol bindings, or fail with 4xx."""
    raw_query = request.scope.get("query_string", b"")
    if len(raw_query) > limit:
        raise HTTPProblem(414, f"Query string exceeds the limit of {limit} bytes")
    url_params = _params(raw_query, "URL query string")
    params = list(url_params)
    direct: str | None = None
    if request.method == "POST":
        ctype, ctype_params = _media_type(request.headers.get("content-type", ""))
        if ctype == UPDATE:
            raise HTTPProblem(403, READ_ONLY)
        body = await _read_body(request, limit)
        if ctype == FORM:
            params += _params(body, "form body")
        elif ctype == QUERY:
            charset = ctype_params.get("charset", "utf-8")
            if charset not in ("utf-8", "utf8"):
                raise HTTPProblem(415, f"Query text must be UTF-8, not {charset}")
            try:
                direct = body.decode("utf-8")
            except UnicodeDecodeError as e:
                raise HTTPProblem(400, f"Query text is not valid UTF-8 (byte {e.start})") from None
        elif not ctype:
            raise HTTPProblem(
                415, f"POST needs a Content-Type: {FORM} or {QUERY}"
            )
        else:
            raise HTTPProblem(
                415, f"Unsupported Content-Type {ctype}; use {FORM} or {QUERY}"
            )
    names = [name for name, _ in params]
    if any(name in _UPDATE_PARAMS for name in names):
        raise HTTPProblem(403, READ_ONLY)
    queries = [v for k, v in params if k == "query"]
    if direct is not None:
        queries.append(direct)
    if len(queries) > 1:
        raise HTTPProblem(400, "More than one query in the request; send exactly one")
    formats = [v for k, v in params if k in media.FORMAT_PARAMS]
    return Operation(
        query=queries[0] if queries else None,
        default_graphs=[v for k, v in params if k == "default-graph-uri"],
        named_graphs=[v for k, v in params if k == "named-graph-uri"],
        format=formats[0] if formats else None,
        format_names=formats,
    )


def _check_iris(iris: list[str], param: str) -> None:
    for iri in iris:
        if not iri or any(c in iri for c in '<>" {}|\\^`') or ":" not in iri:
            raise HTTPProblem(400, f"{param} must be an absolute IRI, got {iri!r}")


def _check_services(services: list[str | None], allowlist: list[str]) -> None:
    for endpoint in services:
        if endpoint is None:
            raise HTTPProblem(
                400, "SERVICE needs a literal endpoint IRI here; variable or unresolvable "
                "endpoints are not allowed"
            )
        if endpoint not in allowlist:
            allowed = ", ".join(f"<{a}>" for a in allowlist) or "none"
            raise HTTPProblem(
                400, f"SERVICE <{endpoint}> is not allowed: this endpoint calls only "
                f"allow-listed services (allowed: {allowed})"
            )


def _pick(op: Operation, request: Request, offers: list[media.Format]) -> media.Format | None:
    # A known name picks the format for the query's kind; an unknown one defers to Accept.
    return media.choose(request.headers.get("accept"), op.format_names, offers)


def _not_acceptable(kind: str) -> HTTPProblem:
    offers = media.RESULTS if kind == "results" else media.GRAPH
    what = "SELECT/ASK results" if kind == "results" else "CONSTRUCT/DESCRIBE graphs"
    return HTTPProblem(
        406, f"No acceptable format for {what}; offered: {media.offered(offers)}"
    )


def _syntax_problem(message: str, query: str) -> HTTPProblem:
    """400 naming line, column and what the parser expected.

    pyoxigraph's parser reports the furthest point it reached, usually the end of the text;
    then rdflib's parser, which stops at the start of the construct that fails, locates it.
    The commonest mistakes are named first, at the offending token (`explain_syntax_error`).
    """
    if (explained := explain_syntax_error(query, PREFIXES)) is not None:
        return HTTPProblem(400, f"Malformed query at {explained}")
    position = error_position(message)
    detail = message.split(": ", 1)[1] if position and ": " in message else message
    lines = query.split("\n")
    if position is None or position[0] > len(lines) or (
        position[0] == len(lines) and position[1] > len(lines[-1])
    ):
        position = parser_stop_position(query) or position
    if position is None:
        return HTTPProblem(400, f"Malformed query: {detail}")
    line, column = position
    near = lines[line - 1][column - 1:column + 19].strip() if line <= len(lines) else ""
    where = f" near {near!r}" if near else " (at the end of the query)"
    return HTTPProblem(400, f"Malformed query at line {line}, column {column}{where}: {detail}")


@router.api_route(
    "/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False
)
async def sparql_wrong_method(request: Request) -> Response:
    """Two documented operations (GET, POST) share the path; this names both in `Allow`."""
    raise HTTPProblem(
        405,
        f"Method {request.method} is not allowed on /sparql; allowed: GET, HEAD, POST",
        {"Allow": "GET, HEAD, POST"},
    )


@router.get(
    "/sparql",
    operation_id="sparqlQueryGet",
    summary="SPARQL 1.1 Protocol query endpoint (GET)",
    description="SPARQL 1.1 query operation by GET ?query=. Without a query: the SPARQL "
    "Service Description.",
    response_class=Response,
)
@router.post(
    "/sparql",
    operation_id="sparqlQueryPost",
    summary="SPARQL 1.1 Protocol query endpoint (POST)",
    description="SPARQL 1.1 query operation by POST, form-encoded or application/sparql-query.",
    response_class=Response,
)
async def sparql_endpoint(request: Request) -> Response:
    state = request.app.state
    settings = state.settings
    op = await read_operation(request, settings.max_request_bytes)
    note_query(op.query)  # the access log names it by hash, cache hits too
    if op.query is None:
        if request.method == "POST":
            raise HTTPProblem(400, "Missing 'query' parameter")
        from ctgraph.web.routes.dataset_description import service_description_response

        return service_description_response(request, op.format_names)
    _check_iris(op.default_graphs, "default-graph-uri")
    _check_iris(op.named_graphs, "named-graph-uri")
    if len(op.query) > 32_768:  # keep the event loop free while a long text is read
        info = await asyncio.to_thread(analyse, op.query, PREFIXES)
    else:
        info = analyse(op.query, PREFIXES)
    if info.is_update:
        raise HTTPProblem(403, READ_ONLY)
    _check_services(info.services, settings.service_allowlist)

    results_fmt = _pick(op, request, media.RESULTS)
    graph_fmt = _pick(op, request, media.GRAPH)
    if info.form in ("SELECT", "ASK") and results_fmt is None:
        raise _not_acceptable("results")
    if info.form in ("CONSTRUCT", "DESCRIBE") and graph_fmt is None:
        raise _not_acceptable("graph")
    if results_fmt is None and graph_fmt is None:
        raise HTTPProblem(
            406, "No acceptable format; offered: "
            + media.offered([*media.RESULTS, *media.GRAPH])
        )
    has_dataset = bool(op.default_graphs or op.named_graphs)
    job = Job(
        sparql=op.query,
        default_graphs=tuple(op.default_graphs) if has_dataset else None,
        named_graphs=tuple(op.named_graphs) if has_dataset else None,
        results_format=results_fmt.key if results_fmt else None,
        graph_format=graph_fmt.key if graph_fmt else None,
        base_iri=f"{settings.public_base_url}/sparql",
    )
    store = state.store
    etag = etag_for(store.version, job)  # weak: the same for either content-coding
    job = replace(job, gzip=media.accepts_gzip(request.headers.get("accept-encoding")))
    modified = last_modified(state)
    headers = validators(etag, modified, settings.cache_max_age)
    headers["Vary"] += ", Accept-Encoding"
    if request.method == "POST":
        headers = {"Vary": headers["Vary"], "Cache-Control": "no-store"}
    elif is_not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)

    key = (store.version, job)
    answer = state.cache.get(key)
    headers["X-Cache"] = "miss" if answer is None else "hit"
    if answer is None:
        streamed = await _evaluate(request, job)
        if not streamed.complete:
            return _streaming_response(streamed, job, headers)
        answer = streamed.answer()
        state.cache.put(key, answer)
    if answer.encoding:
        headers["Content-Encoding"] = answer.encoding  # the gzip middleware leaves it be
    fmt = media.BY_KEY[answer.format_key]
    return Response(answer.body, media_type=fmt.content_type, headers=headers)


class StreamCut(Exception):
    """An answer stopped after its first bytes were sent: raised out of the response body so
    the server aborts the transfer (no final chunk) and the client sees an error, never a
    shorter answer that looks complete."""


def _streaming_response(streamed: Streamed, job: Job, headers: dict[str, str]) -> Response:
    """An answer too big to hold, sent as `execution` produces it (see README, "Streaming
    and limits")."""
    if streamed.encoding:
        headers["Content-Encoding"] = streamed.encoding  # the gzip middleware leaves it be

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in streamed.rest():
                yield chunk
        except QueryTimeout:
            log.warning("answer cut at the time limit after it had started: %s", job.sparql)
            raise StreamCut("time limit reached while streaming") from None
        except QueryMemoryExceeded:
            log.warning("answer cut at the memory limit after it had started: %s", job.sparql)
            raise StreamCut("memory limit reached while streaming") from None
        except EvaluationError as e:
            log.error("answer cut by an evaluation error (%s): %s", e, job.sparql)
            raise StreamCut("evaluation failed while streaming") from None
        finally:
            await streamed.aclose()

    fmt = media.BY_KEY[streamed.format_key]
    return StreamingResponse(body(), media_type=fmt.content_type, headers=headers)


async def _evaluate(request: Request, job: Job) -> Streamed:
    settings = request.app.state.settings
    try:
        return await request.app.state.executor.stream(job, settings.timeout)
    except QuerySyntaxError as e:
        raise await asyncio.to_thread(_syntax_problem, str(e), job.sparql) from None
    except NotAcceptable as e:
        raise _not_acceptable(e.kind) from None
    except QueryTimeout:
        log.warning("query stopped at the %gs time limit: %s", settings.timeout, job.sparql)
        raise HTTPProblem(
            503, f"Query stopped: it ran longer than the time limit of {settings.timeout:g} s. "
            "Narrow it (LIMIT, more specific patterns) and try again.",
        ) from None
    except QueryMemoryExceeded as e:
        limit = f"{e.limit / (1024 * 1024):g} MiB"
        log.warning("query stopped at the %s memory limit: %s", limit, job.sparql)
        raise HTTPProblem(
            503, f"Query stopped: it needed more than the memory limit of {limit} per query. "
            "Narrow it (LIMIT, fewer variables sorted or grouped) and try again.",
            {"Cache-Control": "no-store"},
        ) from None
    except WorkerLost:
        log.error("the process evaluating a query died under it: %s", job.sparql)
        raise HTTPProblem(
            503, "The query could not be answered: the process evaluating it stopped. Try "
            "again.", {"Retry-After": "1", "Cache-Control": "no-store"},
        ) from None
    except EvaluationError as e:
        log.error("query evaluation failed (%s): %s", e, job.sparql)
        raise HTTPProblem(500, f"Query evaluation failed: {e}") from None
