"""The named queries as a typed REST API: ``GET /api/queries`` and one operation per query.

Each ``queries/*.rq`` becomes its own route, ``GET /api/queries/{name}``, built when the
router is, with its title, description, tags and typed query parameters in the OpenAPI
document, so clients can be generated from ``/openapi.json``. Parameters are validated by
`ctgraph.catalog` (the same code the CLI uses) and bound as RDF terms; an ill-typed,
missing, repeated or unknown parameter is a 422 that names it. Answers are negotiated
(Accept, or ``format=`` for links): SPARQL JSON/XML/CSV/TSV results for SELECT, Turtle,
JSON-LD and the other RDF formats for CONSTRUCT.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from ctgraph.catalog.named_queries import (
    NamedQuery,
    ParameterError,
    UnknownQueryError,
    bundled_catalog,
    get_query,
)
from ctgraph.sparql import media_types as media
from ctgraph.sparql.execution import (
    EvaluationError,
    Job,
    NotAcceptable,
    QuerySyntaxError,
    QueryTimeout,
)
from ctgraph.web.errors import HTTPProblem
from ctgraph.web.http_caching import etag_for, is_not_modified, last_modified, validators

log = logging.getLogger("ctgraph.web.routes.named_queries")

PREFIX = "/api/queries"
TAG = "named queries"

_SPARQL_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "SPARQL 1.1 Query Results JSON Format",
    "required": ["head"],
    "properties": {
        "head": {
            "type": "object",
            "properties": {"vars": {"type": "array", "items": {"type": "string"}}},
        },
        "results": {
            "type": "object",
            "properties": {"bindings": {"type": "array", "items": {"type": "object"}}},
        },
        "boolean": {"type": "boolean"},
    },
}
_TEXT = {"schema": {"type": "string"}}
_JSONLD = {"schema": {"type": "object", "description": "JSON-LD 1.1 document, compacted "
                      "with the project's @context"}}
_PROBLEM = {"content": {"text/plain": _TEXT}}


def _offers(named: NamedQuery) -> list[media.Format]:
    return media.GRAPH if named.form in ("CONSTRUCT", "DESCRIBE") else media.RESULTS


def _responses(named: NamedQuery) -> dict[int | str, dict[str, Any]]:
    schemas = {"json": {"schema": _SPARQL_JSON_SCHEMA}, "jsonld": _JSONLD}
    content = {f.media_type: schemas.get(f.key, _TEXT) for f in _offers(named)}
    what = "RDF graph" if named.form in ("CONSTRUCT", "DESCRIBE") else "SPARQL results"
    return {
        200: {"description": f"The answer as {what}, in the negotiated format",
              "content": content},
        304: {"description": "Not modified (If-None-Match / If-Modified-Since)"},
        400: {"description": "Unknown format name", **_PROBLEM},
        406: {"description": "No acceptable format", **_PROBLEM},
        422: {"description": "A parameter is missing, unknown, repeated or ill-typed",
              **_PROBLEM},
        503: {"description": "The query ran past the time limit", **_PROBLEM},
    }


def _openapi_parameters(named: NamedQuery) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for p in named.parameters:
        entry: dict[str, Any] = {
            "name": p.name, "in": "query", "required": p.required,
            "description": p.description or p.name, "schema": p.json_schema(),
        }
        if p.example is not None:
            entry["example"] = p.json_schema()["examples"][0]
        params.append(entry)
    keys = [f.key for f in _offers(named)]
    params.append({
        "name": "format", "in": "query", "required": False,
        "description": "Answer format by name, instead of the Accept header",
        "schema": {"type": "string", "enum": keys},
    })
    return params


def _operation_id(name: str) -> str:
    head, *rest = name.split("-")
    return "query" + head.capitalize() + "".join(w.capitalize() for w in rest)


def _read_values(request: Request, named: NamedQuery) -> tuple[dict[str, str], str | None]:
    values: dict[str, str] = {}
    fmt: str | None = None
    for key, value in request.query_params.multi_items():
        if key in values or (key == "format" and fmt is not None):
            raise HTTPProblem(422, f"Parameter {key!r} is given more than once")
        if key == "format":
            fmt = value
        else:
            values[key] = value
    return values, fmt


def _negotiate(request: Request, named: NamedQuery, fmt_name: str | None) -> media.Format:
    offers = _offers(named)
    if fmt_name is not None and media.by_name(fmt_name, offers) is None:
        keys = ", ".join(f.key for f in offers)
        raise HTTPProblem(400, f"Unknown format {fmt_name!r} for query {named.name!r}; "
                          f"choose one of: {keys}")
    chosen = media.choose(request.headers.get("accept"), fmt_name, offers)
    if chosen is None:
        raise HTTPProblem(406, f"No acceptable format for query {named.name!r}; offered: "
                          f"{media.offered(offers)}")
    return chosen


async def answer(request: Request, named: NamedQuery) -> Response:
    """Validate, bind, evaluate and serialise one named query request."""
    state = request.app.state
    settings = state.settings
    values, fmt_name = _read_values(request, named)
    try:
        sparql = named.bind(values)
    except ParameterError as e:
        raise HTTPProblem(422, str(e)) from None
    fmt = _negotiate(request, named, fmt_name)
    graph = fmt.kind != "results"
    job = Job(sparql=sparql, results_format=None if graph else fmt.key,
              graph_format=fmt.key if graph else None)
    store = state.store
    etag = etag_for(store.version, "api", named.name, job)
    modified = last_modified(state)
    headers = validators(etag, modified, settings.cache_max_age)
    if is_not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    key = (store.version, job)
    result = state.cache.get(key)
    headers["X-Cache"] = "miss" if result is None else "hit"
    if result is None:
        result = await _run(request, job, named)
        state.cache.put(key, result)
    return Response(result.body, media_type=media.BY_KEY[result.format_key].content_type,
                    headers=headers)


async def _run(request: Request, job: Job, named: NamedQuery):  # type: ignore[no-untyped-def]
    settings = request.app.state.settings
    try:
        return await request.app.state.executor.run(job, settings.timeout)
    except QueryTimeout:
        raise HTTPProblem(503, f"Query {named.name!r} ran longer than the time limit of "
                          f"{settings.timeout:g} s") from None
    except NotAcceptable:
        raise HTTPProblem(406, f"No acceptable format for query {named.name!r}") from None
    except (QuerySyntaxError, EvaluationError) as e:  # a broken .rq file: our fault
        log.error("named query %s failed: %s", named.name, e)
        raise HTTPProblem(500, f"Named query {named.name!r} failed; the server log has "
                          "the details") from None


def _handler(named: NamedQuery) -> Callable[[Request], Awaitable[Response]]:
    async def run_named_query(request: Request) -> Response:
        return await answer(request, named)

    run_named_query.__name__ = _operation_id(named.name)
    return run_named_query


def build_router(catalog: dict[str, NamedQuery] | None = None) -> APIRouter:
    """A router with the catalogue and one documented operation per named query."""
    catalog = bundled_catalog() if catalog is None else catalog
    router = APIRouter()

    @router.get(PREFIX, tags=[TAG], summary="The catalogue of named queries",
                operation_id="listNamedQueries",
                response_description="Each query's name, title, description, tags, "
                "parameters (type, default, allowed values, example), SPARQL text and URL")
    async def list_named_queries(request: Request) -> JSONResponse:
        entries = [
            {**q.summary(), "url": f"{PREFIX}/{q.name}",
             "exampleUrl": f"{PREFIX}/{q.name}" + (f"?{urlencode(q.example)}" if q.example else "")}
            for q in catalog.values()
        ]
        return JSONResponse({"queries": entries})

    for named in catalog.values():
        router.add_api_route(
            f"{PREFIX}/{named.name}", _handler(named), methods=["GET"],
            tags=[TAG, *named.tags], summary=named.title, description=named.description,
            operation_id=_operation_id(named.name), response_class=Response,
            responses=_responses(named),
            openapi_extra={"parameters": _openapi_parameters(named)},
        )

    @router.get(PREFIX + "/{name}", include_in_schema=False)
    async def unknown_query(name: str) -> Response:
        try:
            get_query(name, catalog)
        except UnknownQueryError as e:
            raise HTTPProblem(404, str(e).replace(
                "(list them with `ctgraph query --list`)", f"(see {PREFIX})")) from None
        raise HTTPProblem(404, f"Not found: {PREFIX}/{name}")  # pragma: no cover

    return router


router = build_router()
