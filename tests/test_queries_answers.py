"""Every named query, run on the bundled graph, gives exactly the answer the data implies.

Expected rows were worked out from data/*.trig by hand (which events are in which city,
which phase names which funder, …), not copied from a run. Terms are written compactly:
ctgraph IRIs without https://w3id.org/ctgraph/, English strings bare, other languages as
"text@lang", integers as int, other typed literals as "lexical^^type".
"""

from __future__ import annotations

import functools

import pyoxigraph as ox
import pytest
import rdflib

from ctgraph.catalog.named_queries import bundled_catalog
from ctgraph.graph.store import EmbeddedStore, load_bundled
from tests.bundled import SEEDS, graph

B = "https://w3id.org/ctgraph/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
SCHEMA = "https://schema.org/"
F000, F001 = "000_6bda6f6b213a71ec.txt", "001_d9a9610ffac31544.txt"


@functools.cache
def store() -> EmbeddedStore:
    """The graph as the server holds it: bundled data, ontology and shapes."""
    return load_bundled(shapes=True)


def term(t: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> object:
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return t.value.removeprefix(B)
    if isinstance(t, ox.BlankNode):
        return "_:"
    if t.language:
        return t.value if t.language == "en" else f"{t.value}@{t.language}"
    datatype = t.datatype.value
    if datatype == XSD + "string":
        return t.value
    if datatype in (XSD + "integer", XSD + "nonNegativeInteger"):
        return int(t.value)
    return f"{t.value}^^{datatype.rsplit('#', 1)[-1]}"


def run(name: str, **params: str) -> tuple[list[str], list[tuple[object, ...]]]:
    result = store().query(bundled_catalog()[name].bind(params))
    variables = [v.value for v in result.variables]
    return variables, [tuple(term(row[v]) for v in variables) for row in result]


def rows(name: str, **params: str) -> list[tuple[object, ...]]:
    return run(name, **params)[1]


def d(value: str) -> str:
    return f"{value}^^date"


EM1 = ("event/expert-meeting-1", "First Expert meeting on Implementing Pillars I and IV")
EM2 = ("event/expert-meeting-2", "Second Expert Meeting on Implementing Pillar II")
EM3 = ("event/expert-meeting-3", "Third Expert Meeting on implementing Pillar III")
HLM11 = ("event/high-level-meeting-2011", "High-Level Meeting for the adoption of the JPoA")
CP = ("event/consultative-process-2010-2011",
      "Consultative process preparing the Joint Plan of Action")
WS1 = ("event/phase-2-regional-workshop-1", "Regional Workshop I: Dialogue with religious "
       "institutions and leaders in Preventing Conflicts and Countering Extremism")
WS2 = ("event/phase-2-regional-workshop-2",
       "Regional Workshop II: Engaging the Media in Countering Terrorism")
WS3 = ("event/phase-2-regional-workshop-3",
       "Regional Workshop III: Border Security and Management for Countering Terrorism")
WS4 = ("event/phase-2-regional-workshop-4", "Regional workshop IV: Recognizing and Responding "
       "to Radicalization that Can Lead to Violent Extremism and Terrorism in Central Asia")
WS5 = ("event/phase-2-regional-workshop-5",
       "Regional workshop V: Effectively Countering the Financing of Terrorism")
HLD17 = ("event/high-level-dialogue-2017", "High Level UN-Central Asian Dialogue on the "
         "Implementation of the UN Global Counter-Terrorism Strategy in Central Asia")
HLM18 = ("event/high-level-meeting-2018", "High-Level Meeting launching Phase III")
REVIEW = ("event/gcts-fifth-review", "Fifth review of the UN Global Counter-Terrorism Strategy")
PREP = ("event/phase-3-preparatory-consultations", "Consultations with Central Asian officials")

DATES = {
    EM1: (d("2010-12-15"), d("2010-12-16")), EM2: (d("2011-03-29"), d("2011-03-30")),
    EM3: (d("2011-07-21"), d("2011-07-22")), HLM11: (d("2011-11-30"), d("2011-11-30")),
    WS1: (d("2013-11-20"), d("2013-11-22")), WS2: (d("2014-07-09"), d("2014-07-11")),
    WS3: (d("2015-03-04"), d("2015-03-06")), WS4: (d("2016-03-29"), d("2016-03-31")),
    WS5: (d("2016-12-14"), d("2016-12-16")), HLD17: (d("2017-06-13"), d("2017-06-13")),
    HLM18: (d("2018-04-30"), d("2018-04-30")), CP: (None, None),
    REVIEW: ("2016-07^^gYearMonth", "2016-07^^gYearMonth"),
}
CITY = {EM1: "Bratislava", EM2: "Dushanbe", EM3: "Almaty", HLM11: "Ashgabat", WS1: "Almaty",
        WS2: "Bishkek", WS3: "Ashgabat", WS4: "Almaty", WS5: "Ashgabat", HLD17: "Ashgabat",
        HLM18: "Ashgabat"}
PHASE = {EM1: 1, EM2: 1, EM3: 1, HLM11: 1, CP: 1, WS1: 2, WS2: 2, WS3: 2, WS4: 2, WS5: 2,
         HLD17: 2, HLM18: 3}
PHASE_NAME = {1: "Phase I", 2: "Phase II", 3: "Phase III"}

PHASE3_UNDATED_EVENTS = {
    "event/phase-3-regional-workshop-1": "Regional Workshop I",
    "event/phase-3-regional-workshop-2": "Regional Workshop II",
    "event/phase-3-regional-training-2": "Regional Training II",
    "event/phase-3-coordination-meeting-2": "Coordination meeting II on PVE/CT activities in CA",
    "event/eurasian-forum-aml-cft": "Eurasian Forum on anti-money laundering & combating "
    "financing of terrorism",
    "event/phase-3-regional-training-internet-propaganda": "Regional Training: Countering the "
    "use of the internet for propaganda and recruitment purposes in Central Asia",
    "event/phase-3-training-countering-financing-of-terrorism":
        "Training: Countering the Financing of Terrorism",
    "event/phase-3-training-border-security": "Training: Good practices in border security & "
    "management to strengthen national & international capacities in countering terrorism",
    "event/phase-3-working-group-meeting-2": "Working group meeting II on development of "
    "national strategy of Turkmenistan on PVE/CT",
    "event/phase-3-fatf-r8-capacity-building-workshops": "Capacity Building Workshops on "
    "Implementation of Financial Action Task Force Recommendation 8",
    "event/phase-3-national-workshop-biometric-data":
        "National Workshop on Biometric Data and Counter Terrorism",
    "event/phase-3-regional-consultations-new-technologies":
        "Regional Consultations on Counter-Terrorism and New Technologies",
    "event/phase-3-regional-training-course-pve-ct": "Regional Training Course on PVE/CT",
    "event/phase-3-fatf-r8-workshop":
        "Workshop on Implementation of Financial Action Task Force Recommendation 8",
}


def by_start(events: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Date order, undated last by name: the order every event query promises."""
    return sorted(events, key=lambda e: (DATES.get(e, (None,))[0] is None,
                                         str(DATES.get(e, (None,))[0]), e[1]))


def test_every_named_query_has_an_exact_answer_test() -> None:
    tested = {name.removeprefix("test_").replace("_", "-") for name in globals()
              if name.startswith("test_")}
    missing = set(bundled_catalog()) - tested
    assert not missing, f"named queries without an answer test: {sorted(missing)}"


def test_events_by_city() -> None:
    variables, got = run("events-by-city", city="almaty")
    assert variables == ["event", "name", "start", "end", "phase", "phaseName"]
    assert got == [(*e, *DATES[e], f"phase/{PHASE[e]}", PHASE_NAME[PHASE[e]])
                   for e in (EM3, WS1, WS4)]
    ashgabat = rows("events-by-city", city="https://w3id.org/ctgraph/city/ashgabat")
    assert [r[0] for r in ashgabat] == [e[0] for e in (HLM11, WS3, WS5, HLD17, HLM18)]
    assert rows("events-by-city", city="bishkek") == [(*WS2, *DATES[WS2], "phase/2", "Phase II")]
    assert rows("events-by-city", city="nowhere") == []


def test_events_by_country() -> None:
    got = rows("events-by-country", country="kazakhstan")
    assert got == [(*e, *DATES[e], "city/almaty", "Almaty", f"phase/{PHASE[e]}")
                   for e in (EM3, WS1, WS4)]
    assert [r[0] for r in rows("events-by-country", country="turkmenistan")] == [
        e[0] for e in (HLM11, WS3, WS5, HLD17, HLM18)]
    assert [r[0] for r in rows("events-by-country", country="slovakia")] == [EM1[0]]
    assert rows("events-by-country", country="uzbekistan") == []  # a partner, but no event


def test_events_by_date_range() -> None:
    got = rows("events-by-date-range", **{"from": "2011-01-01", "to": "2011-12-31"})
    assert got == [(*e, *DATES[e], CITY[e], "phase/1") for e in (EM2, EM3, HLM11)]
    # a month-precise date overlaps a range that touches its month
    got = rows("events-by-date-range", **{"from": "2016-07-15", "to": "2017-01-01"})
    assert got == [(*REVIEW, *DATES[REVIEW], None, None),
                   (*WS5, *DATES[WS5], "Ashgabat", "phase/2")]
    # an event overlapping the range's first day counts (15-16 December 2010)
    got = rows("events-by-date-range", **{"from": "2010-12-16", "to": "2011-01-01"})
    assert [r[0] for r in got] == [EM1[0]]
    assert [r[0] for r in rows("events-by-date-range", **{"from": "2017-07-01"})] == [HLM18[0]]
    dated = [e for e in DATES if DATES[e][0] is not None]
    assert [r[0] for r in rows("events-by-date-range")] == [e[0] for e in by_start(dated)]


def test_events_by_phase() -> None:
    got = rows("events-by-phase", phase="1")
    assert got == [(*e, *DATES[e], CITY.get(e)) for e in (EM1, EM2, EM3, HLM11, CP)]
    assert [r[0] for r in rows("events-by-phase", phase="2")] == [
        e[0] for e in (WS1, WS2, WS3, WS4, WS5, HLD17)]
    phase3 = rows("events-by-phase", phase="3")
    assert phase3[0] == (*HLM18, *DATES[HLM18], "Ashgabat")
    assert phase3[1:] == [(iri, name, None, None, None) for iri, name in
                          sorted(PHASE3_UNDATED_EVENTS.items(), key=lambda item: item[1])]


def test_events_by_pillar() -> None:
    assert rows("events-by-pillar", pillar="1") == [(*EM1, *DATES[EM1], "Bratislava"),
                                                   (*CP, None, None, None)]
    assert rows("events-by-pillar", pillar="2") == [(*EM2, *DATES[EM2], "Dushanbe"),
                                                   (*CP, None, None, None)]
    assert rows("events-by-pillar", pillar="3") == [(*EM3, *DATES[EM3], "Almaty"),
                                                   (*CP, None, None, None)]
    assert rows("events-by-pillar", pillar="4") == [(*EM1, *DATES[EM1], "Bratislava"),
                                                   (*CP, None, None, None)]


def test_events_by_organisation() -> None:
    # Norway funded Phases I and II, so every event of those phases, and nothing else.
    phase12 = by_start([e for e, p in PHASE.items() if p in (1, 2)])
    assert rows("events-by-organisation", organisation="government-of-norway") == [
        (*e, "funder", *DATES[e], f"phase/{PHASE[e]}") for e in phase12]
    # UNRCCA organised all of them, and Phase III's events too.
    unrcca = rows("events-by-organisation", organisation="unrcca")
    assert {r[2] for r in unrcca} == {"organizer"}
    assert {r[0] for r in unrcca} == {e[0] for e in PHASE} | set(PHASE3_UNDATED_EVENTS)
    # UNCCT: Phase III only.
    assert {r[0] for r in rows("events-by-organisation", organisation="uncct")} == {
        HLM18[0], *PHASE3_UNDATED_EVENTS}
    assert rows("events-by-organisation", organisation="nato") == []


ACTIVITIES = {
    "activity/adoption-new-jpoa": ("Adoption of a New Joint Plan of Action", "Adoption"),
    "activity/adoption-national-strategy-2020-2024": (
        "Adoption of the National Strategy on prevention of violent extremism and countering "
        "terrorism for 2020-2024", "Adoption"),
    "activity/infographics-jpoa": ("Infographics on the Joint Plan of Action",
                                   "InfographicProduction"),
    "activity/e-learning-human-rights-ct": (
        "E-learning course on Human Rights and Counter-Terrorism in CA", "ELearningCourse"),
    "activity/publication-compendium-critical-infrastructure": (
        "Publication: Compendium of good practices on the protection of critical infrastructure "
        "against terrorist attacks", "Publication"),
}
PHASE3_KINDS = {
    "event/phase-3-regional-workshop-1": "RegionalWorkshop",
    "event/phase-3-regional-workshop-2": "RegionalWorkshop",
    "event/phase-3-regional-training-2": "RegionalTraining",
    "event/phase-3-coordination-meeting-2": "CoordinationMeeting",
    "event/eurasian-forum-aml-cft": "Forum",
    "event/phase-3-regional-training-internet-propaganda": "RegionalTraining",
    "event/phase-3-training-countering-financing-of-terrorism": "Training",
    "event/phase-3-training-border-security": "Training",
    "event/phase-3-working-group-meeting-2": "WorkingGroupMeeting",
    "event/phase-3-fatf-r8-capacity-building-workshops": "Workshop",
    "event/phase-3-national-workshop-biometric-data": "NationalWorkshop",
    "event/phase-3-regional-consultations-new-technologies": "Consultation",
    "event/phase-3-regional-training-course-pve-ct": "RegionalTraining",
    "event/phase-3-fatf-r8-workshop": "Workshop",
}


def test_timeline() -> None:
    variables, got = run("timeline")
    assert variables == ["item", "label", "kind", "start", "end", "cityName", "phaseItem",
                         "phaseOrdinal"]

    def ev(e: tuple[str, str], kind: str) -> tuple[object, ...]:
        p = PHASE.get(e)
        return (*e, kind, *DATES[e], CITY.get(e), p and f"phase/{p}", p)

    dated = [
        ("phase/1", "Phase I", "ProjectPhase", "2010^^gYear", "2011^^gYear", None, "phase/1", 1),
        ev(EM1, "ExpertMeeting"), ev(EM2, "ExpertMeeting"), ev(EM3, "ExpertMeeting"),
        ev(HLM11, "HighLevelMeeting"),
        ("phase/2", "Phase II", "ProjectPhase", "2013-09^^gYearMonth", None, None, "phase/2", 2),
        ev(WS1, "RegionalWorkshop"), ev(WS2, "RegionalWorkshop"), ev(WS3, "RegionalWorkshop"),
        ev(WS4, "RegionalWorkshop"), ev(REVIEW, "StrategyReview"), ev(WS5, "RegionalWorkshop"),
        ev(HLD17, "HighLevelDialogue"),
        # same day: the launch meeting's label sorts before "Phase III"
        ev(HLM18, "HighLevelMeeting"),
        ("phase/3", "Phase III", "ProjectPhase", d("2018-04-30"), None, "Ashgabat", "phase/3", 3),
    ]
    undated_phase3 = sorted(
        [(iri, name, PHASE3_KINDS[iri]) for iri, name in PHASE3_UNDATED_EVENTS.items()]
        + [(iri, name, kind) for iri, (name, kind) in ACTIVITIES.items()],
        key=lambda item: item[1],
    )
    undated = [
        (*PREP, "Consultation", None, None, None, None, None),  # no phase sorts first
        (*CP, "ConsultativeProcess", None, None, None, "phase/1", 1),
        *[(*item, None, None, None, "phase/3", 3) for item in undated_phase3],
    ]
    assert got == dated + undated
    assert len(got) == 3 + 28 + 5  # phases, events, activities
    assert [r[0] for r in rows("timeline", phase="1")] == [
        "phase/1", EM1[0], EM2[0], EM3[0], HLM11[0], CP[0]]


def test_funders_and_implementers() -> None:
    ctitf = ("org/ctitf", "Counter-Terrorism Implementation Task Force")
    unrcca = ("org/unrcca",
              "United Nations Regional Centre for Preventive Diplomacy for Central Asia")
    uncct = ("org/uncct", "United Nations Counter-Terrorism Centre")
    eu = ("org/european-union", "European Union")
    norway = ("org/government-of-norway", "Government of the Kingdom of Norway")
    expected = []
    for n in (1, 2):
        expected += [(f"phase/{n}", PHASE_NAME[n], "implementer", *o) for o in (ctitf, unrcca)]
        expected += [(f"phase/{n}", PHASE_NAME[n], "funder", *o) for o in (eu, norway)]
    expected += [("phase/3", "Phase III", "implementer", *o) for o in (uncct, unrcca)]
    assert rows("funders-and-implementers") == expected
    assert rows("funders-and-implementers", phase="3") == expected[-2:]  # no funder named


def test_partners() -> None:
    countries = [("country/" + c.lower(), c) for c in
                 ("Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan")]
    orgs = {  # acronym: (slug, official English name from graph reference)
        "CARICC": ("caricc", "Central Asian Regional Information and Coordination Centre for "
                   "Combating Illicit Trafficking of Narcotic Drugs, Psychotropic Substances and "
                   "their Precursors"),
        "CICA": ("cica", "Conference on Interaction and Confidence Building Measures in Asia"),
        "CIS": ("cis", "Commonwealth of Independent States"),
        "CSTO": ("csto", "Collective Security Treaty Organization"),
        "EU": ("european-union", "European Union"),
        "INTERPOL": ("interpol", "International Criminal Police Organization"),
        "NATO": ("nato", "North Atlantic Treaty Organization"),
        "ODIHR": ("odihr", "Office for Democratic Institutions and Human Rights"),
        "OIC": ("oic", "Organisation of Islamic Cooperation"),
        "OSCE": ("osce", "Organization for Security and Co-operation in Europe"),
        "SCO": ("sco", "Shanghai Cooperation Organisation"),
        "SCO-RATS": ("sco-rats", "Regional Anti-Terrorist Structure of the Shanghai "
                     "Cooperation Organisation"),
    }
    org_rows = [("phase/3", f"org/{slug}", "organisation", name, acronym)
                for acronym, (slug, name) in orgs.items()]
    org_rows.append(("phase/3", "org/ctitf-entities", "organisation", "CTITF entities", None))
    org_rows.sort(key=lambda r: r[4] or r[3])
    country_rows = [("phase/3", iri, "country", name, None) for iri, name in countries]
    assert rows("partners") == country_rows + org_rows
    assert rows("partners", kind="country") == country_rows
    assert len(rows("partners", kind="organisation")) == 13


DOCUMENTS = [  # (slug, name, kinds, symbol, date) in name order
    ("doc/a-70-826", "Activities of the United Nations system in implementing the United "
     "Nations Global Counter-Terrorism Strategy", "SecretaryGeneralReport", "A/70/826", None),
    ("doc/compendium-critical-infrastructure-protection", "CTED-OCT Compendium of Good "
     "Practices on Critical Infrastructures Protection", "Compendium", None, None),
    ("doc/ctitf-wg-report-financing-of-terrorism",
     "CTITF Working Group Report on Tackling the Financing of Terrorism", "WorkingGroupReport",
     None, None),
    ("doc/fatf-recommendation-8", "Financial Action Task Force Recommendation 8", "Document",
     None, None),
    ("doc/a-res-60-288", "General Assembly resolution 60/288", "GAResolution", "A/RES/60/288",
     d("2006-09-08")),
    ("doc/a-res-70-291", "General Assembly resolution 70/291", "GAResolution", "A/RES/70/291",
     "2016-07^^gYearMonth"),
    ("source/web-page", "Implementing the UN Global Counter-Terrorism Strategy in Central Asia",
     "WebPage", None, None),
    ("doc/joint-ashgabat-declaration", "Joint Ashgabat Declaration", "Declaration", None,
     "2011-11^^gYearMonth"),
    ("doc/jpoa-2011", "Joint Plan of Action for implementing the UN Global Counter Terrorism "
     "Strategy in Central Asia", "PlanOfAction", None, d("2011-11-30")),
    ("doc/national-strategy-pve-ct-2020-2024", "National Strategy on prevention of violent "
     "extremism and countering terrorism for 2020-2024", "NationalStrategy", None, None),
    ("doc/new-jpoa", "New Joint Plan of Action", "PlanOfAction", None, None),
    ("doc/phase-2-event-pages", "Pages of the Phase II events", "WebPage", None, None),
    ("doc/a-70-674", "Plan of Action to Prevent Violent Extremism",
     "PlanOfAction SecretaryGeneralReport", "A/70/674", None),
    ("doc/phase-2-meeting-reports", "Substantive reports of the Phase II meetings",
     "MeetingReport", None, None),
    ("doc/implementing-partners-page", "Towards the Implementation of the Joint Plan of Action "
     "for the United Nations Global Counter-Terrorism Strategy in Central Asia: implementing "
     "partners", "WebPage", None, None),
    ("doc/un-plan-of-action-religious-sites", "UN Plan of Action to Safeguard Religious Sites",
     "PlanOfAction", None, None),
    ("doc/s-res-2370-2017", "UN Security Council Resolution 2370 (2017) on Preventing "
     "Terrorists from Acquiring Weapons", "SCResolution", "S/RES/2370 (2017)",
     "2017-08^^gYearMonth"),
    ("doc/ga-adopts-gcts", "United Nations General Assembly Adopts Global Counter-Terrorism "
     "Strategy", "Document", None, None),
    ("doc/un-global-counter-terrorism-strategy", "United Nations Global Counter-Terrorism Strategy",
     "Strategy", None, None),
    ("doc/sg-report-2012-04-04", "United Nations Global Counter-Terrorism Strategy: activities "
     "of the United Nations system in implementing the Strategy",
     "Document SecretaryGeneralReport", "A/66/762", d("2012-04-04")),
]


def sorted_kinds(got: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """GROUP_CONCAT has no defined order: compare the kinds as a sorted list."""
    return [(r[0], r[1], " ".join(sorted(str(r[2]).split())), *r[3:]) for r in got]


def test_documents() -> None:
    assert sorted_kinds(rows("documents")) == DOCUMENTS
    resolutions = [r for r in DOCUMENTS if r[0] in
                   ("doc/a-res-70-291", "doc/s-res-2370-2017", "doc/a-res-60-288")]
    got = rows("documents", kind="Resolution")
    # the kinds column lists only kinds under the one asked for
    assert [(r[0], r[2]) for r in got] == [
        ("doc/a-res-60-288", "GAResolution"), ("doc/a-res-70-291", "GAResolution"),
        ("doc/s-res-2370-2017", "SCResolution")]
    assert [r[0] for r in got] == [r[0] for r in resolutions]
    assert [r[0] for r in rows("documents", kind="Report")] == [
        "doc/a-70-826", "doc/ctitf-wg-report-financing-of-terrorism", "doc/a-70-674",
        "doc/phase-2-meeting-reports", "doc/sg-report-2012-04-04"]
    assert [r[0] for r in rows("documents", year="2011")] == [
        "doc/joint-ashgabat-declaration", "doc/jpoa-2011"]
    assert rows("documents", kind="SCResolution", year="2007") == []  # the stated, wrong year


def test_entity_profile() -> None:
    got = rows("entity-profile", resource="city/almaty")
    ctg_city = "ontology#City"
    assert got == [
        ("out", RDF_TYPE, SCHEMA + "City", None, "source-000"),
        ("out", RDF_TYPE, ctg_city, "city", "source-000"),
        ("out", RDFS_LABEL, "Almaty", None, "source-000"),
        ("out", RDFS_LABEL, "Алматы@ru", None, "reference"),
        ("out", OWL_SAME_AS, "http://dbpedia.org/resource/Almaty", None, "reference"),
        ("out", OWL_SAME_AS, "http://www.wikidata.org/entity/Q35493", None, "reference"),
        ("out", SCHEMA + "containedInPlace", "country/kazakhstan", "Kazakhstan", "source-000"),
        ("out", SCHEMA + "name", "Almaty", None, "source-000"),
        ("out", SCHEMA + "name", "Алматы@ru", None, "reference"),
        ("in", SCHEMA + "location", EM3[0], EM3[1], "source-000"),
        ("in", SCHEMA + "location", WS1[0], WS1[1], "source-000"),
        ("in", SCHEMA + "location", WS4[0], WS4[1], "source-000"),
    ]
    # a fact both versions state lists both graphs
    ashgabat = rows("entity-profile", resource="https://w3id.org/ctgraph/city/ashgabat")
    located = {r[4] for r in ashgabat if r[1] == SCHEMA + "containedInPlace"}
    assert [sorted(str(g).split()) for g in located] == [["source-000", "source-001"]]
    assert rows("entity-profile", resource="city/atlantis") == []


def test_citations() -> None:
    got = rows("citations", resource="event/expert-meeting-3", property="schema:location")
    assert got == [("citation/000-expert-meeting-3-2", SCHEMA + "location", F000, 1672, 1706,
                    "Almaty, Kazakhstan 21-22 July 2011")]
    source = SEEDS / F000
    if source.is_file():  # the offsets point at the quoted text
        text = source.read_text(encoding="utf-8")
        assert text[1672:1706] == "Almaty, Kazakhstan 21-22 July 2011"
    quote = "July 9-11th 2014, Bishkek, Kyrgyzstan"
    assert rows("citations", resource="city/bishkek") == [
        ("citation/000-bishkek", p, F000, 2583, 2620, quote)
        for p in (RDF_TYPE, RDFS_LABEL, SCHEMA + "containedInPlace", SCHEMA + "name")]
    # every cited property of the meeting is one the graph states about it
    stated = {str(p).removeprefix(B) for p in graph("source-000").predicates(
        rdflib.URIRef(B + "event/expert-meeting-3"))}
    cited = {r[1] for r in rows("citations", resource="event/expert-meeting-3")}
    assert cited == stated


def test_source_differences() -> None:
    report, pages = "doc/phase-2-meeting-reports", "doc/phase-2-event-pages"
    ctg = "ontology#"
    month = "2011-11^^gYearMonth"
    assert rows("source-differences", onlyIn="source-001") == [
        ("source-001", "doc/jpoa-2011", SCHEMA + "datePublished", month),
        ("source-001", pages, RDF_TYPE, SCHEMA + "WebPage"),
        ("source-001", pages, RDF_TYPE, ctg + "WebPage"),
        ("source-001", pages, RDFS_LABEL, "Pages of the Phase II events"),
        ("source-001", pages, SCHEMA + "name", "Pages of the Phase II events"),
        ("source-001", pages, ctg + "concerns", "phase/2"),
        ("source-001", report, "http://purl.org/dc/terms/isPartOf", pages),
        ("source-001", report, RDF_TYPE, SCHEMA + "CreativeWork"),
        ("source-001", report, RDF_TYPE, SCHEMA + "Report"),
        ("source-001", report, RDF_TYPE, ctg + "MeetingReport"),
        ("source-001", report, RDFS_LABEL, "Substantive reports of the Phase II meetings"),
        ("source-001", report, SCHEMA + "inLanguage", "en"),
        ("source-001", report, SCHEMA + "inLanguage", "ru"),
        ("source-001", report, SCHEMA + "isPartOf", pages),
        ("source-001", report, SCHEMA + "name", "Substantive reports of the Phase II meetings"),
        ("source-001", report, ctg + "concerns", "phase/2"),
        ("source-001", HLM11[0], SCHEMA + "endDate", month),
        ("source-001", HLM11[0], SCHEMA + "startDate", month),
        ("source-001", "phase/2", ctg + "hasSourceError", "erratum/phase-2-outputs-not-listed"),
        ("source-001", "phase/2", ctg + "statedOutputCount", 2),
    ]
    # the other direction, checked against rdflib's set difference of the two graphs
    newer, older = graph("source-000"), graph("source-001")
    expected = {(str(s), str(p), str(o)) for s, p, o in set(newer) - set(older)}
    got = store().query(bundled_catalog()["source-differences"].bind({"onlyIn": "source-000"}))
    found = {(r["subject"].value, r["predicate"].value, r["object"].value) for r in got}
    assert found == expected
    assert (B + "phase/3", B + "ontology#implementedBy", B + "org/uncct") in found
    assert len(rows("source-differences")) == len(expected) + 20


SOURCE_ERRORS = [  # (slug, kind, affects, stated, corrected, files)
    ("a-70-674-symbol", "malformed-symbol", "doc/a-70-674", "A70/674", "A/70/674", [F000]),
    ("a-70-826-symbol", "malformed-symbol", "doc/a-70-826", "A70/826", "A/70/826", [F000]),
    ("counties-typo", "typo", "phase/3", "Central Asian counties", "Central Asian countries",
     [F000]),
    ("high-level-dialogue-title", "typo", HLD17[0], "High Level Un-Central Asian Dialogue on "
     "The Implementation of The Un Global Counter-Terrorism Strategy in Central Asia", HLD17[1],
     [F000]),
    ("high-level-meeting-listed-as-expert-meeting", "inconsistency", HLM11[0],
     "listed as a fourth item of the list of the three expert meetings",
     "a high-level meeting, not an expert meeting", [F000]),
    ("jpoa-title-truncated", "truncated-title", "doc/jpoa-2011", "Joint Plan of Action (JPoA) "
     "for implementing the UN Global Counter Terrorism Strategy in Central", "Joint Plan of "
     "Action for implementing the UN Global Counter Terrorism Strategy in Central Asia",
     [F000, F001]),
    ("phase-2-duration", "inconsistency", "phase/2", "P3Y^^duration", None, [F000]),
    ("phase-2-outputs-not-listed", "truncated-text", "phase/2", 2, None, [F001]),
    ("phase-3-implementers-as-before", "inconsistency", "phase/3",
     "implemented by UNCCT and UNRCCA, as the previous two phases were", None, [F000]),
    ("s-res-2370-date", "wrong-date", "doc/s-res-2370-2017", "2007-08^^gYearMonth",
     "2017-08^^gYearMonth", [F000]),
    ("third-expert-meeting-title", "typo", EM3[0], "Third Excerpt Meeting on implementing "
     "Pillar III", EM3[1], [F000]),
    ("unrcca-name-incomplete", "truncated-title", "org/unrcca",
     "United Nations Regional Centre for Preventive Diplomacy",
     "United Nations Regional Centre for Preventive Diplomacy for Central Asia", [F000]),
]


def test_source_errors() -> None:
    got = [(r[0], r[2], r[3], r[4], r[5], sorted(str(r[6]).split()))
           for r in rows("source-errors")]
    assert got == [(f"erratum/{slug}", *rest) for slug, *rest in SOURCE_ERRORS]
    assert [r[0] for r in rows("source-errors", errorKind="typo")] == [
        "erratum/counties-typo", "erratum/high-level-dialogue-title",
        "erratum/third-expert-meeting-title"]


def test_data_quality() -> None:
    got = [(r[0], r[1], r[3]) for r in rows("data-quality")]
    error_labels = {
        "a-70-674-symbol": "Malformed document symbol A70/674",
        "a-70-826-symbol": "Malformed document symbol A70/826",
        "counties-typo": '"counties" for "countries" in the Phase III activities',
        "high-level-dialogue-title":
            'Miscapitalised "UN" in the title of the 2017 High-Level Dialogue',
        "high-level-meeting-listed-as-expert-meeting":
            "High-Level Meeting listed among the expert meetings",
        "jpoa-title-truncated": "Truncated title of the Joint Plan of Action",
        "phase-2-duration": "Phase II events continue past its stated three years",
        "phase-2-outputs-not-listed": "Phase II outputs announced but not listed",
        "phase-3-implementers-as-before":
            "Phase III said to keep the implementers of the previous phases, which were others",
        "s-res-2370-date": "Wrong year for Security Council resolution 2370",
        "third-expert-meeting-title": "Typo in the title of the third expert meeting",
        "unrcca-name-incomplete": "Incomplete name of UNRCCA",
    }
    affects = {slug: target for slug, _, target, *_ in SOURCE_ERRORS}
    undated = {*PHASE3_UNDATED_EVENTS, CP[0], PREP[0]}
    placeless = undated | {REVIEW[0]}
    expected = sorted(
        [("no-adopter", "doc/national-strategy-pve-ct-2020-2024",
          "the sources do not say who adopted it"),
         ("no-adopter", "doc/new-jpoa", "the sources do not say who adopted it"),
         ("no-funder", "phase/3", "the sources name no funder")]
        + [("no-place", e, "the sources give no place") for e in placeless]
        + [("source-error", affects[slug], label) for slug, label in error_labels.items()]
        + [("undated-event", e, "the sources give no date") for e in undated]
    )
    assert got == expected
    assert rows("data-quality", issue="no-funder") == [
        ("no-funder", "phase/3", "Phase III", "the sources name no funder")]
    assert rows("data-quality", issue="uncited") == []  # every described resource is cited


def test_find_by_name() -> None:
    assert rows("find-by-name", text="almaty") == [("city/almaty", "Almaty", "City")]
    assert rows("find-by-name", text="ASHGABAT") == [
        ("city/ashgabat", "Ashgabat", "City"),
        ("doc/joint-ashgabat-declaration", "Joint Ashgabat Declaration", "Declaration")]
    # Russian names and variant spellings are searched too
    assert rows("find-by-name", text="Алматы") == [("city/almaty", "Almaty", "City")]
    assert rows("find-by-name", text="Regional Center for Preventive") == [
        ("org/unrcca", "United Nations Regional Centre for Preventive Diplomacy for Central Asia",
         "UNEntity")]
    assert rows("find-by-name", text='"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o') == []


def test_events_as_schema_org() -> None:
    result = store().query(bundled_catalog()["events-as-schema-org"].bind({"phase": "2"}))
    got = rdflib.Graph()
    for t in result:
        got.add((rdflib.URIRef(t.subject.value), rdflib.URIRef(t.predicate.value),
                 rdflib.URIRef(t.object.value) if isinstance(t.object, ox.NamedNode)
                 else rdflib.Literal(t.object.value, lang=t.object.language,
                                     datatype=None if t.object.language
                                     else rdflib.URIRef(t.object.datatype.value))))
    s = rdflib.Namespace(SCHEMA)
    events = {rdflib.URIRef(B + e[0]) for e in (WS1, WS2, WS3, WS4, WS5, HLD17)}
    assert set(got.subjects(rdflib.RDF.type, s.Event)) == events
    # only schema.org terms
    assert {str(p) for p in got.predicates()} <= {str(rdflib.RDF.type)} | {
        SCHEMA + n for n in ("name", "startDate", "endDate", "location", "organizer",
                             "funder", "containedInPlace")}
    ws2 = rdflib.URIRef(B + WS2[0])
    assert got.value(ws2, s.location) == rdflib.URIRef(B + "city/bishkek")
    assert got.value(rdflib.URIRef(B + "city/bishkek"), s.containedInPlace) == rdflib.URIRef(
        B + "country/kyrgyzstan")
    assert set(got.objects(ws2, s.funder)) == {rdflib.URIRef(B + "org/european-union"),
                                               rdflib.URIRef(B + "org/government-of-norway")}
    assert str(got.value(ws2, s.startDate)) == "2014-07-09"
    # triples: 6 events x (type, name, start, end, location, 2 organisers, 2 funders)
    # + 3 cities x 3 + 3 countries x 2
    assert len(got) == 6 * 9 + 3 * 3 + 3 * 2


@pytest.mark.parametrize("name", sorted(bundled_catalog()))
def test_query_runs_unbound_and_with_its_example(name: str) -> None:
    """The .rq text runs as is (as the query editor offers it) and with its example."""
    named = bundled_catalog()[name]
    assert list(store().query(named.sparql))
    assert list(store().query(named.bind(named.example)))
