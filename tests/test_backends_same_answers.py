"""The on-disk and remote back-ends (Oxigraph server, Virtuoso) answer every kind of HTTP
request exactly as the in-memory
server does: the memory server's answer is the reference, never a hard-coded one.

Each case is one request (SPARQL in every form and format, dataset parameters, errors, named
queries, linked-data pages, the UI pages, VoID, the service description, downloads). Answers
are compared after removing what may legitimately differ: the server's own address, the data
version (each store has its own), blank-node labels and serialisation order (RDF is compared
as canonicalised quads), the order of unordered solutions, and the order in which a page
lists the values of one property.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from ctgraph.catalog.named_queries import bundled_catalog
from ctgraph.graph.namespaces import GRAPH_REFERENCE, GRAPH_SHAPES

PUBLIC = "http://ctgraph.test"
"""Every server's own address is replaced by this before comparing."""

RESULTS = ["application/sparql-results+json", "application/sparql-results+xml",
           "text/csv", "text/tab-separated-values"]
GRAPHS = ["text/turtle", "application/n-triples", "application/ld+json",
          "application/rdf+xml", "application/trig", "application/n-quads"]

EVENTS = ("SELECT ?e ?name ?start WHERE { ?e a schema:Event ; schema:name ?name ; "
          "schema:startDate ?start } ORDER BY ?start ?e ?name")
SPARQL = [  # (case, query, the formats to ask for)
    # the project's prefixes are pre-declared on every back-end
    ("events, undeclared prefixes", EVENTS, RESULTS),
    ("triples per graph", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
     "GROUP BY ?g ORDER BY ?g", RESULTS),
    ("default graph size", "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) "
     "WHERE { ?s ?p ?o }", RESULTS[:1]),
    ("labels, unordered", "SELECT ?s ?label WHERE { ?s rdfs:label ?label }", RESULTS),
    ("functions on literals", "SELECT ?l (LANG(?l) AS ?lang) (STRLEN(?l) AS ?n) "
     "(YEAR(NOW()) > 2000 AS ?now) WHERE { ?s rdfs:label ?l } ORDER BY ?l LIMIT 40",
     RESULTS[:1]),
    ("optional and filter", "SELECT ?e ?end WHERE { ?e a schema:Event OPTIONAL { ?e "
     'schema:endDate ?end } FILTER(!BOUND(?end) || ?end > "2015-01-01"^^xsd:date) } '
     "ORDER BY ?e", RESULTS[:1]),
    ("own prefix wins", "PREFIX schema: <urn:not-schema:> SELECT (COUNT(*) AS ?n) "
     "WHERE { ?s a schema:Event }", RESULTS[:1]),
    ("values and literals", 'SELECT ?v WHERE { VALUES ?v { "a\\nb"@en 1.5 "x"^^<urn:dt> '
     "<urn:i> } } ORDER BY STR(?v)", RESULTS),
    ("FROM a named graph", f"SELECT ?s ?t FROM <{GRAPH_REFERENCE}> WHERE {{ ?s a ?t }} "
     "ORDER BY ?s ?t", RESULTS[:1]),
    ("ask true", "ASK { ?s a schema:Event }", RESULTS[:2]),
    ("ask false", "ASK { ?s a <urn:x:nothing> }", RESULTS[:2]),
    ("construct", "CONSTRUCT { ?s rdfs:label ?label ; a ?type } WHERE { ?s rdfs:label ?label "
     "; a ?type }", GRAPHS),
    ("describe", "DESCRIBE <https://w3id.org/ctgraph/org/unrcca>", GRAPHS[:1]),
    ("construct with blank nodes", f"CONSTRUCT WHERE {{ GRAPH <{GRAPH_SHAPES}> {{ "
     "?s sh:property ?p . ?p ?q ?o } }", GRAPHS[:1]),
    ("malformed", "SELECT *\nWHERE {\n  ?s ?p \n}", RESULTS[:1]),
    ("unknown prefix", "SELECT * WHERE {\n  ?s a nowhere:Thing }", RESULTS[:1]),
    ("update refused", "CLEAR ALL", RESULTS[:1]),
    ("no acceptable format", "ASK {}", ["image/png"]),
]
PAGES = [  # (case, path, parameters, Accept)
    ("service description", "/sparql", {}, "text/turtle"),
    ("void", "/.well-known/void", {}, "text/turtle"),
    ("void page", "/.well-known/void", {"format": "html"}, None),
    ("landing page", "/", {}, "text/html"),
    ("search page", "/search", {"q": "UNRCCA"}, "text/html"),
    ("search api, russian", "/api/search", {"q": "Ашхабад"}, None),
    ("search api", "/api/search", {"q": "expert meeting"}, None),
    ("timeline", "/timeline", {}, "text/html"),
    ("query editor", "/query", {}, "text/html"),
    ("ontology page", "/ontology", {}, "text/html"),
    ("ontology", "/ontology.ttl", {}, None),
    ("shapes page", "/shapes", {}, "text/html"),
    ("query catalogue", "/api/queries", {}, "application/json"),
    ("json-ld context", "/context.jsonld", {}, None),
    ("unknown resource", "/event/no-such-event", {}, "text/html"),
    ("downloads", "/download/", {}, None),
    *((f"download {name}", f"/download/{name}", {}, None)
      for name in ("ctgraph.nq", "ctgraph.trig", "ctgraph.ttl", "ctgraph.jsonld")),
    *((f"{path} {accept}", path, {}, accept)
      for path in ("/org/unrcca", "/event/expert-meeting-1", "/doc/s-res-2370-2017",
                   "/phase/2", "/city/almaty", "/country/kazakhstan",
                   "/citation/000-expert-meeting-1-4", "/erratum/counties-typo", "/pillar/1")
      for accept in ("text/html", "text/turtle", "application/ld+json")),
    *((f"named query {name} {accept}", f"/api/queries/{name}", dict(named.example), accept)
      for name, named in sorted(bundled_catalog().items())
      for accept in (["text/turtle"] if named.form == "CONSTRUCT"
                     else ["application/sparql-results+json", "text/csv"])),
]
CASES = [
    *(pytest.param("GET", "/sparql", {"query": query}, accept, id=f"sparql {name} {accept}")
      for name, query, accepts in SPARQL for accept in accepts),
    pytest.param("POST", "/sparql", {"query": EVENTS}, "text/csv", id="sparql POST form"),
    pytest.param("GET", "/sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }",
                                    "default-graph-uri": GRAPH_REFERENCE},
                 RESULTS[0], id="sparql default-graph-uri"),
    pytest.param("GET", "/sparql", {"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                    "named-graph-uri": GRAPH_REFERENCE},
                 RESULTS[0], id="sparql named-graph-uri"),
    *(pytest.param("GET", path, params, accept, id=name) for name, path, params, accept in PAGES),
]


def _request(client: httpx.Client, server, method: str, path: str, params: dict[str, str],
             accept: str | None) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    url = server.url + path
    if method == "POST":
        return client.post(url, data=params, headers=headers)
    return client.get(url, params=params, headers=headers)


def _canonical_quads(body: bytes, fmt: ox.RdfFormat) -> list[str]:
    dataset = ox.Dataset(ox.parse(body, format=fmt, base_iri=PUBLIC + "/"))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q) for q in dataset)


def _rows(body: str, media_type: str, ordered: bool) -> Any:
    if media_type == "text/csv":
        rows: list[Any] = list(csv.reader(io.StringIO(body)))
        head, rows = rows[:1], rows[1:]
    else:
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
        results = ox.parse_query_results(body.encode(), format=fmt)
        if isinstance(results, ox.QueryBoolean):
            return bool(results)
        head = [v.value for v in results.variables]
        rows = [tuple(str(s[v]) if s[v] is not None else None for v in head) for s in results]
    return head, [tuple(r) for r in rows] if ordered else Counter(map(tuple, rows))


def _page_words(text: str) -> Counter:
    """A page's words and markup tokens, whatever the order of the values it lists."""
    return Counter(re.findall(r"[^\s<>\"',]+", text))


def normalised(response: httpx.Response, server, query: str = "") -> tuple[Any, ...]:
    """What must be equal between back-ends (see the module docstring)."""
    media_type = response.headers.get("content-type", "").split(";")[0]
    text = response.content.decode("utf-8").replace(server.url, PUBLIC)
    text = re.sub(r"data version <code>[0-9a-f]+</code>", "data version <code>…</code>", text)
    text = re.sub(r"\b[0-9,]+ bytes\b", "… bytes", text)  # serialisations differ in size
    text = re.sub(r"_:[0-9a-z]+", "_:b", text) if media_type == "text/html" else text
    body: Any = text
    if response.status_code == 200 and media_type in GRAPHS:
        # a JSON-LD document without triples (the context) compares as JSON
        body = (_canonical_quads(text.encode(), ox.RdfFormat.from_media_type(media_type))
                or json.loads(text))
    elif response.status_code == 200 and media_type in RESULTS:
        body = _rows(text, media_type, ordered="ORDER BY" in query)
    elif media_type == "application/json":
        body = json.loads(text)
    elif media_type == "text/html":
        body = _page_words(text)
    return response.status_code, media_type, body


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def reference(memory_server, client) -> Callable[..., tuple[Any, ...]]:
    """The memory server's normalised answer to a request, asked once per module."""
    answers: dict[str, tuple[Any, ...]] = {}

    def answer(method: str, path: str, params: dict[str, str], accept: str | None
               ) -> tuple[Any, ...]:
        key = json.dumps([method, path, params, accept])
        if key not in answers:
            response = _request(client, memory_server, method, path, params, accept)
            answers[key] = normalised(response, memory_server, params.get("query", ""))
        return answers[key]

    return answer


VIRTUOSO_DIFFERS: dict[str, str] = {}
"""Answers Virtuoso 7.2.5 gives differently from the embedded store and that no rewriting of
the request repairs yet (docs/deploy.md lists them): expected to fail, strictly, so
a fix shows up as an unexpected pass. None at present: every case here is answered alike."""


@pytest.fixture(params=["disk", "remote", "virtuoso"])
def backend(request: pytest.FixtureRequest):
    """The server of each back-end other than the reference."""
    if request.param == "virtuoso":
        case = request.node.callspec.id.split("-", 1)[1]
        if case in VIRTUOSO_DIFFERS:
            request.node.add_marker(pytest.mark.xfail(strict=True,
                                                      reason=VIRTUOSO_DIFFERS[case]))
    return request.getfixturevalue(f"{request.param}_server")


@pytest.mark.parametrize(("method", "path", "params", "accept"), CASES)
def test_answers_as_the_memory_server_does(backend, reference, client, method, path, params,
                                           accept) -> None:
    expected = reference(method, path, params, accept)
    got = normalised(_request(client, backend, method, path, params, accept), backend,
                     params.get("query", ""))
    assert got[:2] == expected[:2]
    if expected[0] == 200:  # the comparison compares something
        body = expected[2]
        assert isinstance(body, bool) or (body[1] if isinstance(body, tuple) else body)
    assert got[2] == expected[2]
