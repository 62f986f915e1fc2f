"""Build data/citations.trig: Web Annotation citations tying statements to source spans.

Each entry of CITATIONS names a source text, the exact span as it stands there (a name, a
date, a place: never a whole sentence), which occurrence of it, and the statements it
supports as (resource, properties). The script finds the span, computes its character
offsets (Unicode code points of the file read as UTF-8) and writes one `ctg:Citation` per
resource with a TextPositionSelector and a TextQuoteSelector. Run it after editing the spec:

    python tools/build_citations.py ../shared/seeds

tests/test_citations.py checks every citation against the seeds and that every statement
in a source graph is covered by a citation from that source.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Dataset, Literal, Namespace, URIRef

BASE = "https://w3id.org/ctgraph/"
CTG = Namespace(BASE + "ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")

SOURCE_FILES = {"000": "000_6bda6f6b213a71ec.txt", "001": "001_d9a9610ffac31544.txt"}

# property groups ------------------------------------------------------------------------
NAME = ("rdf:type", "rdfs:label", "schema:name")
TYPE = ("rdf:type",)
ACRONYM = ("skos:altLabel", "schema:alternateName")
DATES = ("schema:startDate", "schema:endDate")
PLACE = ("schema:location",)
ORG = ("schema:organizer",)
FUND = ("schema:funder",)

# (source, exact span, occurrence (1-based), [(resource, properties), ...], citation id or None)
CITATIONS: list[tuple[str, str, int, list[tuple[str, tuple[str, ...]]], str | None]] = []


def cite(source: str, exact: str, *claims: tuple[str, tuple[str, ...]], nth: int = 1,
         cid: str | None = None) -> None:
    CITATIONS.append((source, exact, nth, list(claims), cid))


# ======================================================================= source 000
S = "000"
cite(S, "IMPLEMENTING THE UN GLOBAL COUNTER-TERRORISM STRATEGY IN CENTRAL ASIA",
     ("source/web-page", NAME), ("project/un-gcts-central-asia", NAME))
# Phase I paragraph
cite(S, "In 2010-2011", ("phase/1", ("schema:startDate", "schema:endDate")))
cite(S, "Counter-Terrorism Implementation Task Force (CTITF) of the United Nations",
     ("org/ctitf", (*NAME, *ACRONYM, "ctg:subOrganizationOf", "schema:parentOrganization")),
     ("org/united-nations", NAME), nth=1)
cite(S, "UN Regional Center for Preventive Diplomacy for Central Asia (UNRCCA)",
     ("org/unrcca", (*TYPE, *ACRONYM, "skos:hiddenLabel")))
cite(S, "with financial support from the EU and the Government of the Kingdom of Norway",
     ("phase/1", ("ctg:fundedBy", "schema:funder")),
     ("org/european-union", (*TYPE, *ACRONYM)),
     ("org/government-of-norway", (*NAME, "ctg:governmentOf")),
     ("country/norway", NAME))
cite(S, "implemented a project", ("project/un-gcts-central-asia", TYPE),
     ("phase/1", ("rdf:type", "ctg:phaseOf", "ctg:implementedBy")))
cite(S, "the four pillars of the UN Global Counter-Terrorism Strategy",
     ("pillar/scheme", ("rdf:type", "rdfs:label", "skos:prefLabel", "dct:source")),
     ("phase/1", ("ctg:concerns",)), ("project/un-gcts-central-asia", ("ctg:concerns",)),
     ("doc/un-global-counter-terrorism-strategy", TYPE))
cite(S, "Joint Plan of Action (JPoA) for implementing the UN Global Counter Terrorism Strategy in Central",
     ("doc/jpoa-2011", (*NAME, *ACRONYM, "ctg:concerns", "ctg:hasSourceError")),
     ("phase/1", ("ctg:produced",)), cid="000-jpoa-title")
cite(S, "four Central Asian countries of Kazakhstan, Kyrgyzstan, Tajikistan and Turkmenistan",
     ("doc/jpoa-2011", ("ctg:adoptedBy",)),
     ("doc/joint-ashgabat-declaration", ("ctg:adoptedBy",)),
     ("event/high-level-meeting-2011", ("ctg:participant",)),
     ("country/kazakhstan", NAME), ("country/kyrgyzstan", NAME),
     ("country/tajikistan", NAME), ("country/turkmenistan", NAME),
     ("region/central-asia", ("rdf:type", "ctg:memberCountry", "schema:containsPlace")))
cite(S, "Joint Ashgabat Declaration",
     ("doc/joint-ashgabat-declaration", (*NAME, "ctg:adoptedAt", "schema:datePublished")),
     ("event/high-level-meeting-2011", ("ctg:adopts",)))
cite(S, "High Level Meeting held in Ashgabat, Turkmenistan in November 2011",
     ("doc/jpoa-2011", ("ctg:adoptedAt",)),
     ("city/ashgabat", (*NAME, "schema:containedInPlace")))
# consultative process
cite(S, "UN Global", ("org/united-nations", ACRONYM))
cite(S, "one-year consultative process",
     ("event/consultative-process-2010-2011", (*NAME, "ctg:statedDuration", "ctg:partOfPhase",
                                                "ctg:produced", "schema:organizer", "schema:funder")))
cite(S, "three expert meetings were held to review the four pillars",
     ("event/consultative-process-2010-2011", ("ctg:addressesPillar", "schema:about")),
     ("event/expert-meeting-1", ("ctg:partOfProcess",)),
     ("event/expert-meeting-2", ("ctg:partOfProcess",)),
     ("event/expert-meeting-3", ("ctg:partOfProcess",)))
cite(S, "approximately 60 expert representatives",
     ("event/consultative-process-2010-2011", ("ctg:approximateParticipantCount",)))
cite(S, "CA countries", ("region/central-asia", (*NAME, *ACRONYM)), nth=1)
# expert meetings
cite(S, "First Expert meeting on Implementing Pillars I and IV",
     ("event/expert-meeting-1", (*NAME, "ctg:ordinal", "ctg:addressesPillar", "schema:about",
                                 "ctg:partOfPhase", "schema:organizer", "schema:funder")))
cite(S, "Bratislava, Slovakia", ("event/expert-meeting-1", PLACE),
     ("city/bratislava", (*NAME, "schema:containedInPlace")), ("country/slovakia", NAME))
cite(S, "15-16 December 2010", ("event/expert-meeting-1", DATES))
cite(S, "Second Expert Meeting on Implementing Pillar II",
     ("event/expert-meeting-2", (*NAME, "ctg:ordinal", "ctg:addressesPillar", "schema:about",
                                 "ctg:partOfPhase", "schema:organizer", "schema:funder")))
cite(S, "Dushanbe, Tajikistan", ("event/expert-meeting-2", PLACE),
     ("city/dushanbe", (*NAME, "schema:containedInPlace")))
cite(S, "29-30 March 2011", ("event/expert-meeting-2", DATES))
cite(S, "Third Excerpt Meeting on implementing Pillar III",
     ("event/expert-meeting-3", (*NAME, "ctg:ordinal", "ctg:addressesPillar", "schema:about",
                                 "ctg:partOfPhase", "schema:organizer", "schema:funder",
                                 "ctg:hasSourceError")),
     cid="000-expert-meeting-3-title")
cite(S, "Almaty, Kazakhstan 21-22 July 2011",
     ("event/expert-meeting-3", (*PLACE, *DATES)),
     ("city/almaty", (*NAME, "schema:containedInPlace")))
cite(S, "High-Level Meeting for the adoption of the JPoA",
     ("event/high-level-meeting-2011", (*NAME, "ctg:partOfPhase", "schema:organizer",
                                        "schema:funder", "ctg:hasSourceError")),
     cid="000-high-level-meeting-2011-title")
cite(S, "Ashgabat, Turkmenistan, 30 November 2011",
     ("event/high-level-meeting-2011", (*PLACE, *DATES)),
     ("doc/jpoa-2011", ("schema:datePublished",)))
# Phase II
cite(S, "A second phase of the Project was launched in September 2013",
     ("phase/2", (*NAME, "ctg:ordinal", "ctg:phaseOf", "schema:startDate")))
cite(S, "the realization of the initiatives identified in JPoA",
     ("phase/2", ("ctg:basedOn", "ctg:concerns")))
cite(S, "The three-year project of the CTITF and the UNRCCA",
     ("phase/2", ("ctg:statedDuration", "ctg:implementedBy", "ctg:hasSourceError")),
     cid="000-phase-2-duration")
cite(S, "the European Union and the Government of Norway",
     ("phase/2", ("ctg:fundedBy", "schema:funder")),
     ("org/european-union", NAME), ("org/government-of-norway", ACRONYM))
# (city slug, dates, place, title): this order keeps adjacent literals from lining up into
# a run of the source text
for n, (city, dates, place, title) in enumerate([
    ("almaty", "November 20-22, 2013", "Almaty, Kazakhstan",
     "Regional Workshop I: Dialogue with religious institutions and leaders in Preventing "
     "Conflicts and Countering Extremism"),
    ("bishkek", "July 9-11th 2014", "Bishkek, Kyrgyzstan",
     "Regional Workshop II: Engaging the Media in Countering Terrorism"),
    ("ashgabat", "March 4- 6th 2015", "Ashgabat, Turkmenistan",
     "Regional Workshop III: Border Security and Management for Countering Terrorism"),
    ("almaty", "March 29-31, 2016", "Almaty, Kazakhstan",
     "Regional workshop IV: “Recognizing and Responding to Radicalization that Can Lead to "
     "Violent Extremism and Terrorism in Central Asia”"),
    ("ashgabat", "December 14-16, 2016", "Ashgabat, Turkmenistan",
     "Regional workshop V: “Effectively Countering the Financing of Terrorism”"),
], start=1):
    slug = f"event/phase-2-regional-workshop-{n}"
    cite(S, title, (slug, (*NAME, "ctg:ordinal", "ctg:partOfPhase", "schema:organizer",
                           "schema:funder")))
    claims: list[tuple[str, tuple[str, ...]]] = [(slug, (*DATES, *PLACE))]
    if city == "bishkek":
        claims.append(("city/bishkek", (*NAME, "schema:containedInPlace")))
    cite(S, f"{dates}, {place}", *claims)
cite(S, "High Level Un-Central Asian Dialogue on The Implementation of The Un Global "
        "Counter-Terrorism Strategy in Central Asia",
     ("event/high-level-dialogue-2017", (*NAME, "ctg:partOfPhase", "schema:organizer",
                                         "schema:funder", "ctg:hasSourceError")),
     cid="000-high-level-dialogue-title")
cite(S, "13 June 2017, Ashgabat, Turkmenistan",
     ("event/high-level-dialogue-2017", (*DATES, *PLACE)))
cite(S, "Global Counter-Terrorism Strategy (UNGCTS) (A/RES/60/288)",
     ("event/high-level-dialogue-2017", ("ctg:concerns",)),
     ("doc/un-global-counter-terrorism-strategy", ACRONYM), ("doc/a-res-60-288", ("schema:identifier",)))
cite(S, "known as the Joint Plan of Action (JPoA)",
     ("event/high-level-dialogue-2017", ("ctg:concerns",)))
# Phase III
cite(S, "United Nations Office of Counter-Terrorism (OCT)",
     ("org/unoct", (*NAME, *ACRONYM, "ctg:subOrganizationOf", "schema:parentOrganization")))
cite(S, "United Nations Counter-Terrorism Centre (UNCCT)",
     ("org/uncct", (*NAME, *ACRONYM, "ctg:subOrganizationOf", "schema:parentOrganization")))
cite(S, "United Nations Regional Centre for Preventive Diplomacy (UNRCCA)",
     ("org/unrcca", (*NAME, "ctg:subOrganizationOf", "schema:parentOrganization",
                     "ctg:hasSourceError")),
     cid="000-unrcca-name-incomplete")
cite(S, "jointly develop Phase III of the project",
     ("phase/3", (*NAME, "ctg:ordinal", "ctg:phaseOf")))
cite(S, "the previous two phases",
     ("phase/1", ("rdfs:label", "schema:name", "ctg:ordinal")), ("phase/2", ("ctg:ordinal",)))
cite(S, "Phase III will cover three years", ("phase/3", ("ctg:statedDuration",)))
cite(S, "the 2017 High Level Dialogue", ("phase/3", ("ctg:basedOn",)))
cite(S, "the General Assembly resolution 70/291, adopted during the fifth review of the UN GCTS "
        "in July 2016",
     ("phase/3", ("ctg:basedOn",)),
     ("doc/a-res-70-291", (*NAME, "schema:identifier", "schema:datePublished", "ctg:issuedBy",
                           "ctg:adoptedBy", "ctg:adoptedAt", "ctg:concerns")),
     ("event/gcts-fifth-review", (*NAME, "ctg:ordinal", *DATES, "ctg:concerns", "ctg:adopts")),
     ("org/un-general-assembly", NAME), ("doc/un-global-counter-terrorism-strategy", ACRONYM))
cite(S, "recommendations received during the previous phases", ("phase/3", ("ctg:basedOn",)))
cite(S, "consultations with Central Asian officials",
     ("phase/3", ("ctg:basedOn",)),
     ("event/phase-3-preparatory-consultations", (*NAME, "ctg:concerns")))
cite(S, "Central Asian counties", ("phase/3", ("ctg:hasSourceError",)), cid="000-counties-typo")
cite(S, "UN Plan of Action to Prevent Violent Extremism",
     ("phase/3", ("ctg:concerns",)), ("doc/a-70-674", ACRONYM))
cite(S, "jointly implemented by UNCCT and UNRCCA in Ashgabat",
     ("phase/3", ("ctg:implementedBy", "schema:location", "ctg:concerns")))
cite(S, "in partnership with the Central Asian countries (Kazakhstan, Kyrgyzstan, Tajikistan, "
        "Turkmenistan, Uzbekistan), CTITF entities",
     ("phase/3", ("ctg:partner",)),
     ("country/uzbekistan", NAME),
     ("org/ctitf-entities", (*NAME, "org:memberOf", "schema:memberOf")),
     ("region/central-asia", ("ctg:memberCountry", "schema:containsPlace")))
for acronym in ("CARICC", "CICA", "CIS", "CSTO", "INTERPOL", "NATO", "OIC", "OSCE", "ODIHR"):
    cite(S, f"{acronym}, ", (f"org/{acronym.lower()}", (*TYPE, *ACRONYM)))
cite(S, "CSTO, EU, ", ("org/european-union", TYPE))
cite(S, "SCO-RATS and SCO", ("org/sco-rats", (*TYPE, *ACRONYM)), ("org/sco", (*TYPE, *ACRONYM)))
cite(S, "regional organizations including CARICC", ("phase/3", ("ctg:partner",)))
cite(S, "launched during a High-Level Meeting in Ashgabat, Turkmenistan, on 30 April 2018",
     ("phase/3", ("schema:startDate", "ctg:launchedAt")),
     ("event/high-level-meeting-2018", (*NAME, "ctg:partOfPhase", *DATES, *PLACE,
                                        "schema:organizer")))
PHASE3 = ("rdf:type", "rdfs:label", "schema:name", "ctg:partOfPhase", "schema:organizer")
for exact, slug, extra, *occurrence in [
    ("Regional Workshop I", "event/phase-3-regional-workshop-1", ("ctg:ordinal",), 4),
    ("Regional Workshop II", "event/phase-3-regional-workshop-2", ("ctg:ordinal",), 3),
    ("Regional Training II", "event/phase-3-regional-training-2", ("ctg:ordinal",)),
    ("Coordination meeting II on PVE/CT activities in CA", "event/phase-3-coordination-meeting-2",
     ("ctg:ordinal", "ctg:concerns")),
    ("Eurasian Forum on anti-money laundering & combating financing of terrorism",
     "event/eurasian-forum-aml-cft", ()),
    ("Regional Training “Countering the use of the internet for propaganda and recruitment "
     "purposes in Central Asia\"", "event/phase-3-regional-training-internet-propaganda",
     ("ctg:concerns",)),
    ("Training “Countering the Financing of Terrorism”",
     "event/phase-3-training-countering-financing-of-terrorism", ()),
    ("Training “Good practices in border security & management to strengthen national & "
     "international capacities in countering terrorism”", "event/phase-3-training-border-security",
     ()),
    ("Working group meeting II on development of national strategy of Turkmenistan on PVE/CT",
     "event/phase-3-working-group-meeting-2", ("ctg:ordinal", "ctg:concerns")),
    ("Capacity Building Workshops on Implementation of Financial Action Task Force Recommendation 8",
     "event/phase-3-fatf-r8-capacity-building-workshops", ("ctg:concerns",)),
    ("National Workshop on Biometric Data and Counter Terrorism",
     "event/phase-3-national-workshop-biometric-data", ()),
    ("Regional Consultations on Counter-Terrorism and New Technologies",
     "event/phase-3-regional-consultations-new-technologies", ()),
    ("Regional Training Course on PVE/CT", "event/phase-3-regional-training-course-pve-ct", ()),
    ("Workshop on Implementation of Financial Action Task Force Recommendation 8",
     "event/phase-3-fatf-r8-workshop", ("ctg:concerns",)),
]:
    cite(S, exact, (slug, (*PHASE3, *extra)), nth=occurrence[0] if occurrence else 1)
cite(S, "Financial Action Task Force Recommendation 8",
     ("doc/fatf-recommendation-8", (*NAME, "ctg:issuedBy")), ("org/fatf", NAME))
cite(S, "National Strategy on prevention of violent extremism and countering terrorism for "
        "2020-2024 adopted",
     ("activity/adoption-national-strategy-2020-2024", ("rdf:type", "rdfs:label", "schema:name",
                                                   "ctg:partOfPhase", "ctg:adopts")),
     ("doc/national-strategy-pve-ct-2020-2024", (*NAME, "schema:temporalCoverage")))
cite(S, "Publication: Compendium of good practices on the protection of critical infrastructure "
        "against terrorist attacks",
     ("activity/publication-compendium-critical-infrastructure", ("rdf:type", "rdfs:label",
                                                             "schema:name", "ctg:partOfPhase",
                                                             "ctg:produced")),
     ("doc/compendium-critical-infrastructure-protection", ACRONYM))
cite(S, "Adoption of a New Joint Plan of Action",
     ("activity/adoption-new-jpoa", ("rdf:type", "rdfs:label", "schema:name", "ctg:partOfPhase",
                                "ctg:adopts")),
     ("doc/new-jpoa", NAME))
cite(S, "Infographics on the Joint Plan of Action",
     ("activity/infographics-jpoa", ("rdf:type", "rdfs:label", "schema:name", "ctg:partOfPhase")))
cite(S, "E-learning course on Human Rights and Counter-Terrorism in CA",
     ("activity/e-learning-human-rights-ct", ("rdf:type", "rdfs:label", "schema:name",
                                         "ctg:partOfPhase", "ctg:concerns")))
cite(S, "Towards the Implementation of the Joint Plan of Action for the United Nations Global "
        "Counter-Terrorism Strategy in Central Asia",
     ("doc/implementing-partners-page", (*NAME, "ctg:concerns")), ("source/web-page", ("ctg:cites",)))
# Materials
cite(S, "Materials", ("source/web-page", ("rdf:type", "ctg:cites", "schema:about")))
cite(S, "UN Security Council Resolution 2370 (2017) on Preventing Terrorists from Acquiring Weapons",
     ("doc/s-res-2370-2017", (*NAME, "schema:identifier", "ctg:issuedBy")),
     ("org/un-security-council", (*NAME, "ctg:subOrganizationOf", "schema:parentOrganization")))
cite(S, "August 2007", ("doc/s-res-2370-2017", ("schema:datePublished", "ctg:hasSourceError")),
     cid="000-s-res-2370-date")
cite(S, "United Nations Global Counter-Terrorism Strategy, from General Assembly resolution 60/288",
     ("doc/un-global-counter-terrorism-strategy", (*NAME, "dct:isPartOf", "schema:isPartOf")))
cite(S, "General Assembly resolution 60/288",
     ("doc/a-res-60-288", (*NAME, "schema:identifier", "ctg:issuedBy", "ctg:adoptedBy")))
cite(S, "8 September 2006", ("doc/a-res-60-288", ("schema:datePublished",)))
cite(S, "United Nations General Assembly Adopts Global Counter-Terrorism Strategy",
     ("doc/ga-adopts-gcts", (*NAME, "ctg:concerns")), ("doc/un-global-counter-terrorism-strategy", ("ctg:adoptedBy",)),
     ("org/un-general-assembly", ("ctg:subOrganizationOf", "schema:parentOrganization")),
     ("org/united-nations", ("rdf:type", "rdfs:label", "schema:name")))
cite(S, "United Nations Global Counter-Terrorism Strategy: activities of the United Nations system "
        "in implementing the Strategy",
     ("doc/sg-report-2012-04-04", (*NAME, "ctg:concerns")))
cite(S, "4 April 2012", ("doc/sg-report-2012-04-04", ("schema:datePublished",)))
cite(S, "Activities of the United Nations system in implementing the United Nations Global "
        "Counter-Terrorism Strategy (Report by Secretary-General, A70/826)",
     ("doc/a-70-826", (*NAME, "ctg:issuedBy", "ctg:concerns")),
     ("org/un-secretary-general", NAME))
cite(S, "A70/826", ("doc/a-70-826", ("schema:identifier", "ctg:hasSourceError")),
     cid="000-a-70-826-symbol")
cite(S, "Plan of Action to Prevent Violent Extremism (Report by Secretary-General, A70/674)",
     ("doc/a-70-674", (*NAME, "ctg:issuedBy")),
     ("org/un-secretary-general", ("rdf:type",)))
cite(S, "A70/674", ("doc/a-70-674", ("schema:identifier", "ctg:hasSourceError")),
     cid="000-a-70-674-symbol")
cite(S, "CTITF Working Group Report on Tackling the Financing of Terrorism",
     ("doc/ctitf-wg-report-financing-of-terrorism", (*NAME, "ctg:issuedBy")))
cite(S, "UN Plan of Action to Safeguard Religious Sites",
     ("doc/un-plan-of-action-religious-sites", NAME))
cite(S, "CTED-OCT Compendium of Good Practices on Critical Infrastructures Protection",
     ("doc/compendium-critical-infrastructure-protection", (*NAME, "ctg:issuedBy")),
     ("org/cted", (*TYPE, *ACRONYM)), ("org/unoct", ("rdf:type",)))
cite(S, "- Joint Plan of Action", ("doc/jpoa-2011", ("rdf:type",)))
# who took part in the consultative process (groups the text names, not their members)
PARTICIPANTS = ("CA countries, regional and international organizations, but also neighboring ones as "
                "well as international partners")
GROUP = ("rdf:type", "rdfs:label", "schema:name", "skos:definition")
cite(S, PARTICIPANTS, ("event/consultative-process-2010-2011", ("ctg:participant",)))
cite(S, "regional and international organizations",
     ("org/regional-and-international-organisations", GROUP))
cite(S, "neighboring ones", ("region/central-asia-neighbours", GROUP))
cite(S, "international partners", ("org/international-partners", GROUP))
cite(S, "gathered leaders of Central Asian States", ("event/high-level-dialogue-2017", ("ctg:participant",)))
# Phase III: implementers said to be those of the previous phases (recorded as an inconsistency)
cite(S, "As with the previous two phases, phase III of this project will be jointly implemented by "
        "UNCCT and UNRCCA",
     ("phase/3", ("ctg:hasSourceError",)), cid="000-phase-3-implementers-as-before")
# Phase III: the four main lines of its activities
LINE = ("rdf:type", "rdfs:label", "skos:prefLabel", "skos:inScheme", "skos:topConceptOf")
cite(S, "The project main activities will include",
     ("phase/3", ("ctg:mainLineOfActivity",)),
     ("line/phase-3", ("rdf:type", "rdfs:label", "skos:prefLabel", "skos:hasTopConcept")))
cite(S, "supporting Central Asian countries in their development of national and regional CT/PVE "
        "strategies", ("line/phase-3-ct-pve-strategies", LINE))
cite(S, "providing capacity-building assistance", ("line/phase-3-capacity-building", LINE))
cite(S, "exchanging best practices in preventing violent extremism",
     ("line/phase-3-pve-good-practices", LINE))
cite(S, "cooperating and coordinating with regional and international organization",
     ("line/phase-3-cooperation-with-organisations", LINE))

# ======================================================================= source 001
S = "001"
cite(S, "In 2010-2011", ("phase/1", ("schema:startDate", "schema:endDate")))
cite(S, "Counter-Terrorism Implementation Task Force (CTITF) of the United Nations",
     ("org/ctitf", (*NAME, *ACRONYM, "ctg:subOrganizationOf", "schema:parentOrganization")),
     ("org/united-nations", NAME))
cite(S, "UN Regional Center for Preventive Diplomacy for Central Asia (UNRCCA)",
     ("org/unrcca", (*TYPE, *ACRONYM, "skos:hiddenLabel")))
cite(S, "with financial support from the EU and the Government of the Kingdom of Norway",
     ("phase/1", ("ctg:fundedBy", "schema:funder")),
     ("org/european-union", (*TYPE, *ACRONYM)),
     ("org/government-of-norway", (*NAME, "ctg:governmentOf")),
     ("country/norway", NAME))
cite(S, "implemented a project", ("project/un-gcts-central-asia", TYPE),
     ("phase/1", ("rdf:type", "ctg:phaseOf", "ctg:implementedBy")))
cite(S, "the four pillars of the UN Global Counter-Terrorism Strategy",
     ("pillar/scheme", ("rdf:type", "dct:source")),
     ("phase/1", ("ctg:concerns",)), ("project/un-gcts-central-asia", ("ctg:concerns",)),
     ("doc/un-global-counter-terrorism-strategy", TYPE))
cite(S, "Joint Plan of Action (JPoA) for implementing the UN Global Counter Terrorism Strategy in Central",
     ("doc/jpoa-2011", ("rdf:type", *ACRONYM, "ctg:concerns", "ctg:hasSourceError")),
     ("phase/1", ("ctg:produced",)), cid="001-jpoa-title")
cite(S, "four Central Asian countries of Kazakhstan, Kyrgyzstan, Tajikistan and Turkmenistan",
     ("doc/jpoa-2011", ("ctg:adoptedBy",)),
     ("doc/joint-ashgabat-declaration", ("ctg:adoptedBy",)),
     ("event/high-level-meeting-2011", ("ctg:participant",)),
     ("country/kazakhstan", NAME), ("country/kyrgyzstan", NAME),
     ("country/tajikistan", NAME), ("country/turkmenistan", NAME),
     ("region/central-asia", ("rdf:type", "ctg:memberCountry", "schema:containsPlace")))
cite(S, "Joint Ashgabat Declaration",
     ("doc/joint-ashgabat-declaration", (*NAME, "ctg:adoptedAt")),
     ("event/high-level-meeting-2011", ("ctg:adopts",)))
cite(S, "High Level Meeting held in Ashgabat, Turkmenistan in November 2011",
     ("event/high-level-meeting-2011", ("rdf:type", "ctg:partOfPhase", "schema:location",
                                        "schema:startDate", "schema:endDate")),
     ("doc/jpoa-2011", ("ctg:adoptedAt", "schema:datePublished")),
     ("doc/joint-ashgabat-declaration", ("schema:datePublished",)),
     ("city/ashgabat", (*NAME, "schema:containedInPlace")))
cite(S, "one-year consultative process",
     ("event/consultative-process-2010-2011", ("rdf:type", "ctg:statedDuration", "ctg:partOfPhase",
                                                "ctg:produced")))
cite(S, "three expert meetings were held to review the four pillars",
     ("event/consultative-process-2010-2011", ("ctg:addressesPillar", "schema:about")))
cite(S, "approximately 60 expert representatives",
     ("event/consultative-process-2010-2011", ("ctg:approximateParticipantCount",)))
cite(S, "CA countries", ("region/central-asia", (*NAME, *ACRONYM)))
cite(S, "A second phase of the project was launched in September 2013",
     ("phase/2", ("rdf:type", "ctg:phaseOf", "schema:startDate")))
cite(S, "implementing the initiatives identified in JPoA", ("phase/2", ("ctg:basedOn", "ctg:concerns")))
cite(S, "The three year project of CTITF and the UNRCCA",
     ("phase/2", ("ctg:statedDuration", "ctg:implementedBy")))
cite(S, "the European Union and the Government of Norway",
     ("phase/2", ("ctg:fundedBy", "schema:funder")),
     ("org/european-union", NAME), ("org/government-of-norway", ACRONYM))
cite(S, "The Phase II of the Project", ("phase/2", ("rdfs:label", "schema:name", "ctg:ordinal")))
cite(S, "Substantive reports of these meetings are available in English and in Russian",
     ("doc/phase-2-meeting-reports", (*NAME, "schema:inLanguage", "ctg:concerns")))
cite(S, "the project led to two outputs:",
     ("phase/2", ("ctg:statedOutputCount", "ctg:hasSourceError")), cid="001-phase-2-outputs")
cite(S, "in Ashgabat in November 2011", ("doc/jpoa-2011", ("schema:datePublished",)))
cite(S, PARTICIPANTS, ("event/consultative-process-2010-2011", ("ctg:participant",)))
cite(S, "regional and international organizations",
     ("org/regional-and-international-organisations", GROUP))
cite(S, "neighboring ones", ("region/central-asia-neighbours", GROUP))
cite(S, "international partners", ("org/international-partners", GROUP))
cite(S, "on pages of the events",
     ("doc/phase-2-meeting-reports", ("dct:isPartOf", "schema:isPartOf")),
     ("doc/phase-2-event-pages", (*NAME, "ctg:concerns")))


# ======================================================================= generator
PREFIXES = {
    "rdf": str(RDF), "rdfs": str(RDFS), "schema": str(SCHEMA), "skos": str(SKOS),
    "dct": str(DCT), "ctg": str(CTG), "org": "http://www.w3.org/ns/org#",
}


def expand(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def locate(text: str, exact: str, nth: int) -> int:
    start = -1
    for _ in range(nth):
        start = text.find(exact, start + 1)
        if start < 0:
            raise SystemExit(f"span not found (occurrence {nth}): {exact!r}")
    return start


def build(seeds: Path) -> Dataset:
    texts = {sid: (seeds / name).read_bytes().decode("utf-8") for sid, name in SOURCE_FILES.items()}
    ds = Dataset()
    for prefix, ns in [("ctg", CTG), ("oa", OA), ("cite", BASE + "citation/"),
                       ("source", BASE + "source/")]:
        ds.bind(prefix, ns)
    g = ds.graph(URIRef(BASE + "graph/provenance"))
    used: set[str] = set()
    for source, exact, nth, claims, cid in CITATIONS:
        text = texts[source]
        start = locate(text, exact, nth)
        end = start + len(exact)
        for subject, properties in claims:
            base_id = cid or f"{source}-{slugify(subject.split('/', 1)[1])}"
            local = base_id if not cid or len(claims) == 1 else f"{base_id}-{slugify(subject)}"
            n, candidate = 1, local
            while candidate in used:
                n += 1
                candidate = f"{local}-{n}"
            used.add(candidate)
            c = URIRef(BASE + "citation/" + candidate)
            target = URIRef(f"{c}#target")
            pos = URIRef(f"{c}#position")
            quote = URIRef(f"{c}#quote")
            g.add((c, RDF.type, CTG.Citation))
            g.add((c, RDF.type, OA.Annotation))
            g.add((c, OA.motivatedBy, OA.identifying))
            g.add((c, OA.hasBody, URIRef(BASE + subject)))
            for prop in properties:
                g.add((c, CTG.citedProperty, expand(prop)))
            g.add((c, OA.hasTarget, target))
            g.add((target, RDF.type, OA.SpecificResource))
            g.add((target, OA.hasSource, URIRef(BASE + "source/" + source)))
            g.add((target, OA.hasSelector, pos))
            g.add((target, OA.hasSelector, quote))
            g.add((pos, RDF.type, OA.TextPositionSelector))
            g.add((pos, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
            g.add((pos, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
            g.add((quote, RDF.type, OA.TextQuoteSelector))
            g.add((quote, OA.exact, Literal(exact)))
    return ds


def main(argv: list[str]) -> int:
    seeds = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / ".." / "shared" / "seeds"
    ds = build(seeds)
    out = Path(__file__).resolve().parents[1] / "data" / "citations.trig"
    header = ("# Generated by tools/build_citations.py from its citation spec and the source texts;\n"
              "# do not edit by hand. Offsets count Unicode code points of the UTF-8 text.\n")
    out.write_text(header + ds.serialize(format="trig"), encoding="utf-8")
    for sid, name in SOURCE_FILES.items():
        digest = hashlib.sha256((seeds / name).read_bytes()).hexdigest()
        print(f"{sid}: {name} sha256={digest}")
    print(f"wrote {out} ({len(ds)} quads)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
