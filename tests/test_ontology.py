"""The ontology's own quality bar: every ctg: term labelled and defined in English and Russian,
defined by this ontology, aligned to schema.org with terms schema.org has, and every alignment
one that holds under inference."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import DCTERMS, OWL, RDF, RDFS, Graph, Namespace, URIRef
from rdflib.namespace import SDO

from ctgraph.graph.bundle import ONTOLOGY_DIR, bundled_shape_files
from tests.bundled import bundled_dataset, union

CTG = Namespace("https://w3id.org/ctgraph/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEMA = "https://schema.org/"
ONTOLOGY_IRI = URIRef("https://w3id.org/ctgraph/ontology")
ONTOLOGY = Graph().parse(ONTOLOGY_DIR / "ctgraph.ttl")
TERMS = sorted(
    t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    for t in ONTOLOGY.subjects(RDF.type, kind) if str(t).startswith(str(CTG))
)
SCHEMA_TERMS = {
    line.strip() for line in
    (Path(__file__).parent / "fixtures" / "owl" / "schemaorg-terms.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
}
"""Every schema.org term, as rdflib.namespace.SDO lists it (a copy shipped with the tests)."""


def test_ontology_metadata() -> None:
    for prop in (DCTERMS.title, OWL.versionInfo, DCTERMS.license, DCTERMS.creator,
                 DCTERMS.created, DCTERMS.modified, OWL.versionIRI):
        assert ONTOLOGY.value(ONTOLOGY_IRI, prop) is not None, prop
    assert {t.language for t in ONTOLOGY.objects(ONTOLOGY_IRI, DCTERMS.title)} == {"en", "ru"}


def test_there_are_terms() -> None:
    assert len(TERMS) > 90


def _reaches_schema(t: URIRef, seen: frozenset = frozenset()) -> bool:
    nexts = set(ONTOLOGY.objects(t, RDFS.subClassOf)) | set(ONTOLOGY.objects(t, RDFS.subPropertyOf))
    related = set(ONTOLOGY.objects(t, RDFS.seeAlso))
    if any(str(n).startswith(SCHEMA) for n in nexts | related):
        return True
    return any(_reaches_schema(n, seen | {t}) for n in nexts if n not in seen)


@pytest.mark.parametrize("term", TERMS, ids=[t.split("#")[1] for t in TERMS])
def test_term_is_labelled_defined_in_english_and_russian_and_aligned(term: URIRef) -> None:
    for prop in (RDFS.label, SKOS.definition):
        languages = Counter(o.language for o in ONTOLOGY.objects(term, prop))
        assert languages == Counter({"en": 1, "ru": 1}), (prop, languages)
    russian = next(o for o in ONTOLOGY.objects(term, RDFS.label) if o.language == "ru")
    assert any("\u0400" <= ch <= "\u04ff" for ch in russian) or str(russian) == "SHA-256"
    assert list(ONTOLOGY.objects(term, RDFS.isDefinedBy)) == [ONTOLOGY_IRI]
    assert _reaches_schema(term), "no subclass/subproperty path or rdfs:seeAlso to schema.org"


def test_labels_are_unique_per_language() -> None:
    labels = Counter((str(o).lower(), o.language) for t in TERMS
                     for o in ONTOLOGY.objects(t, RDFS.label))
    assert [k for k, n in labels.items() if n > 1] == []


def test_every_schema_org_term_used_exists() -> None:
    """In the ontology, the shapes and the data: a misspelt or invented schema.org term (such
    as schema:Correction) is caught."""
    graphs = [ONTOLOGY, union(), *(Graph().parse(p) for p in bundled_shape_files())]
    used = {str(t)[len(SCHEMA):] for g in graphs for triple in g for t in triple
            if isinstance(t, URIRef) and str(t).startswith(SCHEMA) and str(t) != SCHEMA}
    assert len(used) > 40
    assert used - SCHEMA_TERMS == set()
    assert used - set(SDO.__annotations__) == set()  # the copy agrees with rdflib's list


def test_the_schema_org_copy_knows_what_schema_org_does_not_have() -> None:
    assert {"Organization", "CorrectionComment", "sha256"} <= SCHEMA_TERMS
    assert "Correction" not in SCHEMA_TERMS


def test_no_skos_mapping_between_owl_terms() -> None:
    """SKOS mapping properties relate concepts; between OWL classes or properties they say
    nothing a reasoner can use (and type the terms skos:Concept under SKOS's own axioms)."""
    mappings = (SKOS.closeMatch, SKOS.exactMatch, SKOS.broadMatch, SKOS.narrowMatch,
                SKOS.relatedMatch)
    assert [(s, p, o) for p in mappings for s, o in ONTOLOGY.subject_objects(p)] == []


def _supers(term: URIRef) -> set[URIRef]:
    found, todo = set(), [term]
    while todo:
        for sup in ONTOLOGY.objects(todo.pop(), RDFS.subPropertyOf):
            if sup not in found:
                found.add(sup)
                todo.append(sup)
    return found


@pytest.mark.parametrize(("term", "not_below"), [
    (CTG.fileName, URIRef(SCHEMA + "name")),            # a text's name is its title
    (CTG.hasSourceError, URIRef(SCHEMA + "correction")),  # organisations get no correction
    (CTG.launchedAt, URIRef("http://www.w3.org/ns/prov#wasStartedBy")),  # range prov:Entity
    (CTG.citation, URIRef(SCHEMA + "citation")),          # an annotation, not a cited work
])
def test_alignments_that_would_mislead_under_inference_are_gone(term: URIRef,
                                                                not_below: URIRef) -> None:
    assert not_below not in _supers(term)


def test_no_source_text_gets_a_second_name_by_inference() -> None:
    """What the issue saw: with ctg:fileName below schema:name, RDFS gave each source text its
    file name as a schema:name. Every schema:name of a source text is one the data states."""
    data = union()
    stated = {(s, o) for s, o in data.subject_objects(URIRef(SCHEMA + "name"))}
    for text in data.subjects(RDF.type, CTG.SourceText):
        below_name = set(ONTOLOGY.transitive_subjects(RDFS.subPropertyOf, URIRef(SCHEMA + "name")))
        inferred = {(text, o) for p in below_name for o in data.objects(text, p)}
        assert inferred <= stated


def test_ctg_held_in_is_deprecated_and_unused() -> None:
    assert (CTG.heldIn, OWL.deprecated, None) in ONTOLOGY
    assert not any(bundled_dataset().quads((None, CTG.heldIn, None, None)))


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
