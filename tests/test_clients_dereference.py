"""Everything the service publishes dereferences: every IRI in the project namespace that
the data, the ontology (its header's version IRIs included), the shapes, the service
description, VoID and the graph names mention answers 200, or redirects to a 200, in HTML
for a browser and in Turtle for an RDF client, on every back-end. And /favicon.ico exists.
"""

from __future__ import annotations

import httpx
import pytest
import rdflib

BASE = "https://w3id.org/ctgraph/"

_ALL_IRIS = f"""
SELECT DISTINCT ?x WHERE {{
  {{ ?x ?p ?o }} UNION {{ ?s ?x ?o }} UNION {{ ?s ?p ?x }}
  UNION {{ GRAPH ?x {{ ?s ?p ?o }} }}
  UNION {{ GRAPH ?g {{ {{ ?x ?p ?o }} UNION {{ ?s ?x ?o }} UNION {{ ?s ?p ?x }} }} }}
  FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}"))
}}"""


def _published_iris(client: httpx.Client, server) -> set[str]:
    r = client.get(server.sparql, params={"query": _ALL_IRIS},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    iris = {b["x"]["value"] for b in r.json()["results"]["bindings"]}
    for path in ("/sparql", "/.well-known/void", "/ontology", "/shapes"):
        r = client.get(server.url + path, headers={"Accept": "application/n-triples"})
        assert r.status_code == 200, (path, r.text)
        graph = rdflib.Graph().parse(data=r.text, format="nt")
        iris |= {str(t) for triple in graph for t in triple
                 if isinstance(t, rdflib.URIRef) and str(t).startswith(BASE)}
    return iris


def _paths(iris: set[str]) -> dict[str, str]:
    """One server path per document: the IRI without the namespace and the fragment."""
    paths: dict[str, str] = {}
    for iri in sorted(iris):
        paths.setdefault("/" + iri[len(BASE):].split("#", 1)[0], iri)
    return paths


def test_every_published_iri_dereferences(server):
    with httpx.Client(timeout=30, follow_redirects=True) as client:
        iris = _published_iris(client, server)
        paths = _paths(iris)
        # What the issue named: the graph names, the ontology's version IRI, the shapes.
        for needed in ("/graph/ontology", "/graph/shapes", "/ontology", "/shapes"):
            assert needed in paths, f"{needed} is not published any more; update the test"
        assert any(p.startswith("/ontology/") for p in paths), "no owl:versionIRI found"
        failures = []
        for path, iri in paths.items():
            for accept, wanted in (("text/html", "text/html"), ("text/turtle", "text/turtle")):
                r = client.get(server.url + path, headers={"Accept": accept})
                got = r.headers.get("content-type", "")
                if r.status_code != 200 or not got.startswith(wanted):
                    failures.append(f"{iri} as {accept}: {r.status_code} {got}")
                elif wanted == "text/turtle":
                    try:
                        rdflib.Graph().parse(data=r.text, format="turtle")
                    except Exception as e:  # a broken document is a failure too
                        failures.append(f"{iri} as Turtle does not parse: {e}")
    assert failures == [], f"{len(failures)} of {2 * len(paths)} requests failed:\n" + \
        "\n".join(failures[:40])


@pytest.mark.parametrize(("path", "target"), [("/graph/ontology", "/ontology"),
                                              ("/graph/shapes", "/shapes")])
def test_graph_names_lead_to_their_documents(server, path, target):
    r = httpx.get(server.url + path, headers={"Accept": "text/turtle"})
    assert r.status_code == 303 and r.headers["location"] == target


def test_version_iris(server):
    """The current owl:versionIRI is the ontology itself; a prior version leads to it."""
    turtle = httpx.get(server.url + "/ontology", headers={"Accept": "text/turtle"}).text
    header = rdflib.Graph().parse(data=turtle, format="turtle")
    ontology = rdflib.URIRef(BASE + "ontology")
    current = header.value(ontology, rdflib.OWL.versionIRI)
    assert current is not None
    r = httpx.get(server.url + "/" + str(current)[len(BASE):], headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert rdflib.Graph().parse(data=r.text, format="turtle").value(
        ontology, rdflib.OWL.versionIRI) == current
    for prior in header.objects(ontology, rdflib.OWL.priorVersion):
        r = httpx.get(server.url + "/" + str(prior)[len(BASE):])
        assert r.status_code == 303 and r.headers["location"] == "/ontology"
    assert httpx.get(server.url + "/ontology/9.9.9").status_code == 404


def test_favicon(server):
    r = httpx.get(server.url + "/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/vnd.microsoft.icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
