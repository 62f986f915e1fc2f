"""Rendering answers for the terminal and the API (ctgraph.results)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from ctgraph.sparql.rendering import FormatError, compact_iri, render

E = "https://w3id.org/ctgraph/"


@pytest.fixture()
def store() -> ox.Store:
    s = ox.Store()
    s.add(ox.Quad(ox.NamedNode(E + "city/almaty"), ox.NamedNode("https://schema.org/name"),
                  ox.Literal("Almaty", language="en")))
    s.add(ox.Quad(ox.NamedNode(E + "city/almaty"), ox.NamedNode("https://schema.org/name"),
                  ox.Literal("Алматы", language="ru")))
    s.add(ox.Quad(ox.NamedNode(E + "city/almaty"), ox.NamedNode(E + "ontology#note"),
                  ox.Literal("x" * 200 + "\nsecond line")))
    return s


def test_table_aligns_compacts_and_counts(store: ox.Store) -> None:
    text = render(store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p ?o"),
                  "table").decode()
    lines = text.splitlines()
    assert lines[0].split() == ["s", "p", "o"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split()[:2] == ["city:almaty", "schema:name"]
    assert lines[2].endswith("Almaty") and lines[3].endswith("Алматы@ru")
    # long values are cut to one short line; ontology terms use ctg:, not ctgr:
    assert lines[4].split()[1] == "ctg:note" and lines[4].endswith("…")
    assert len(lines[4].split()[2]) == 80
    assert lines[-1] == "(3 rows)"
    one = render(store.query("SELECT ?s WHERE { ?s ?p 'nothing' }"), "table").decode()
    assert one.splitlines()[-1] == "(0 rows)"


def test_ask_and_standard_formats(store: ox.Store) -> None:
    assert render(store.query("ASK { ?s ?p ?o }"), "table") == b"yes\n"
    data = json.loads(render(store.query("SELECT ?o WHERE { ?s ?p ?o } LIMIT 1"), "json"))
    assert data["head"]["vars"] == ["o"]
    csv = render(store.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"), "csv").decode()
    assert csv.split() == ["s", E + "city/almaty"]


def test_formats_that_do_not_fit_the_answer_are_refused(store: ox.Store) -> None:
    with pytest.raises(FormatError, match="use table, json, csv or tsv"):
        render(store.query("SELECT * WHERE { ?s ?p ?o }"), "turtle")
    with pytest.raises(FormatError, match="use turtle or json"):
        render(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), "csv")
    turtle = render(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), "table").decode()
    assert "@prefix schema: <https://schema.org/>" in turtle
    jsonld = json.loads(render(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), "json"))
    assert "@context" in jsonld


def test_compact_iri() -> None:
    assert compact_iri(E + "ontology#City") == "ctg:City"
    assert compact_iri(E + "city/almaty") == "city:almaty"
    assert compact_iri("http://example.org/x") == "<http://example.org/x>"
