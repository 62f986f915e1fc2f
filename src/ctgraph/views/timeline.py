"""The project in time: every dated event on an axis, one row per country, and what has no
date listed beside it.

`build_timeline(store)` reads the graph (one SPARQL query) and lays the items out; the
``/timeline`` page only draws what it returns. Dates keep the precision the sources give
(xsd:date, xsd:gYearMonth, xsd:gYear): a month or a year is drawn as the whole period it
names, never narrowed to an invented day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

import pyoxigraph as ox

from ctgraph.graph.store import GraphStore
from ctgraph.views.search import resource_path

XSD = "http://www.w3.org/2001/XMLSchema#"

FAMILIES: dict[str, str] = {
    "meeting": "Meetings, consultations and forums",
    "workshop": "Workshops",
    "training": "Trainings and courses",
    "other": "Other events and activities",
}
"""Kind families, each drawn with its own marker shape (colour says the phase)."""

NO_PHASE = "Not part of a phase"
NO_PLACE = "No place stated"

_QUERY = """
PREFIX ctg: <https://w3id.org/ctgraph/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?item ?label ?class ?kind ?family ?start ?end ?phase ?ordinal ?phaseLabel
       ?phaseStart ?phaseEnd ?city ?cityLabel ?country ?countryLabel ?isEvent WHERE {
  { ?item a schema:Event } UNION { ?item ctg:partOfPhase ?anyPhase }
  BIND(EXISTS { ?item a schema:Event } AS ?isEvent)
  OPTIONAL { ?item rdfs:label ?label FILTER(LANG(?label) = "en") }
  OPTIONAL {
    ?item a ?class . ?class rdfs:label ?kind FILTER(LANG(?kind) = "en")
    FILTER(STRSTARTS(STR(?class), STR(ctg:)))
    FILTER NOT EXISTS { ?item a ?sub . ?sub rdfs:subClassOf+ ?class FILTER(?sub != ?class) }
    BIND(IF(EXISTS { ?class rdfs:subClassOf* ctg:Workshop }, "workshop",
         IF(EXISTS { ?class rdfs:subClassOf* ctg:Training }, "training",
         IF(EXISTS { ?class rdfs:subClassOf* ctg:Meeting }, "meeting", "other"))) AS ?family)
  }
  OPTIONAL { ?item schema:startDate ?start
             FILTER NOT EXISTS { ?item schema:startDate ?finer_start
                                 FILTER(STRLEN(STR(?finer_start)) > STRLEN(STR(?start))) } }
  OPTIONAL { ?item schema:endDate ?end
             FILTER NOT EXISTS { ?item schema:endDate ?finer_end
                                 FILTER(STRLEN(STR(?finer_end)) > STRLEN(STR(?end))) } }
  OPTIONAL {
    ?item ctg:partOfPhase ?phase .
    OPTIONAL { ?phase ctg:ordinal ?ordinal }
    OPTIONAL { ?phase rdfs:label ?phaseLabel FILTER(LANG(?phaseLabel) = "en") }
    OPTIONAL { ?phase schema:startDate ?phaseStart }
    OPTIONAL { ?phase schema:endDate ?phaseEnd }
  }
  OPTIONAL {
    ?item schema:location ?city .
    OPTIONAL { ?city rdfs:label ?cityLabel FILTER(LANG(?cityLabel) = "en") }
    OPTIONAL {
      ?city schema:containedInPlace ?country . ?country a schema:Country .
      OPTIONAL { ?country rdfs:label ?countryLabel FILTER(LANG(?countryLabel) = "en") }
    }
  }
}
"""

_PHASES_QUERY = """
PREFIX ctg: <https://w3id.org/ctgraph/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?phase ?ordinal ?label ?start ?end WHERE {
  ?phase a ctg:ProjectPhase .
  OPTIONAL { ?phase ctg:ordinal ?ordinal }
  OPTIONAL { ?phase rdfs:label ?label FILTER(LANG(?label) = "en") }
  OPTIONAL { ?phase schema:startDate ?start }
  OPTIONAL { ?phase schema:endDate ?end }
}
"""


@dataclass(frozen=True)
class Period:
    """A date as precise as stated: the first and last day it covers, and how to say it."""

    first: dt.date
    last: dt.date
    precision: str
    """"day", "month" or "year"."""
    lexical: str

    def text(self) -> str:
        if self.precision == "day":
            return f"{self.first.day} {calendar.month_name[self.first.month]} {self.first.year}"
        if self.precision == "month":
            return f"{calendar.month_name[self.first.month]} {self.first.year}"
        return str(self.first.year)


def parse_period(literal: ox.Literal | None) -> Period | None:
    """An xsd:date / xsd:dateTime / xsd:gYearMonth / xsd:gYear literal as a Period; None for
    anything else (a malformed or unknown date is left off the axis rather than guessed)."""
    if not isinstance(literal, ox.Literal):
        return None
    datatype, value = literal.datatype.value, literal.value.strip()
    try:
        if datatype in (f"{XSD}date", f"{XSD}dateTime"):
            day = dt.date.fromisoformat(value[:10])
            return Period(day, day, "day", value)
        if datatype == f"{XSD}gYearMonth":
            year, month = int(value[:4]), int(value[5:7])
            last = calendar.monthrange(year, month)[1]
            return Period(dt.date(year, month, 1), dt.date(year, month, last), "month", value)
        if datatype == f"{XSD}gYear":
            year = int(value[:4])
            return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", value)
    except ValueError:
        return None
    return None


def date_range_text(start: Period | None, end: Period | None) -> str:
    """"15–16 December 2010", "July 2016", "2010–2011", "from September 2013"."""
    if start is None:
        return f"until {end.text()}" if end else "undated"
    if end is None or end == start or end.lexical == start.lexical:
        return start.text()
    a, b = start.first, end.first
    if start.precision == end.precision == "day":
        if a.year == b.year and a.month == b.month:
            return f"{a.day}–{b.day} {calendar.month_name[a.month]} {a.year}"
        if a.year == b.year:
            return (f"{a.day} {calendar.month_name[a.month]} – {b.day} "
                    f"{calendar.month_name[b.month]} {a.year}")
    return f"{start.text()} – {end.text()}"


@dataclass
class Phase:
    iri: str
    path: str | None
    label: str
    ordinal: int | None
    start: Period | None
    end: Period | None

    @property
    def key(self) -> str:
        return f"phase-{self.ordinal}" if self.ordinal else "phase-none"


@dataclass
class Item:
    """An event or activity of the project, with where and when as the sources state."""

    iri: str
    path: str | None
    label: str
    kind: str
    family: str
    is_event: bool
    start: Period | None = None
    end: Period | None = None
    phase: Phase | None = None
    city: str | None = None
    country_iri: str | None = None
    country: str | None = None
    number: int = 0
    """1-based position among the dated events, shown on the marker and in the table."""
    x: float = 0.0
    x_end: float = 0.0
    lane: int = 0

    @property
    def when(self) -> str:
        return date_range_text(self.start, self.end)

    @property
    def place(self) -> str:
        parts = [p for p in (self.city, self.country) if p]
        return ", ".join(dict.fromkeys(parts)) or NO_PLACE

    @property
    def phase_label(self) -> str:
        return self.phase.label if self.phase else NO_PHASE

    @property
    def phase_key(self) -> str:
        return self.phase.key if self.phase else "phase-none"

    def description(self) -> str:
        """What a screen reader says for the marker."""
        return (f"{self.number}. {self.label} — {self.when}; {self.place}; "
                f"{self.phase_label}; {self.kind}")


@dataclass
class Row:
    """One country (or "no place stated") and its dated events, in lanes that do not overlap."""

    key: str
    label: str
    items: list[Item] = field(default_factory=list)
    lanes: int = 1


@dataclass
class Timeline:
    first_year: int
    last_year: int
    phases: list[Phase]
    rows: list[Row]
    dated: list[Item]
    undated: dict[str, list[Item]]
    """Undated events and activities by phase label, phases in order."""
    families: dict[str, str]
    """Family → the kinds present in it, for the legend."""

    def x(self, day: dt.date) -> float:
        """Position of a day on the axis, 0 at 1 January of the first year, 1 after the last."""
        start = dt.date(self.first_year, 1, 1)
        stop = dt.date(self.last_year + 1, 1, 1)
        return (day - start).days / (stop - start).days

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


def _phase_from(row: ox.QuerySolution, names: dict[str, str]) -> Phase:
    """A Phase from a solution whose variables are named by `names` (phase, ordinal, …)."""
    iri = row[names["phase"]].value
    ordinal_term = row[names["ordinal"]]
    label_term = row[names["label"]]
    ordinal = int(ordinal_term.value) if ordinal_term is not None else None
    return Phase(
        iri=iri, path=resource_path(iri),
        label=label_term.value if label_term is not None else iri.rsplit("/", 1)[-1],
        ordinal=ordinal, start=parse_period(row[names["start"]]),
        end=parse_period(row[names["end"]]),
    )


def _value(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str | None:
    return None if term is None else term.value


def build_timeline(store: GraphStore, *, min_gap: float = 0.025) -> Timeline:
    """Read the events and activities from `store` and lay them out.

    Markers closer than `min_gap` (a fraction of the axis) in one row go to separate lanes.
    """
    phases: dict[str, Phase] = {}
    result = store.query(_PHASES_QUERY)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        phase = _phase_from(row, {"phase": "phase", "ordinal": "ordinal", "label": "label",
                                  "start": "start", "end": "end"})
        phases.setdefault(phase.iri, phase)

    items: dict[str, Item] = {}
    result = store.query(_QUERY)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        iri = row["item"].value
        item = items.get(iri)
        if item is None:
            item = items[iri] = Item(
                iri=iri, path=resource_path(iri),
                label=_value(row["label"]) or iri.rsplit("/", 1)[-1],
                kind=_value(row["kind"]) or ("event" if row["isEvent"].value == "true"
                                             else "activity"),
                family=_value(row["family"]) or "other",
                is_event=row["isEvent"].value == "true",
            )
        item.start = item.start or parse_period(row["start"])
        item.end = item.end or parse_period(row["end"])
        if item.phase is None and row["phase"] is not None:
            item.phase = phases.get(row["phase"].value) or _phase_from(row, {
                "phase": "phase", "ordinal": "ordinal", "label": "phaseLabel",
                "start": "phaseStart", "end": "phaseEnd"})
        item.city = item.city or _value(row["cityLabel"])
        if item.country_iri is None and row["country"] is not None:
            item.country_iri = row["country"].value
            item.country = _value(row["countryLabel"]) or item.country_iri.rsplit("/", 1)[-1]

    def phase_order(phase: Phase | None) -> tuple[int, str]:
        return (phase.ordinal or 99, phase.label) if phase else (100, "")

    dated = sorted(
        (i for i in items.values() if i.is_event and i.start is not None),
        key=lambda i: (i.start.first, i.label),  # type: ignore[union-attr]
    )
    undated_items = sorted(
        (i for i in items.values() if i not in dated),
        key=lambda i: (phase_order(i.phase), i.start is not None, i.label.casefold()),
    )
    undated: dict[str, list[Item]] = {}
    for item in undated_items:
        undated.setdefault(item.phase_label, []).append(item)

    days = [p.first for i in dated for p in (i.start, i.end) if p]
    days += [p.first for ph in phases.values() for p in (ph.start, ph.end) if p]
    days += [p.last for i in dated for p in (i.start, i.end) if p]
    today = dt.date.today()
    first_year = min((d.year for d in days), default=today.year)
    last_year = max((d.year for d in days), default=today.year)

    timeline = Timeline(
        first_year=first_year, last_year=last_year,
        phases=sorted(phases.values(), key=phase_order),
        rows=[], dated=dated, undated=undated, families={},
    )
    rows: dict[str, Row] = {}
    for number, item in enumerate(dated, start=1):
        item.number = number
        assert item.start is not None
        item.x = timeline.x(item.start.first)
        item.x_end = timeline.x((item.end or item.start).last + dt.timedelta(days=1))
        key = item.country_iri or "none"
        rows.setdefault(key, Row(key, item.country or NO_PLACE)).items.append(item)
    for row in rows.values():
        lane_ends: list[float] = []
        for item in row.items:
            for lane, end in enumerate(lane_ends):
                if item.x - end >= min_gap:
                    item.lane, lane_ends[lane] = lane, max(item.x, item.x_end)
                    break
            else:
                item.lane = len(lane_ends)
                lane_ends.append(max(item.x, item.x_end))
        row.lanes = max(1, len(lane_ends))
    timeline.rows = sorted(rows.values(), key=lambda r: (r.key == "none", r.label.casefold()))

    present: dict[str, list[str]] = {family: [] for family in FAMILIES}
    for item in items.values():
        kinds = present.setdefault(item.family, [])
        if item.kind not in kinds:
            kinds.append(item.kind)
    timeline.families = {f: ", ".join(sorted(k)) for f, k in present.items() if k}
    return timeline
