"""What the service and its dataset are: SPARQL 1.1 Service Description (GET /sparql without
a query), VoID with statistics (/.well-known/void, RFC 5785 as the VoID spec suggests) and the
project's JSON-LD context (/context.jsonld).

The VoID document is also the dataset's catalogue record: the same dataset node is a DCAT 3
dcat:Dataset in a dcat:Catalog, with one dcat:Distribution per /download/ dump (download URL,
IANA media type, licence) and the SPARQL endpoint as a dcat:DataService, so catalogues that
harvest DCAT (CKAN, data.europa.eu) and VoID crawlers read one document.

Statistics are counted once per store version with ordinary SPARQL over the store, so they
describe exactly what queries see: the default graph and each named graph as a void:subset.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from ctgraph import __version__
from ctgraph.sparql import media_types as media
from ctgraph.sparql.serialization import jsonld_context, serialize_triples
from ctgraph.views.resource import compact
from ctgraph.views.stats import graph_size
from ctgraph.web.errors import HTTPProblem
from ctgraph.web.http_caching import etag_for, is_not_modified, last_modified, validators

router = APIRouter(tags=["Service description"])

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
FORMATS_NS = "http://www.w3.org/ns/formats/"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

_W3C_FORMAT = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples",
    "rdfxml": "RDF_XML", "jsonld": "JSON-LD", "trig": "TriG", "nquads": "N-Quads",
}

_COUNTS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { %s }"""
_ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { %s FILTER(isIRI(?s)) }"
_CLASSES = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { %s FILTER(?p = rdf:type) }"
_CLASS_PARTITIONS = """SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
WHERE { ?s a ?class FILTER(isIRI(?class)) } GROUP BY ?class ORDER BY ?class"""
_PROPERTY_PARTITIONS = """SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"""

_RDF_PREFIX = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"


def _number(store, sparql: str, var: str = "n") -> int:
    for row in store.query(_RDF_PREFIX + sparql):
        value = row[var]
        return int(value.value) if value is not None else 0
    return 0


def graph_statistics(store, graph: str | None) -> dict[str, int]:
    """void:triples, entities, classes, properties, distinctSubjects/Objects of one graph
    (None: the default graph queries see)."""
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    counts = next(iter(store.query(_COUNTS % pattern)))
    return {
        "triples": int(counts["triples"].value),
        "distinctSubjects": int(counts["subjects"].value),
        "properties": int(counts["properties"].value),
        "distinctObjects": int(counts["objects"].value),
        "entities": _number(store, _ENTITIES % pattern),
        "classes": _number(store, _CLASSES % pattern),
    }


def _triple(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal
            ) -> ox.Triple:
    return ox.Triple(s, ox.NamedNode(p), o)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=XSD_INTEGER)


def void_triples(request: Request) -> list[ox.Triple]:
    """The VoID description, computed once per store version."""
    state = request.app.state
    store = state.store
    cached = getattr(state, "void_cache", None)
    if cached and cached[0] == store.version:
        return cached[1]
    base = state.settings.public_base_url
    dataset = ox.NamedNode(f"{base}/.well-known/void#dataset")
    out = [
        _triple(dataset, RDF + "type", ox.NamedNode(VOID + "Dataset")),
        _triple(dataset, DCT + "title", ox.Literal("ctgraph", language="en")),
        _triple(dataset, VOID + "sparqlEndpoint", ox.NamedNode(f"{base}/sparql")),
        _triple(dataset, VOID + "uriSpace", ox.Literal("https://w3id.org/ctgraph/")),
        _triple(dataset, VOID + "feature", ox.NamedNode(FORMATS_NS + "Turtle")),
        # The size in the words of the start-up line, the landing page and `ctgraph stats`;
        # void:triples below is its first figure (the default graph).
        _triple(dataset, "http://www.w3.org/2000/01/rdf-schema#comment",
                ox.Literal(graph_size(store).sentence(), language="en")),
    ]
    out += _stat_triples(dataset, graph_statistics(store, None))
    out += catalogue_triples(store, base, dataset)
    for cls_row in store.query(_CLASS_PARTITIONS):
        part = ox.BlankNode()
        out += [
            _triple(dataset, VOID + "classPartition", part),
            _triple(part, VOID + "class", cls_row["class"]),
            _triple(part, VOID + "entities", _int(int(cls_row["n"].value))),
        ]
    for prop_row in store.query(_PROPERTY_PARTITIONS):
        part = ox.BlankNode()
        out += [
            _triple(dataset, VOID + "propertyPartition", part),
            _triple(part, VOID + "property", prop_row["p"]),
            _triple(part, VOID + "triples", _int(int(prop_row["n"].value))),
        ]
    for graph in store.named_graphs():
        subset = ox.NamedNode(f"{base}/.well-known/void#graph-{_slug(graph)}")
        out += [
            _triple(dataset, VOID + "subset", subset),
            _triple(subset, RDF + "type", ox.NamedNode(VOID + "Dataset")),
            _triple(subset, SD + "name", ox.NamedNode(graph)),
            _triple(subset, VOID + "sparqlEndpoint", ox.NamedNode(f"{base}/sparql")),
        ]
        out += _stat_triples(subset, graph_statistics(store, graph))
    state.void_cache = (store.version, out)
    return out


def _slug(iri: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in iri.rstrip("/").split("/")[-1])


def _stat_triples(node: ox.NamedNode, stats: dict[str, int]) -> list[ox.Triple]:
    return [_triple(node, VOID + name, _int(value)) for name, value in stats.items()]


def service_description_triples(request: Request) -> list[ox.Triple]:
    state = request.app.state
    base = state.settings.public_base_url
    service = ox.NamedNode(f"{base}/sparql#service")
    out = [
        _triple(service, RDF + "type", ox.NamedNode(SD + "Service")),
        _triple(service, SD + "endpoint", ox.NamedNode(f"{base}/sparql")),
        _triple(service, SD + "supportedLanguage", ox.NamedNode(SD + "SPARQL11Query")),
        _triple(service, DCT + "title", ox.Literal("ctgraph SPARQL endpoint", language="en")),
        _triple(service, DCT + "hasVersion", ox.Literal(__version__)),
    ]
    if state.settings.service_allowlist:
        out.append(_triple(service, SD + "feature", ox.NamedNode(SD + "BasicFederatedQuery")))
    if getattr(state.store, "union_default_graph", False):
        out.append(_triple(service, SD + "feature", ox.NamedNode(SD + "UnionDefaultGraph")))
    for fmt in (*media.RESULTS, *media.GRAPH):
        out.append(_triple(service, SD + "resultFormat",
                           ox.NamedNode(FORMATS_NS + _W3C_FORMAT[fmt.key])))
    dataset = ox.BlankNode()
    default = ox.BlankNode()
    void_doc = ox.NamedNode(f"{base}/.well-known/void#dataset")
    out += [
        _triple(service, SD + "defaultDataset", dataset),
        _triple(dataset, RDF + "type", ox.NamedNode(SD + "Dataset")),
        _triple(dataset, RDF + "type", ox.NamedNode(VOID + "Dataset")),
        _triple(dataset, "http://www.w3.org/2000/01/rdf-schema#seeAlso", void_doc),
        _triple(dataset, SD + "defaultGraph", default),
        _triple(default, RDF + "type", ox.NamedNode(SD + "Graph")),
    ]
    for graph in state.store.named_graphs():
        named = ox.BlankNode()
        out += [
            _triple(dataset, SD + "namedGraph", named),
            _triple(named, RDF + "type", ox.NamedNode(SD + "NamedGraph")),
            _triple(named, SD + "name", ox.NamedNode(graph)),
        ]
    return out


def _rdf_response(request: Request, triples: Iterable[ox.Triple],
                  fmt_param: str | Iterable[str] | None, title: str) -> Response:
    state = request.app.state
    # A known format name wins; an unknown one is ignored and Accept decides.
    fmt = media.choose(request.headers.get("accept"), fmt_param, media.RDF_DOCUMENT)
    if fmt is None:
        raise HTTPProblem(406, f"No acceptable format; offered: "
                               f"{media.offered(media.RDF_DOCUMENT)}")
    etag = etag_for(state.store.version, request.url.path, fmt.key)
    modified = last_modified(state)
    headers = validators(etag, modified, state.settings.cache_max_age)
    if is_not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    if fmt.key == "html":
        from ctgraph.web.routes.pages import render

        triples = list(triples)
        page = render(
            request, "rdf_document.html", title=title, roots=readable(triples, request),
            summary=_summary(triples),
            kind="service" if request.url.path == "/sparql" else "dataset",
            endpoint=f"{state.settings.public_base_url}/sparql",
            size=graph_size(state.store), formats=_RDF_LINKS,
            media_types={f.key: f.media_type for f in media.GRAPH})
        for name, value in headers.items():
            page.headers.setdefault(name, value)
        return page
    return Response(serialize_triples(triples, fmt), media_type=fmt.content_type, headers=headers)


_RDF_LINKS = [("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("rdfxml", "RDF/XML"),
              ("ntriples", "N-Triples")]
_PLAIN = {"http://www.w3.org/2001/XMLSchema#string",
          "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


_SUMMARY = [("Endpoint", SD + "endpoint"), ("Query language", SD + "supportedLanguage"),
            ("Features", SD + "feature"), ("Result formats", SD + "resultFormat"),
            ("Named graphs", SD + "name"), ("Triples", VOID + "triples"),
            ("SPARQL endpoint", VOID + "sparqlEndpoint")]


def _summary(triples: list[ox.Triple]) -> list[tuple[str, list[str]]]:
    """The facts a person looks for first, as (heading, values) rows."""
    rows = []
    for heading, predicate in _SUMMARY:
        values = sorted({_short(t.object.value) if isinstance(t.object, ox.NamedNode)
                         else t.object.value for t in triples if t.predicate.value == predicate
                         and not isinstance(t.object, ox.BlankNode)})
        if predicate == VOID + "triples":  # the dataset's own figure, not its partitions'
            values = [v for t in triples if t.predicate.value == predicate
                      and t.subject.value.endswith("#dataset") for v in [t.object.value]]
        if values:
            rows.append((heading, values))
    return rows


_MORE_PREFIXES = {SD: "sd:", FORMATS_NS: "formats:", "http://www.w3.org/ns/dcat#": "dcat:"}


def _short(iri: str) -> str:
    """A prefixed name for display, with the service description's vocabularies too."""
    for namespace, prefix in _MORE_PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace):]:
            return prefix + iri[len(namespace):]
    return compact(iri)


def readable(triples: list[ox.Triple], request: Request) -> list[dict[str, Any]]:
    """The triples as nested entries for the HTML view: one per described IRI (and per blank
    node nothing points at), blank nodes written inside the entry that points at them."""
    from ctgraph.web.routes.linked_data import local_path

    base = request.app.state.settings.public_base_url
    described: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
    for t in triples:
        described.setdefault(t.subject, []).append(t)
    pointed_at = {t.object for t in triples if isinstance(t.object, ox.BlankNode)}

    def link(iri: str) -> str:
        if iri.startswith(base + "/"):
            return iri[len(base):]
        return local_path(iri) or iri

    def term(value: ox.NamedNode | ox.BlankNode | ox.Literal, seen: frozenset) -> dict[str, Any]:
        if isinstance(value, ox.NamedNode):
            return {"iri": value.value, "text": _short(value.value), "href": link(value.value)}
        if isinstance(value, ox.BlankNode):
            if value in described and value not in seen:
                return {"nested": entry(value, seen | {value})}
            return {"text": "(blank node)"}
        datatype = value.datatype.value
        return {"text": value.value,
                "datatype": "" if datatype in _PLAIN else compact(datatype)}

    def entry(subject: ox.NamedNode | ox.BlankNode, seen: frozenset) -> dict[str, Any]:
        grouped: dict[str, list[ox.Triple]] = {}
        for t in described.get(subject, []):
            grouped.setdefault(t.predicate.value, []).append(t)
        order = sorted(grouped, key=lambda p: (p != RDF + "type", _short(p)))
        properties = [({"iri": p, "text": _short(p), "href": link(p)},
                       [term(t.object, seen) for t in grouped[p]]) for p in order]
        iri = subject.value if isinstance(subject, ox.NamedNode) else None
        heading = _short(iri) if iri else "Description"
        anchor = (iri.rsplit("#", 1)[-1] if iri and "#" in iri else heading).replace(":", "-")
        return {"iri": iri, "heading": heading, "anchor": anchor, "properties": properties}

    return [entry(s, frozenset({s})) for s in described
            if isinstance(s, ox.NamedNode) or s not in pointed_at]


def service_description_response(request: Request, fmt_param: str | Iterable[str] | None
                                  ) -> Response:
    """GET /sparql without a query: the service description, negotiated (HTML for browsers)."""
    return _rdf_response(request, service_description_triples(request), fmt_param,
                         "ctgraph SPARQL endpoint")


@router.get("/.well-known/void", summary="VoID description with dataset statistics",
            response_class=Response)
async def void_description(request: Request, format: str | None = None) -> Response:
    import asyncio

    triples = await asyncio.to_thread(void_triples, request)
    return _rdf_response(request, triples, format, "ctgraph dataset (VoID)")


@router.get("/context.jsonld", summary="The project's JSON-LD @context",
            response_class=JSONResponse)
async def context_document() -> JSONResponse:
    return JSONResponse(
        jsonld_context(), media_type="application/ld+json",
        headers={"Cache-Control": "public, max-age=86400", "Access-Control-Allow-Origin": "*"},
    )


# ------------------------------------------------------------ catalogue record (VoID + DCAT 3)

DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
"""The data's licence (pyproject: CC-BY-4.0 for the data, MIT for the code)."""
DESCRIPTION = (
    "The joint UNCCT/UNRCCA project implementing the UN Global Counter-Terrorism Strategy in "
    "Central Asia: its phases, events, organisations, places and documents, each statement "
    "cited by character offsets into two versions of the project's web page.")
KEYWORDS = ("counter-terrorism", "Central Asia", "United Nations", "preventing violent extremism")
EXAMPLE_RESOURCES = ("project/un-gcts-central-asia", "phase/3", "event/expert-meeting-1",
                     "org/unrcca", "doc/jpoa-2011", "city/almaty")
VOCABULARIES = (
    "https://w3id.org/ctgraph/ontology#", "https://schema.org/", "http://www.w3.org/ns/org#",
    "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/oa#",
    "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/",
    "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2000/01/rdf-schema#",
    "http://rdfs.org/ns/void#", "http://xmlns.com/foaf/0.1/", "http://www.w3.org/2006/time#",
    "http://www.w3.org/ns/shacl#",
)
"""Vocabularies a term of the data can come from; void:vocabulary lists those actually used."""

_TERMS = """SELECT DISTINCT ?term WHERE {
  { ?s ?term ?o } UNION { ?s a ?term FILTER(isIRI(?term)) } }"""
_LINKSETS = """PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?linkset ?predicate ?target WHERE {
  ?linkset a void:Linkset ; void:linkPredicate ?predicate ; void:objectsTarget ?target
} ORDER BY ?linkset ?predicate"""
_EXISTING = """SELECT ?s WHERE { VALUES ?s { %s } FILTER EXISTS { ?s ?p ?o } }"""


def _vocabularies_used(store) -> list[str]:
    """The known vocabularies whose terms (properties or classes) the data uses."""
    used = {row["term"].value for row in store.query(_TERMS)}
    return [v for v in VOCABULARIES if any(term.startswith(v) for term in used)]


def catalogue_triples(store, base: str, dataset: ox.NamedNode) -> list[ox.Triple]:
    """VoID dumps, licence, vocabularies, examples and linksets, and the DCAT 3 record of the
    dataset, its distributions and the SPARQL service (all IRIs under the public base URL)."""
    from ctgraph.web.routes.linked_data import DUMPS

    license_ = ox.NamedNode(LICENSE)
    endpoint = ox.NamedNode(f"{base}/sparql")
    catalog = ox.NamedNode(f"{base}/.well-known/void#catalog")
    service = ox.NamedNode(f"{base}/sparql#service")
    out = [
        _triple(dataset, RDF + "type", ox.NamedNode(DCAT + "Dataset")),
        _triple(dataset, DCT + "description", ox.Literal(DESCRIPTION, language="en")),
        _triple(dataset, DCT + "license", license_),
        _triple(dataset, DCAT + "landingPage", ox.NamedNode(f"{base}/")),
        _triple(dataset, FOAF + "homepage", ox.NamedNode(f"{base}/")),
        _triple(dataset, DCT + "spatial", ox.NamedNode("https://w3id.org/ctgraph/region/central-asia")),
        _triple(dataset, VOID + "rootResource",
                ox.NamedNode("https://w3id.org/ctgraph/project/un-gcts-central-asia")),
        _triple(catalog, RDF + "type", ox.NamedNode(DCAT + "Catalog")),
        _triple(catalog, DCT + "title", ox.Literal("ctgraph catalogue", language="en")),
        _triple(catalog, DCT + "description",
                ox.Literal("The ctgraph dataset and the SPARQL service that serves it.",
                           language="en")),
        _triple(catalog, DCT + "license", license_),
        _triple(catalog, FOAF + "homepage", ox.NamedNode(f"{base}/")),
        _triple(catalog, DCAT + "dataset", dataset),
        _triple(catalog, DCAT + "service", service),
        _triple(service, RDF + "type", ox.NamedNode(DCAT + "DataService")),
        _triple(service, DCT + "title", ox.Literal("ctgraph SPARQL endpoint", language="en")),
        _triple(service, DCAT + "endpointURL", endpoint),
        _triple(service, DCAT + "endpointDescription", endpoint),
        _triple(service, DCAT + "servesDataset", dataset),
        _triple(service, DCT + "conformsTo", ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/")),
        _triple(service, DCT + "license", license_),
    ]
    out += [_triple(dataset, DCAT + "keyword", ox.Literal(k, language="en")) for k in KEYWORDS]
    for name, fmt in DUMPS.items():
        url = ox.NamedNode(f"{base}/download/{name}")
        distribution = ox.NamedNode(f"{base}/.well-known/void#dump-{_slug(name)}")
        media_type = ox.NamedNode(IANA_MEDIA_TYPES + fmt.media_type)
        out += [
            _triple(dataset, VOID + "dataDump", url),
            _triple(dataset, DCAT + "distribution", distribution),
            _triple(distribution, RDF + "type", ox.NamedNode(DCAT + "Distribution")),
            _triple(distribution, DCT + "title",
                    ox.Literal(f"{name}: the whole dataset", language="en")),
            _triple(distribution, DCAT + "downloadURL", url),
            _triple(distribution, DCAT + "accessURL", url),
            _triple(distribution, DCAT + "mediaType", media_type),
            _triple(distribution, DCT + "format", media_type),
            _triple(distribution, DCT + "license", license_),
        ]
    sparql_distribution = ox.NamedNode(f"{base}/.well-known/void#sparql")
    out += [
        _triple(dataset, DCAT + "distribution", sparql_distribution),
        _triple(sparql_distribution, RDF + "type", ox.NamedNode(DCAT + "Distribution")),
        _triple(sparql_distribution, DCT + "title",
                ox.Literal("SPARQL 1.1 endpoint", language="en")),
        _triple(sparql_distribution, DCAT + "accessURL", endpoint),
        _triple(sparql_distribution, DCAT + "accessService", service),
        _triple(sparql_distribution, DCT + "license", license_),
    ]
    out += [_triple(dataset, VOID + "vocabulary", ox.NamedNode(v))
            for v in _vocabularies_used(store)]
    examples = " ".join(f"<https://w3id.org/ctgraph/{r}>" for r in EXAMPLE_RESOURCES)
    out += [_triple(dataset, VOID + "exampleResource", row["s"])
            for row in store.query(_EXISTING % examples)]
    linksets: set[str] = set()
    for row in store.query(_LINKSETS):
        linkset = row["linkset"]
        if linkset.value not in linksets:
            linksets.add(linkset.value)
            out += [
                _triple(dataset, VOID + "subset", linkset),
                _triple(linkset, RDF + "type", ox.NamedNode(VOID + "Linkset")),
                _triple(linkset, VOID + "subjectsTarget", dataset),
                _triple(linkset, VOID + "objectsTarget", row["target"]),
            ]
        out.append(_triple(linkset, VOID + "linkPredicate", row["predicate"]))
    return out
