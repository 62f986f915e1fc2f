"""The floor to compare ctgraph with: a bare FastAPI + pyoxigraph SPARQL endpoint.

No content negotiation beyond two formats, no dataset parameters, no limits, no time limit,
no logging, no caching: what the benchmark issue calls "a bare FastAPI + pyoxigraph endpoint".
Whatever ctgraph costs above this is the price of its protocol, safety and logging.

    python bench/bare_endpoint.py DATA.nq --port 8001
"""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import parse_qsl

import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool


def build(data: Path) -> FastAPI:
    store = ox.Store()
    store.bulk_load(data.read_bytes(), format=ox.RdfFormat.N_QUADS)
    app = FastAPI()

    def answer(query: str, accept: str) -> tuple[bytes, str]:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            return ox.serialize(result, format=ox.RdfFormat.TURTLE) or b"", "text/turtle"
        return (result.serialize(format=ox.QueryResultsFormat.JSON),
                "application/sparql-results+json")

    @app.api_route("/sparql", methods=["GET", "POST"])
    async def sparql(request: Request) -> Response:
        query = request.query_params.get("query")
        if query is None:
            query = dict(parse_qsl((await request.body()).decode("utf-8"))).get("query", "")
        body, media_type = await run_in_threadpool(answer, str(query),
                                                   request.headers.get("accept", ""))
        return Response(body, media_type=media_type)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    uvicorn.run(build(args.data), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
