"""The rewrites `RemoteStore` sends instead of a query's own text (graph/remote_dialect.py)
mean what the original means: on the embedded store (the reference engine) a rewritten query
answers exactly as the original, and on a real Virtuoso the rewritten query answers as the
embedded store does where Virtuoso's own evaluation of the original departs from SPARQL."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from ctgraph.graph.namespaces import PREFIXES
from ctgraph.graph.remote_dialect import guard_temporal_comparisons
from ctgraph.graph.remote_store import open_remote_store

XSD = "http://www.w3.org/2001/XMLSchema#"
ROWS = """VALUES (?i ?x) { (1 "2016-07"^^xsd:gYearMonth) (2 "2016-07-01"^^xsd:date)
  (3 "2014-07-01"^^xsd:date) (4 UNDEF) (5 "2016-07-01T00:00:00"^^xsd:dateTime) (6 "abc")
  (7 <urn:x>) (8 2016) (9 "2016"^^xsd:gYear) (10 "2014-07"^^xsd:gYearMonth)
  (11 "2015-01-01"^^xsd:date) (12 "2016-07-01T00:00:00Z"^^xsd:dateTime) (13 "2015"@en) }"""
"""Values of every kind a temporal comparison meets: its own datatype, other date and time
types, a string, an IRI, a number, nothing."""
LITERALS = ['"2015-01-01"^^xsd:date', '"2015-06"^^xsd:gYearMonth',
            f'"2015"^^<{XSD}gYear>', '"2015-01-01T00:00:00"^^xsd:dateTime']
SHAPES = [  # how a comparison C sits in a query (not as IF's condition: Virtuoso takes the
    # else branch of an IF whose condition is an error, docs/deploy.md)
    "SELECT ?i WHERE {{ {rows} FILTER({c}) }} ORDER BY ?i",
    "SELECT ?i WHERE {{ {rows} FILTER(!({c})) }} ORDER BY ?i",
    "SELECT ?i WHERE {{ {rows} FILTER(!BOUND(?x) || {c}) }} ORDER BY ?i",
    "SELECT ?i WHERE {{ {rows} FILTER(?i > 20 || {c} && ?i < 12) }} ORDER BY ?i",
    'SELECT ?i WHERE {{ {rows} FILTER(COALESCE({c}, "error") = "error") }} ORDER BY ?i',
    "SELECT ?i ({c} AS ?b) WHERE {{ {rows} }} ORDER BY ?i",
    "SELECT * WHERE {{ {rows} FILTER({c}) }} ORDER BY ?i",
]
COMPARISONS = [f"?x {op} {lit}" for op in ("<", ">", "<=", ">=") for lit in LITERALS] + [
    f"{lit} {op} ?x" for op in ("<", ">=") for lit in LITERALS]
CASES = [shape.format(rows=ROWS, c=c) for shape in SHAPES for c in COMPARISONS]


@pytest.fixture(scope="module")
def embedded() -> ox.Store:
    return ox.Store()


def _answer(store, query: str) -> list[tuple[str | None, ...]]:
    result = store.query(query, prefixes=PREFIXES) if isinstance(store, ox.Store) \
        else store.query(query)
    variables = [v.value for v in result.variables]
    return [tuple(None if s[v] is None else str(s[v]) for v in variables) for s in result]


def test_guard_rewrites_only_a_variable_compared_with_a_temporal_literal() -> None:
    guard = lambda q: guard_temporal_comparisons(q, PREFIXES)  # noqa: E731
    assert guard('FILTER(?end > "2015-01-01"^^xsd:date)') == (
        f'FILTER(IF(DATATYPE(?end) = <{XSD}date>, ?end > "2015-01-01"^^xsd:date, '
        f'<{XSD}integer>("incomparable")))')
    assert guard(f'FILTER("2015"^^<{XSD}gYear><=?y)').startswith(
        f"FILTER(IF(DATATYPE(?y) = <{XSD}gYear>, ")
    unchanged = [
        'FILTER(?x > "1"^^xsd:integer)',  # numbers compare across their types
        'FILTER(?x = "2015-01-01"^^xsd:date)',  # equality is false, not an error, anyway
        'FILTER(?a - ?x > "2015"^^xsd:gYear)',  # the operand is not the variable alone
        'FILTER(?x < "2015"^^xsd:gYear + 1)',
        'FILTER(?x > ?y)',
        'SELECT ("?x > \\"2015\\"^^xsd:gYear" AS ?text) {}',  # inside a string
        'PREFIX xsd: <urn:not-xsd#> SELECT * { FILTER(?x > "2015"^^xsd:date) }',
    ]
    for text in unchanged:
        assert guard(text) == text


def test_guarded_query_means_what_the_original_means(embedded) -> None:
    for query in CASES:
        guarded = guard_temporal_comparisons(query, PREFIXES)
        assert guarded != query
        assert _answer(embedded, guarded) == _answer(embedded, query), query


def test_virtuoso_answers_temporal_comparisons_as_the_embedded_store(virtuoso, embedded
                                                                     ) -> None:
    """Each case over Virtuoso through `RemoteStore` (which sends the guarded text), against
    the embedded store's answer to the original; booleans compared as the HTTP layer shows
    them (a projected comparison comes back typed, see `_typed_booleans`)."""
    remote = open_remote_store(virtuoso.sparql)
    differing = [q for q in CASES if _answer(remote, q) != _answer(embedded, q)]
    assert differing == []
