"""The fact checklist: questions an analyst asks of the sources, answered exactly.

Each test states the complete expected answer (nothing missing, nothing extra, no
duplicates), worked out from the two source texts, and runs the question as SPARQL on the
bundled graph with the product's engine (pyoxigraph).
"""

from __future__ import annotations

import functools

import pyoxigraph as ox
import pytest

from ctgraph.graph.namespaces import PREFIXES
from ctgraph.graph.store import load_bundled

PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
R = "https://w3id.org/ctgraph/"


@functools.cache
def store():
    return load_bundled()


def term(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, ox.NamedNode):
        return value.value.removeprefix(R)
    return value.value  # type: ignore[attr-defined]


def rows(query: str) -> list[tuple]:
    """Solutions as tuples of plain strings, in the query's order (duplicates kept)."""
    result = store().query(PROLOGUE + query)
    names = [v.value for v in result.variables]
    return [tuple(term(s[n]) for n in names) for s in result]


def test_dated_events_by_date_city_and_country() -> None:
    assert rows("""
        SELECT ?start ?end ?city ?country ?event WHERE {
          ?event a schema:Event ; schema:startDate ?start ; schema:endDate ?end .
          OPTIONAL { ?event schema:location ?c . ?c schema:name ?city FILTER(LANG(?city) = "en")
                     ?c schema:containedInPlace/schema:name ?country FILTER(LANG(?country) = "en") }
        } ORDER BY ?start ?event""") == [
        ("2010-12-15", "2010-12-16", "Bratislava", "Slovakia", "event/expert-meeting-1"),
        ("2011-03-29", "2011-03-30", "Dushanbe", "Tajikistan", "event/expert-meeting-2"),
        ("2011-07-21", "2011-07-22", "Almaty", "Kazakhstan", "event/expert-meeting-3"),
        ("2011-11-30", "2011-11-30", "Ashgabat", "Turkmenistan", "event/high-level-meeting-2011"),
        ("2013-11-20", "2013-11-22", "Almaty", "Kazakhstan", "event/phase-2-regional-workshop-1"),
        ("2014-07-09", "2014-07-11", "Bishkek", "Kyrgyzstan", "event/phase-2-regional-workshop-2"),
        ("2015-03-04", "2015-03-06", "Ashgabat", "Turkmenistan", "event/phase-2-regional-workshop-3"),
        ("2016-03-29", "2016-03-31", "Almaty", "Kazakhstan", "event/phase-2-regional-workshop-4"),
        ("2016-07", "2016-07", None, None, "event/gcts-fifth-review"),
        ("2016-12-14", "2016-12-16", "Ashgabat", "Turkmenistan", "event/phase-2-regional-workshop-5"),
        ("2017-06-13", "2017-06-13", "Ashgabat", "Turkmenistan", "event/high-level-dialogue-2017"),
        ("2018-04-30", "2018-04-30", "Ashgabat", "Turkmenistan", "event/high-level-meeting-2018"),
    ]


def test_events_per_city() -> None:
    assert rows("""
        SELECT ?city (COUNT(DISTINCT ?event) AS ?n) WHERE {
          ?event a schema:Event ; schema:location/schema:name ?city FILTER(LANG(?city) = "en")
        } GROUP BY ?city ORDER BY DESC(?n) ?city""") == [
        ("Ashgabat", "5"), ("Almaty", "3"), ("Bishkek", "1"), ("Bratislava", "1"), ("Dushanbe", "1"),
    ]


def test_funders_and_implementers_per_phase() -> None:
    assert rows("""
        SELECT ?phase ?role ?org WHERE {
          { ?phase ctg:fundedBy ?org BIND("funder" AS ?role) }
          UNION { ?phase ctg:implementedBy ?org BIND("implementer" AS ?role) }
          ?phase a ctg:ProjectPhase .
        } ORDER BY ?phase ?role ?org""") == [
        ("phase/1", "funder", "org/european-union"),
        ("phase/1", "funder", "org/government-of-norway"),
        ("phase/1", "implementer", "org/ctitf"),
        ("phase/1", "implementer", "org/unrcca"),
        ("phase/2", "funder", "org/european-union"),
        ("phase/2", "funder", "org/government-of-norway"),
        ("phase/2", "implementer", "org/ctitf"),
        ("phase/2", "implementer", "org/unrcca"),
        ("phase/3", "implementer", "org/uncct"),
        ("phase/3", "implementer", "org/unrcca"),
    ]


def test_phase_dates_keep_their_precision() -> None:
    assert rows("""
        SELECT ?phase ?start (DATATYPE(?start) AS ?type) ?end WHERE {
          ?phase a ctg:ProjectPhase ; schema:startDate ?start . OPTIONAL { ?phase schema:endDate ?end }
        } ORDER BY ?phase""") == [
        ("phase/1", "2010", "http://www.w3.org/2001/XMLSchema#gYear", "2011"),
        ("phase/2", "2013-09", "http://www.w3.org/2001/XMLSchema#gYearMonth", None),
        ("phase/3", "2018-04-30", "http://www.w3.org/2001/XMLSchema#date", None),
    ]


def test_partner_organisations_and_countries_of_phase_three() -> None:
    partners = rows("""
        SELECT ?kind ?label WHERE {
          <https://w3id.org/ctgraph/phase/3> ctg:partner ?p .
          { ?p a ctg:Country BIND("country" AS ?kind) ?p schema:name ?label FILTER(LANG(?label) = "en") }
          UNION
          { ?p a schema:Organization BIND("organisation" AS ?kind)
            OPTIONAL { ?p skos:altLabel ?acr FILTER(LANG(?acr) = "en") }
            ?p schema:name ?name FILTER(LANG(?name) = "en")
            BIND(COALESCE(?acr, ?name) AS ?label) }
        } ORDER BY ?kind ?label""")
    assert partners == [
        ("country", "Kazakhstan"), ("country", "Kyrgyzstan"), ("country", "Tajikistan"),
        ("country", "Turkmenistan"), ("country", "Uzbekistan"),
        ("organisation", "CARICC"), ("organisation", "CICA"), ("organisation", "CIS"),
        ("organisation", "CSTO"), ("organisation", "CTITF entities"), ("organisation", "EU"),
        ("organisation", "INTERPOL"), ("organisation", "NATO"), ("organisation", "ODIHR"),
        ("organisation", "OIC"), ("organisation", "OSCE"), ("organisation", "SCO"),
        ("organisation", "SCO-RATS"),
    ]


def test_adopters_of_the_joint_plan_of_action() -> None:
    assert rows("""
        SELECT DISTINCT ?country WHERE {
          <https://w3id.org/ctgraph/doc/jpoa-2011> ctg:adoptedBy ?c ; ctg:adoptedAt ?event .
          ?event schema:location <https://w3id.org/ctgraph/city/ashgabat> .
          ?c schema:name ?country FILTER(LANG(?country) = "en")
        } ORDER BY ?country""") == [
        ("Kazakhstan",), ("Kyrgyzstan",), ("Tajikistan",), ("Turkmenistan",),
    ]


def test_pillars_per_expert_meeting() -> None:
    assert rows("""
        SELECT ?meeting (GROUP_CONCAT(?notation; separator=",") AS ?pillars) WHERE {
          SELECT DISTINCT ?meeting ?notation WHERE {
            ?meeting a ctg:ExpertMeeting ; schema:about ?pillar . ?pillar skos:notation ?notation }
          ORDER BY ?meeting ?notation
        } GROUP BY ?meeting ORDER BY ?meeting""") == [
        ("event/expert-meeting-1", "I,IV"),
        ("event/expert-meeting-2", "II"),
        ("event/expert-meeting-3", "III"),
    ]


def test_the_four_pillars() -> None:
    assert rows("""
        SELECT DISTINCT ?notation WHERE {
          ?p a ctg:Pillar ; skos:inScheme <https://w3id.org/ctgraph/pillar/scheme> ;
             skos:notation ?notation ; skos:definition ?d }
        ORDER BY ?notation""") == [("I",), ("II",), ("III",), ("IV",)]


def test_document_symbols_and_dates() -> None:
    assert rows("""
        SELECT DISTINCT ?symbol ?date WHERE {
          ?doc schema:identifier ?symbol . OPTIONAL { ?doc schema:datePublished ?date }
        } ORDER BY ?symbol""") == [
        ("A/70/674", None),
        ("A/70/826", None),
        ("A/RES/60/288", "2006-09-08"),
        ("A/RES/70/291", "2016-07"),
        ("S/RES/2370 (2017)", "2017-08"),
    ]


def test_documents_by_kind() -> None:
    assert rows("""
        SELECT ?kind (COUNT(DISTINCT ?doc) AS ?n) WHERE {
          VALUES ?kind { ctg:GAResolution ctg:SCResolution ctg:SecretaryGeneralReport
                         ctg:PlanOfAction ctg:Declaration ctg:Compendium ctg:WorkingGroupReport
                         ctg:NationalStrategy ctg:MeetingReport ctg:WebPage }
          ?doc a ?kind
        } GROUP BY ?kind ORDER BY ?kind""") == [
        ("ontology#Compendium", "1"), ("ontology#Declaration", "1"),
        ("ontology#GAResolution", "2"), ("ontology#MeetingReport", "1"),
        ("ontology#NationalStrategy", "1"), ("ontology#PlanOfAction", "4"),
        ("ontology#SCResolution", "1"), ("ontology#SecretaryGeneralReport", "3"),
        ("ontology#WebPage", "2"), ("ontology#WorkingGroupReport", "1"),
    ]


def test_materials_listed_on_the_page() -> None:
    assert rows("""
        SELECT DISTINCT ?doc WHERE { <https://w3id.org/ctgraph/source/web-page> ctg:cites ?doc }
        ORDER BY ?doc""") == [
        ("doc/a-70-674",), ("doc/a-70-826",), ("doc/a-res-60-288",),
        ("doc/compendium-critical-infrastructure-protection",),
        ("doc/ctitf-wg-report-financing-of-terrorism",), ("doc/ga-adopts-gcts",),
        ("doc/implementing-partners-page",), ("doc/jpoa-2011",), ("doc/s-res-2370-2017",),
        ("doc/sg-report-2012-04-04",), ("doc/un-plan-of-action-religious-sites",),
    ]


def test_the_whole_phase_three_activity_list_is_there_and_undated() -> None:
    listed = rows("""
        SELECT DISTINCT ?item WHERE {
          ?item ctg:partOfPhase <https://w3id.org/ctgraph/phase/3> .
          FILTER NOT EXISTS { ?item schema:startDate ?d }
        } ORDER BY ?item""")
    assert listed == [
        ("activity/adoption-national-strategy-2020-2024",), ("activity/adoption-new-jpoa",),
        ("activity/e-learning-human-rights-ct",), ("activity/infographics-jpoa",),
        ("activity/publication-compendium-critical-infrastructure",),
        ("event/eurasian-forum-aml-cft",), ("event/phase-3-coordination-meeting-2",),
        ("event/phase-3-fatf-r8-capacity-building-workshops",), ("event/phase-3-fatf-r8-workshop",),
        ("event/phase-3-national-workshop-biometric-data",),
        ("event/phase-3-regional-consultations-new-technologies",),
        ("event/phase-3-regional-training-2",), ("event/phase-3-regional-training-course-pve-ct",),
        ("event/phase-3-regional-training-internet-propaganda",),
        ("event/phase-3-regional-workshop-1",), ("event/phase-3-regional-workshop-2",),
        ("event/phase-3-training-border-security",),
        ("event/phase-3-training-countering-financing-of-terrorism",),
        ("event/phase-3-working-group-meeting-2",),
    ]


def test_homonymous_regional_workshops_are_different_resources() -> None:
    assert rows("""
        SELECT DISTINCT ?event ?phase WHERE {
          ?event a ctg:RegionalWorkshop ; ctg:ordinal 1 ; ctg:partOfPhase ?phase }
        ORDER BY ?event""") == [
        ("event/phase-2-regional-workshop-1", "phase/2"),
        ("event/phase-3-regional-workshop-1", "phase/3"),
    ]


def test_no_two_resources_share_a_name_except_the_page_and_its_project() -> None:
    """Something mentioned twice is one resource; only the page and the project it is
    about carry the same title."""
    assert rows("""
        SELECT ?name (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r schema:name ?name }
        GROUP BY ?name HAVING (COUNT(DISTINCT ?r) > 1)""") == [
        ("Implementing the UN Global Counter-Terrorism Strategy in Central Asia", "2"),
    ]


@pytest.mark.parametrize(("iri", "names"), [
    ("doc/compendium-critical-infrastructure-protection", 2),
    ("event/high-level-meeting-2011", 1),
    ("doc/a-70-674", 2),
])
def test_things_mentioned_twice_are_one_resource(iri: str, names: int) -> None:
    assert rows(f"""
        SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE {{
          {{ <{R}{iri}> schema:name ?n }} UNION {{ <{R}{iri}> schema:alternateName ?n }}
          FILTER(LANG(?n) = "en") }}""") == [(str(names),)]


def test_recorded_source_errors() -> None:
    assert rows("""
        SELECT DISTINCT ?error ?kind ?affects WHERE {
          ?error a ctg:SourceError ; ctg:errorKind ?kind ; ctg:affects ?affects }
        ORDER BY ?error""") == [
        ("erratum/a-70-674-symbol", "malformed-symbol", "doc/a-70-674"),
        ("erratum/a-70-826-symbol", "malformed-symbol", "doc/a-70-826"),
        ("erratum/counties-typo", "typo", "phase/3"),
        ("erratum/high-level-dialogue-title", "typo", "event/high-level-dialogue-2017"),
        ("erratum/high-level-meeting-listed-as-expert-meeting", "inconsistency",
         "event/high-level-meeting-2011"),
        ("erratum/jpoa-title-truncated", "truncated-title", "doc/jpoa-2011"),
        ("erratum/phase-2-duration", "inconsistency", "phase/2"),
        ("erratum/phase-2-outputs-not-listed", "truncated-text", "phase/2"),
        ("erratum/s-res-2370-date", "wrong-date", "doc/s-res-2370-2017"),
        ("erratum/third-expert-meeting-title", "typo", "event/expert-meeting-3"),
        ("erratum/unrcca-name-incomplete", "truncated-title", "org/unrcca"),
    ]


def test_newer_source_is_a_revision_of_the_older() -> None:
    assert rows("""
        SELECT ?newer ?older WHERE { ?newer prov:wasRevisionOf ?older }""") == [
        ("source/000", "source/001"),
    ]


def test_only_the_older_source_states_these_facts() -> None:
    """What the older version says that the newer one does not."""
    assert rows("""
        SELECT DISTINCT ?s ?p WHERE {
          GRAPH <https://w3id.org/ctgraph/graph/source-001> { ?s ?p ?o }
          FILTER NOT EXISTS { GRAPH <https://w3id.org/ctgraph/graph/source-000> { ?s ?p ?o } }
        } ORDER BY ?s ?p""") == [
        ("doc/phase-2-meeting-reports", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ("doc/phase-2-meeting-reports", "http://www.w3.org/2000/01/rdf-schema#label"),
        ("doc/phase-2-meeting-reports", "https://schema.org/inLanguage"),
        ("doc/phase-2-meeting-reports", "https://schema.org/name"),
        ("doc/phase-2-meeting-reports", "ontology#concerns"),
        ("phase/2", "ontology#hasSourceError"),
        ("phase/2", "ontology#statedOutputCount"),
    ]


def test_countries_have_iso_codes_and_russian_names() -> None:
    assert rows("""
        SELECT DISTINCT ?a2 ?a3 ?num ?ru WHERE {
          ?c a ctg:Country ; ctg:isoAlpha2 ?a2 ; ctg:isoAlpha3 ?a3 ; ctg:isoNumeric ?num ;
             rdfs:label ?ru FILTER(LANG(?ru) = "ru") }
        ORDER BY ?a2""") == [
        ("KG", "KGZ", "417", "Кыргызстан"), ("KZ", "KAZ", "398", "Казахстан"),
        ("NO", "NOR", "578", "Норвегия"), ("SK", "SVK", "703", "Словакия"),
        ("TJ", "TJK", "762", "Таджикистан"), ("TM", "TKM", "795", "Туркменистан"),
        ("UZ", "UZB", "860", "Узбекистан"),
    ]


def test_organisation_hierarchy() -> None:
    assert rows("""
        SELECT DISTINCT ?child ?parent WHERE { ?child schema:parentOrganization ?parent }
        ORDER BY ?child""") == [
        ("org/cted", "org/un-security-council"),
        ("org/ctitf", "org/united-nations"),
        ("org/ctitf-entities", "org/ctitf"),
        ("org/odihr", "org/osce"),
        ("org/sco-rats", "org/sco"),
        ("org/un-general-assembly", "org/united-nations"),
        ("org/un-secretary-general", "org/united-nations"),
        ("org/un-security-council", "org/united-nations"),
        ("org/uncct", "org/unoct"),
        ("org/unoct", "org/united-nations"),
        ("org/unrcca", "org/united-nations"),
    ]
