"""The compiled engine (SHACL as SPARQL on pyoxigraph, what `--bundled` runs for speed)
gives the same reports as pyshacl, the reference: on every shape fixture of
tests/test_shapes.py, on the bundled graph, on generated graphs, on the validate fixtures
and on the W3C suite's tests it compiles. Whatever it cannot compile runs on pyshacl."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ctgraph.validation.compiled import Unsupported, compile_shapes
from ctgraph.validation.report import Report, Result
from ctgraph.validation.shacl import bundled_shapes, read_shapes, validate_files
from ctgraph.validation.writers import write_report
from tests.test_shapes import CASES, CONTEXT, PREFIXES
from tests.test_w3c_shacl import CASES as W3C_CASES

FIXTURES = Path(__file__).parent / "fixtures" / "validate"


def key(result: Result) -> tuple[object, ...]:
    return (result.severity, result.focus_node, result.path, result.value, result.source_shape,
            result.shape_name, result.constraint, result.message, result.focus_label,
            result.value_label, result.path_label, result.files, result.line)


def both(paths: list[Path], shapes: list[Path] | None = None) -> tuple[Report, Report]:
    kwargs = {"shapes": shapes} if shapes else {"bundled": True}
    fast = validate_files(paths, engine="compiled", **kwargs)  # type: ignore[arg-type]
    reference = validate_files(paths, engine="pyshacl", **kwargs)  # type: ignore[arg-type]
    return fast, reference


def assert_same(fast: Report, reference: Report) -> None:
    assert fast.engine == "compiled" and reference.engine == "pyshacl"
    assert [key(r) for r in fast.results] == [key(r) for r in reference.results]
    for fmt in ("text", "json", "junit"):
        assert write_report(fast, fmt, fail_on="info") == write_report(reference, fmt,
                                                                       fail_on="info"), fmt


def test_the_bundled_shapes_compile_completely() -> None:
    shapes, _ = bundled_shapes()
    plan = compile_shapes(shapes, lambda node: "")
    assert len(plan.checks) > 150
    assert len(plan.targets) >= 45


@pytest.mark.parametrize(("shape", "fixture"), [(c[0], c[1]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_same_report_on_each_shape_fixture(tmp_path: Path, shape: str, fixture: str) -> None:
    path = tmp_path / "case.ttl"
    path.write_text(PREFIXES + CONTEXT + fixture, encoding="utf-8")
    fast, reference = both([path])
    assert reference.results, "the fixture breaks its shape"
    assert_same(fast, reference)


def test_same_report_on_the_bundled_graph() -> None:
    assert_same(*both([]))


def test_same_report_on_a_generated_graph(tmp_path: Path) -> None:
    from bench.generate import generate

    text = io.StringIO()
    generate(20000, 7, text)
    path = tmp_path / "g.nq"
    path.write_text(text.getvalue(), encoding="utf-8")
    fast, reference = both([path])
    assert fast.triples > 15000  # the sources overlap: fewer triples than quads
    assert_same(fast, reference)


def test_same_report_with_integer_subtypes_and_bad_values(tmp_path: Path) -> None:
    """Oxigraph's store turns xsd:nonNegativeInteger into xsd:integer; the engine keeps the
    datatype so sh:datatype sees what pyshacl sees, ill-typed and out-of-range values too."""
    path = tmp_path / "citations.ttl"
    path.write_text(PREFIXES + CONTEXT + """
x:x a oa:Annotation ; oa:hasTarget [ oa:hasSelector [ a oa:TextPositionSelector ;
    oa:start "-3"^^xsd:nonNegativeInteger ; oa:end "12"^^xsd:integer ] ] .
x:y a oa:Annotation ; oa:hasTarget [ oa:hasSelector [ a oa:TextPositionSelector ;
    oa:start "x"^^xsd:nonNegativeInteger ; oa:end "14"^^xsd:nonNegativeInteger ] ] .
""", encoding="utf-8")
    fast, reference = both([path])
    assert_same(fast, reference)


@pytest.mark.parametrize("data", ["conforming.ttl", "warnings.ttl", "infos.ttl",
                                  "violations.trig"])
def test_same_report_on_the_validate_fixtures(data: str) -> None:
    shapes = [FIXTURES / "shapes.ttl"]
    try:
        compile_shapes(read_shapes(shapes), lambda node: "")
    except Unsupported as e:
        pytest.fail(f"the fixture shapes should compile: {e}")
    fast, reference = both([FIXTURES / data], shapes)
    assert_same(fast, reference)


def test_same_report_on_the_w3c_tests_it_compiles() -> None:
    if not W3C_CASES:
        pytest.skip("W3C SHACL suite not found (../shared/w3c-shacl)")
    compiled = 0
    for case in W3C_CASES:
        if case.expect_failure:
            continue
        fast = validate_files([case.data], [case.shapes], engine="compiled")
        if fast.engine != "compiled":
            continue  # uses what the engine leaves to pyshacl
        compiled += 1
        reference = validate_files([case.data], [case.shapes], engine="pyshacl")
        assert [key(r) for r in fast.results] == [key(r) for r in reference.results], case.name
    assert compiled >= 4


def test_cli_uses_the_compiled_engine_for_the_bundled_shapes(tmp_path: Path) -> None:
    """Same JSON from the command either way (the engine is not part of the report)."""
    from tests.helpers import run_ctgraph

    path = tmp_path / "case.ttl"
    path.write_text(PREFIXES + CONTEXT + CASES[0][1], encoding="utf-8")
    done = run_ctgraph("validate", "--bundled", "--format", "json", str(path))
    assert done.returncode in (0, 1) and done.stderr == ""
    reference = validate_files([path], bundled=True, engine="pyshacl")
    assert json.loads(done.stdout)["results"] == json.loads(
        write_report(reference, "json"))["results"]
