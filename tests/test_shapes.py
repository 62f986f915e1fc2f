"""Every shape catches the broken data it exists for, with a message a person can act on.

Each case is a small Turtle fixture that breaks one rule; the test validates it (with the
bundled ontology, as `ctgraph validate` does) and expects a result from that shape on the
fixture's focus node, at the shape's severity, with the expected message.
"""

from __future__ import annotations

import functools

import pytest
import rdflib
from rdflib import RDF, RDFS, Namespace, URIRef

from ctgraph.graph.bundle import bundled_shape_files
from ctgraph.validation.shacl import validate_graph

SH = Namespace("http://www.w3.org/ns/shacl#")
CTGSH = Namespace("https://w3id.org/ctgraph/shapes#")
X = "https://w3id.org/ctgraph/test/"

PREFIXES = """
@prefix ctg: <https://w3id.org/ctgraph/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix x: <https://w3id.org/ctgraph/test/> .
@prefix org: <https://w3id.org/ctgraph/org/> .
"""

# A few well-formed neighbours the fixtures point at.
CONTEXT = """
org:united-nations a ctg:UNEntity, schema:Organization ; rdfs:label "United Nations"@en ;
    schema:name "United Nations"@en .
x:kz a ctg:Country, schema:Country ; rdfs:label "Kazakhstan"@en, "Казахстан"@ru ;
    schema:name "Kazakhstan"@en ; ctg:isoAlpha2 "KZ" ; ctg:isoAlpha3 "KAZ" ; ctg:isoNumeric "398" .
x:almaty a ctg:City, schema:City ; rdfs:label "Almaty"@en, "Алматы"@ru ; schema:name "Almaty"@en ;
    schema:containedInPlace x:kz .
x:project a ctg:Project, schema:Project ; rdfs:label "Project"@en ; schema:name "Project"@en .
x:phase a ctg:ProjectPhase, schema:Project ; rdfs:label "Phase"@en ; schema:name "Phase"@en ;
    ctg:ordinal 1 ; ctg:phaseOf x:project ; ctg:implementedBy org:united-nations ;
    schema:startDate "2013-09"^^xsd:gYearMonth ; ctg:statedDuration "P3Y"^^xsd:duration ;
    ctg:fundedBy org:united-nations ; schema:funder org:united-nations .
x:doc a ctg:Document, schema:CreativeWork ; rdfs:label "Doc"@en ; schema:name "Doc"@en .
x:src a ctg:SourceText ; rdfs:label "Source"@en ; ctg:fileName "s.txt" ; ctg:characterCount 100 ;
    ctg:sha256 "79c115386f30107db688b73aa0837a00691be60a87c89b89c8781b137e2d2b0e"^^xsd:hexBinary ;
    dct:isVersionOf x:page .
"""

CASES: list[tuple[str, str, str, str]] = [
    # (node shape, fixture, severity, expected message fragment)
    ("LabelShape", 'x:x a ctg:Place ; rdfs:label "Ort"@de .', "Violation", "English"),
    ("OrganizationShape", 'x:x a ctg:Organization ; rdfs:label "A"@en ; schema:name "A"@en .',
     "Violation", "schema:Organization"),
    ("OrganizationShape",
     'x:x a ctg:Organization, schema:Organization ; rdfs:label "A"@en ; schema:name "A"@en ; '
     'skos:altLabel "OCT"@en ; ctg:preferredAcronym "UNOCT"@en .',
     "Violation", "preferred acronym UNOCT is not one of"),
    ("UNEntityShape", 'x:x a ctg:UNEntity, schema:Organization ; rdfs:label "Office"@en ; schema:name "Office"@en .',
     "Violation", "reach the United Nations"),
    ("IntergovernmentalOrganizationShape",
     'x:x a ctg:IntergovernmentalOrganization, schema:Organization ; rdfs:label "IGO"@en ; schema:name "IGO"@en .',
     "Info", "Russian name"),
    ("NationalGovernmentShape",
     'x:x a ctg:NationalGovernment, schema:Organization ; rdfs:label "Gov"@en ; schema:name "Gov"@en .',
     "Violation", "exactly one ctg:Country"),
    ("OrganizationGroupShape",
     'x:x a ctg:OrganizationGroup, schema:Organization ; rdfs:label "Group"@en ; schema:name "Group"@en .',
     "Violation", "whose entities"),
    ("CountryShape",
     'x:x a ctg:Country, schema:Country ; rdfs:label "Atlantis"@en, "Атлантида"@ru ; schema:name "Atlantis"@en ; '
     'ctg:isoAlpha2 "ATL" ; ctg:isoAlpha3 "ATL" ; ctg:isoNumeric "999" .',
     "Violation", "alpha-2"),
    ("CityShape", 'x:x a ctg:City, schema:City ; rdfs:label "Town"@en, "Город"@ru ; schema:name "Town"@en .',
     "Violation", "exactly one ctg:Country"),
    ("RegionShape", 'x:x a ctg:Region ; rdfs:label "Region"@en ; ctg:memberCountry x:kz .',
     "Violation", "schema:containsPlace"),
    ("ProjectShape", 'x:x a ctg:Project ; rdfs:label "Lonely"@en ; schema:name "Lonely"@en .',
     "Violation", "No ctg:ProjectPhase"),
    ("ProjectPhaseShape",
     'x:x a ctg:ProjectPhase ; rdfs:label "Phase X"@en ; schema:name "Phase X"@en ; ctg:ordinal 0 ; '
     'ctg:phaseOf x:project ; ctg:implementedBy org:united-nations ; schema:startDate "2020"^^xsd:gYear .',
     "Violation", "ctg:ordinal"),
    ("EventShape",
     'x:x a ctg:Event, schema:Event ; rdfs:label "E"@en ; schema:name "E"@en ; '
     'schema:startDate "2011-07-22"^^xsd:date ; schema:endDate "2011-07-21"^^xsd:date .',
     "Violation", "ends (2011-07-21) before it starts (2011-07-22)"),
    ("PhaseDurationShape",
     'x:x a ctg:Event, schema:Event ; rdfs:label "E"@en ; schema:name "E"@en ; ctg:partOfPhase x:phase ; '
     'schema:organizer org:united-nations ; schema:startDate "2017-06-13"^^xsd:date .',
     "Warning", "after the end implied by its phase's stated duration"),
    ("MeetingShape",
     'x:x a ctg:Meeting, schema:Event ; rdfs:label "M"@en ; schema:name "M"@en ; ctg:participant x:doc .',
     "Violation", "participant is a ctg:Country or a ctg:Organization"),
    ("ExpertMeetingShape",
     'x:x a ctg:ExpertMeeting, schema:Event ; rdfs:label "EM"@en ; schema:name "EM"@en ; ctg:ordinal 1 ; '
     'schema:location x:almaty .',
     "Violation", "addresses at least one pillar"),
    ("HighLevelMeetingShape",
     'x:x a ctg:HighLevelMeeting, schema:Event ; rdfs:label "HLM"@en ; schema:name "HLM"@en .',
     "Violation", "needs its schema:location"),
    ("HighLevelDialogueShape",
     'x:x a ctg:HighLevelDialogue, schema:Event ; rdfs:label "HLD"@en ; schema:name "HLD"@en ; '
     'schema:location x:almaty .',
     "Violation", "needs its schema:startDate"),
    ("NumberedSeriesShape",
     'x:x a ctg:Training, schema:Event ; rdfs:label "T"@en ; schema:name "T"@en ; ctg:ordinal "II" .',
     "Violation", "one integer from 1"),
    ("RegionalWorkshopShape",
     'x:x a ctg:RegionalWorkshop, schema:Event ; rdfs:label "RW"@en ; schema:name "RW"@en ; ctg:ordinal 1 ; '
     'ctg:partOfPhase x:phase ; schema:organizer org:united-nations .\n'
     'x:y a ctg:RegionalWorkshop, schema:Event ; rdfs:label "RW bis"@en ; schema:name "RW bis"@en ; '
     'ctg:ordinal 1 ; ctg:partOfPhase x:phase ; schema:organizer org:united-nations .',
     "Violation", "has the same ordinal 1"),
    ("NationalWorkshopShape",
     'x:x a ctg:NationalWorkshop, schema:Event ; rdfs:label "NW"@en ; schema:name "NW"@en .',
     "Violation", "names its phase"),
    ("RegionalTrainingShape",
     'x:x a ctg:RegionalTraining, schema:Event ; rdfs:label "RT"@en ; schema:name "RT"@en .',
     "Violation", "names its phase"),
    ("ForumShape", 'x:x a ctg:Forum, schema:Event ; rdfs:label "F"@en .', "Violation", "forum needs a schema:name"),
    ("ConsultationShape", 'x:x a ctg:Consultation, schema:Event ; rdfs:label "C"@en ; schema:name "C"@en .',
     "Violation", "what it concerns or which phase"),
    ("ConsultativeProcessShape",
     'x:x a ctg:ConsultativeProcess, schema:Event ; rdfs:label "CP"@en ; schema:name "CP"@en ; '
     'ctg:approximateParticipantCount 60 .',
     "Violation", "No event is part of this consultative process"),
    ("StrategyReviewShape",
     'x:x a ctg:StrategyReview, schema:Event ; rdfs:label "R"@en ; schema:name "R"@en ; ctg:adopts x:doc .',
     "Violation", "adopts General Assembly resolutions"),
    ("ActivityShape", 'x:x a ctg:ELearningCourse ; rdfs:label "Course"@en ; ctg:concerns x:doc .',
     "Violation", "activity needs a schema:name"),
    ("AdoptionShape",
     'x:x a ctg:Adoption ; rdfs:label "Adoption"@en ; schema:name "Adoption"@en ; ctg:partOfPhase x:phase .',
     "Violation", "names the ctg:Document it adopts"),
    ("AdopterStatedShape",
     'x:x a ctg:Adoption ; rdfs:label "Adoption"@en ; schema:name "Adoption"@en ; ctg:partOfPhase x:phase ; '
     'ctg:adopts x:doc .',
     "Warning", "do not say who adopted Doc"),
    ("PublicationShape",
     'x:x a ctg:Publication ; rdfs:label "P"@en ; schema:name "P"@en ; ctg:partOfPhase x:phase .',
     "Violation", "names the ctg:Document it produced"),
    ("InfographicProductionShape",
     'x:x a ctg:InfographicProduction ; rdfs:label "I"@en ; schema:name "I"@en ; ctg:partOfPhase x:phase .',
     "Info", "not stated precisely enough"),
    ("ELearningCourseShape",
     'x:x a ctg:ELearningCourse ; rdfs:label "E"@en ; schema:name "E"@en ; ctg:partOfPhase x:phase .',
     "Violation", "what or where it concerns"),
    ("DocumentShape",
     'x:x a ctg:Document ; rdfs:label "Resolution 1 (2017)"@en ; schema:name "Resolution 1 (2017)"@en ; '
     'schema:datePublished "2007-08"^^xsd:gYearMonth .',
     "Violation", "The title says (2017) but schema:datePublished is 2007-08"),
    ("ResolutionShape", 'x:x a ctg:Resolution ; rdfs:label "R"@en ; schema:name "R"@en .',
     "Violation", "needs its document symbol"),
    ("GAResolutionShape",
     'x:x a ctg:GAResolution ; rdfs:label "General Assembly resolution 70/291"@en ; '
     'schema:name "General Assembly resolution 70/291"@en ; schema:identifier "A/RES/70/292" .',
     "Violation", "names resolution 70/291 but the symbol is A/RES/70/292"),
    ("SCResolutionShape",
     'x:x a ctg:SCResolution ; rdfs:label "SC res"@en ; schema:name "SC res"@en ; '
     'schema:identifier "S/RES/2370 (2017)" ; schema:datePublished "2007-08"^^xsd:gYearMonth .',
     "Violation", "gives another year than schema:datePublished 2007-08"),
    ("SecretaryGeneralReportShape",
     'x:x a ctg:SecretaryGeneralReport ; rdfs:label "Report"@en ; schema:name "Report"@en ; '
     'schema:identifier "A70/826" .',
     "Violation", "symbol A/session/number"),
    ("WorkingGroupReportShape", 'x:x a ctg:WorkingGroupReport ; rdfs:label "W"@en ; schema:name "W"@en .',
     "Violation", "whose working group wrote it"),
    ("MeetingReportShape",
     'x:x a ctg:MeetingReport ; rdfs:label "M"@en ; schema:name "M"@en ; schema:inLanguage "English" ; '
     'ctg:concerns x:phase .',
     "Violation", "BCP 47"),
    ("PlanOfActionShape", 'x:x a ctg:PlanOfAction ; rdfs:label "P"@en ; schema:name "P"@en .',
     "Info", "no date for this plan"),
    ("StrategyShape",
     'x:x a ctg:Strategy ; rdfs:label "S"@en ; schema:name "S"@en ; schema:temporalCoverage "2020-2024" .',
     "Violation", "ISO 8601 interval"),
    ("NationalStrategyShape", 'x:x a ctg:NationalStrategy ; rdfs:label "N"@en ; schema:name "N"@en .',
     "Violation", "states the years it covers"),
    ("DeclarationShape", 'x:x a ctg:Declaration ; rdfs:label "D"@en ; schema:name "D"@en .',
     "Violation", "names the event that adopted it"),
    ("CompendiumShape", 'x:x a ctg:Compendium ; rdfs:label "C"@en ; schema:name "C"@en .',
     "Violation", "names who compiled it"),
    ("WebPageShape",
     'x:x a ctg:WebPage ; rdfs:label "W"@en ; schema:name "W"@en ; ctg:cites x:kz .',
     "Violation", "ctg:cites names ctg:Document"),
    ("PillarShape",
     'x:x a ctg:Pillar ; rdfs:label "Pillar V"@en ; skos:prefLabel "Pillar V"@en ; skos:notation "V" ; '
     'skos:definition "Measures."@en .',
     "Violation", "I, II, III or IV"),
    ("ConceptSchemeShape", 'x:x a skos:ConceptScheme ; skos:prefLabel "Scheme"@en .',
     "Violation", "skos:hasTopConcept"),
    ("SourceTextShape",
     'x:x a ctg:SourceText ; rdfs:label "S"@en ; ctg:fileName "a.txt" ; ctg:characterCount 10 ; '
     'dct:isVersionOf x:page ; ctg:sha256 "ABC"^^xsd:hexBinary .',
     "Violation", "64 lowercase hexadecimal digits"),
    ("CitationShape",
     'x:x a ctg:Citation ; oa:hasBody x:doc ; ctg:citedProperty schema:name ; oa:hasTarget x:t .\n'
     'x:t oa:hasSource x:src ; oa:hasSelector x:p, x:q .\n'
     'x:p a oa:TextPositionSelector ; oa:start "10"^^xsd:nonNegativeInteger ; oa:end "15"^^xsd:nonNegativeInteger .\n'
     'x:q a oa:TextQuoteSelector ; oa:exact "Kazakhstan" .',
     "Violation", "Offsets 10-15 do not fit: the quoted span has 10 characters"),
    ("SourceErrorShape",
     'x:x a ctg:SourceError ; rdfs:label "Err"@en ; ctg:errorKind "typo" ; ctg:inSource x:src ; '
     'ctg:affects x:doc ; ctg:affectedProperty schema:name ; ctg:statedValue "Dco"@en ; '
     'ctg:correctedValue "Document"@en ; ctg:reason "Letters swapped."@en ; ctg:citation x:c .\n'
     'x:c a ctg:Citation .',
     "Violation", "does not state the corrected value Document"),
    ("RecordedSourceErrorShape",
     'x:x a ctg:SourceError ; rdfs:label "Err"@en ; ctg:errorKind "typo" ; ctg:inSource x:src ; '
     'ctg:affects x:doc ; ctg:affectedProperty schema:name ; ctg:statedValue "Dco"@en ; '
     'ctg:correctedValue "Doc"@en ; ctg:reason "Letters swapped."@en ; ctg:citation x:c .\n'
     'x:doc ctg:hasSourceError x:x .\nx:c a ctg:Citation .',
     "Warning", "the source states Dco; the graph states Doc"),
]


@functools.cache
def shapes_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in bundled_shape_files():
        g.parse(path)
    return g


def constraint_owner(source_shape: rdflib.term.Node) -> URIRef | None:
    """The node shape a result's source shape belongs to (itself, or via sh:property)."""
    g = shapes_graph()
    if (source_shape, RDF.type, SH.NodeShape) in g:
        return source_shape  # type: ignore[return-value]
    return g.value(None, SH.property, source_shape)  # type: ignore[return-value]


def test_every_node_shape_has_a_case() -> None:
    shapes = {str(s).removeprefix(str(CTGSH)) for s in shapes_graph().subjects(RDF.type, SH.NodeShape)
              if str(s).startswith(str(CTGSH))}
    assert shapes == {case[0] for case in CASES}


def test_every_shape_carries_a_name_and_a_message() -> None:
    g = shapes_graph()
    missing = []
    for node in g.subjects(RDF.type, SH.NodeShape):
        if g.value(node, RDFS.label) is None:
            missing.append(("label", str(node)))
        for prop in g.objects(node, SH.property):
            if g.value(prop, SH.name) is None or g.value(prop, SH.message) is None:
                missing.append(("property", str(node)))
        for constraint in g.objects(node, SH.sparql):
            if g.value(constraint, SH.name) is None or g.value(constraint, SH.message) is None:
                missing.append(("sparql", str(node)))
    assert missing == []


@pytest.mark.parametrize(("shape", "fixture", "severity", "message"), CASES, ids=[c[0] for c in CASES])
def test_shape_catches_its_broken_fixture(shape: str, fixture: str, severity: str, message: str) -> None:
    data = rdflib.Graph().parse(data=PREFIXES + CONTEXT + fixture, format="turtle")
    report = validate_graph(data)
    hits = [
        r for r in report.results
        if r.focus_node == X + "x" and constraint_owner(URIRef(r.source_shape)) == CTGSH[shape]
    ]
    assert hits, f"{shape} reported nothing on x:x; got {[(r.focus_node, r.message) for r in report.results]}"
    assert any(r.severity == severity and message in r.message for r in hits), [
        (r.severity, r.message) for r in hits]


def test_the_context_itself_is_clean() -> None:
    """The neighbours the fixtures rely on break no rule, so each case tests one thing."""
    data = rdflib.Graph().parse(data=PREFIXES + CONTEXT, format="turtle")
    report = validate_graph(data)
    violations = [(r.focus_node, r.message) for r in report.results if r.severity == "Violation"
                  and not r.focus_node.startswith(X + "src") and not r.focus_node.startswith(X + "project")]
    assert violations == []


@pytest.mark.parametrize(("dates", "clean"), [
    ('"2011-11"^^xsd:gYearMonth, "2011-11-30"^^xsd:date', True),  # one source's month, the other's day
    ('"2011"^^xsd:gYear, "2011-11"^^xsd:gYearMonth, "2011-11-30"^^xsd:date', True),
    ('"2011-12"^^xsd:gYearMonth, "2011-11-30"^^xsd:date', False),  # they disagree
    ('"2011-11-29"^^xsd:date, "2011-11-30"^^xsd:date', False),  # two days: one too many
])
def test_a_date_may_be_stated_at_two_precisions_that_agree(dates: str, clean: bool) -> None:
    """Two sources may give one date at different precisions; the union then holds both."""
    fixture = (f'x:x a ctg:Event, schema:Event ; rdfs:label "E"@en ; schema:name "E"@en ; '
               f'schema:startDate {dates} .\n'
               f'x:d a ctg:Document ; rdfs:label "D"@en ; schema:name "D"@en ; '
               f'schema:datePublished {dates} .')
    data = rdflib.Graph().parse(data=PREFIXES + CONTEXT + fixture, format="turtle")
    hits = sorted(r.focus_node for r in validate_graph(data).results
                  if r.severity == "Violation" and "stated twice" in r.message)
    assert hits == ([] if clean else [X + "d", X + "x"])
