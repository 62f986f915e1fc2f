"""The remote back-end against a real Oxigraph server process on 127.0.0.1: the same answers
as the embedded store, and `ctgraph serve --store URL` publishes it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from ctgraph.remote import RemoteStore
from ctgraph.store import load_bundled

pytestmark = pytest.mark.skipif(
    shutil.which("oxigraph") is None,
    reason="the oxigraph server (pip install oxigraph, in the test extras) is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(["oxigraph", "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        # the embedded store's quads, its materialised union default graph included, so the
        # remote default graph has the same set semantics
        dump = ox.serialize(load_bundled().oxigraph, format=ox.RdfFormat.N_QUADS)
        r = httpx.post(base + "/store", content=dump,
                       headers={"Content-Type": "application/n-quads"}, timeout=60)
        assert r.status_code in (200, 201, 204), r.text
        yield base + "/query"
    finally:
        process.terminate()
        process.wait(10)


SELECTS = [
    "SELECT ?e ?start WHERE { ?e <https://schema.org/startDate> ?start } ORDER BY ?start ?e",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
]


def solutions(result) -> list[tuple]:
    names = [v.value for v in result.variables]
    return [tuple(str(s[n]) for n in names) for s in result]


def test_select_and_ask_answer_like_the_embedded_store(oxigraph_url: str) -> None:
    remote, embedded = RemoteStore(oxigraph_url), load_bundled()
    for query in SELECTS:
        assert solutions(remote.query(query)) == solutions(embedded.query(query))
    assert bool(remote.query("ASK { <https://w3id.org/ctgraph/org/unrcca> ?p ?o }"))
    assert not bool(remote.query("ASK { <https://w3id.org/ctgraph/org/none> ?p ?o }"))


@pytest.mark.parametrize("query", [
    "CONSTRUCT WHERE { <https://w3id.org/ctgraph/event/expert-meeting-1> ?p ?o }",
    "DESCRIBE <https://w3id.org/ctgraph/city/almaty>",
])
def test_graph_queries_answer_like_the_embedded_store(oxigraph_url: str, query: str) -> None:
    def graph(result) -> Graph:
        data = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode()
        return Graph().parse(data=data, format="nt")

    remote = RemoteStore(oxigraph_url).query(query)
    assert isinstance(remote, ox.QueryTriples)
    assert isomorphic(graph(remote), graph(load_bundled().query(query)))


def test_named_graphs_and_malformed_queries(oxigraph_url: str) -> None:
    remote = RemoteStore(oxigraph_url)
    assert remote.named_graphs() == load_bundled().named_graphs()
    with pytest.raises(SyntaxError):
        remote.query("SELECT * WHERE { ?s ?p }")


def test_serve_publishes_a_remote_store(oxigraph_url: str, serve_files) -> None:
    server = serve_files(store=oxigraph_url)
    r = httpx.get(server.sparql, params={"query": SELECTS[2]}, headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert r.text.splitlines()[1] == solutions(load_bundled().query(SELECTS[2]))[0][0].split('"')[1]
    page = httpx.get(server.url + "/org/unrcca", headers={"Accept": "text/turtle"})
    assert page.status_code == 200 and "UNRCCA" in page.text
