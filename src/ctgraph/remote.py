"""A remote SPARQL 1.1 endpoint behind the `GraphStore` interface (Fuseki, Virtuoso, GraphDB,
Neptune, Oxigraph server…), so the protocol endpoint, linked-data pages and named queries
work the same over it. Answers come back as pyoxigraph result objects, exactly as from the
embedded store, so no caller branches on the back-end.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import httpx
import pyoxigraph as ox

from ctgraph.sparqltext import analyse


class RemoteStore:
    """Read-only access to a SPARQL 1.1 Protocol endpoint at `url`."""

    def __init__(self, url: str, *, timeout: float = 60.0, client: httpx.Client | None = None):
        self.url = url
        self.client = client or httpx.Client(timeout=timeout)
        self.version = self._fingerprint()

    def _fingerprint(self) -> str:
        """A version that changes with the data: the endpoint's size and graph names."""
        count = self._select_one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        graphs = ",".join(self.named_graphs())
        return hashlib.sha256(f"{self.url}|{count}|{graphs}".encode()).hexdigest()[:16]

    def _post(self, sparql: str, accept: str, params: list[tuple[str, str]]) -> httpx.Response:
        try:
            response = self.client.post(self.url, data={"query": sparql}, params=params,
                                        headers={"Accept": accept})
        except httpx.HTTPError as e:
            raise OSError(f"remote SPARQL endpoint {self.url} unreachable: {e}") from None
        if response.status_code == 400:
            raise SyntaxError(response.text.strip()[:500] or "malformed query")
        if response.status_code != 200:
            raise OSError(f"remote SPARQL endpoint answered {response.status_code}: "
                          f"{response.text.strip()[:300]}")
        return response

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode] | None = None,
        **_ignored: Any,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        if substitutions:
            raise NotImplementedError("a remote store binds parameters with VALUES, not "
                                      "substitutions")
        params = [("default-graph-uri", g) for g in default_graphs or []]
        params += [("named-graph-uri", g) for g in named_graphs or []]
        form = analyse(sparql).form
        if form in ("CONSTRUCT", "DESCRIBE"):
            response = self._post(sparql, "application/n-triples", params)
            scratch = ox.Store()
            scratch.load(response.content, format=ox.RdfFormat.N_TRIPLES)
            return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
        response = self._post(sparql, "application/sparql-results+json", params)
        return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)

    def _select_one(self, sparql: str) -> str:
        solutions = self.query(sparql)
        for solution in solutions:  # type: ignore[union-attr]
            return solution[0].value if solution[0] is not None else ""
        return ""

    def named_graphs(self) -> list[str]:
        solutions = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(s["g"].value for s in solutions)  # type: ignore[union-attr]

    def quad_count(self) -> int:
        default = int(self._select_one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") or 0)
        named = int(self._select_one(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") or 0)
        return default + named


def open_remote_store(url: str, *, union_default_graph: bool = True) -> RemoteStore:
    """The store behind `ctgraph serve --store https://…/sparql`. Whether the endpoint's
    default graph is the union of its graphs is the endpoint's own configuration."""
    return RemoteStore(url)
