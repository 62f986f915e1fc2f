"""The remote back-end (`RemoteStore`) in this process against a real Oxigraph server on
127.0.0.1 (conftest's ``oxigraph_endpoint``): the same answers, prefixes, base IRI handling and
syntax errors as the embedded store. `ctgraph serve --store URL` over it is tested by the
whole HTTP suite (conftest's ``server``) and by test_backends_same_answers.py."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from ctgraph.graph.namespaces import PREFIXES
from ctgraph.graph.remote_store import RemoteStore, open_remote_store
from ctgraph.graph.store import load_bundled

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


def test_pre_declared_prefixes_are_sent_and_the_querys_own_win(oxigraph_endpoint: str) -> None:
    remote = open_remote_store(oxigraph_endpoint)
    embedded = load_bundled(shapes=True)
    embedded.prefixes = dict(PREFIXES)
    events = "SELECT ?e WHERE { ?e a schema:Event } ORDER BY ?e"
    assert solutions(remote.query(events)) == solutions(embedded.query(events))
    assert len(solutions(remote.query(events))) > 5
    own = "PREFIX schema: <urn:x:> ASK { ?e a schema:Event }"
    assert not bool(remote.query(own)) and not bool(embedded.query(own))
    with pytest.raises(SyntaxError):  # a bare RemoteStore pre-declares nothing
        RemoteStore(oxigraph_endpoint).query(events)


def test_relative_iris_resolve_against_the_base_iri(oxigraph_endpoint: str) -> None:
    query = "SELECT ?x WHERE { BIND(<rel> AS ?x) }"
    remote = RemoteStore(oxigraph_endpoint)
    answer = solutions(remote.query(query, base_iri="https://example.org/a/sparql"))
    assert answer == [("<https://example.org/a/rel>",)]
    own = "BASE <urn:b/> " + query  # the query's own BASE wins
    assert solutions(remote.query(own, base_iri="https://example.org/")) == [("<urn:b/rel>",)]


@pytest.mark.parametrize("query", [
    "SELECT *\nWHERE {\n  ?s ?p \n}",
    "SELECT * WHERE {\n  ?s a nowhere:Thing }",
    "ASK { ?s ?p ?o } trailing",
])
def test_syntax_errors_read_as_the_embedded_stores(oxigraph_endpoint: str, query: str) -> None:
    embedded = load_bundled()
    embedded.prefixes = dict(PREFIXES)
    with pytest.raises(SyntaxError) as local:
        embedded.query(query)
    with pytest.raises(SyntaxError) as remote:
        open_remote_store(oxigraph_endpoint).query(query)
    assert str(remote.value) == str(local.value)


def test_union_default_graph_is_probed(oxigraph_endpoint: str, serve_files, tmp_path) -> None:
    """The Oxigraph server holds the union in its default graph; a ctgraph endpoint serving
    a file with --no-union-default-graph does not (its default graph is empty)."""
    assert RemoteStore(oxigraph_endpoint).union_default_graph is True
    data = tmp_path / "one.trig"
    data.write_text("<urn:g> { <urn:s> <urn:p> <urn:o> }\n")
    plain = serve_files(data, no_union_default_graph=True)
    assert RemoteStore(plain.sparql).union_default_graph is False
    plain.stop()
