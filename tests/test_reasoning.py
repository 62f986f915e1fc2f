"""The ontology under the tools ontology engineers use: OWL 2 DL, a DL reasoner, OWL RL rules.

* The OWL API's OWL 2 DL profile checker (the copy inside owlready2's HermiT jar, run with
  Debian's Java 17) finds no violation, and the datatypes of the ontology's axioms are in the
  OWL 2 datatype map (that checker does not look at datatypes; HermiT does, below).
* HermiT, through owlready2, finds the ontology consistent with no unsatisfiable class. It
  reasons over the ontology alone: the data's xsd:gYearMonth and xsd:gYear dates (the
  precision the sources give) and xsd:duration values are outside the datatype map, and
  HermiT refuses them rather than ignore them.
* The OWL RL closure (owlrl) of the ontology plus every bundled graph puts no individual in two
  disjoint classes and nothing in owl:Nothing; OWL RL needs no datatype map, so it takes the
  data as it is.
Each check is also shown to fail on a broken fixture, so a pass means something.
"""

from __future__ import annotations

import functools
import itertools
import shutil
import subprocess
from pathlib import Path

import owlready2
import owlrl
import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, XSD, Namespace, URIRef
from rdflib.collection import Collection

from ctgraph.graph.bundle import ONTOLOGY_DIR
from tests.bundled import union

FIXTURES = Path(__file__).parent / "fixtures" / "owl"
CTG = Namespace("https://w3id.org/ctgraph/ontology#")
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # where owlrl puts its errors
HERMIT_JAR = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
JAVA = shutil.which("java") or "/usr/bin/java"

OWL2_DATATYPE_MAP = {
    OWL.real, OWL.rational, RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal,
    *(XSD[n] for n in [
        "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger",
        "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte", "double", "float", "string", "normalizedString", "token",
        "language", "Name", "NCName", "NMTOKEN", "boolean", "hexBinary", "base64Binary", "anyURI",
        "dateTime", "dateTimeStamp"]),
}
"""OWL 2 Structural Specification, section 4 (the datatypes an OWL 2 DL ontology may use)."""


def ontology(*extra: Path) -> rdflib.Graph:
    """The bundled ontology, with fixture files added."""
    g = rdflib.Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        g.parse(path)
    for path in extra:
        g.parse(path)
    return g


def dl_profile_violations(g: rdflib.Graph, tmp_path: Path) -> list[str]:
    """OWL 2 DL profile violations the OWL API finds in `g` (empty when in the profile)."""
    document = tmp_path / "ontology.owl"
    g.serialize(document, format="xml")
    run = subprocess.run(
        [JAVA, "-cp", str(HERMIT_JAR), str(FIXTURES / "DLProfileCheck.java"), str(document)],
        capture_output=True, text=True, timeout=300)
    assert "AXIOMS" in run.stdout, run.stderr  # the checker ran and parsed the document
    violations = [line for line in run.stdout.splitlines() if line.startswith("VIOLATION")]
    assert (run.returncode == 0) == (not violations), run.stdout
    return violations


def hermit(g: rdflib.Graph, tmp_path: Path) -> owlready2.World:
    """Classify `g` with HermiT through owlready2; raises when HermiT finds it inconsistent."""
    document = tmp_path / "ontology.nt"
    g.serialize(document, format="nt", encoding="utf-8")
    owlready2.JAVA_EXE = JAVA
    world = owlready2.World()
    world.get_ontology(document.as_uri()).load()
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


def unsatisfiable(world: owlready2.World) -> list[str]:
    """Classes HermiT found equivalent to owl:Nothing (owl:Nothing itself left out)."""
    return sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)


def disjoint_pairs(g: rdflib.Graph) -> set[frozenset[URIRef]]:
    """Every pair of classes the ontology states disjoint (owl:disjointWith, AllDisjointClasses)."""
    pairs = {frozenset((a, b)) for a, b in g.subject_objects(OWL.disjointWith)}
    for node in g.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(g, g.value(node, OWL.members)))
        pairs |= {frozenset(p) for p in itertools.combinations(members, 2)}
    return pairs


def owl_rl_closure(g: rdflib.Graph) -> rdflib.Graph:
    """`g` expanded in place by the OWL 2 RL rules."""
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False,
                           datatype_axioms=False).expand(g)
    return g


def clashes(closed: rdflib.Graph, pairs: set[frozenset[URIRef]]) -> dict[URIRef, set]:
    """Individuals typed with two disjoint classes in a closed graph, with the pairs."""
    found: dict[URIRef, set] = {}
    for pair in pairs:
        a, b = tuple(pair)
        for x in set(closed.subjects(RDF.type, a)) & set(closed.subjects(RDF.type, b)):
            found.setdefault(x, set()).add(pair)
    return found


@functools.cache
def closed_bundle() -> rdflib.Graph:
    """The OWL RL closure of the ontology plus every bundled graph (computed once)."""
    g = union()
    g += ontology()
    return owl_rl_closure(g)


# ---------------------------------------------------------------- OWL 2 DL


def test_ontology_is_in_the_owl2_dl_profile(tmp_path: Path) -> None:
    assert dl_profile_violations(ontology(), tmp_path) == []


def test_dl_profile_check_catches_an_undeclared_external_term(tmp_path: Path) -> None:
    violations = dl_profile_violations(rdflib.Graph().parse(FIXTURES / "owl-full.ttl"), tmp_path)
    assert any("undeclared data property: <https://schema.org/duration>" in v for v in violations)


def test_ontology_datatypes_are_in_the_owl2_datatype_map() -> None:
    g = ontology()
    used = {o.datatype for o in g.objects() if isinstance(o, rdflib.Literal) and o.datatype}
    used |= {r for p in g.subjects(RDF.type, OWL.DatatypeProperty)
             for r in g.objects(p, RDFS.range)}
    assert used, "the check saw no datatype at all"
    assert used - OWL2_DATATYPE_MAP == set()


def test_every_term_used_in_an_axiom_is_declared() -> None:
    """The same rule the DL checker applies, readable here: nothing is imported, so every IRI
    an axiom uses is declared in the file with one kind."""
    g = ontology()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    declared = {t: {k for k in kinds if (t, RDF.type, k) in g} for t in g.subjects(RDF.type, None)}
    axiom_predicates = (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, OWL.disjointWith,
                        OWL.inverseOf, OWL.equivalentClass)
    used = {t for p in axiom_predicates for pair in g.subject_objects(p) for t in pair}
    used |= {r for r in g.objects(None, RDFS.range) if r not in OWL2_DATATYPE_MAP}
    for node in g.subjects(RDF.type, OWL.AllDisjointClasses):
        used |= set(Collection(g, g.value(node, OWL.members)))
    used = {t for t in used if isinstance(t, URIRef)}
    assert {t for t in used if len(declared.get(t, ())) != 1} == set()
    annotations = {p for p in g.predicates()
                   if str(p).startswith(("http://purl.org/", "http://www.w3.org/2004/02/skos/"))}
    assert {p for p in annotations if OWL.AnnotationProperty not in declared.get(p, set())} == set()


# ---------------------------------------------------------------- HermiT


def test_hermit_finds_the_ontology_consistent_with_no_unsatisfiable_class(tmp_path: Path) -> None:
    world = hermit(ontology(), tmp_path)
    assert list(world.inconsistent_classes()) == []  # not even owl:Nothing is listed
    # The classification happened: HermiT's answer put each ctg class under owl:Thing or a parent.
    assert world["https://w3id.org/ctgraph/ontology#HighLevelDialogue"] is not None


def test_hermit_reports_a_class_below_two_disjoint_classes(tmp_path: Path) -> None:
    world = hermit(ontology(FIXTURES / "unsatisfiable-class.ttl"), tmp_path)
    assert unsatisfiable(world) == ["https://w3id.org/ctgraph/test/CityOffice"]


def test_hermit_rejects_an_organisation_typed_as_a_city(tmp_path: Path) -> None:
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        hermit(ontology(FIXTURES / "organisation-typed-as-city.ttl"), tmp_path)


def test_hermit_refuses_a_datatype_outside_the_map(tmp_path: Path) -> None:
    """Why the ontology has no xsd:duration range (and HermiT is not given the data)."""
    g = rdflib.Graph().parse(FIXTURES / "owl-full.ttl")
    g.add((URIRef("https://schema.org/duration"), RDF.type, OWL.DatatypeProperty))
    with pytest.raises(owlready2.OwlReadyJavaError, match="duration"):
        hermit(g, tmp_path)


# ---------------------------------------------------------------- OWL RL over ontology + data


def test_disjointness_is_stated_between_the_top_level_kinds() -> None:
    pairs = disjoint_pairs(ontology())
    kinds = [CTG[k] for k in ("Organization", "Place", "Project", "ProjectPhase", "Event",
                              "Activity", "Document", "Pillar", "SourceText", "Citation",
                              "SourceError")]
    assert {frozenset(p) for p in itertools.combinations(kinds, 2)} <= pairs
    assert frozenset((CTG.City, CTG.Country)) in pairs
    assert frozenset((CTG.UNEntity, CTG.IntergovernmentalOrganization)) in pairs


def test_owl_rl_closure_of_ontology_and_data_has_no_clash() -> None:
    closed = closed_bundle()
    assert len(closed) > len(union()) + len(ontology())  # the rules did add triples
    assert (None, RDF.type, CTG.Organization) in closed  # e.g. through ctg:UNEntity
    assert [str(m) for m in closed.objects(None, ERR.error)] == []
    assert set(closed.subjects(RDF.type, OWL.Nothing)) == set()
    assert clashes(closed, disjoint_pairs(ontology())) == {}


def test_owl_rl_closure_catches_an_organisation_typed_as_a_city() -> None:
    g = union()
    g += ontology(FIXTURES / "organisation-typed-as-city.ttl")
    closed = owl_rl_closure(g)
    unrcca = URIRef("https://w3id.org/ctgraph/org/unrcca")
    found = clashes(closed, disjoint_pairs(ontology()))
    assert set(found) == {unrcca}
    assert frozenset((CTG.Organization, CTG.Place)) in found[unrcca]
    assert any("disjoint" in str(m).lower() for m in closed.objects(None, ERR.error))
