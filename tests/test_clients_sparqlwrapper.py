"""SPARQLWrapper 2, unmodified, against a real server on every back-end.

SPARQLWrapper names the format it wants twice: in Accept and, unless ``setOnlyConneg(True)``,
in ``format=``, ``output=`` and ``results=`` (the same name in all three, plus a media type
for some: ``format=json-ld&format=application/ld+json``). The names are its own (``xml`` for
a CONSTRUCT means RDF/XML, ``json`` means JSON-LD, ``n3``, ``rdf``); the server reads them for
the query's kind and ignores the ones it does not know. Every call must give the right
answer, parsed and compared with what the bundled graph holds (evaluated in this process).
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from xml.dom.minidom import Document

import pytest
import rdflib
from rdflib.compare import isomorphic
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

from tests.client_answers import (
    ASK,
    CONSTRUCT,
    DESCRIBE,
    SELECT,
    expected_graph,
    expected_select,
)

RESULT_TYPES = {
    JSON: "application/sparql-results+json", XML: "application/sparql-results+xml",
    CSV: "text/csv", TSV: "text/tab-separated-values",
}
GRAPH_FORMATS = (None, XML, RDFXML, RDF, TURTLE, N3, JSONLD, JSON)
GRAPH_TYPE_BY_NAME = {None: "application/rdf+xml", XML: "application/rdf+xml",
                      RDFXML: "application/rdf+xml", RDF: "application/rdf+xml",
                      TURTLE: "text/turtle", N3: "text/turtle", JSONLD: "application/ld+json",
                      JSON: "application/ld+json"}
"""What the server answers a CONSTRUCT/DESCRIBE with, format names sent (the default)."""
GRAPH_TYPE_BY_ACCEPT = {**GRAPH_TYPE_BY_NAME, RDF: "text/turtle", JSON: "text/turtle"}
"""With setOnlyConneg(True): RDF and JSON make SPARQLWrapper send ``Accept: */*``, so the
server's first graph format (Turtle) is the right answer."""

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

METHODS = [GET, POST]
CONNEG = [pytest.param(False, id="names"), pytest.param(True, id="onlyConneg")]


def _client(server, query: str, method: str, only_conneg: bool, fmt: str | None
            ) -> SPARQLWrapper:
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setMethod(method)
    client.setOnlyConneg(only_conneg)
    if fmt is not None:
        client.setReturnFormat(fmt)
    client.setTimeout(30)
    return client


def _run(client: SPARQLWrapper) -> tuple[str, object]:
    with warnings.catch_warnings():
        # SPARQLWrapper warns when it sends "*/*"; that is its own choice, not an error here.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = client.query()
        content_type = result.info()["content-type"].split(";")[0].strip()
        return content_type, result.convert()


def _bindings(fmt: str, converted: object) -> list[str]:
    """The ?event column of a SELECT answer as SPARQLWrapper hands it over."""
    if fmt == JSON:
        assert isinstance(converted, dict)
        return [b["event"]["value"] for b in converted["results"]["bindings"]]
    if fmt == XML:
        assert isinstance(converted, Document)
        return [u.firstChild.data for u in converted.getElementsByTagName("uri")]
    assert isinstance(converted, bytes)
    rows = list(csv.reader(io.StringIO(converted.decode("utf-8")),
                           delimiter="," if fmt == CSV else "\t"))
    assert rows[0] == (["event"] if fmt == CSV else ["?event"])
    return [r[0] if fmt == CSV else r[0].strip("<>") for r in rows[1:]]


def _boolean(fmt: str, converted: object) -> bool:
    if fmt == JSON:
        assert isinstance(converted, dict)
        return converted["boolean"]
    if fmt == XML:
        assert isinstance(converted, Document)
        return converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert isinstance(converted, bytes)
    return converted.decode("utf-8").strip().splitlines()[-1] == "true"


def _graph(content_type: str, converted: object) -> rdflib.Graph:
    if isinstance(converted, rdflib.Graph):
        return converted
    assert isinstance(converted, bytes | str), type(converted)
    return rdflib.Graph().parse(data=converted, format=content_type)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("only_conneg", CONNEG)
@pytest.mark.parametrize("fmt", list(RESULT_TYPES))
def test_select(server, method, only_conneg, fmt):
    content_type, converted = _run(_client(server, SELECT, method, only_conneg, fmt))
    assert content_type == RESULT_TYPES[fmt]
    assert _bindings(fmt, converted) == expected_select()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("only_conneg", CONNEG)
@pytest.mark.parametrize("fmt", list(RESULT_TYPES))
@pytest.mark.parametrize("answer", [True, False])
def test_ask(server, method, only_conneg, fmt, answer):
    query = ASK if answer else ASK.replace("schema:Event", "schema:NoSuchClass")
    content_type, converted = _run(_client(server, query, method, only_conneg, fmt))
    assert content_type == RESULT_TYPES[fmt]
    assert _boolean(fmt, converted) is answer


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("only_conneg", CONNEG)
@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f or "default")
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["CONSTRUCT", "DESCRIBE"])
def test_graph_queries(server, method, only_conneg, fmt, query):
    content_type, converted = _run(_client(server, query, method, only_conneg, fmt))
    wanted = (GRAPH_TYPE_BY_ACCEPT if only_conneg else GRAPH_TYPE_BY_NAME)[fmt]
    assert content_type == wanted
    graph = _graph(content_type, converted)
    assert len(graph) > 0
    assert isomorphic(graph, expected_graph(query))


def test_names_sent_beside_accept_are_read_for_the_query_kind(server):
    """What SPARQLWrapper sends, by hand: ``xml`` is RDF/XML for a graph and SPARQL XML for
    results; ``json`` is JSON-LD for a graph; an unknown name leaves the choice to Accept."""
    import httpx

    def ask(query: str, accept: str, *names: str) -> str:
        params = [("query", query), *(("format", n) for n in names)]
        r = httpx.get(server.sparql, params=params, headers={"Accept": accept}, timeout=30)
        assert r.status_code == 200, r.text
        return r.headers["content-type"].split(";")[0]

    assert ask(CONSTRUCT, "*/*", "xml") == "application/rdf+xml"
    assert ask(SELECT, "*/*", "xml") == "application/sparql-results+xml"
    assert ask(CONSTRUCT, "*/*", "json") == "application/ld+json"
    assert ask(SELECT, "*/*", "json") == "application/sparql-results+json"
    assert ask(CONSTRUCT, "*/*", "json-ld", "application/ld+json") == "application/ld+json"
    assert ask(CONSTRUCT, "*/*", "ntriples") == "application/n-triples"
    assert ask(SELECT, "text/csv", "bogus") == "text/csv"
    assert ask(CONSTRUCT, "application/n-triples", "nonsense") == "application/n-triples"
    assert ask(SELECT, "*/*", "turtle") == "application/sparql-results+json"
    payload = httpx.get(server.sparql, params={"query": SELECT, "output": "json"}, timeout=30)
    assert [b["event"]["value"] for b in json.loads(payload.text)["results"]["bindings"]] \
        == expected_select()
