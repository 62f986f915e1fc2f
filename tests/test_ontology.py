"""The ontology's own quality bar: every term labelled, defined and aligned to schema.org."""

from __future__ import annotations

import pytest
from rdflib import DCTERMS, OWL, RDF, RDFS, Graph, Namespace, URIRef

from ctgraph.graph.bundle import ONTOLOGY_DIR
from tests.bundled import union

CTG = Namespace("https://w3id.org/ctgraph/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEMA = "https://schema.org/"
ONTOLOGY = Graph().parse(ONTOLOGY_DIR / "ctgraph.ttl")
TERMS = sorted(
    t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    for t in ONTOLOGY.subjects(RDF.type, kind)
)


def test_ontology_metadata() -> None:
    ont = URIRef("https://w3id.org/ctgraph/ontology")
    for prop in (DCTERMS.title, OWL.versionInfo, DCTERMS.license, DCTERMS.creator,
                 DCTERMS.created, DCTERMS.modified, OWL.versionIRI):
        assert ONTOLOGY.value(ont, prop) is not None, prop


@pytest.mark.parametrize("term", TERMS, ids=[t.split("#")[1] for t in TERMS])
def test_term_is_labelled_defined_and_aligned_to_schema_org(term: URIRef) -> None:
    assert str(term).startswith(str(CTG))
    assert ONTOLOGY.value(term, RDFS.label) is not None
    assert ONTOLOGY.value(term, SKOS.definition) is not None
    supers = set(ONTOLOGY.objects(term, RDFS.subClassOf)) | set(
        ONTOLOGY.objects(term, RDFS.subPropertyOf))
    matches = set(ONTOLOGY.objects(term, SKOS.closeMatch))

    def reaches_schema(t: URIRef, seen: frozenset = frozenset()) -> bool:
        nexts = set(ONTOLOGY.objects(t, RDFS.subClassOf))
        nexts |= set(ONTOLOGY.objects(t, RDFS.subPropertyOf))
        close = set(ONTOLOGY.objects(t, SKOS.closeMatch))
        if any(str(n).startswith(SCHEMA) for n in nexts | close):
            return True
        return any(reaches_schema(n, seen | {t}) for n in nexts if n not in seen)

    assert any(str(s).startswith(SCHEMA) for s in supers | matches) or reaches_schema(term)


def test_data_uses_only_declared_ctg_terms() -> None:
    data = union()
    used = {p for p in data.predicates() if str(p).startswith(str(CTG))}
    used |= {o for o in data.objects(None, RDF.type) if str(o).startswith(str(CTG))}
    assert used - set(TERMS) == set()


def test_four_pillars_as_a_skos_scheme() -> None:
    data = union()
    pillars = set(data.subjects(SKOS.inScheme, URIRef("https://w3id.org/ctgraph/pillar/scheme")))
    assert len(pillars) == 4
    for p in pillars:
        assert data.value(p, SKOS.notation) is not None
        assert data.value(p, SKOS.prefLabel) is not None
        assert data.value(p, SKOS.definition) is not None
