"""Virtuoso as a real remote store, and `ctgraph load` through the Graph Store Protocol.

Every test starts the stores it changes (a Virtuoso from tests/virtuoso.py, an ``oxigraph
serve``), all on 127.0.0.1 in throwaway folders; the shared, read-only Virtuoso of the HTTP
suite is conftest's ``virtuoso``. Answers are compared with the in-memory server's, never
with hard-coded ones.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from ctgraph.graph.remote_store import DATASET_GRAPH, UNION_GRAPH, RemoteStore
from ctgraph.graph.store import load_bundled
from tests.conftest import _stop, free_port, start_oxigraph
from tests.helpers import run_ctgraph
from tests.virtuoso import LOADER, READER, SYSTEM_GRAPH, Virtuoso

PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
DEFAULT_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
EVENTS = ("SELECT ?e ?start WHERE { ?e a schema:Event ; schema:startDate ?start } "
          "ORDER BY ?start ?e")


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """An empty ``oxigraph serve`` of this test's own; its base URL."""
    process, base = start_oxigraph(tmp_path / "oxigraph.log", "--location", str(tmp_path / "ox"))
    try:
        yield base
    finally:
        _stop(process)


def assert_one_error_line(stderr: str) -> None:
    """The error is one line, the last (the progress bar's line may come before it)."""
    lines = [line for line in stderr.strip().splitlines() if "ctgraph load:" in line]
    assert len(lines) == 1 and stderr.strip().endswith(lines[0]), stderr
    assert "Traceback" not in stderr


def canonical(turtle: bytes) -> list[str]:
    dataset = ox.Dataset(ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(map(str, dataset))


def rows(url: str, query: str, **params: str) -> list[tuple[str, ...]]:
    r = httpx.get(url, params={"query": query, **params},
                  headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text
    doc = r.json()
    names = doc["head"]["vars"]
    return [tuple(b.get(n, {}).get("value", "") for n in names) for b in doc["results"]["bindings"]]


def test_the_default_graph_is_the_projects_never_virtuosos_own(virtuoso, virtuoso_server,
                                                               memory_server) -> None:
    """Virtuoso itself answers with its system graphs in its default graph and among its
    named graphs; ctgraph over it answers as the memory server does."""
    graphs_there = [g for g, _ in rows(virtuoso.sparql, PER_GRAPH)]
    assert SYSTEM_GRAPH in graphs_there and DATASET_GRAPH in graphs_there
    assert rows(virtuoso.sparql, DEFAULT_SIZE) != rows(memory_server.sparql, DEFAULT_SIZE)
    for query in (PER_GRAPH, DEFAULT_SIZE, EVENTS):
        assert rows(virtuoso_server.sparql, query) == rows(memory_server.sparql, query)
    listed = [g for g, _ in rows(virtuoso_server.sparql, PER_GRAPH)]
    assert SYSTEM_GRAPH not in listed and UNION_GRAPH not in listed
    assert DATASET_GRAPH not in listed


def test_load_twice_leaves_the_same_data(fresh_virtuoso: Virtuoso) -> None:
    for _ in range(2):
        run = run_ctgraph("load", "--store", fresh_virtuoso.sparql, "--graph-store",
                          fresh_virtuoso.graph_store, timeout=300)
        assert run.returncode == 0, run.stderr
        assert "8/8" in run.stderr and run.stderr.strip().splitlines()[-1].startswith("loaded")
        store = RemoteStore(fresh_virtuoso.sparql)
        embedded = load_bundled(shapes=True)
        assert store.named_graphs() == embedded.named_graphs()
        assert store.quad_count() == embedded.quad_count()


def test_load_replaces_graphs_and_drops_the_ones_gone(fresh_virtuoso: Virtuoso,
                                                      tmp_path: Path) -> None:
    first = tmp_path / "first.trig"
    first.write_text("<urn:g:a> { <urn:s> <urn:p> 1, 2 } <urn:g:b> { <urn:s> <urn:p> 3 }\n")
    second = tmp_path / "second.trig"
    second.write_text("<urn:g:a> { <urn:s> <urn:p> 9 }\n")
    for data in (first, second):
        run = run_ctgraph("load", str(data), "--store", fresh_virtuoso.sparql, "--graph-store",
                          fresh_virtuoso.graph_store, timeout=120)
        assert run.returncode == 0, run.stderr
    store = RemoteStore(fresh_virtuoso.sparql)
    assert store.named_graphs() == ["urn:g:a"]
    assert [s["o"].value for s in store.query("SELECT ?o WHERE { ?s ?p ?o }")] == ["9"]
    # in Virtuoso itself, not only in the dataset ctgraph names: the graph is gone
    assert rows(fresh_virtuoso.sparql, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:g:b> "
                "{ ?s ?p ?o } }") == [("0",)]


def test_digest_authentication_and_refused_writes(fresh_virtuoso: Virtuoso, tmp_path: Path
                                                  ) -> None:
    data = tmp_path / "one.trig"
    data.write_text("<urn:g:a> { <urn:s> <urn:p> <urn:o> }\n")
    base = ["load", str(data), "--store", fresh_virtuoso.sparql, "--graph-store",
            fresh_virtuoso.graph_store_auth]
    cases = [
        ([], "authentication required (401; give --auth"),
        (["--auth", f"{LOADER[0]}:wrong"], "authentication required (401; wrong --auth"),
        (["--auth", f"{READER[0]}:{READER[1]}"], "write refused (403 Forbidden)"),
    ]
    for extra, message in cases:
        run = run_ctgraph(*base, *extra, timeout=120)
        assert run.returncode == 2 and message in run.stderr, run.stderr
        assert_one_error_line(run.stderr)
    run = run_ctgraph(*base, "--auth", f"{LOADER[0]}:{LOADER[1]}", timeout=120)
    assert run.returncode == 0, run.stderr
    assert RemoteStore(fresh_virtuoso.sparql).named_graphs() == ["urn:g:a"]


def test_credentials_from_the_environment(fresh_virtuoso: Virtuoso, tmp_path: Path) -> None:
    import os
    import sys

    data = tmp_path / "one.trig"
    data.write_text("<urn:g:env> { <urn:s> <urn:p> <urn:o> }\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTGRAPH_")}
    env["CTGRAPH_STORE_AUTH"] = f"{LOADER[0]}:{LOADER[1]}"
    run = subprocess.run([sys.executable, "-m", "ctgraph.cli", "load", str(data), "--store",
                          fresh_virtuoso.sparql, "--graph-store",
                          fresh_virtuoso.graph_store_auth], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert RemoteStore(fresh_virtuoso.sparql).named_graphs() == ["urn:g:env"]


@pytest.mark.parametrize(("where", "message"), [
    ("http://127.0.0.1:{closed}/sparql-graph-crud", "unreachable"),
    ("{base}/no-such-endpoint", "not a Graph Store Protocol endpoint"),
    ("{base}/sparql", "not a Graph Store Protocol endpoint"),
])
def test_one_line_errors(virtuoso, where: str, message: str, tmp_path: Path) -> None:
    data = tmp_path / "one.trig"
    data.write_text("<urn:g:a> { <urn:s> <urn:p> <urn:o> }\n")
    url = where.format(closed=free_port(), base=virtuoso.base)
    run = run_ctgraph("load", str(data), "--store", virtuoso.sparql, "--graph-store", url,
                      timeout=120)
    assert run.returncode == 2 and message in run.stderr, run.stderr
    assert_one_error_line(run.stderr)
    # the shared store is untouched
    assert "urn:g:a" not in RemoteStore(virtuoso.sparql).named_graphs()


def test_load_into_oxigraph_server_answers_like_memory(oxigraph_server: str, serve_files,
                                                       memory_server) -> None:
    run = run_ctgraph("load", "--store", oxigraph_server + "/query", "--graph-store",
                      oxigraph_server + "/store", timeout=300)
    assert run.returncode == 0, run.stderr
    served = serve_files(store=oxigraph_server + "/query")
    for query in (PER_GRAPH, DEFAULT_SIZE, EVENTS):
        assert rows(served.sparql, query) == rows(memory_server.sparql, query)
    served.stop()


def test_store_down_gives_503_and_ctgraph_recovers(fresh_virtuoso: Virtuoso, serve_files,
                                                   memory_server) -> None:
    run = run_ctgraph("load", "--store", fresh_virtuoso.sparql, "--graph-store",
                      fresh_virtuoso.graph_store, timeout=300)
    assert run.returncode == 0, run.stderr
    served = serve_files(store=fresh_virtuoso.sparql)
    assert rows(served.sparql, EVENTS) == rows(memory_server.sparql, EVENTS)
    fresh_virtuoso.stop()
    for path, params in [("/sparql", {"query": EVENTS + " LIMIT 3"}),
                         ("/org/unrcca", {}), ("/api/queries/timeline", {})]:
        r = httpx.get(served.url + path, params=params, timeout=60)
        assert r.status_code in (502, 503), (path, r.status_code, r.text)
        assert "graph store is unavailable" in r.text and "Traceback" not in r.text
        assert len(r.text.strip().splitlines()) == 1
    fresh_virtuoso.start()
    assert rows(served.sparql, EVENTS) == rows(memory_server.sparql, EVENTS)
    assert httpx.get(served.url + "/org/unrcca", timeout=60).status_code == 200
    assert "Traceback" not in served.log()
    served.stop()


def test_time_limit_abandons_the_remote_query(virtuoso, serve_files) -> None:
    served = serve_files(store=virtuoso.sparql, timeout=2)
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    r = httpx.get(served.sparql, params={"query": slow}, timeout=120)
    assert r.status_code == 503, r.text
    quick = "SELECT (COUNT(*) AS ?n) WHERE { ?s a schema:Event }"
    assert httpx.get(served.sparql, params={"query": quick}, timeout=60).status_code == 200
    assert "Traceback" not in served.log()
    served.stop()


def test_two_replicas_give_the_same_answers_and_etags(virtuoso, serve_files) -> None:
    # replicas behind one proxy share the public base URL (it is part of every ETag)
    public = "https://ctgraph.example.org"
    one = serve_files(store=virtuoso.sparql, base_url=public)
    two = serve_files(store=virtuoso.sparql, base_url=public)
    requests = [("/sparql", {"query": EVENTS}), ("/sparql", {"query": PER_GRAPH}),
                ("/org/unrcca", {}), ("/event/expert-meeting-1", {}),
                ("/api/queries/timeline", {}), ("/.well-known/void", {})]
    for path, params in requests:
        a = httpx.get(one.url + path, params=params, timeout=60)
        b = httpx.get(two.url + path, params=params, timeout=60)
        assert a.status_code == b.status_code == 200, (path, a.text[:200])
        assert a.headers.get("etag") and a.headers.get("etag") == b.headers.get("etag"), path
        if path == "/.well-known/void":  # blank-node labels are each serialisation's own
            assert canonical(a.content) == canonical(b.content)
        else:
            assert a.content == b.content, path
        again = httpx.get(two.url + path, params=params, timeout=60,
                          headers={"If-None-Match": a.headers["etag"]})
        assert again.status_code == 304, path
    one.stop()
    two.stop()
