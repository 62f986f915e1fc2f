"""The remote back-end (`RemoteStore`) against a real Oxigraph server process on 127.0.0.1
(conftest's ``oxigraph_endpoint``): the same answers as the embedded store. The whole HTTP
suite also runs over it through the parametrised ``server`` fixture."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from ctgraph.remote import RemoteStore
from ctgraph.store import load_bundled

SELECTS = [
    "SELECT ?e ?start WHERE { ?e <https://schema.org/startDate> ?start } ORDER BY ?start ?e",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
]


def solutions(result) -> list[tuple]:
    names = [v.value for v in result.variables]
    return [tuple(str(s[n]) for n in names) for s in result]


def test_select_and_ask_answer_like_the_embedded_store(oxigraph_endpoint: str) -> None:
    remote, embedded = RemoteStore(oxigraph_endpoint), load_bundled(shapes=True)
    for query in SELECTS:
        assert solutions(remote.query(query)) == solutions(embedded.query(query))
    assert bool(remote.query("ASK { <https://w3id.org/ctgraph/org/unrcca> ?p ?o }"))
    assert not bool(remote.query("ASK { <https://w3id.org/ctgraph/org/none> ?p ?o }"))


@pytest.mark.parametrize("query", [
    "CONSTRUCT WHERE { <https://w3id.org/ctgraph/event/expert-meeting-1> ?p ?o }",
    "DESCRIBE <https://w3id.org/ctgraph/city/almaty>",
])
def test_graph_queries_answer_like_the_embedded_store(oxigraph_endpoint: str, query: str) -> None:
    def graph(result) -> Graph:
        data = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode()
        return Graph().parse(data=data, format="nt")

    remote = RemoteStore(oxigraph_endpoint).query(query)
    assert isinstance(remote, ox.QueryTriples)
    assert isomorphic(graph(remote), graph(load_bundled(shapes=True).query(query)))


def test_named_graphs_and_malformed_queries(oxigraph_endpoint: str) -> None:
    remote = RemoteStore(oxigraph_endpoint)
    assert remote.named_graphs() == load_bundled(shapes=True).named_graphs()
    with pytest.raises(SyntaxError):
        remote.query("SELECT * WHERE { ?s ?p }")


def test_serve_publishes_a_remote_store(oxigraph_endpoint: str, serve_files) -> None:
    server = serve_files(store=oxigraph_endpoint)
    r = httpx.get(server.sparql, params={"query": SELECTS[2]}, headers={"Accept": "text/csv"})
    assert r.status_code == 200
    expected = solutions(load_bundled(shapes=True).query(SELECTS[2]))[0][0]
    assert r.text.splitlines()[1] == expected.split('"')[1]
    page = httpx.get(server.url + "/org/unrcca", headers={"Accept": "text/turtle"})
    assert page.status_code == 200 and "UNRCCA" in page.text
