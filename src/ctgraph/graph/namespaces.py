"""The project's IRIs and the prefixes it publishes, defined once for every module."""

from __future__ import annotations

from rdflib import Namespace

BASE = "https://w3id.org/ctgraph/"
"""Persistent namespace of every resource the project mints ({BASE}{kind}/{slug})."""

ONTOLOGY_IRI = f"{BASE}ontology"
CTG = Namespace(f"{ONTOLOGY_IRI}#")

GRAPH_ONTOLOGY = f"{BASE}graph/ontology"
GRAPH_SHAPES = f"{BASE}graph/shapes"
GRAPH_PROVENANCE = f"{BASE}graph/provenance"
GRAPH_REFERENCE = f"{BASE}graph/reference"


def source_graph(source_id: str) -> str:
    """Named graph holding the facts that source text `source_id` (e.g. "000") states."""
    return f"{BASE}graph/source-{source_id}"


PREFIXES: dict[str, str] = {
    "ctg": str(CTG),
    "ctgr": BASE,
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "ctgsh": f"{BASE}shapes#",
    "void": "http://rdfs.org/ns/void#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "time": "http://www.w3.org/2006/time#",
    # one prefix per resource kind, so serialisations read ctgr resources as event:… city:…
    **{
        kind.replace("org", "orgn") if kind == "org" else kind: f"{BASE}{kind}/"
        for kind in ("project", "phase", "event", "activity", "org", "country", "city",
                     "region", "doc", "pillar", "source", "citation", "erratum", "graph")
    },
}
"""Prefixes pre-declared for queries, used in serialisations and the JSON-LD @context."""
