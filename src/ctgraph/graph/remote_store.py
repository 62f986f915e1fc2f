"""A remote SPARQL 1.1 endpoint behind the `GraphStore` interface (Fuseki, Virtuoso, GraphDB,
Neptune, Oxigraph server…), so the protocol endpoint, linked-data pages and named queries
work the same over it. Answers come back as pyoxigraph result objects, exactly as from the
embedded store, so no caller branches on the back-end.

Queries mean what they mean on the embedded store: the project's prefixes are pre-declared
(``prefixes``), relative IRIs resolve against ``base_iri`` when one is given, and a query
that does not parse is refused here, with the embedded parser's line and column, before it
reaches the endpoint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import httpx
import pyoxigraph as ox

from ctgraph.sparql.analysis import analyse, tokens


class RemoteStore:
    """Read-only access to a SPARQL 1.1 Protocol endpoint at `url`."""

    def __init__(self, url: str, *, timeout: float = 60.0, client: httpx.Client | None = None):
        self.url = url
        self.client = client or httpx.Client(timeout=timeout)
        self.prefixes: dict[str, str] = {}
        """Prefixes pre-declared for every query (the query's own PREFIX lines win)."""
        self._parser = ox.Store()  # empty: checks a query's syntax without evaluating it
        self.version = self._fingerprint()
        self.union_default_graph = self._default_graph_holds_the_named_graphs()
        """The endpoint's default graph holds every named graph's triples (its own
        configuration, probed once; the service description announces it)."""

    def _default_graph_holds_the_named_graphs(self) -> bool:
        if not self.named_graphs():
            return False
        outside = "ASK { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }"
        return not bool(self.query(outside))

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
        base_iri: str | None = None,
        **_ignored: Any,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Evaluate a query on the endpoint; `base_iri` resolves its relative IRIs (without
        it, the endpoint resolves them against its own URL)."""
        if substitutions:
            raise NotImplementedError("a remote store binds parameters with VALUES, not "
                                      "substitutions")
        params = [("default-graph-uri", g) for g in default_graphs or []]
        params += [("named-graph-uri", g) for g in named_graphs or []]
        info = analyse(sparql, self.prefixes)
        if not info.services:
            # A SERVICE call would be made by the check itself (an ASK is evaluated at once),
            # so such a query's syntax is left to the endpoint.
            self._parser.query(sparql, prefixes=self.prefixes or None,
                               base_iri=base_iri or self.url)
        form = info.form
        sparql = self._prologue(sparql, base_iri) + sparql
        if form in ("CONSTRUCT", "DESCRIBE"):
            response = self._post(sparql, "application/n-triples", params)
            scratch = ox.Store()
            scratch.load(response.content, format=ox.RdfFormat.N_TRIPLES)
            return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
        response = self._post(sparql, "application/sparql-results+json", params)
        return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)

    def _prologue(self, sparql: str, base_iri: str | None) -> str:
        """BASE and the pre-declared prefixes the text uses without declaring them, on one
        line before it (declarations the query makes itself come later, so they win)."""
        declared: set[str] = set()
        used: set[str] = set()
        toks = list(tokens(sparql))
        for i, tok in enumerate(toks):
            if tok.kind != "word":
                continue
            if tok.text.upper() == "PREFIX" and i + 1 < len(toks):
                declared.add(toks[i + 1].text.rstrip(":"))
            elif ":" in tok.text:
                used.add(tok.text.split(":", 1)[0])
        lines = [f"BASE <{base_iri}>"] if base_iri else []
        lines += [f"PREFIX {name}: <{iri}>" for name, iri in self.prefixes.items()
                  if name in used - declared]
        return " ".join(lines) + "\n" if lines else ""

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
    default graph is the union of its graphs is the endpoint's own configuration
    (`RemoteStore.union_default_graph` tells which). The project's prefixes are pre-declared,
    as for the embedded stores."""
    from ctgraph.graph.namespaces import PREFIXES

    store = RemoteStore(url)
    store.prefixes = dict(PREFIXES)
    return store
