"""rdflib's SPARQLStore and Comunica 4 (``@comunica/query-sparql`` from npm), unmodified,
against a real server on every back-end, plus plain HTTP with real browsers' and curl's
Accept headers. Answers are parsed and compared with the bundled graph (`client_answers`).

Comunica comes from ``tests/clients/package-lock.json`` (``npm ci --prefix tests/clients``,
which scripts/test.sh runs); without it these tests fail, saying so, like any missing tool.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from tests.client_answers import (
    ASK,
    CONSTRUCT,
    DESCRIBE,
    SELECT,
    expected_graph,
    expected_select,
)

COMUNICA = Path(__file__).resolve().parent / "clients" / "node_modules" / ".bin" / "comunica-sparql"
KAZAKHSTAN = rdflib.URIRef("https://w3id.org/ctgraph/country/kazakhstan")

pytestmark = pytest.mark.filterwarnings(
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


# ------------------------------------------------------------------ rdflib SPARQLStore


@pytest.mark.parametrize("return_format", ["xml", "json"])
@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(server, return_format, method):
    graph = rdflib.Graph(SPARQLStore(server.sparql, returnFormat=return_format, method=method,
                                     timeout=30))
    assert [str(row[0]) for row in graph.query(SELECT)] == expected_select()
    assert graph.query(ASK).askAnswer is True
    assert isomorphic(graph.query(CONSTRUCT).graph, expected_graph(CONSTRUCT))
    assert isomorphic(graph.query(DESCRIBE).graph, expected_graph(DESCRIBE))
    described = expected_graph(DESCRIBE)
    found = set(graph.triples((KAZAKHSTAN, None, None)))
    assert found == set(described.triples((KAZAKHSTAN, None, None)))


# ------------------------------------------------------------------ Comunica


def _comunica(source: str, query: str, media_type: str) -> str:
    node = shutil.which("node")
    if node is None or not COMUNICA.exists():
        pytest.fail("Comunica is not installed: run `npm ci --prefix tests/clients` "
                    "(scripts/test.sh does)", pytrace=False)
    done = subprocess.run([str(COMUNICA), source, query, "-t", media_type],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("source", ["sparql@{}", "{}"], ids=["typed", "discovered"])
def test_comunica(server, source):
    """``sparql@URL`` names the source's type; a bare URL makes Comunica read the service
    description to find out that it is a SPARQL endpoint."""
    where = source.format(server.sparql)
    answer = json.loads(_comunica(where, SELECT, "application/sparql-results+json"))
    assert [b["event"]["value"] for b in answer["results"]["bindings"]] == expected_select()
    assert json.loads(_comunica(where, ASK, "application/sparql-results+json"))["boolean"] is True
    for query in (CONSTRUCT, DESCRIBE):
        text = _comunica(where, query, "application/n-triples")
        assert isomorphic(rdflib.Graph().parse(data=text, format="nt"), expected_graph(query))


# ------------------------------------------------------------------ browsers and curl

BROWSERS = {
    "firefox": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
               "image/png,image/svg+xml,*/*;q=0.8",
    "chrome": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
              "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
    "safari": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "curl": "*/*",
    "none": None,
}


def _get(server, accept: str | None, **params: str) -> httpx.Response:
    headers = {"Accept": accept} if accept is not None else {}
    r = httpx.get(server.sparql, params=params, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return r


@pytest.mark.parametrize("browser", list(BROWSERS))
def test_browser_and_curl_accept_headers(server, browser):
    accept = BROWSERS[browser]
    r = _get(server, accept, query=SELECT)
    parsed = ox.parse_query_results(r.content, format=ox.QueryResultsFormat.from_media_type(
        r.headers["content-type"].split(";")[0]))
    assert [s["event"].value for s in parsed] == expected_select()
    r = _get(server, accept, query=ASK)
    parsed = ox.parse_query_results(r.content, format=ox.QueryResultsFormat.from_media_type(
        r.headers["content-type"].split(";")[0]))
    assert bool(parsed) is True
    for query in (CONSTRUCT, DESCRIBE):
        r = _get(server, accept, query=query)
        media_type = r.headers["content-type"].split(";")[0]
        assert isomorphic(rdflib.Graph().parse(data=r.text, format=media_type),
                          expected_graph(query))
    page = _get(server, accept)
    wanted = "text/html" if accept and "text/html" in accept else "text/turtle"
    assert page.headers["content-type"].startswith(wanted)


@pytest.mark.parametrize(("name", "select_type", "graph_type"), [
    ("json", "application/sparql-results+json", "application/ld+json"),
    ("xml", "application/sparql-results+xml", "application/rdf+xml"),
    ("csv", "text/csv", None),
    ("tsv", "text/tab-separated-values", None),
    ("turtle", None, "text/turtle"),
    ("n3", None, "text/turtle"),
    ("json-ld", None, "application/ld+json"),
    ("ntriples", None, "application/n-triples"),
])
@pytest.mark.parametrize("param", ["format", "output", "results"])
def test_format_names_in_a_link(server, name, select_type, graph_type, param):
    """A link a person clicks (browser Accept) with a format name: the name decides for the
    query kinds it fits; for the others the browser's Accept does."""
    browser = BROWSERS["firefox"]
    r = _get(server, browser, query=SELECT, **{param: name})
    assert r.headers["content-type"].split(";")[0] == (
        select_type or "application/sparql-results+xml")
    r = _get(server, browser, query=CONSTRUCT, **{param: name})
    assert r.headers["content-type"].split(";")[0] == (graph_type or "application/rdf+xml")
    media_type = r.headers["content-type"].split(";")[0]
    assert isomorphic(rdflib.Graph().parse(data=r.text, format=media_type),
                      expected_graph(CONSTRUCT))
