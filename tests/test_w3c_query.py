"""W3C SPARQL 1.1 query-evaluation tests, run over HTTP against `ctgraph serve`.

Every approved ``mf:QueryEvaluationTest`` of the suite's folders is run twice:

* over HTTP: one server loads every test's data files, each into a named graph named by the
  file's URI; a test's dataset is chosen with the protocol's ``default-graph-uri`` (its
  qt:data files, or an empty graph) and ``named-graph-uri`` (its qt:graphData files). The
  harness prepends ``BASE <query file URI>`` since the protocol has no base parameter.
* in this process, with pyoxigraph itself: a fresh store per test with qt:data in the default
  graph and qt:graphData in named graphs, the query parsed with that base IRI.

Both use the same comparison (SELECT: multiset of solutions up to blank-node renaming; ASK:
the boolean; CONSTRUCT/DESCRIBE: graph isomorphism). The server must pass exactly the tests
the engine passes: the HTTP layer may neither lose nor corrupt anything.

Set CTGRAPH_W3C_DIR to the suite's ``sparql11`` folder; by default ../shared/w3c-sparql11 next
to the repository. The tests skip, saying so, when the folder is absent.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from ctgraph.sparql.analysis import analyse

pytestmark = pytest.mark.w3c

SUITE = Path(os.environ.get(
    "CTGRAPH_W3C_DIR",
    Path(__file__).resolve().parents[2] / "shared" / "w3c-sparql11" / "sparql11",
))
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
RS = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
EMPTY = Path("/nonexistent/empty-graph")
"""Stands for an empty graph: no file has this URI, so the store has no such graph."""

RESULTS_BY_SUFFIX = {
    ".srx": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ".srj": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ".tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ".csv": ("text/csv", ox.QueryResultsFormat.CSV),
}
RDF_BY_SUFFIX = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
                 ".rdf": ox.RdfFormat.RDF_XML}


@dataclass
class Case:
    id: str
    query: Path
    result: Path
    data: list[Path] = field(default_factory=list)
    graph_data: list[Path] = field(default_factory=list)


def _path(node: rdflib.term.Node) -> Path:
    return Path(str(node).removeprefix("file://"))


def collect_cases() -> list[Case]:
    cases = []
    for manifest in sorted(SUITE.glob("*/manifest.ttl")):
        if manifest.parent.name == "protocol":
            continue
        g = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
        for test in g.subjects(rdflib.RDF.type, MF.QueryEvaluationTest):
            if (test, DAWGT.approval, DAWGT.Approved) not in g:
                continue
            action = g.value(test, MF.action)
            result = g.value(test, MF.result)
            if action is None or result is None:
                continue
            cases.append(Case(
                id=f"{manifest.parent.name}/{str(test).rsplit('#', 1)[-1]}",
                query=_path(g.value(action, QT.query)),
                result=_path(result),
                data=sorted(_path(d) for d in g.objects(action, QT.data)),
                graph_data=sorted(_path(d) for d in g.objects(action, QT.graphData)),
            ))
    return sorted(cases, key=lambda c: c.id)


def _parse_rdf(path: Path) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(path=str(path), format=RDF_BY_SUFFIX[path.suffix],
                                       base_iri=path.as_uri())]


# --- comparison ----------------------------------------------------------------------------

Row = tuple[tuple[str, object], ...]


def _solutions(results: ox.QuerySolutions) -> list[dict[str, object]]:
    names = [v.value for v in results.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in results]


def _rs_solutions(path: Path) -> tuple[bool | None, list[dict[str, object]]]:
    """Expected results written in the DAWG result-set RDF vocabulary (.ttl)."""
    g = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    rs = next(g.subjects(rdflib.RDF.type, RS.ResultSet))
    boolean = g.value(rs, RS.boolean)
    if boolean is not None:
        return bool(boolean.toPython()), []
    rows = []
    for solution in g.objects(rs, RS.solution):
        row = {}
        for binding in g.objects(solution, RS.binding):
            row[str(g.value(binding, RS.variable))] = _to_ox(g.value(binding, RS.value))
        rows.append(row)
    return None, rows


def _to_ox(term: rdflib.term.Node) -> object:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, rdflib.Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    datatype = term.datatype or rdflib.XSD.string
    return ox.Literal(str(term), datatype=ox.NamedNode(str(datatype)))


XSD = "http://www.w3.org/2001/XMLSchema#"
_FLOATS = {XSD + "double", XSD + "float"}
_EXACT = {XSD + t for t in ("decimal", "integer", "int", "long", "short", "byte",
                            "nonNegativeInteger", "positiveInteger", "negativeInteger",
                            "nonPositiveInteger", "unsignedInt", "unsignedLong")}


def _canon(term: object) -> object:
    """Numeric literals by datatype and value (``3.0E4`` equals ``30000`` as xsd:double),
    as the suite's result files write them in several lexical forms; other terms as they are."""
    if isinstance(term, ox.Literal) and term.datatype.value in _FLOATS | _EXACT:
        try:
            number: object = (float(term.value) if term.datatype.value in _FLOATS
                              else Decimal(term.value).normalize())
        except (ValueError, ArithmeticError):
            return str(term)
        return (term.datatype.value, number)
    return str(term)


def _same_solutions(a: list[dict[str, object]], b: list[dict[str, object]]) -> bool:
    """Multiset equality up to a consistent renaming of blank nodes."""
    if len(a) != len(b):
        return False

    def shape(row: dict[str, object]) -> tuple:
        return tuple(sorted((k, "_" if isinstance(v, ox.BlankNode) else repr(_canon(v)))
                            for k, v in row.items()))

    if Counter(map(shape, a)) != Counter(map(shape, b)):
        return False
    if not any(isinstance(v, ox.BlankNode) for row in a for v in row.values()):
        return True
    return _match(a, list(b), {}, {})


def _match(left: list[dict], right: list[dict], mapping: dict, used: dict) -> bool:
    if not left:
        return True
    row, rest = left[0], left[1:]
    for i, candidate in enumerate(right):
        if set(candidate) != set(row):
            continue
        new_map, new_used, ok = dict(mapping), dict(used), True
        for key, value in row.items():
            other = candidate[key]
            if isinstance(value, ox.BlankNode) and isinstance(other, ox.BlankNode):
                if new_map.get(value.value, other.value) != other.value or new_used.get(
                        other.value, value.value) != value.value:
                    ok = False
                    break
                new_map[value.value], new_used[other.value] = other.value, value.value
            elif _canon(value) != _canon(other):
                ok = False
                break
        if ok and _match(rest, right[:i] + right[i + 1:], new_map, new_used):
            return True
    return False


def _graph(triples: list[ox.Triple]) -> rdflib.Graph:
    g = rdflib.Graph()
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if data:
        g.parse(data=data.decode(), format="nt")
    return g


def _expected(case: Case, form: str) -> tuple[str, object]:
    suffix = case.result.suffix
    if form in ("CONSTRUCT", "DESCRIBE"):
        return "graph", _graph(_parse_rdf(case.result))
    if suffix in RESULTS_BY_SUFFIX:
        parsed = ox.parse_query_results(path=str(case.result),
                                        format=RESULTS_BY_SUFFIX[suffix][1])
        if isinstance(parsed, ox.QueryBoolean):
            return "boolean", bool(parsed)
        return "solutions", _solutions(parsed)
    boolean, rows = _rs_solutions(case.result)
    return ("boolean", boolean) if boolean is not None else ("solutions", rows)


def _form(query: str) -> str:
    return analyse(query).form or "SELECT"


def _agrees(expected: tuple[str, object], actual: object) -> bool:
    kind, value = expected
    if kind == "graph":
        return isinstance(actual, rdflib.Graph) and isomorphic(actual, value)
    if kind == "boolean":
        return actual is value
    return isinstance(actual, list) and _same_solutions(actual, value)


# --- the two runs --------------------------------------------------------------------------

def run_in_process(case: Case) -> bool:
    try:
        store = ox.Store()
        for path in case.data:
            store.load(path=str(path), format=RDF_BY_SUFFIX[path.suffix], base_iri=path.as_uri())
        for path in case.graph_data:
            store.load(path=str(path), format=RDF_BY_SUFFIX[path.suffix], base_iri=path.as_uri(),
                       to_graph=ox.NamedNode(path.as_uri()))
        text = case.query.read_text(encoding="utf-8")
        form = _form(text)
        expected = _expected(case, form)
        result = store.query(text, base_iri=case.query.as_uri())
        if isinstance(result, ox.QueryTriples):
            actual: object = _graph(list(result))
        elif isinstance(result, ox.QueryBoolean):
            actual = bool(result)
        elif case.result.suffix in (".csv", ".tsv"):
            fmt = RESULTS_BY_SUFFIX[case.result.suffix][1]
            actual = _solutions(ox.parse_query_results(result.serialize(format=fmt), format=fmt))
        else:
            actual = _solutions(result)
        return _agrees(expected, actual)
    except Exception:
        return False


def run_over_http(client: httpx.Client, endpoint: str, case: Case) -> bool:
    try:
        text = case.query.read_text(encoding="utf-8")
        form = _form(text)
        expected = _expected(case, form)
        params: list[tuple[str, str]] = [("query", f"BASE <{case.query.as_uri()}>\n{text}")]
        if not analyse(text).has_dataset_clause:  # else FROM / FROM NAMED name the graphs
            params += [("default-graph-uri", p.as_uri()) for p in case.data or [EMPTY]]
            params += [("named-graph-uri", p.as_uri()) for p in case.graph_data or [EMPTY]]
        if form in ("CONSTRUCT", "DESCRIBE"):
            accept = "application/n-triples"
        else:
            accept, _ = RESULTS_BY_SUFFIX.get(case.result.suffix, RESULTS_BY_SUFFIX[".srj"])
        r = client.post(endpoint, content=urlencode(params), headers={
            "Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        if r.status_code != 200:
            return False
        if form in ("CONSTRUCT", "DESCRIBE"):
            actual: object = rdflib.Graph().parse(data=r.text, format="nt")
        else:
            fmt = next(f for t, f in RESULTS_BY_SUFFIX.values() if t == accept)
            parsed = ox.parse_query_results(r.content, format=fmt)
            actual = bool(parsed) if isinstance(parsed, ox.QueryBoolean) else _solutions(parsed)
        return _agrees(expected, actual)
    except Exception:
        return False


def _dataset_file(cases: list[Case], target: Path) -> Path:
    """One N-Quads file: every data file of the suite in a named graph named by its URI."""
    files = sorted({p for c in cases for p in (*c.data, *c.graph_data)})
    quads = []
    for path in files:
        graph = ox.NamedNode(path.as_uri())
        quads += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in _parse_rdf(path)]
    target.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    return target


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    if not SUITE.is_dir():
        pytest.skip(f"W3C SPARQL 1.1 test suite not found at {SUITE} (set CTGRAPH_W3C_DIR)")
    found = collect_cases()
    assert found, f"no approved query-evaluation tests under {SUITE}"
    return found


def test_http_passes_exactly_what_pyoxigraph_passes(cases, serve_files, tmp_path_factory):
    data = _dataset_file(cases, tmp_path_factory.mktemp("w3c") / "w3c-data.nq")
    server = serve_files(data, no_union_default_graph=True, cache_entries=0, timeout=20)
    engine = {c.id for c in cases if run_in_process(c)}
    with httpx.Client(timeout=30) as client:
        http = {c.id for c in cases if run_over_http(client, server.sparql, c)}
    server.stop()
    print(f"\nW3C query evaluation: {len(cases)} approved tests; pyoxigraph in-process passes "
          f"{len(engine)}, over HTTP {len(http)}")
    assert len(engine) > len(cases) * 0.8, "the harness itself looks broken"
    assert sorted(engine - http) == [], "passed in-process but failed over HTTP"
    assert sorted(http - engine) == [], "passed over HTTP but failed in-process"
