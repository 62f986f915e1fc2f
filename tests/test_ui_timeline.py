"""The timeline: date precision, layout, and the /timeline page against SPARQL counts."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import httpx
import pyoxigraph as ox
import pytest

from ctgraph.graph.store import EmbeddedStore, load_bundled
from ctgraph.views.timeline import build_timeline, date_range_text, parse_period

XSD = "http://www.w3.org/2001/XMLSchema#"
DATED_EVENTS = """PREFIX schema: <https://schema.org/>
SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a schema:Event ; schema:startDate ?d }"""


def lit(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return load_bundled()


def count(store: EmbeddedStore, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))[0].value)


def test_periods_keep_their_precision() -> None:
    day = parse_period(lit("2010-12-15", "date"))
    month = parse_period(lit("2016-07", "gYearMonth"))
    year = parse_period(lit("2012", "gYear"))
    assert day and (day.first, day.last, day.precision) == (dt.date(2010, 12, 15),) * 2 + ("day",)
    assert month and (month.first, month.last) == (dt.date(2016, 7, 1), dt.date(2016, 7, 31))
    assert year and (year.first, year.last) == (dt.date(2012, 1, 1), dt.date(2012, 12, 31))
    leap = parse_period(lit("2016-02", "gYearMonth"))
    assert leap and leap.last == dt.date(2016, 2, 29)
    assert parse_period(lit("not a date", "date")) is None
    assert parse_period(ox.Literal("2010")) is None  # a plain string is not a date
    assert parse_period(None) is None


def test_date_ranges_read_naturally() -> None:
    d = lambda v: parse_period(lit(v, "date"))  # noqa: E731
    assert date_range_text(d("2010-12-15"), d("2010-12-16")) == "15–16 December 2010"
    assert date_range_text(d("2011-11-30"), d("2011-11-30")) == "30 November 2011"
    assert date_range_text(d("2011-11-30"), d("2011-12-02")) == "30 November – 2 December 2011"
    assert date_range_text(parse_period(lit("2010", "gYear")),
                           parse_period(lit("2011", "gYear"))) == "2010 – 2011"
    assert date_range_text(parse_period(lit("2016-07", "gYearMonth")), None) == "July 2016"
    assert date_range_text(None, None) == "undated"


def test_every_dated_event_is_on_the_axis_once(store: EmbeddedStore) -> None:
    timeline = build_timeline(store)
    assert len(timeline.dated) == count(store, DATED_EVENTS) > 0
    assert [i.number for i in timeline.dated] == list(range(1, len(timeline.dated) + 1))
    starts = [i.start.first for i in timeline.dated]
    assert starts == sorted(starts)
    on_rows = [i.iri for row in timeline.rows for i in row.items]
    assert sorted(on_rows) == sorted(i.iri for i in timeline.dated)
    for item in timeline.dated:
        assert 0 <= item.x <= item.x_end <= 1
        assert item.path and item.path.startswith("/event/")
    # rows are the countries the events took place in
    countries = {
        row[0].value for row in store.query("""PREFIX schema: <https://schema.org/>
            SELECT DISTINCT ?country WHERE { ?e a schema:Event ; schema:startDate ?d ;
              schema:location/schema:containedInPlace ?country . ?country a schema:Country }""")
    }
    assert {r.key for r in timeline.rows} - {"none"} == countries


def test_undated_items_are_listed_by_phase(store: EmbeddedStore) -> None:
    timeline = build_timeline(store)
    undated = [i for items in timeline.undated.values() for i in items]
    expected = count(store, """PREFIX schema: <https://schema.org/>
        PREFIX ctg: <https://w3id.org/ctgraph/ontology#>
        SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {
          { ?i a schema:Event } UNION { ?i ctg:partOfPhase ?p }
          FILTER NOT EXISTS { ?i a schema:Event ; schema:startDate ?d } }""")
    assert len(undated) == expected
    phase3 = count(store, """PREFIX schema: <https://schema.org/>
        PREFIX ctg: <https://w3id.org/ctgraph/ontology#>
        SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {
          ?i ctg:partOfPhase ?p . ?p ctg:ordinal 3
          FILTER NOT EXISTS { ?i schema:startDate ?d } }""")
    assert phase3 > 0
    assert len(timeline.undated["Phase III"]) == phase3


def test_markers_that_would_overlap_take_separate_lanes() -> None:
    oxs = ox.Store()
    ns = "https://w3id.org/ctgraph/"
    schema = "https://schema.org/"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    city, country = ox.NamedNode(f"{ns}city/c"), ox.NamedNode(f"{ns}country/k")
    oxs.add(ox.Quad(city, ox.NamedNode(f"{schema}containedInPlace"), country))
    oxs.add(ox.Quad(country, rdf_type, ox.NamedNode(f"{schema}Country")))
    for n, day in enumerate(["2010-01-01", "2010-01-05", "2012-06-01", "2015-12-31"]):
        event = ox.NamedNode(f"{ns}event/e{n}")
        oxs.add(ox.Quad(event, rdf_type, ox.NamedNode(f"{schema}Event")))
        oxs.add(ox.Quad(event, ox.NamedNode(f"{schema}startDate"), lit(day, "date")))
        oxs.add(ox.Quad(event, ox.NamedNode(f"{schema}location"), city))
    timeline = build_timeline(EmbeddedStore(oxs))
    (row,) = timeline.rows
    assert [i.lane for i in row.items] == [0, 1, 0, 0]
    assert row.lanes == 2
    assert (timeline.first_year, timeline.last_year) == (2010, 2015)
    assert timeline.undated == {}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict[str, str | None]] = []
        self.undated: int = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("class") == "event":
            self.events.append(a)
        if tag == "li" and a.get("class") == "undated":
            self.undated += 1


def test_timeline_page(server, store: EmbeddedStore) -> None:
    r = httpx.get(f"{server.url}/timeline", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = _Collector()
    page.feed(r.text)
    assert len(page.events) == count(store, DATED_EVENTS)
    assert all(e["href"] and e["href"].startswith("/event/") for e in page.events)
    assert all(e["aria-label"] for e in page.events)
    timeline = build_timeline(store)
    assert page.undated == sum(len(v) for v in timeline.undated.values())
    # the drawing is labelled for assistive technology, and every phase is in the legend
    assert re.search(r'<svg[^>]+aria-labelledby="timeline-title"', r.text)
    for label in ("Phase I", "Phase II", "Phase III"):
        assert f"{label}</label>" in re.sub(r"\s+", " ", r.text).replace(" </label>", "</label>")
