"""The dataset's catalogue record, read from a real server as a crawler or harvester reads it.

/.well-known/void is both the VoID description (dumps, licence, endpoint, vocabularies,
example resources, linksets) and a DCAT 3 record (catalogue, dataset, distributions, data
service). Every URL it names is fetched and must answer as described.
"""

from __future__ import annotations

import functools

import httpx
import pytest
import rdflib
from rdflib import RDF, URIRef

from tests.conftest import RunningServer

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
IANA = "https://www.iana.org/assignments/media-types/"
DUMP_NAMES = {"ctgraph.ttl", "ctgraph.nt", "ctgraph.jsonld", "ctgraph.trig", "ctgraph.nq"}


@functools.cache
def description(url: str, accept: str = "text/turtle") -> rdflib.Graph:
    r = httpx.get(f"{url}/.well-known/void", headers={"Accept": accept}, timeout=60)
    assert r.status_code == 200, r.text
    fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld"}[accept]
    return rdflib.Graph().parse(data=r.text, format=fmt)


def dataset_of(server: RunningServer) -> URIRef:
    return URIRef(f"{server.url}/.well-known/void#dataset")


def ask(server: RunningServer, query: str) -> bool:
    r = httpx.get(server.sparql, params={"query": query},
                  headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def test_void_names_the_dumps_the_download_page_offers(memory_server: RunningServer) -> None:
    g, dataset = description(memory_server.url), dataset_of(memory_server)
    dumps = {str(o) for o in g.objects(dataset, VOID.dataDump)}
    assert dumps == {f"{memory_server.url}/download/{name}" for name in DUMP_NAMES}
    index = httpx.get(memory_server.url + "/download/").text
    for url in dumps:
        assert f'href="{url.removeprefix(memory_server.url)}"' in index


def test_void_licence_endpoint_and_root(memory_server: RunningServer) -> None:
    g, dataset = description(memory_server.url), dataset_of(memory_server)
    assert set(g.objects(dataset, DCT.license)) == {CC_BY_4}
    assert set(g.objects(dataset, VOID.sparqlEndpoint)) == {URIRef(memory_server.sparql)}
    assert ask(memory_server, "ASK { ?s ?p ?o }")
    root = g.value(dataset, VOID.rootResource)
    assert root == URIRef("https://w3id.org/ctgraph/project/un-gcts-central-asia")


def test_void_vocabularies_are_the_ones_the_data_uses(memory_server: RunningServer) -> None:
    g, dataset = description(memory_server.url), dataset_of(memory_server)
    vocabularies = {str(v) for v in g.objects(dataset, VOID.vocabulary)}
    assert {"https://w3id.org/ctgraph/ontology#", "https://schema.org/",
            "http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/oa#",
            "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/"} <= vocabularies
    for v in vocabularies:  # none is listed that no property or class comes from
        assert ask(memory_server, f"""ASK {{ {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), "{v}")) }}
            UNION {{ ?s a ?c FILTER(isIRI(?c) && STRSTARTS(STR(?c), "{v}")) }} }}"""), v
    assert "http://example.org/" not in vocabularies


def test_void_example_resources_dereference(memory_server: RunningServer) -> None:
    g, dataset = description(memory_server.url), dataset_of(memory_server)
    examples = sorted(str(e) for e in g.objects(dataset, VOID.exampleResource))
    assert len(examples) >= 3
    for iri in examples:
        path = iri.removeprefix("https://w3id.org/ctgraph")
        r = httpx.get(memory_server.url + path, headers={"Accept": "text/turtle"}, timeout=30)
        assert r.status_code == 200, iri
        assert len(rdflib.Graph().parse(data=r.text, format="turtle")) > 3, iri


def test_void_lists_the_linksets_of_the_reference_graph(memory_server: RunningServer) -> None:
    g, dataset = description(memory_server.url), dataset_of(memory_server)
    linksets = {s for s in g.objects(dataset, VOID.subset) if (s, RDF.type, VOID.Linkset) in g}
    assert {str(s).rsplit("/", 1)[-1] for s in linksets} == {
        "dbpedia", "iso-3166-1", "un-m49", "wikidata"}
    for linkset in linksets:
        assert g.value(linkset, VOID.subjectsTarget) == dataset
        assert g.value(linkset, VOID.objectsTarget) is not None
        predicates = set(g.objects(linkset, VOID.linkPredicate))
        assert URIRef("http://www.w3.org/2002/07/owl#sameAs") in predicates
        # the linkset is a resource of the dataset and names its source there
        assert ask(memory_server, f"ASK {{ <{linkset}> <{DCT.source}> ?source }}")


def test_dcat_catalogue_dataset_and_service(memory_server: RunningServer) -> None:
    g, dataset = description(memory_server.url), dataset_of(memory_server)
    catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    catalog = catalogs[0]
    assert set(g.objects(catalog, DCAT.dataset)) == {dataset}
    assert (dataset, RDF.type, DCAT.Dataset) in g
    for node in (catalog, dataset):
        assert g.value(node, DCT["title"]) is not None
        assert g.value(node, DCT["description"]) is not None
        assert g.value(node, DCT.license) == CC_BY_4
    assert str(g.value(dataset, DCAT.landingPage)) == memory_server.url + "/"
    assert len(list(g.objects(dataset, DCAT.keyword))) >= 2
    service = g.value(catalog, DCAT.service)
    assert (service, RDF.type, DCAT.DataService) in g
    assert g.value(service, DCAT.endpointURL) == URIRef(memory_server.sparql)
    assert g.value(service, DCAT.servesDataset) == dataset
    described = httpx.get(str(g.value(service, DCAT.endpointDescription)),
                          headers={"Accept": "text/turtle"}, timeout=30)
    assert described.status_code == 200 and "sparql-service-description" in described.text


def test_dcat_distributions_download_as_described(memory_server: RunningServer) -> None:
    g, dataset = description(memory_server.url), dataset_of(memory_server)
    distributions = list(g.objects(dataset, DCAT.distribution))
    downloads = [d for d in distributions if g.value(d, DCAT.downloadURL) is not None]
    assert {str(g.value(d, DCAT.downloadURL)).rsplit("/", 1)[-1] for d in downloads} == DUMP_NAMES
    for d in distributions:
        assert (d, RDF.type, DCAT.Distribution) in g
        assert g.value(d, DCAT.accessURL) is not None  # DCAT-AP's one mandatory property
        assert g.value(d, DCT.license) == CC_BY_4
    for d in downloads:
        media_type = str(g.value(d, DCAT.mediaType))
        assert media_type.startswith(IANA) and g.value(d, DCT["format"]) == URIRef(media_type)
        r = httpx.get(str(g.value(d, DCAT.downloadURL)), timeout=60)
        assert r.status_code == 200
        assert r.headers["content-type"].split(";")[0] == media_type.removeprefix(IANA)
        assert len(r.content) > 1000
    services = [d for d in distributions if g.value(d, DCAT.accessService) is not None]
    assert [str(g.value(d, DCAT.accessURL)) for d in services] == [memory_server.sparql]


def test_the_record_is_harvestable_as_json_ld(memory_server: RunningServer) -> None:
    g = description(memory_server.url, "application/ld+json")
    assert (dataset_of(memory_server), RDF.type, DCAT.Dataset) in g
    assert len(set(g.subjects(RDF.type, DCAT.Distribution))) == len(DUMP_NAMES) + 1


@pytest.mark.parametrize("base", ["https://ctgraph.example.org"])
def test_the_record_uses_the_public_base_url(serve_files, base: str) -> None:
    public = serve_files(base_url=base)
    r = httpx.get(public.url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=60)
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    dataset = URIRef(f"{base}/.well-known/void#dataset")
    assert {str(u) for u in g.objects(dataset, VOID.dataDump)} == {
        f"{base}/download/{name}" for name in DUMP_NAMES}
    assert {str(u) for u in g.objects(None, DCAT.downloadURL)} == {
        f"{base}/download/{name}" for name in DUMP_NAMES}
    assert set(g.objects(None, DCAT.endpointURL)) == {URIRef(f"{base}/sparql")}
