"""One set of figures for the graph's size, in the same words everywhere (start-up line,
landing page, VoID, ``ctgraph stats``); the shapes in their own graph, out of the default
graph unless asked; and the /sparql page as a page of the site."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest
import rdflib

from tests.helpers import run_ctgraph

SHAPES = "https://w3id.org/ctgraph/graph/shapes"
SH = "http://www.w3.org/ns/shacl#"


def _sentence_on_landing(server) -> str:
    page = httpx.get(server.url + "/", headers={"Accept": "text/html"}).text
    found = re.search(r'<p id="graph-size">(.*?)</p>', page, re.S)
    assert found, "the landing page shows no size"
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip().rstrip(".")


def _sentence_in_void(server) -> str:
    turtle = httpx.get(server.url + "/.well-known/void", headers={"Accept": "text/turtle"}).text
    void = rdflib.Graph().parse(data=turtle, format="turtle")
    dataset = rdflib.URIRef(server.url + "/.well-known/void#dataset")
    comment = void.value(dataset, rdflib.RDFS.comment)
    assert comment is not None
    triples = int(void.value(dataset, rdflib.URIRef("http://rdfs.org/ns/void#triples")))
    assert str(comment).startswith(f"{triples:,} triples in the default graph")
    return str(comment)


def _count(server, query: str) -> int:
    r = httpx.get(server.sparql, params={"query": query},
                  headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_one_size_in_the_same_words_everywhere(server):
    startup = server.stdout.split("ctgraph ", 1)[1].split("; listening on", 1)[0]
    assert startup == _sentence_on_landing(server) == _sentence_in_void(server)
    default = _count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert startup.startswith(f"{default:,} triples in the default graph (")
    shapes = _count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SHAPES}> {{ ?s ?p ?o }} }}")
    assert f"; {shapes:,} shapes triples in their own graph;" in startup


@pytest.mark.parametrize("server", ["memory"], indirect=True)  # the command reads the files
def test_ctgraph_stats_says_the_same(server):
    done = run_ctgraph("stats")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == _sentence_on_landing(server)


def test_shapes_are_not_in_the_default_graph(server):
    assert _count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{SH}NodeShape> }}") == 0
    assert _count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SHAPES}> "
                          f"{{ ?s a <{SH}NodeShape> }} }}") > 0
    r = httpx.get(server.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 200"},
                  headers={"Accept": "application/sparql-results+json"})
    rows = r.json()["results"]["bindings"]
    assert len(rows) == 200
    assert not any(SH in b[v]["value"] or "/shapes#" in b[v]["value"]
                   for b in rows for v in b), "SHACL shapes among the first rows"


def test_the_operator_can_put_the_shapes_in_the_default_graph(serve_files):
    server = serve_files(shapes_in_default_graph=True)
    assert _count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{SH}NodeShape> }}") > 0
    sentence = _sentence_on_landing(server)
    assert re.search(r"\(\S+ data \+ \S+ ontology \+ \S+ shapes\)", sentence), sentence
    assert "in their own graph" not in sentence
    server.stop()


@pytest.mark.parametrize("path", ["/sparql", "/.well-known/void"])
def test_description_pages_are_pages_of_the_site(server, path):
    r = httpx.get(server.url + path, headers={"Accept": "text/html,application/xhtml+xml,"
                                                        "application/xml;q=0.9,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert 'aria-label="Main"' in page and 'href="/query"' in page  # the site's navigation
    assert "ui.css" in page and "ld.css" in page
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "@prefix" not in page  # readable, not a Turtle dump
    assert 'id="graph-size"' in page
    for key, media_type in (("turtle", "text/turtle"), ("jsonld", "application/ld+json"),
                            ("rdfxml", "application/rdf+xml"),
                            ("ntriples", "application/n-triples")):
        assert f'href="?format={key}"' in page
        rdf = httpx.get(server.url + path, params={"format": key})
        assert rdf.headers["content-type"].startswith(media_type)
        assert len(rdflib.Graph().parse(data=rdf.text, format=media_type)) > 0
    if path == "/sparql":
        assert "Open the query editor" in page and 'action="/sparql"' in page
        assert "sd:SPARQL11Query" in page and "graph:ontology" in page
