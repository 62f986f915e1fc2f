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
XSD_GYM = "http://www.w3.org/2001/XMLSchema#gYearMonth"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


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
    """Where the sources give one date at two precisions, the finest is taken (longest form)."""
    assert rows("""
        SELECT ?start ?end ?city ?country ?event WHERE {
          ?event a schema:Event ; schema:startDate ?start ; schema:endDate ?end .
          FILTER NOT EXISTS { ?event schema:startDate ?s FILTER(STRLEN(STR(?s)) > STRLEN(STR(?start))) }
          FILTER NOT EXISTS { ?event schema:endDate ?e FILTER(STRLEN(STR(?e)) > STRLEN(STR(?end))) }
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
        ("A/66/762", "2012-04-04"),
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
        ("ontology#WebPage", "3"), ("ontology#WorkingGroupReport", "1"),
    ]


def test_materials_listed_on_the_page() -> None:
    assert rows("""
        SELECT DISTINCT ?doc WHERE { <https://w3id.org/ctgraph/source/web-page> ctg:cites ?doc }
        ORDER BY ?doc""") == [
        ("doc/a-70-674",), ("doc/a-70-826",),
        ("doc/compendium-critical-infrastructure-protection",),
        ("doc/ctitf-wg-report-financing-of-terrorism",), ("doc/ga-adopts-gcts",),
        ("doc/implementing-partners-page",), ("doc/jpoa-2011",), ("doc/s-res-2370-2017",),
        ("doc/sg-report-2012-04-04",), ("doc/un-global-counter-terrorism-strategy",),
        ("doc/un-plan-of-action-religious-sites",),
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
        ("erratum/phase-3-implementers-as-before", "inconsistency", "phase/3"),
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
        ("doc/jpoa-2011", "https://schema.org/datePublished"),
        ("doc/phase-2-event-pages", RDF_TYPE),
        ("doc/phase-2-event-pages", RDFS_LABEL),
        ("doc/phase-2-event-pages", "https://schema.org/name"),
        ("doc/phase-2-event-pages", "ontology#concerns"),
        ("doc/phase-2-meeting-reports", "http://purl.org/dc/terms/isPartOf"),
        ("doc/phase-2-meeting-reports", RDF_TYPE),
        ("doc/phase-2-meeting-reports", RDFS_LABEL),
        ("doc/phase-2-meeting-reports", "https://schema.org/inLanguage"),
        ("doc/phase-2-meeting-reports", "https://schema.org/isPartOf"),
        ("doc/phase-2-meeting-reports", "https://schema.org/name"),
        ("doc/phase-2-meeting-reports", "ontology#concerns"),
        ("event/high-level-meeting-2011", "https://schema.org/endDate"),
        ("event/high-level-meeting-2011", "https://schema.org/startDate"),
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
        ("org/odihr", "org/osce"),
        ("org/sco-rats", "org/sco"),
        ("org/un-general-assembly", "org/united-nations"),
        ("org/un-secretary-general", "org/united-nations"),
        ("org/un-security-council", "org/united-nations"),
        ("org/uncct", "org/unoct"),
        ("org/unoct", "org/united-nations"),
        ("org/unrcca", "org/united-nations"),
    ]


# ------------------------------------------------------------------ issue 12: facts read again


def test_ctitf_entities_are_members_of_the_task_force_not_an_office_of_it() -> None:
    assert rows("""
        SELECT ?p ?o WHERE { <https://w3id.org/ctgraph/org/ctitf-entities> ?p ?o
          FILTER(?p IN (org:memberOf, schema:memberOf, ctg:subOrganizationOf,
                        schema:parentOrganization)) } ORDER BY ?p""") == [
        ("http://www.w3.org/ns/org#memberOf", "org/ctitf"),
        ("https://schema.org/memberOf", "org/ctitf"),
    ]


def test_phase_three_implementers_inconsistency_is_a_warning_not_a_choice() -> None:
    """The source says Phase III keeps the implementers of Phases I and II, whose own
    paragraphs name others: recorded, uncorrected, and each phase keeps what its paragraph says."""
    assert rows("""
        SELECT ?property ?corrected WHERE {
          <https://w3id.org/ctgraph/erratum/phase-3-implementers-as-before> ctg:affectedProperty ?property
          OPTIONAL { <https://w3id.org/ctgraph/erratum/phase-3-implementers-as-before> ctg:correctedValue ?corrected }
        }""") == [("ontology#implementedBy", None)]
    assert rows("""
        SELECT ?error WHERE { <https://w3id.org/ctgraph/phase/3> ctg:hasSourceError ?error }
        ORDER BY ?error""") == [
        ("erratum/counties-typo",), ("erratum/phase-3-implementers-as-before",),
    ]


def test_the_older_source_dates_the_2011_adoption_at_month_precision() -> None:
    assert rows("""
        SELECT ?s ?p ?date (DATATYPE(?date) AS ?type) WHERE {
          GRAPH <https://w3id.org/ctgraph/graph/source-001> {
            ?s ?p ?date FILTER(?p IN (schema:startDate, schema:endDate, schema:datePublished))
            FILTER(STRSTARTS(STR(?date), "2011")) }
        } ORDER BY ?s ?p""") == [
        ("doc/joint-ashgabat-declaration", "https://schema.org/datePublished", "2011-11", XSD_GYM),
        ("doc/jpoa-2011", "https://schema.org/datePublished", "2011-11", XSD_GYM),
        ("event/high-level-meeting-2011", "https://schema.org/endDate", "2011-11", XSD_GYM),
        ("event/high-level-meeting-2011", "https://schema.org/startDate", "2011-11", XSD_GYM),
        ("phase/1", "https://schema.org/endDate", "2011", "http://www.w3.org/2001/XMLSchema#gYear"),
    ]
    # the newer source keeps the day it gives; the union holds both, which agree
    assert rows("""
        SELECT ?date WHERE { <https://w3id.org/ctgraph/event/high-level-meeting-2011> schema:startDate ?date }
        ORDER BY ?date""") == [("2011-11",), ("2011-11-30",)]


def test_the_2012_report_is_a_secretary_general_report_only_by_reference() -> None:
    report = "<https://w3id.org/ctgraph/doc/sg-report-2012-04-04>"
    assert rows(f"""
        SELECT ?g ?type WHERE {{ GRAPH ?g {{ {report} a ?type }} }} ORDER BY ?g ?type""") == [
        ("graph/reference", "https://schema.org/Report"),
        ("graph/reference", "ontology#SecretaryGeneralReport"),
        ("graph/source-000", "https://schema.org/CreativeWork"),
        ("graph/source-000", "ontology#Document"),
    ]
    assert rows(f"""
        SELECT ?symbol ?issuer ?source WHERE {{ GRAPH <https://w3id.org/ctgraph/graph/reference> {{
          {report} schema:identifier ?symbol ; ctg:issuedBy ?issuer ; dct:source ?source }} }}""") == [
        ("A/66/762", "org/un-secretary-general", "https://undocs.org/A/66/762"),
    ]


def test_the_strategy_is_part_of_resolution_60_288() -> None:
    assert rows("""
        SELECT ?part ?name ?whole ?symbol ?date WHERE {
          ?part a ctg:Strategy ; dct:isPartOf ?whole ; schema:isPartOf ?whole ;
                schema:name ?name FILTER(LANG(?name) = "en")
          ?whole a ctg:GAResolution ; schema:identifier ?symbol ; schema:datePublished ?date }""") == [
        ("doc/un-global-counter-terrorism-strategy", "United Nations Global Counter-Terrorism Strategy",
         "doc/a-res-60-288", "A/RES/60/288", "2006-09-08"),
    ]
    assert rows("""
        SELECT ?doc WHERE { ?doc a ctg:Strategy, ctg:Resolution }""") == []


def test_held_in_is_not_used_places_are_schema_location() -> None:
    assert rows("SELECT ?s WHERE { ?s ctg:heldIn ?o }") == []


def test_unoct_names_its_preferred_acronym() -> None:
    assert rows("""
        SELECT ?preferred (GROUP_CONCAT(?acronym; separator=",") AS ?all) WHERE {
          SELECT ?preferred ?acronym WHERE {
            <https://w3id.org/ctgraph/org/unoct> ctg:preferredAcronym ?preferred ;
                skos:altLabel ?acronym FILTER(LANG(?acronym) = "en") } ORDER BY ?acronym
        } GROUP BY ?preferred""") == [("UNOCT", "OCT,UNOCT")]


def test_who_took_part_in_the_consultative_process() -> None:
    assert rows("""
        SELECT ?participant ?kind WHERE {
          <https://w3id.org/ctgraph/event/consultative-process-2010-2011> ctg:participant ?participant .
          ?participant a ?kind FILTER(STRSTARTS(STR(?kind), STR(ctg:)))
        } ORDER BY ?participant""") == [
        ("org/international-partners", "ontology#OrganizationGroup"),
        ("org/regional-and-international-organisations", "ontology#OrganizationGroup"),
        ("region/central-asia", "ontology#Region"),
        ("region/central-asia-neighbours", "ontology#Region"),
    ]
    # both versions of the page state it
    assert rows("""
        SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g {
          <https://w3id.org/ctgraph/event/consultative-process-2010-2011> ctg:participant
            <https://w3id.org/ctgraph/org/international-partners> } }""") == [("2",)]


def test_whom_the_2017_dialogue_gathered() -> None:
    assert rows("""
        SELECT ?participant WHERE {
          <https://w3id.org/ctgraph/event/high-level-dialogue-2017> ctg:participant ?participant }""") == [
        ("region/central-asia",),
    ]


def test_the_four_main_lines_of_phase_three() -> None:
    assert rows("""
        SELECT ?line ?label WHERE {
          <https://w3id.org/ctgraph/phase/3> ctg:mainLineOfActivity ?line .
          ?line a skos:Concept ; skos:inScheme <https://w3id.org/ctgraph/line/phase-3> ;
                skos:prefLabel ?label
        } ORDER BY ?line""") == [
        ("line/phase-3-capacity-building", "Capacity-building assistance in the priority areas"),
        ("line/phase-3-cooperation-with-organisations",
         "Cooperation and coordination with regional and international organisations"),
        ("line/phase-3-ct-pve-strategies", "Support for national and regional CT/PVE strategies"),
        ("line/phase-3-pve-good-practices",
         "Exchange of best practices in preventing violent extremism"),
    ]


def test_where_the_older_source_says_the_meeting_reports_are_and_in_which_languages() -> None:
    assert rows("""
        SELECT ?where ?name (GROUP_CONCAT(?language; separator=",") AS ?languages) WHERE {
          SELECT ?where ?name ?language WHERE {
            GRAPH <https://w3id.org/ctgraph/graph/source-001> {
              <https://w3id.org/ctgraph/doc/phase-2-meeting-reports> schema:isPartOf ?where ;
                  schema:inLanguage ?language .
              ?where a ctg:WebPage ; schema:name ?name ; ctg:concerns <https://w3id.org/ctgraph/phase/2> }
          } ORDER BY ?language
        } GROUP BY ?where ?name""") == [
        ("doc/phase-2-event-pages", "Pages of the Phase II events", "en,ru"),
    ]


# ------------------------------------------------------------------ issue 12: links out

LINKED_COUNTRIES = [
    ("country/kazakhstan", "Kazakhstan", "Q232", "CentralAsia"),
    ("country/kyrgyzstan", "Kyrgyzstan", "Q813", "CentralAsia"),
    ("country/norway", "Norway", "Q20", "NorthernEurope"),
    ("country/slovakia", "Slovakia", "Q214", "EasternEurope"),
    ("country/tajikistan", "Tajikistan", "Q863", "CentralAsia"),
    ("country/turkmenistan", "Turkmenistan", "Q874", "CentralAsia"),
    ("country/uzbekistan", "Uzbekistan", "Q265", "CentralAsia"),
]
LCC = "https://www.omg.org/spec/LCC/Countries/"


def test_every_country_links_to_iso_3166_m49_wikidata_and_dbpedia() -> None:
    found = rows(f"""
        SELECT ?c ?iso ?wd ?dbr ?m49 WHERE {{
          ?c a ctg:Country ; owl:sameAs ?iso, ?wd, ?dbr ; schema:containedInPlace ?m49 .
          FILTER(STRSTARTS(STR(?iso), "{LCC}ISO3166-1-CountryCodes/"))
          FILTER(STRSTARTS(STR(?wd), "http://www.wikidata.org/entity/"))
          FILTER(STRSTARTS(STR(?dbr), "http://dbpedia.org/resource/"))
          FILTER(STRSTARTS(STR(?m49), "{LCC}UN-M49-RegionCodes/"))
        }} ORDER BY ?c""")
    assert found == [
        (c, f"{LCC}ISO3166-1-CountryCodes/{name}", f"http://www.wikidata.org/entity/{q}",
         f"http://dbpedia.org/resource/{name}", f"{LCC}UN-M49-RegionCodes/{region}")
        for c, name, q, region in LINKED_COUNTRIES
    ]
    assert rows("""SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a ctg:Country }""") == [
        (str(len(LINKED_COUNTRIES)),)]


def test_cities_and_organisations_link_only_where_certain() -> None:
    assert rows("""
        SELECT ?r ?wd WHERE { ?r owl:sameAs ?wd ; a ?kind
          FILTER(?kind IN (ctg:City, ctg:Organization, ctg:UNEntity, ctg:IntergovernmentalOrganization))
          FILTER(STRSTARTS(STR(?wd), "http://www.wikidata.org/entity/")) }
        GROUP BY ?r ?wd ORDER BY ?r""") == [
        ("city/almaty", "http://www.wikidata.org/entity/Q35493"),
        ("city/ashgabat", "http://www.wikidata.org/entity/Q23438"),
        ("city/bishkek", "http://www.wikidata.org/entity/Q9361"),
        ("city/bratislava", "http://www.wikidata.org/entity/Q1780"),
        ("city/dushanbe", "http://www.wikidata.org/entity/Q9365"),
        ("org/european-union", "http://www.wikidata.org/entity/Q458"),
        ("org/nato", "http://www.wikidata.org/entity/Q7184"),
        ("org/sco", "http://www.wikidata.org/entity/Q485207"),
        ("org/un-general-assembly", "http://www.wikidata.org/entity/Q47423"),
        ("org/un-security-council", "http://www.wikidata.org/entity/Q37470"),
        ("org/united-nations", "http://www.wikidata.org/entity/Q1065"),
    ]
    # one resource per external identifier, never two
    assert rows("""SELECT ?x WHERE { ?a owl:sameAs ?x . ?b owl:sameAs ?x FILTER(?a != ?b) }""") == []


def test_every_link_is_in_the_reference_graph_within_a_linkset_that_names_its_source() -> None:
    """Each link's target lies in the dataset a void:Linkset of the reference graph describes,
    with that predicate, and the linkset names its source."""
    assert rows("""
        SELECT ?ls ?target (GROUP_CONCAT(DISTINCT STR(?p); separator=" ") AS ?predicates)
               (COUNT(DISTINCT ?source) AS ?sources) WHERE {
          GRAPH <https://w3id.org/ctgraph/graph/reference> {
            ?ls a void:Linkset ; void:objectsTarget ?target ; void:linkPredicate ?p ; dct:source ?source }
        } GROUP BY ?ls ?target ORDER BY ?ls""") == [
        ("linkset/dbpedia", "https://dbpedia.org/", "http://www.w3.org/2002/07/owl#sameAs", "1"),
        ("linkset/iso-3166-1", f"{LCC}ISO3166-1-CountryCodes/",
         "http://www.w3.org/2002/07/owl#sameAs", "2"),
        ("linkset/un-m49", f"{LCC}UN-M49-RegionCodes/",
         "http://www.w3.org/2002/07/owl#sameAs https://schema.org/containedInPlace", "2"),
        ("linkset/wikidata", "https://www.wikidata.org/", "http://www.w3.org/2002/07/owl#sameAs", "1"),
    ]
    namespaces = {"https://dbpedia.org/": "http://dbpedia.org/resource/",
                  "https://www.wikidata.org/": "http://www.wikidata.org/entity/"}
    linksets = rows("""SELECT ?target ?p WHERE { ?ls a void:Linkset ; void:objectsTarget ?target ;
                                                  void:linkPredicate ?p }""")
    outside = rows("""
        SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o }
          FILTER(?p IN (owl:sameAs, schema:containedInPlace))
          FILTER(!STRSTARTS(STR(?o), "https://w3id.org/ctgraph/")) }""")
    assert outside, "no links out"
    unexplained = [
        link for link in outside
        if link[3] != "graph/reference" or not any(
            p == link[1] and link[2].startswith(namespaces.get(target, target))
            for target, p in linksets)
    ]
    assert unexplained == []
