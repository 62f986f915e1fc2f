"""Linked data over a real `ctgraph serve`: every IRI dereferences, negotiation round-trips,
and the ontology, shapes, downloads and landing pages tell the truth about the graph."""

from __future__ import annotations

import re

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic

from tests.bundled import BASE, union

KINDS = ("project", "phase", "event", "activity", "org", "country", "city", "region", "doc",
         "pillar", "source", "citation", "erratum", "graph")
SUBJECTS = sorted(
    str(s) for s in set(union().subjects())
    if isinstance(s, rdflib.URIRef) and str(s).startswith(BASE) and "#" not in str(s)
    and str(s)[len(BASE):].split("/", 1)[0] in KINDS
)
RDF_FORMATS = [("text/turtle", ".ttl", "turtle"), ("application/ld+json", ".jsonld", "json-ld"),
               ("application/n-triples", ".nt", "nt"), ("application/rdf+xml", ".rdf", "xml")]


def path_of(iri: str) -> str:
    return "/" + iri[len(BASE):]


def sparql_count(server, query: str) -> int:
    r = httpx.get(server.sparql, params={"query": query},
                  headers={"Accept": "application/sparql-results+json"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_there_are_many_subjects_to_dereference() -> None:
    assert len(SUBJECTS) > 300


def test_every_subject_iri_dereferences_as_html_and_turtle(server) -> None:
    failures = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for iri in SUBJECTS:
            html = client.get(path_of(iri), headers={"Accept": "text/html"})
            turtle = client.get(path_of(iri), headers={"Accept": "text/turtle"})
            if html.status_code != 200 or "<h1>" not in html.text:
                failures.append((iri, "html", html.status_code))
                continue
            graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
            if turtle.status_code != 200 or (rdflib.URIRef(iri), None, None) not in graph:
                failures.append((iri, "turtle", turtle.status_code))
    assert failures == []


@pytest.mark.parametrize("iri", [f"{BASE}event/expert-meeting-1", f"{BASE}org/unrcca",
                                 f"{BASE}citation/000-expert-meeting-1-4"])
def test_negotiation_matrix_gives_the_same_triples(server, iri: str) -> None:
    graphs = []
    for accept, suffix, parser in RDF_FORMATS:
        by_accept = httpx.get(server.url + path_of(iri), headers={"Accept": accept})
        by_suffix = httpx.get(server.url + path_of(iri) + suffix)
        for r in (by_accept, by_suffix):
            assert r.status_code == 200, (accept, suffix)
            assert r.headers["content-type"].startswith(accept)
            graphs.append(rdflib.Graph().parse(data=r.content, format=parser,
                                               publicID=server.url))
    assert len(graphs[0]) > 3
    assert all(isomorphic(graphs[0], g) for g in graphs[1:])


def test_accept_with_q_values_and_wildcards(server) -> None:
    url = server.url + "/event/expert-meeting-1"
    r = httpx.get(url, headers={"Accept": "text/html;q=0.5, application/ld+json;q=0.9"})
    assert r.headers["content-type"].startswith("application/ld+json")
    r = httpx.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.headers["content-type"].startswith("text/html")
    assert "Accept" in r.headers["vary"]


def test_link_headers_name_every_alternate(server) -> None:
    r = httpx.get(server.url + "/city/almaty", headers={"Accept": "text/turtle"})
    links = r.headers["link"]
    for media_type in ("text/turtle", "application/ld+json", "application/n-triples",
                       "application/rdf+xml", "text/html"):
        assert f'type="{media_type}"' in links
    assert f'<{BASE}city/almaty>; rel="canonical"' in links


def test_unknown_iri_is_a_friendly_404(server) -> None:
    html = httpx.get(server.url + "/event/no-such-event", headers={"Accept": "text/html"})
    assert html.status_code == 404 and "says nothing about" in html.text and "<nav" in html.text
    text = httpx.get(server.url + "/event/no-such-event", headers={"Accept": "text/turtle"})
    assert text.status_code == 404 and f"<{BASE}event/no-such-event>" in text.text


def test_unacceptable_media_type_is_406_listing_offers(server) -> None:
    r = httpx.get(server.url + "/event/expert-meeting-1", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "text/turtle" in r.text and "application/ld+json" in r.text


def test_conditional_request_gives_304(server) -> None:
    url = server.url + "/org/unrcca"
    first = httpx.get(url, headers={"Accept": "text/turtle"})
    again = httpx.get(url, headers={"Accept": "text/turtle",
                                    "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_resource_page_shows_citations_errors_and_links(server) -> None:
    page = httpx.get(server.url + "/doc/s-res-2370-2017", headers={"Accept": "text/html"}).text
    assert "Recorded source errors" in page
    assert '<q class="stated">2007-08</q>' in page and '<q class="corrected">2017-08</q>' in page
    assert '<q class="quote">August 2007</q>' in page and "000_6bda6f6b213a71ec.txt" in page
    assert 'href="/org/un-security-council"' in page  # linked by path, labelled
    assert "United Nations Security Council" in page
    assert "<svg" in page and "aria-labelledby" in page


def test_resource_page_says_which_source_states_a_fact(server) -> None:
    page = httpx.get(server.url + "/phase/2", headers={"Accept": "text/html"}).text
    assert "source 000" in page and "source 001" in page


def test_ontology_page_documents_every_term(server) -> None:
    ontology = rdflib.Graph().parse(data=httpx.get(server.url + "/ontology.ttl").text,
                                    format="turtle")
    terms = {str(t).split("#")[1] for kind in (rdflib.OWL.Class, rdflib.OWL.ObjectProperty,
                                               rdflib.OWL.DatatypeProperty)
             for t in ontology.subjects(rdflib.RDF.type, kind)
             if str(t).startswith("https://w3id.org/ctgraph/ontology#")}  # not the externals
    assert len(terms) > 80
    page = httpx.get(server.url + "/ontology", headers={"Accept": "text/html"}).text
    anchors = set(re.findall(r'<dt id="([A-Za-z0-9]+)">', page))
    assert anchors == terms


def test_shapes_page_and_rdf(server) -> None:
    page = httpx.get(server.url + "/shapes", headers={"Accept": "text/html"}).text
    assert "ctgsh:EventShape" in page and "end not before start" in page
    rdf = rdflib.Graph().parse(data=httpx.get(server.url + "/shapes.ttl").text, format="turtle")
    node_shape = rdflib.URIRef("http://www.w3.org/ns/shacl#NodeShape")
    assert len(set(rdf.subjects(rdflib.RDF.type, node_shape))) == 50


def test_downloads_hold_the_whole_dataset(server) -> None:
    index = httpx.get(server.url + "/download/").text
    for name in ("ctgraph.ttl", "ctgraph.trig", "ctgraph.nq", "ctgraph.jsonld", "ctgraph.nt"):
        assert f'href="/download/{name}"' in index
    nquads = httpx.get(server.url + "/download/ctgraph.nq")
    assert nquads.headers["content-type"].startswith("application/n-quads")
    assert 'filename="ctgraph.nq"' in nquads.headers["content-disposition"]
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads.text, format="nquads")
    named = sparql_count(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert len(list(dataset.quads((None, None, None, None)))) == named
    turtle = rdflib.Graph().parse(data=httpx.get(server.url + "/download/ctgraph.ttl").text,
                                  format="turtle")
    assert len(turtle) == sparql_count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")


def test_landing_page_counts_match_sparql(server) -> None:
    page = httpx.get(server.url + "/", headers={"Accept": "text/html"}).text
    triples = sparql_count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert f'<span id="triple-count">{triples:,}</span>' in page
    events = sparql_count(server, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { "
                          "?e a <https://w3id.org/ctgraph/ontology#RegionalWorkshop> }")
    assert re.search(r'href="/ontology#RegionalWorkshop">regional workshop</a></td><td class="n">'
                     + str(events) + "<", page)
    assert "79c115386f30107db688b73aa0837a00691be60a87c89b89c8781b137e2d2b0e" in page
    assert 'action="/search"' in page


def test_public_base_url_is_honoured_in_links(serve_files) -> None:
    public = serve_files(base_url="https://ctgraph.example.org")
    r = httpx.get(public.url + "/city/almaty", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert '<https://ctgraph.example.org/city/almaty.jsonld>; rel="alternate"' in r.headers["link"]
