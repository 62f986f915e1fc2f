"""Pure pieces of the server: Accept negotiation, the SPARQL lexer, the result cache, and
`ctgraph serve` over user files (real subprocesses)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from ctgraph.sparql import media_types as media
from ctgraph.sparql.analysis import analyse, error_position
from ctgraph.web.answer_cache import LRUCache


@pytest.mark.parametrize(
    ("accept", "offers", "expected"),
    [
        (None, media.RESULTS, "json"),
        ("", media.GRAPH, "turtle"),
        ("*/*", media.GRAPH, "turtle"),
        ("application/sparql-results+xml", media.RESULTS, "xml"),
        ("text/csv;q=0.9, text/tab-separated-values", media.RESULTS, "tsv"),
        ("text/*;q=0.5, application/sparql-results+json;q=0.4", media.RESULTS, "csv"),
        ("application/json", media.RESULTS, "json"),
        ("application/json", media.GRAPH, "jsonld"),
        ("text/turtle;q=0, */*;q=0.1", media.GRAPH, "ntriples"),
        ("application/n-quads", media.GRAPH, "nquads"),
        ("TEXT/TURTLE", media.GRAPH, "turtle"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
         media.RDF_DOCUMENT, "html"),
    ],
)
def test_negotiate(accept, offers, expected):
    chosen = media.negotiate(accept, offers)
    assert chosen is not None and chosen.key == expected


@pytest.mark.parametrize("accept", ["image/png", "text/turtle;q=0", "application/pdf, image/*"])
def test_negotiate_nothing_acceptable(accept):
    assert media.negotiate(accept, media.RESULTS) is None


def test_malformed_accept_parts_are_ignored():
    assert media.negotiate("garbage, text/csv;q=abc", media.RESULTS).key == "csv"


@pytest.mark.parametrize(("name", "key"), [("csv", "csv"), ("ttl", "turtle"), (".nt", "ntriples"),
                                           ("application/ld+json", "jsonld"), ("srj", "json")])
def test_format_names(name, key):
    assert media.by_name(name, [*media.RESULTS, *media.GRAPH]).key == key


@pytest.mark.parametrize(
    ("query", "form", "services", "dataset"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT", [], False),
        ("PREFIX : <x:> ask {}", "ASK", [], False),
        ("# SERVICE <http://a/>\nCONSTRUCT WHERE { ?s ?p 'SERVICE <http://b/>' }",
         "CONSTRUCT", [], False),
        ('SELECT * { ?s ?p """multi\nSERVICE <http://c/>""" }', "SELECT", [], False),
        ("SELECT * FROM <g:1> { SERVICE <http://d/> {} }", "SELECT", ["http://d/"], True),
        ("PREFIX e: <http://e/> SELECT * { service silent e:sparql {} }", "SELECT",
         ["http://e/sparql"], False),
        ("SELECT * { SERVICE ?endpoint {} }", "SELECT", [None], False),
        ("BASE <http://f/x/> SELECT * { SERVICE <../y> {} }", "SELECT", [None], False),
        ("SELECT * { ?s <http://g/SERVICE> ?o FILTER(?a<?b) }", "SELECT", [], False),
        ("PREFIX : <x:> INSERT DATA { :a :b :c }", "INSERT", [], False),
        ("WITH <g:1> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", [], False),
    ],
)
def test_analyse(query, form, services, dataset):
    info = analyse(query)
    assert (info.form, info.services, info.has_dataset_clause) == (form, services, dataset)


def test_update_detection():
    assert analyse("CLEAR ALL").is_update
    assert not analyse("SELECT ?insert { ?insert ?p ?o }").is_update


def test_error_position():
    assert error_position("error at 3:17: expected x") == (3, 17)
    assert error_position("no position") is None


def test_lru_cache_bounds_and_order():
    cache: LRUCache[int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)  # evicts b, the least recently used
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    off: LRUCache[int] = LRUCache(0)
    off.put("a", 1)
    assert off.get("a") is None and len(off) == 0


# --- `ctgraph serve PATH…` -----------------------------------------------------------------

TURTLE = """@prefix ex: <http://example.org/> .
ex:a ex:p "in the default graph" .
"""
TRIG = """@prefix ex: <http://example.org/> .
ex:g { ex:b ex:p "in a named graph" . }
"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _n(server, **params) -> int:
    r = httpx.get(server.sparql, params={"query": COUNT, **params},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_serve_user_files_union_and_plain_default_graph(tmp_path, serve_files):
    (tmp_path / "a.ttl").write_text(TURTLE)
    (tmp_path / "b.trig").write_text(TRIG)
    union = serve_files(tmp_path)
    assert _n(union) == 2  # default graph = store default graph + named graphs
    assert _n(union, **{"default-graph-uri": "http://example.org/g"}) == 1
    union.stop()
    plain = serve_files(tmp_path / "a.ttl", tmp_path / "b.trig", no_union_default_graph=True)
    assert _n(plain) == 1
    plain.stop()


def test_serve_reports_bad_files_with_position(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "open .\n')
    for args, expected in [([str(bad)], f"{bad}:2:"),
                           ([str(tmp_path / "missing.ttl")], "missing.ttl: no such file")]:
        done = subprocess.run(
            [sys.executable, "-m", "ctgraph.cli", "serve", "--port", "0", *args],
            capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 2
        assert expected in done.stderr
        assert "Traceback" not in done.stderr


def test_serve_on_disk_store(tmp_path, serve_files):
    import pyoxigraph as ox

    from ctgraph.graph.store import materialise_union

    folder = tmp_path / "store"
    disk = ox.Store(str(folder))
    disk.load(TRIG.encode(), format=ox.RdfFormat.TRIG)
    disk.load(TURTLE.encode(), format=ox.RdfFormat.TURTLE)
    materialise_union(disk)  # as `ctgraph load` does
    disk.flush()
    del disk
    server = serve_files(store=folder, timeout=2)
    assert _n(server) == 2
    bomb = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"
    # tiny data: the "bomb" finishes; what matters is that reopened workers answer correctly
    r = httpx.post(server.sparql, data={"query": bomb},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["results"]["bindings"][0]["n"]["value"] == "32"
    server.stop()


PRE = "PREFIX x: <http://h/> PREFIX : <http://h/> "


@pytest.mark.parametrize(
    ("query", "services"),
    [
        # pyoxigraph's PEG parser needs no space after SERVICE / SILENT: these all call out
        (PRE + "SELECT * { SERVICE:ep {} }", ["http://h/ep"]),
        (PRE + "SELECT * { SERVICEx:ep {} }", ["http://h/ep"]),
        ("SELECT * { SERVICESILENT<http://h/> {} }", ["http://h/"]),
        (PRE + "SELECT * { SERVICE SILENTx:ep {} }", ["http://h/ep"]),
        ("SELECT * { ?s ?p 1.SERVICE<http://h/> {} }", ["http://h/"]),
        # an escaped '#' in a local name does not start a comment
        (PRE + r"SELECT * { ?s ?p x:a\#b } SERVICE <http://h/> {} }", ["http://h/"]),
        ("SELECT * { SERVICE\n# comment\n<http://h/> {} }", ["http://h/"]),
        # not calls
        ("SELECT * { ?s a <https://schema.org/Service> , schema:Service }", []),
        ("SELECT ?service { ?service ?p 'SERVICE <http://h/>' }", []),
    ],
)
def test_service_detection_matches_the_engine(query, services):
    assert analyse(query).services == services


@pytest.mark.parametrize(
    "text",
    ['"\\' * 50_000, "'" * 3 + "a" * 200_000, "<" * 200_000, '"' * 3 + "x" * 50_000,
     "'" * 200_000],
)
def test_lexer_is_linear_on_hostile_text(text):
    """Quadratic rescanning would take minutes on these; each must simply finish."""
    analyse(text)


def test_thread_executor_fallback(serve_files):
    """query_workers=0 evaluates in threads (for platforms without fork)."""
    server = serve_files(query_workers=0)
    assert _n(server) > 0
    r = httpx.get(server.sparql, params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400 and "line 1" in r.text
    server.stop()
