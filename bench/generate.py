"""Deterministic synthetic graphs in ctgraph's own model, for benchmarks.

    python bench/generate.py --triples 100000 --seed 1 -o bench/work/g100k.nq

Writes N-Quads as a stream (so 10M triples need no memory): countries, cities, organisations
with parents, the three phases, events with names, dates, cities, organisers, funders,
pillars and phases, documents with UN symbols and dates, and a citation per event, spread
over the same named graphs as the bundled data. The same seed gives the same bytes.
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


def generate(triples: int, seed: int, out) -> int:
    rng = random.Random(seed)
    w = Writer(out, triples)
    scale = max(1, triples // 20000)
    countries = [f"{B}country/c{i}" for i in range(10 + scale)]
    for i, c in enumerate(countries):
        named(w, c, "Country", "Country", f"Country {i}", G000)
        w.quad(c, CTG + "isoAlpha2", lit(f"{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}"), GREF)
    cities = [f"{B}city/t{i}" for i in range(5 * len(countries))]
    for i, c in enumerate(cities):
        named(w, c, "City", "City", f"City {i}", G000)
        w.quad(c, S + "containedInPlace", iri(countries[i % len(countries)]), G000)
    orgs = [f"{B}org/o{i}" for i in range(20 + 2 * scale)]
    for i, o in enumerate(orgs):
        named(w, o, "IntergovernmentalOrganization", "Organization", f"Organisation {i}", G000)
        w.quad(o, S + "alternateName", lit(f"ORG{i}", "en"), G000)
        if i >= 5:
            parent = orgs[rng.randrange(0, i // 2 + 1)]
            w.quad(o, CTG + "subOrganizationOf", iri(parent), G000)
            w.quad(o, S + "parentOrganization", iri(parent), G000)
    pillars = [f"{B}pillar/{i}" for i in range(1, 5)]
    for i, p in enumerate(pillars, 1):
        w.quad(p, RDF_TYPE, iri(CTG + "Pillar"), GREF)
        notation = ["I", "II", "III", "IV"][i - 1]
        w.quad(p, "http://www.w3.org/2004/02/skos/core#notation", lit(notation), GREF)
    phases = [f"{B}phase/{i}" for i in range(1, 4)]
    for i, p in enumerate(phases, 1):
        named(w, p, "ProjectPhase", "Project", f"Phase {i}", G000)
        w.quad(p, CTG + "ordinal", lit(str(i), datatype=XSD + "integer"), G000)
    n = 0
    while not w.full:
        n += 1
        e = f"{B}event/e{n}"
        phase = rng.randrange(3)
        year = 2010 + phase * 4 + rng.randrange(4)
        start = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 27):02d}"
        end = start[:-2] + f"{int(start[-2:]) + rng.randrange(0, 3):02d}"
        g = G000 if rng.random() < 0.8 else G001
        kind = rng.choice(EVENT_KINDS)
        named(w, e, kind, "Event", f"Regional Workshop {n}: {rng.choice(TOPICS)}", g)
        w.quad(e, S + "startDate", lit(start, datatype=XSD + "date"), g)
        w.quad(e, S + "endDate", lit(end, datatype=XSD + "date"), g)
        w.quad(e, S + "location", iri(rng.choice(cities)), g)
        w.quad(e, S + "organizer", iri(rng.choice(orgs)), g)
        w.quad(e, S + "funder", iri(rng.choice(orgs)), g)
        w.quad(e, S + "about", iri(rng.choice(pillars)), g)
        w.quad(e, CTG + "partOfPhase", iri(phases[phase]), g)
        if n % 4 == 0:
            d = f"{B}doc/d{n}"
            title = f"General Assembly resolution {60 + n % 20}/{n}"
            named(w, d, "GAResolution", "CreativeWork", title, G000)
            w.quad(d, S + "identifier", lit(f"A/RES/{60 + n % 20}/{n}"), G000)
            w.quad(d, S + "datePublished", lit(start, datatype=XSD + "date"), G000)
            w.quad(e, CTG + "concerns", iri(d), G000)
        c = f"{B}citation/c{n}"
        w.quad(c, RDF_TYPE, iri(CTG + "Citation"), GPROV)
        w.quad(c, OA + "hasBody", iri(e), GPROV)
        w.quad(c, CTG + "citedProperty", iri(S + "name"), GPROV)
        w.quad(c, OA + "start", lit(str(n * 10), datatype=XSD + "nonNegativeInteger"), GPROV)
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
