"""Deterministic synthetic graphs in ctgraph's own model, for benchmarks.

    python bench/generate.py --triples 100000 --seed 1 -o bench/work/g100k.nq

Writes N-Quads as a stream (so 10M triples need no memory): countries and cities (with ISO
codes and Russian names), organisations with parents, the pillar scheme, a project and its
three phases, events with names, dates, cities, organisers, funders, pillars and phases,
documents with UN symbols and dates, and a Web Annotation citation (position and quote in a
synthetic source text) for every cited statement, spread over the same named graphs as the
bundled data. About half of the early events are stated in both source graphs, as the real
sources overlap. The output conforms to shapes/ (`ctgraph validate` finds no violation).
The same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

B = "https://w3id.org/ctgraph/"
CTG = B + "ontology#"
S = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OA = "http://www.w3.org/ns/oa#"
XSD = "http://www.w3.org/2001/XMLSchema#"
G000, G001, GREF, GPROV = (B + "graph/source-000", B + "graph/source-001", B + "graph/reference",
                           B + "graph/provenance")
EVENT_KINDS = ("ExpertMeeting", "RegionalWorkshop", "RegionalTraining", "HighLevelMeeting",
               "Forum", "Consultation", "CoordinationMeeting", "WorkingGroupMeeting")
TOPICS = ("Border Security", "Countering the Financing of Terrorism", "Engaging the Media",
          "Preventing Violent Extremism", "Human Rights", "New Technologies", "Biometric Data",
          "Critical Infrastructure", "Religious Leaders", "Internet Propaganda")


def iri(x: str) -> str:
    return f"<{x}>"


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text + (f"@{lang}" if lang else f"^^<{datatype}>" if datatype else "")


class Writer:
    def __init__(self, out, limit: int):
        self.out, self.limit, self.count = out, limit, 0

    def quad(self, s: str, p: str, o: str, g: str) -> None:
        self.out.write(f"{iri(s)} {iri(p)} {o} {iri(g)} .\n")
        self.count += 1

    @property
    def full(self) -> bool:
        return self.count >= self.limit


def named(w: Writer, s: str, cls: str, schema_cls: str, name: str, g: str) -> None:
    w.quad(s, RDF_TYPE, iri(CTG + cls), g)
    w.quad(s, RDF_TYPE, iri(S + schema_cls), g)
    w.quad(s, S + "name", lit(name, "en"), g)
    w.quad(s, LABEL, lit(name, "en"), g)


SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
OA_TYPES = (OA + "Annotation", CTG + "Citation")
SOURCE_SIZE = 10**9
"""Characters of each synthetic source text: every generated offset fits in it."""


class Citations:
    """One Web Annotation per (resource, properties, source graph), shaped like
    data/citations.trig: a target with a position and a quote selector in a source text."""

    def __init__(self, w: Writer):
        self.w, self.n, self.offset = w, 0, 0

    def cite(self, body: str, properties: tuple[str, ...], quote: str, graph: str) -> None:
        self.n += 1
        c = f"{B}citation/g{self.n}"
        source = SOURCES[graph]
        w = self.w
        for t in OA_TYPES:
            w.quad(c, RDF_TYPE, iri(t), GPROV)
        w.quad(c, OA + "hasBody", iri(body), GPROV)
        w.quad(c, OA + "motivatedBy", iri(OA + "identifying"), GPROV)
        for prop in properties:
            w.quad(c, CTG + "citedProperty", iri(prop), GPROV)
        target, position, exact = c + "#target", c + "#position", c + "#quote"
        w.quad(c, OA + "hasTarget", iri(target), GPROV)
        w.quad(target, RDF_TYPE, iri(OA + "SpecificResource"), GPROV)
        w.quad(target, OA + "hasSource", iri(source), GPROV)
        w.quad(target, OA + "hasSelector", iri(position), GPROV)
        w.quad(target, OA + "hasSelector", iri(exact), GPROV)
        self.offset += 1 + len(quote)
        start, end = self.offset - len(quote), self.offset
        w.quad(position, RDF_TYPE, iri(OA + "TextPositionSelector"), GPROV)
        w.quad(position, OA + "start", lit(str(start), datatype=XSD + "nonNegativeInteger"),
               GPROV)
        w.quad(position, OA + "end", lit(str(end), datatype=XSD + "nonNegativeInteger"), GPROV)
        w.quad(exact, RDF_TYPE, iri(OA + "TextQuoteSelector"), GPROV)
        w.quad(exact, OA + "exact", lit(quote), GPROV)


SOURCES = {G000: B + "source/synthetic-000", G001: B + "source/synthetic-001"}
PAGE = B + "source/synthetic-page"


def sources(w: Writer) -> None:
    w.quad(PAGE, RDF_TYPE, iri(S + "WebPage"), GPROV)
    w.quad(PAGE, LABEL, lit("Synthetic project page", "en"), GPROV)
    for i, source in enumerate(SOURCES.values()):
        for t in (CTG + "SourceText", "http://www.w3.org/ns/prov#Entity", S + "DigitalDocument"):
            w.quad(source, RDF_TYPE, iri(t), GPROV)
        w.quad(source, LABEL, lit(f"Synthetic source text {i:03d}", "en"), GPROV)
        w.quad(source, S + "name", lit(f"Synthetic source text {i:03d}", "en"), GPROV)
        w.quad(source, CTG + "fileName", lit(f"synthetic-{i:03d}.txt"), GPROV)
        w.quad(source, CTG + "sha256", lit(f"{i:064x}", datatype=XSD + "hexBinary"), GPROV)
        w.quad(source, CTG + "characterCount", lit(str(SOURCE_SIZE), datatype=XSD + "integer"),
               GPROV)
        w.quad(source, DCT + "isVersionOf", iri(PAGE), GPROV)


def generate(triples: int, seed: int, out) -> int:
    """Write about `triples` quads (never fewer) and return how many were written.

    Like the real data, the older source restates many facts of the newer one: about half of
    the events of the first two phases are stated, and cited, in both source graphs."""
    rng = random.Random(seed)
    w = Writer(out, triples)
    cites = Citations(w)
    sources(w)
    scale = max(1, triples // 20000)

    def entity(s: str, cls: str, schema_cls: str, name: str, g: str) -> None:
        named(w, s, cls, schema_cls, name, g)
        cites.cite(s, (RDF_TYPE, S + "name", LABEL), name, g)

    countries = [f"{B}country/c{i}" for i in range(10 + scale)]
    for i, c in enumerate(countries):
        entity(c, "Country", "Country", f"Country {i}", G000)
        letters = f"{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}{chr(65 + i // 676 % 26)}"
        w.quad(c, CTG + "isoAlpha2", lit(letters[:2]), GREF)
        w.quad(c, CTG + "isoAlpha3", lit(letters), GREF)
        w.quad(c, CTG + "isoNumeric", lit(f"{i % 1000:03d}"), GREF)
        for p in (S + "name", LABEL):
            w.quad(c, p, lit(f"Страна {i}", "ru"), GREF)
    cities = [f"{B}city/t{i}" for i in range(5 * len(countries))]
    for i, c in enumerate(cities):
        entity(c, "City", "City", f"City {i}", G000)
        for p in (S + "name", LABEL):
            w.quad(c, p, lit(f"Город {i}", "ru"), GREF)
        w.quad(c, S + "containedInPlace", iri(countries[i % len(countries)]), G000)
        cites.cite(c, (S + "containedInPlace",), f"City {i}", G000)
    orgs = [f"{B}org/o{i}" for i in range(20 + 2 * scale)]
    for i, o in enumerate(orgs):
        entity(o, "IntergovernmentalOrganization", "Organization", f"Organisation {i}", G000)
        w.quad(o, S + "alternateName", lit(f"ORG{i}", "en"), G000)
        w.quad(o, SKOS + "altLabel", lit(f"ORG{i}", "en"), G000)
        props: tuple[str, ...] = (S + "alternateName", SKOS + "altLabel")
        if i >= 5:
            parent = orgs[rng.randrange(0, i // 2 + 1)]
            w.quad(o, CTG + "subOrganizationOf", iri(parent), G000)
            w.quad(o, S + "parentOrganization", iri(parent), G000)
            props += (CTG + "subOrganizationOf", S + "parentOrganization")
        cites.cite(o, props, f"ORG{i}", G000)
    scheme = f"{B}pillar/scheme"
    w.quad(scheme, RDF_TYPE, iri(SKOS + "ConceptScheme"), GREF)
    for p in (LABEL, SKOS + "prefLabel"):
        w.quad(scheme, p, lit("The four pillars", "en"), GREF)
    pillars = [f"{B}pillar/{i}" for i in range(1, 5)]
    for i, p in enumerate(pillars, 1):
        notation = ["I", "II", "III", "IV"][i - 1]
        for t in (CTG + "Pillar", SKOS + "Concept"):
            w.quad(p, RDF_TYPE, iri(t), GREF)
        for prop in (LABEL, SKOS + "prefLabel"):
            w.quad(p, prop, lit(f"Pillar {notation}", "en"), GREF)
        w.quad(p, SKOS + "definition", lit(f"Measures of pillar {notation}.", "en"), GREF)
        w.quad(p, SKOS + "notation", lit(notation), GREF)
        w.quad(p, SKOS + "inScheme", iri(scheme), GREF)
        w.quad(p, SKOS + "topConceptOf", iri(scheme), GREF)
        w.quad(scheme, SKOS + "hasTopConcept", iri(p), GREF)
        w.quad(p, CTG + "ordinal", lit(str(i), datatype=XSD + "integer"), GREF)
    project = f"{B}project/synthetic"
    entity(project, "Project", "Project", "Synthetic project", G000)
    phases = [f"{B}phase/{i}" for i in range(1, 4)]
    for i, p in enumerate(phases, 1):
        entity(p, "ProjectPhase", "Project", f"Phase {i}", G000)
        w.quad(p, CTG + "ordinal", lit(str(i), datatype=XSD + "integer"), G000)
        w.quad(p, CTG + "phaseOf", iri(project), G000)
        w.quad(p, CTG + "implementedBy", iri(orgs[i - 1]), G000)
        w.quad(p, S + "startDate", lit(str(2006 + 4 * i), datatype=XSD + "gYear"), G000)
        w.quad(p, CTG + "fundedBy", iri(orgs[-i]), G000)
        w.quad(p, S + "funder", iri(orgs[-i]), G000)
        cites.cite(p, (CTG + "ordinal", CTG + "phaseOf", CTG + "implementedBy",
                       S + "startDate", CTG + "fundedBy", S + "funder"), f"Phase {i}", G000)
    n = 0
    while not w.full:
        n += 1
        e = f"{B}event/e{n}"
        phase = rng.randrange(3)
        year = 2010 + phase * 4 + rng.randrange(4)
        start = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 27):02d}"
        end = start[:-2] + f"{int(start[-2:]) + rng.randrange(0, 3):02d}"
        kind = rng.choice(EVENT_KINDS)
        name = f"Regional Workshop {n}: {rng.choice(TOPICS)}"
        pillar = rng.choice(pillars)
        city, organiser, funder = rng.choice(cities), rng.choice(orgs), rng.choice(orgs)
        graphs = [G000]
        if phase < 2 and rng.random() < 0.5:
            graphs.append(G001)  # the older text states it too
        for g in graphs:
            named(w, e, kind, "Event", name, g)
            w.quad(e, S + "startDate", lit(start, datatype=XSD + "date"), g)
            w.quad(e, S + "endDate", lit(end, datatype=XSD + "date"), g)
            w.quad(e, S + "location", iri(city), g)
            w.quad(e, S + "organizer", iri(organiser), g)
            w.quad(e, S + "funder", iri(funder), g)
            w.quad(e, S + "about", iri(pillar), g)
            w.quad(e, CTG + "addressesPillar", iri(pillar), g)
            w.quad(e, CTG + "partOfPhase", iri(phases[phase]), g)
            props = (RDF_TYPE, S + "name", LABEL, S + "startDate", S + "endDate",
                     S + "location", S + "organizer", S + "funder", S + "about",
                     CTG + "addressesPillar", CTG + "partOfPhase")
            if kind == "ExpertMeeting":
                w.quad(e, CTG + "ordinal", lit(str(n), datatype=XSD + "integer"), g)
                props += (CTG + "ordinal",)
            cites.cite(e, props, name, g)
        if n % 4 == 0:
            d = f"{B}doc/d{n}"
            title = f"General Assembly resolution {60 + n % 20}/{n}"
            entity(d, "GAResolution", "CreativeWork", title, G000)
            w.quad(d, S + "identifier", lit(f"A/RES/{60 + n % 20}/{n}"), G000)
            w.quad(d, S + "datePublished", lit(start, datatype=XSD + "date"), G000)
            w.quad(e, CTG + "concerns", iri(d), G000)
            cites.cite(d, (S + "identifier", S + "datePublished"), title, G000)
            cites.cite(e, (CTG + "concerns",), title, G000)
    return w.count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as out:
        count = generate(args.triples, args.seed, out)
    print(f"wrote {count:,} quads to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
