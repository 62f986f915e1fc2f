"""The .rq header format, typed parameters and binding, on small files written here."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from ctgraph.catalog.named_queries import (
    CatalogError,
    Parameter,
    ParameterError,
    UnknownQueryError,
    bundled_catalog,
    get_query,
    load_catalog,
    parse_query_file,
)

XSD = "http://www.w3.org/2001/XMLSchema#"

HEADER = """#+ title: Things by day
#+ description: Things on one day.
#+ tags: [test]
#+ parameters:
#+   day:
#+     type: date
#+     required: true
#+     example: "2020-01-02"
#+   n:
#+     type: integer
#+     default: 1
#+     minimum: 0
#+ example: {day: "2020-01-02"}
"""
BODY = "SELECT ?s WHERE { ?s <http://e/day> ?day ; <http://e/n> ?n }\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_grlc_summary_serves_as_title(tmp_path: Path) -> None:
    q = parse_query_file(write(tmp_path, "short", "#+ summary: Short one\n" + BODY))
    assert q.title == q.description == "Short one"


def test_header_is_read(tmp_path: Path) -> None:
    q = parse_query_file(write(tmp_path, "things-by-day", HEADER + BODY))
    assert (q.name, q.title, q.description, q.form, q.tags) == (
        "things-by-day", "Things by day", "Things on one day.", "SELECT", ("test",))
    day, n = q.parameters
    assert (day.name, day.type, day.required, day.example) == ("day", "date", True, "2020-01-02")
    assert (n.type, n.default, n.minimum, n.required) == ("integer", "1", 0, False)
    assert q.example == {"day": "2020-01-02"}


def test_binding_uses_a_values_block_of_validated_terms(tmp_path: Path) -> None:
    q = parse_query_file(write(tmp_path, "things-by-day", HEADER + BODY))
    text = q.bind({"day": "2020-01-02"})
    assert text.count("\n") == q.sparql.count("\n")  # line numbers are kept
    assert ('VALUES (?day ?n) { ("2020-01-02"^^<http://www.w3.org/2001/XMLSchema#date> '
            '"1"^^<http://www.w3.org/2001/XMLSchema#integer>) }') in text
    store = ox.Store()
    e = "http://e/"
    store.add(ox.Quad(ox.NamedNode(e + "a"), ox.NamedNode(e + "day"),
                      ox.Literal("2020-01-02", datatype=ox.NamedNode(XSD + "date"))))
    store.add(ox.Quad(ox.NamedNode(e + "a"), ox.NamedNode(e + "n"),
                      ox.Literal("1", datatype=ox.NamedNode(XSD + "integer"))))
    assert [r["s"].value for r in store.query(text)] == [e + "a"]
    assert list(store.query(q.bind({"day": "2020-01-03"}))) == []
    assert list(store.query(q.bind({"day": "2020-01-02", "n": "2"}))) == []


@pytest.mark.parametrize(("text", "problem"), [
    ("#+ title: [unclosed\n" + BODY, ":1: header is not valid YAML"),
    ("#+ title: T\n#+ colour: red\n" + BODY, "unknown header keys: colour"),
    ("#+ description: x\n" + BODY, "header needs a title"),
    ("#+ title: T\n#+ parameters:\n#+   x: {type: colour}\n" + BODY, "type must be one of"),
    ("#+ title: T\n#+ parameters:\n#+   x: {type: enum}\n" + BODY, "needs its allowed values"),
    ("#+ title: T\n#+ parameters:\n#+   y: {type: string}\n" + BODY, "'y' is not a variable"),
    ("#+ title: T\n#+ parameters:\n#+   format: {type: string}\n" + BODY, "reserved"),
    ("#+ title: T\n#+ parameters:\n#+   n: {type: integer, default: x}\n" + BODY,
     "'x' is not an integer"),
    ("#+ title: T\nSELECT * { ?s ?p ?o }\n", "needs an explicit WHERE"),
])
def test_unusable_headers_are_refused_naming_file_and_line(
        tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, "broken", text)
    with pytest.raises(CatalogError) as caught:
        parse_query_file(path)
    assert str(caught.value).startswith(f"{path}:")
    assert problem in str(caught.value)


def test_yaml_error_points_at_the_file_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken", "# a comment\n#+ title: T\n#+ tags: [a\n#+ x: 1\n" + BODY)
    with pytest.raises(CatalogError, match=r"broken\.rq:[34]: header is not valid YAML"):
        parse_query_file(path)


def test_names_must_be_stable_slugs(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="lower-case words"):
        parse_query_file(write(tmp_path, "Events_By_City", "#+ title: T\n" + BODY))


IRI = Parameter("city", "iri", base="https://w3id.org/ctgraph/city/")


@pytest.mark.parametrize(("raw", "iri"), [
    ("almaty", "https://w3id.org/ctgraph/city/almaty"),
    ("https://w3id.org/ctgraph/city/almaty", "https://w3id.org/ctgraph/city/almaty"),
    ("ctgr:city/almaty", "https://w3id.org/ctgraph/city/almaty"),
    ("schema:location", "https://schema.org/location"),
    (" almaty ", "https://w3id.org/ctgraph/city/almaty"),
])
def test_iri_values(raw: str, iri: str) -> None:
    assert IRI.to_term(raw) == ox.NamedNode(iri)


@pytest.mark.parametrize("raw", [
    "al maty", "almaty>", "<almaty>", 'a"b', "x} ; DROP ALL", "http://e/a b", "http://e/{x}",
    "http://e/a>b", "../etc/passwd", "",
])
def test_bad_iri_values_are_refused(raw: str) -> None:
    with pytest.raises(ParameterError) as caught:
        IRI.to_term(raw)
    assert caught.value.parameter == "city"


@pytest.mark.parametrize(("param", "good", "bad"), [
    (Parameter("d", "date"), ["2024-02-29"], ["2023-02-29", "2024-2-1", "20240101", "today"]),
    (Parameter("y", "gYear"), ["2017"], ["17", "2017-01", "year"]),
    (Parameter("n", "integer", minimum=1, maximum=3), ["1", "3", "+2"], ["0", "4", "1.5", "x"]),
    (Parameter("k", "enum", enum=("a", "b")), ["a", "b"], ["c", "A", "a b"]),
    (Parameter("s", "string"), ['quote " and } brace', "Алматы"],
     ["x" * 501, "nul\x00", "lone \udcff surrogate"]),
])
def test_typed_values(param: Parameter, good: list[str], bad: list[str]) -> None:
    for raw in good:
        term = param.to_term(raw)
        assert isinstance(term, ox.Literal)
    for raw in bad:
        with pytest.raises(ParameterError):
            param.to_term(raw)


def test_string_values_stay_one_literal() -> None:
    term = Parameter("s", "string").to_term('"} ; DROP ALL ; SELECT * {')
    assert term == ox.Literal('"} ; DROP ALL ; SELECT * {')
    assert str(term) == '"\\"} ; DROP ALL ; SELECT * {"'


def test_bundled_catalog_and_lookup() -> None:
    catalog = bundled_catalog()
    assert load_catalog() == catalog
    for stable in ("timeline", "events-by-city", "events-by-country", "events-by-date-range",
                   "events-by-phase", "events-by-pillar", "events-by-organisation",
                   "funders-and-implementers", "partners", "documents", "entity-profile",
                   "citations", "source-differences", "source-errors", "data-quality"):
        assert stable in catalog
    types = {p.type for q in catalog.values() for p in q.parameters}
    assert types == {"iri", "string", "date", "gYear", "integer", "enum"}
    with pytest.raises(UnknownQueryError) as caught:
        get_query("timelime")
    assert caught.value.suggestions == ["timeline"]
    assert "did you mean timeline?" in str(caught.value)
