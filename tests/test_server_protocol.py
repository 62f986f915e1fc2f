"""The SPARQL 1.1 Protocol endpoint over real HTTP (a `ctgraph serve` subprocess).

Expected answers are computed in-process with pyoxigraph over the same bundled files, so the
tests check the server (transport, negotiation, formats), not hard-coded numbers.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import uuid
from collections import Counter

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from ctgraph.graph.namespaces import GRAPH_REFERENCE, PREFIXES
from ctgraph.graph.store import load_paths
from tests.helpers import Listener

LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label"""
CONSTRUCT = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?s rdfs:label ?label ; a ?type } WHERE { ?s rdfs:label ?label ; a ?type }"""
TYPE_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"


@pytest.fixture(scope="module")
def local():
    """The same graph the server serves, in this process."""
    store = load_paths([], shapes=True)
    store.prefixes = dict(PREFIXES)
    return store


def _rows(results: ox.QuerySolutions) -> Counter:
    return Counter(tuple(str(s[v]) for v in results.variables) for s in results)


def _graph(triples) -> rdflib.Graph:
    g = rdflib.Graph()
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    if data:
        g.parse(data=data.decode(), format="nt")
    return g


def _count(store, query: str, **kwargs) -> int:
    return int(next(iter(store.query(query, **kwargs)))["n"].value)


# --- results formats -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ],
)
def test_select_results_parse_back(server, local, accept, fmt):
    r = httpx.get(server.sparql, params={"query": LABELS}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    assert "Accept" in r.headers["vary"]
    got = _rows(ox.parse_query_results(r.content, format=fmt))
    expected = _rows(local.query(LABELS))
    assert got == expected and sum(expected.values()) > 10


def test_select_csv_parses_back(server, local):
    r = httpx.get(server.sparql, params={"query": LABELS}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["s", "label"]
    expected = [[s["s"].value, s["label"].value] for s in local.query(LABELS)]
    assert Counter(map(tuple, rows[1:])) == Counter(map(tuple, expected))


def test_ask_true_and_false(server):
    for query, expected in [("ASK { ?s a ?t }", True), ("ASK { ?s a <urn:x:nothing> }", False)]:
        r = httpx.get(server.sparql, params={"query": query},
                      headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200
        assert r.json()["boolean"] is expected


# --- graph formats -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("accept", "rdflib_format", "dataset"),
    [
        ("text/turtle", "turtle", False),
        ("application/n-triples", "nt", False),
        ("application/rdf+xml", "xml", False),
        ("application/ld+json", "json-ld", False),
        ("application/trig", "trig", True),
        ("application/n-quads", "nquads", True),
    ],
)
def test_construct_formats_give_the_same_triples(server, local, accept, rdflib_format, dataset):
    r = httpx.get(server.sparql, params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == accept
    if dataset:
        ds = rdflib.Dataset()
        ds.parse(data=r.text, format=rdflib_format)
        got = rdflib.Graph()
        for s, p, o, _g in ds.quads((None, None, None, None)):
            got.add((s, p, o))
    else:
        got = rdflib.Graph().parse(data=r.text, format=rdflib_format)
    expected = _graph(local.query(CONSTRUCT))
    assert len(expected) > 10
    assert isomorphic(got, expected)


def test_jsonld_is_compact_with_the_published_context(server):
    r = httpx.get(server.sparql, params={"query": CONSTRUCT},
                  headers={"Accept": "application/ld+json"})
    doc = r.json()
    context = httpx.get(f"{server.url}/context.jsonld").json()["@context"]
    assert doc["@context"] == context
    assert any("rdfs:label" in node for node in doc["@graph"])


def test_context_document_lists_the_published_prefixes(server):
    r = httpx.get(f"{server.url}/context.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    assert r.json()["@context"] == PREFIXES


# --- clients -------------------------------------------------------------------------------

def test_sparqlwrapper_all_query_forms(server, local):
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(LABELS)
    sw.setReturnFormat(JSON)
    bindings = sw.query().convert()["results"]["bindings"]
    assert Counter((b["s"]["value"], b["label"]["value"]) for b in bindings) == Counter(
        (s["s"].value, s["label"].value) for s in local.query(LABELS)
    )

    sw.setQuery("ASK { ?s a ?t }")
    assert sw.query().convert()["boolean"] is True

    for query in (CONSTRUCT, "DESCRIBE <https://w3id.org/ctgraph/phase/1>"):
        sw = SPARQLWrapper(server.sparql)
        sw.setQuery(query)
        sw.setReturnFormat(TURTLE)
        got = rdflib.Graph().parse(data=sw.query().convert(), format="turtle")
        expected = _graph(local.query(query))
        assert len(expected) > 0 and isomorphic(got, expected)


@pytest.mark.parametrize("method", ["GET", "POST_FORM", "POST_DIRECTLY"])
def test_sparqlwrapper_request_methods(server, local, method):
    from SPARQLWrapper import JSON, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper

    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(TYPE_COUNT)
    sw.setReturnFormat(JSON)
    if method != "GET":
        sw.setMethod(POST)
        sw.setRequestMethod(URLENCODED if method == "POST_FORM" else POSTDIRECTLY)
    n = int(sw.query().convert()["results"]["bindings"][0]["n"]["value"])
    assert n == _count(local, TYPE_COUNT)


def test_rdflib_sparqlstore_all_query_forms(server, local):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(server.sparql, returnFormat="xml"))
    rows = graph.query(LABELS)
    assert Counter((str(r[0]), str(r[1])) for r in rows) == Counter(
        (s["s"].value, s["label"].value) for s in local.query(LABELS)
    )
    assert graph.query("ASK { ?s a ?t }").askAnswer is True
    for query in (CONSTRUCT, "DESCRIBE <https://w3id.org/ctgraph/phase/1>"):
        got = graph.query(query).graph
        assert isomorphic(got, _graph(local.query(query)))


# --- dataset parameters --------------------------------------------------------------------

def test_default_graph_uri_selects_the_default_graph(server, local):
    r = httpx.post(server.sparql, data={"query": TYPE_COUNT, "default-graph-uri": GRAPH_REFERENCE},
                   headers={"Accept": "application/sparql-results+json"})
    n = int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert n == _count(local, TYPE_COUNT, default_graphs=[GRAPH_REFERENCE], named_graphs=[])
    assert 0 < n < _count(local, TYPE_COUNT)


def test_named_graph_uri_limits_graph_patterns(server):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = httpx.get(server.sparql, params={"query": query, "named-graph-uri": GRAPH_REFERENCE},
                  headers={"Accept": "application/sparql-results+json"})
    graphs = [b["g"]["value"] for b in r.json()["results"]["bindings"]]
    assert graphs == [GRAPH_REFERENCE]


def test_from_file_iri_loads_nothing(server):
    for query in [
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT * FROM <http://127.0.0.1:9/x.ttl> WHERE { ?s ?p ?o }",
    ]:
        r = httpx.get(server.sparql, params={"query": query},
                      headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200
        assert r.json()["results"]["bindings"] == []
        assert "root:" not in r.text


def test_relative_iris_resolve_against_the_endpoint(server):
    r = httpx.get(server.sparql, params={"query": "SELECT ?x WHERE { BIND(<rel/x> AS ?x) }"},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"][0]["x"]["value"] == f"{server.url}/rel/x"


# --- errors --------------------------------------------------------------------------------

def test_malformed_query_is_400_with_line_and_column(server):
    r = httpx.get(server.sparql, params={"query": "SELECT *\nWHERE {\n  ?s ?p \n}"})
    assert r.status_code == 400
    # the offending token: the "}" where the object of "?s ?p" should be
    assert "line 4, column 1 near '}': expected an object after ?s ?p" in r.text
    assert "Traceback" not in r.text and "/work" not in r.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405(server, method):
    r = httpx.request(method, server.sparql, content=b"ASK {}")
    assert r.status_code == 405
    assert "GET" in r.headers["allow"] and "POST" in r.headers["allow"]


def test_unacceptable_format_is_406_listing_offers(server):
    r = httpx.get(server.sparql, params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text
    r = httpx.get(server.sparql, params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert r.status_code == 406 and "text/turtle" in r.text
    # A graph asked for as SPARQL JSON (rdflib's SPARQLStore in JSON mode) is JSON-LD.
    r = httpx.get(server.sparql, params={"query": CONSTRUCT},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")


def test_q_values_and_wildcards(server):
    r = httpx.get(server.sparql, params={"query": "ASK {}"},
                  headers={"Accept": "application/sparql-results+json;q=0.5, "
                                     "application/sparql-results+xml"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    r = httpx.get(server.sparql, params={"query": CONSTRUCT},
                  headers={"Accept": "text/*;q=0.1, application/rdf+xml;q=0.9"})
    assert r.headers["content-type"].startswith("application/rdf+xml")
    r = httpx.get(server.sparql, params={"query": CONSTRUCT}, headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith("text/turtle")


def test_format_parameter_overrides_accept(server):
    r = httpx.get(server.sparql, params={"query": LABELS, "format": "csv"},
                  headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    # An unknown name is ignored, as Fuseki and Oxigraph server do: Accept decides.
    r = httpx.get(server.sparql, params={"query": LABELS, "format": "bogus"},
                  headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")


def test_oversized_request_is_413(server):
    big = "ASK {}" + " " * 1_100_000
    r = httpx.post(server.sparql, content=big.encode(),
                   headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_unsupported_post_media_type_is_415(server):
    r = httpx.post(server.sparql, content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = httpx.post(server.sparql, content="ASK {}".encode("utf-16"),
                   headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert r.status_code == 415


def test_invalid_utf8_query_is_400(server):
    r = httpx.post(server.sparql, content=b"ASK { ?s ?p \xff }",
                   headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "UTF-8" in r.text


UPDATE = ('INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> "planted" } }')
PLANTED = 'ASK { GRAPH ?g { <urn:x:s> <urn:x:p> "planted" } }'


def test_updates_are_refused_and_change_nothing(server):
    attempts = [
        httpx.post(server.sparql, content=UPDATE.encode(),
                   headers={"Content-Type": "application/sparql-update"}),
        httpx.post(server.sparql, data={"update": UPDATE}),
        httpx.get(server.sparql, params={"update": UPDATE}),
        httpx.post(server.sparql, data={"query": UPDATE}),
        httpx.post(server.sparql, data={"query": "CLEAR ALL"}),
    ]
    for r in attempts:
        assert r.status_code == 403, r.text
        assert "read-only" in r.text
    r = httpx.get(server.sparql, params={"query": PLANTED},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.json()["boolean"] is False
    r = httpx.get(server.sparql, params={"query": "ASK { ?s a ?t }"},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.json()["boolean"] is True


def test_no_traceback_on_garbage(server):
    for params in [{"query": "\x00\x01"}, {"query": "SELECT"}, {"query": ""},
                   {"query": "ASK {}", "default-graph-uri": "not an iri"}]:
        r = httpx.get(server.sparql, params=params)
        assert r.status_code == 400, (params, r.text)
        assert "Traceback" not in r.text


# --- SERVICE -------------------------------------------------------------------------------

def test_service_calls_reach_nobody(server):
    listener = Listener()
    try:
        endpoint = f"http://127.0.0.1:{listener.port}/sparql"
        queries = [
            f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
            f"select * where {{ service silent <{endpoint}> {{ ?s ?p ?o }} }}",
            f"PREFIX x: <http://127.0.0.1:{listener.port}/> SELECT * {{ SERVICE x:sparql {{}} }}",
            f"BASE <{endpoint}> SELECT * {{ SERVICE <> {{ ?s ?p ?o }} }}",
            f"SELECT * {{ VALUES ?e {{ <{endpoint}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
            f"SELECT * {{ ?s ?p ?o # comment\n SERVICE<{endpoint}>{{?s ?p ?o}} }}",
            # no space needed after SERVICE / SILENT for pyoxigraph's parser
            f"PREFIX : <http://127.0.0.1:{listener.port}/> SELECT * {{ SERVICE:sparql {{}} }}",
            f"SELECT * {{ SERVICESILENT<{endpoint}> {{ ?s ?p ?o }} }}",
            f"SELECT * {{ ?s ?p 1.SERVICE<{endpoint}> {{ ?s ?p ?o }} }}",
            f"PREFIX x: <urn:x:> SELECT * {{ {{ ?s ?p x:a\\#b }} SERVICE <{endpoint}> {{}} }}",
        ]
        for query in queries:
            r = httpx.get(server.sparql, params={"query": query})
            assert r.status_code == 400, (query, r.text)
            assert "SERVICE" in r.text
        # the word inside a string or IRI is not a SERVICE call
        harmless = 'SELECT * WHERE { ?s ?p "SERVICE <http://x/>" } LIMIT 1'
        assert httpx.get(server.sparql, params={"query": harmless}).status_code == 200
    finally:
        listener.stop()
    assert listener.connections == 0


def test_allow_listed_service_is_called(serve_files, server, local):
    federating = serve_files(service_allow=[server.sparql])
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{server.sparql}> {{ ?s a ?type }} }}"
    r = httpx.get(federating.sparql, params={"query": query},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == _count(local, TYPE_COUNT)
    other = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    assert httpx.get(federating.sparql, params={"query": other}).status_code == 400
    federating.stop()


# --- HTTP caching, HEAD, gzip, CORS --------------------------------------------------------

def test_conditional_requests_get_304(server):
    params = {"query": LABELS}
    first = httpx.get(server.sparql, params=params)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert "max-age" in first.headers["cache-control"]
    again = httpx.get(server.sparql, params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    since = httpx.get(server.sparql, params=params, headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = httpx.get(server.sparql, params=params,
                      headers={"If-None-Match": etag, "Accept": "text/csv"})
    assert other.status_code == 200 and other.headers["etag"] != etag


def test_result_cache(server):
    query = f"SELECT ?s WHERE {{ ?s a ?t }} LIMIT {uuid.uuid4().int % 1000 + 7}"
    first = httpx.get(server.sparql, params={"query": query})
    second = httpx.get(server.sparql, params={"query": query})
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert first.content == second.content
    as_csv = httpx.get(server.sparql, params={"query": query}, headers={"Accept": "text/csv"})
    assert as_csv.headers["x-cache"] == "miss"  # the format is part of the key


def test_head_has_headers_and_no_body(server):
    params = {"query": LABELS}
    get = httpx.get(server.sparql, params=params)
    head = httpx.head(server.sparql, params=params)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == get.headers["content-type"]


def test_gzip(server):
    with httpx.Client() as client:
        r = client.get(server.sparql, params={"query": LABELS},
                       headers={"Accept-Encoding": "gzip"})
        assert r.headers["content-encoding"] == "gzip"
        raw = client.get(server.sparql, params={"query": LABELS},
                         headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert json.loads(r.content) == json.loads(raw.content)
    assert gzip.compress(raw.content)  # sanity: body is plain JSON


def test_cors_any_origin_without_credentials(server):
    r = httpx.get(server.sparql, params={"query": "ASK {}"},
                  headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    pre = httpx.options(server.sparql, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200
    assert "POST" in pre.headers["access-control-allow-methods"]


# --- service description, VoID, OpenAPI, logging -------------------------------------------

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


def test_service_description(server, local):
    r = httpx.get(server.sparql, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (None, SD.endpoint, rdflib.URIRef(server.sparql)) in g
    assert (None, SD.supportedLanguage, SD.SPARQL11Query) in g
    names = {str(o) for o in g.objects(None, SD.name)}
    assert names == set(local.named_graphs())
    page = httpx.get(server.sparql, headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.headers["content-type"].startswith("text/html") and "<form" in page.text


def test_void_statistics(server, local):
    r = httpx.get(f"{server.url}/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    dataset = rdflib.URIRef(f"{server.url}/.well-known/void#dataset")
    total = _count(local, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert g.value(dataset, VOID.triples).toPython() == total
    classes = _count(local, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }")
    assert g.value(dataset, VOID.classes).toPython() == classes
    subsets = [s for s in g.objects(dataset, VOID.subset) if (s, SD.name, None) in g]
    assert len(subsets) == len(local.named_graphs())  # the other subsets are the linksets
    for subset in subsets:
        name = str(g.value(subset, SD.name))
        n = _count(local, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        assert g.value(subset, VOID.triples).toPython() == n
    assert g.value(dataset, VOID.entities).toPython() > 0


def test_void_formats_and_conditional_get(server):
    url = f"{server.url}/.well-known/void"
    for accept, fmt in [("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
                        ("application/n-triples", "nt")]:
        r = httpx.get(url, headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
        assert len(rdflib.Graph().parse(data=r.text, format=fmt)) > 20
    r = httpx.get(url, params={"format": "html"})
    assert r.headers["content-type"].startswith("text/html")
    etag = httpx.get(url).headers["etag"]
    assert httpx.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert httpx.head(url).status_code == 200
    assert httpx.get(url, headers={"Accept": "image/png"}).status_code == 406


def test_openapi_docs(server):
    assert httpx.get(f"{server.url}/docs").status_code == 200
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert "/sparql" in spec["paths"]


def test_requests_are_logged(server):
    httpx.get(server.sparql, params={"query": "ASK { ?logged ?p ?o }"})
    log = server.log()
    assert "GET /sparql 200" in log
