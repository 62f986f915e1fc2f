"""Writing the project's dataset into a remote store through the SPARQL 1.1 Graph Store HTTP
Protocol, so that `RemoteStore` over it answers as the embedded store does.

What is written, in this order (each a PUT, which replaces the graph: loading twice leaves
the same data):

1. every named graph, as the embedded store holds it;
2. `UNION_GRAPH`: the merge (a set) of all of them and of triples loaded without a graph,
   the embedded store's union default graph. Stores disagree about their own default graph
   (Virtuoso's is every graph it holds, its system graphs included; Oxigraph's is its own
   graph), so ctgraph never relies on it;
3. `DATASET_GRAPH`, last: the graph names, the merge's name and the data version. Readers
   use it to name the dataset of every query, and a half-finished load leaves the previous
   description in place. Graphs the previous load wrote and this one does not are deleted.

Blank nodes: each PUT is its own document, so a blank node shared by two graphs becomes one
node per graph in the store (within a graph nothing changes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpx
import pyoxigraph as ox

from ctgraph.graph.remote_store import DATASET_GRAPH, DCT, SD, UNION_GRAPH, AnyAuth
from ctgraph.graph.store import in_the_union

_RDF_TYPES = frozenset({"application/n-triples", "text/turtle", "application/rdf+xml",
                        "application/ld+json", "application/n-quads", "application/trig",
                        "text/plain", "text/n3", "application/x-turtle"})

Progress = Callable[[int, int, str, int], None]
"""Called before each write with (index, total, graph name, bytes)."""


class GraphStoreError(OSError):
    """A write the Graph Store endpoint refused or could not take; one line, for the user."""


@dataclass
class GraphStoreClient:
    """PUT, GET and DELETE of whole graphs at a Graph Store Protocol endpoint."""

    url: str
    auth: tuple[str, str] | None = None
    timeout: float = 300.0

    def __post_init__(self) -> None:
        self.client = httpx.Client(timeout=httpx.Timeout(self.timeout, connect=10.0),
                                   auth=AnyAuth(*self.auth) if self.auth else None)

    def _send(self, method: str, graph: str, body: bytes | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/n-triples"} if body is not None else {}
        if method == "GET":
            headers["Accept"] = "application/n-triples"
        try:
            response = self.client.request(method, self.url, params={"graph": graph},
                                           content=body, headers=headers)
        except httpx.TimeoutException:
            raise GraphStoreError(f"{self.url}: no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as e:
            raise GraphStoreError(f"{self.url}: unreachable ({type(e).__name__}: "
                                  f"{str(e).splitlines()[0] if str(e) else 'no detail'})"
                                  ) from None
        status = response.status_code
        if status == 401:
            hint = "wrong --auth USER:PASSWORD" if self.auth else "give --auth USER:PASSWORD"
            raise GraphStoreError(f"{self.url}: write refused, authentication required "
                                  f"(401; {hint})")
        if status == 403:
            raise GraphStoreError(f"{self.url}: write refused (403 Forbidden): the user may "
                                  "not update this store")
        if status in (404, 405, 501) and not (method in ("GET", "DELETE") and status == 404):
            raise GraphStoreError(f"{self.url}: not a Graph Store Protocol endpoint "
                                  f"({method} answered {status})")
        if status >= 400 and not (method in ("GET", "DELETE") and status == 404):
            from ctgraph.graph.remote_store import _first_line

            raise GraphStoreError(f"{self.url}: {method} of graph <{graph}> failed ({status}: "
                                  f"{_first_line(response.text)})")
        return response

    def probe(self) -> None:
        """Fail early, and fast, unless the URL answers as a Graph Store endpoint: a GET of
        the dataset description answers with RDF, or 404 when there is none (some endpoints,
        Virtuoso's /sparql among them, wait for a PUT body forever instead of refusing it)."""
        try:
            response = self.client.get(self.url, params={"graph": DATASET_GRAPH},
                                       headers={"Accept": "application/n-triples"},
                                       timeout=httpx.Timeout(30.0, connect=10.0))
        except httpx.HTTPError:
            response = self._send("GET", DATASET_GRAPH)  # the same request, its error message
        status = response.status_code
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        if status in (401, 403):
            self._send("GET", DATASET_GRAPH)  # raises the authentication message
        if status == 404 or (status == 200 and kind in _RDF_TYPES):
            return
        raise GraphStoreError(f"{self.url}: not a Graph Store Protocol endpoint (GET of a graph "
                              f"answered {status}{' ' + kind if kind else ''})")

    def put(self, graph: str, triples: Iterable[ox.Triple]) -> int:
        """Replace `graph` with `triples`; returns the bytes sent."""
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        self._send("PUT", graph, body)
        return len(body)

    def delete(self, graph: str) -> None:
        self._send("DELETE", graph)

    def close(self) -> None:
        self.client.close()


def dataset_description(graphs: list[str], version: str) -> list[ox.Triple]:
    """The triples of `DATASET_GRAPH` (SPARQL service description terms), with the time of
    writing (``dct:modified``: every replica's Last-Modified)."""
    from datetime import UTC, datetime

    me = ox.NamedNode(DATASET_GRAPH)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    triples = [
        ox.Triple(me, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                  ox.NamedNode(f"{SD}Dataset")),
        ox.Triple(me, ox.NamedNode(f"{SD}defaultGraph"), ox.NamedNode(UNION_GRAPH)),
        ox.Triple(me, ox.NamedNode(f"{DCT}identifier"), ox.Literal(version)),
        ox.Triple(me, ox.NamedNode(f"{DCT}modified"), ox.Literal(
            now, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"))),
    ]
    triples += [ox.Triple(me, ox.NamedNode(f"{SD}namedGraph"), ox.NamedNode(g)) for g in graphs]
    return triples


def write_dataset(store: ox.Store, client: GraphStoreClient, *, version: str,
                  previous: Iterable[str] = (), progress: Progress | None = None) -> list[str]:
    """Write `store`'s named graphs, their merge and the description (module docstring)
    with the data `version` (the loader's digest of its input files: the same files give the
    same version, so reloads and replicas agree on ETags); delete the graphs of `previous`
    (the last load's) that are gone. Returns the graph names."""
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    graphs = [g for g in graphs if g not in (UNION_GRAPH, DATASET_GRAPH)]
    merge = {ox.Triple(q.subject, q.predicate, q.object) for q in store
             if isinstance(q.graph_name, ox.DefaultGraph) or in_the_union(q.graph_name)}
    total = len(graphs) + 2
    client.probe()
    for index, graph in enumerate(graphs):
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
        if progress:
            progress(index, total, graph, len(triples))
        client.put(graph, triples)
    if progress:
        progress(len(graphs), total, UNION_GRAPH, len(merge))
    client.put(UNION_GRAPH, merge)
    for gone in sorted(set(previous) - set(graphs) - {UNION_GRAPH, DATASET_GRAPH}):
        client.delete(gone)
    description = dataset_description(graphs, version)
    if progress:
        progress(total - 1, total, DATASET_GRAPH, len(description))
    client.put(DATASET_GRAPH, description)
    return graphs
