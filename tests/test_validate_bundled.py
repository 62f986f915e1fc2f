"""The bundled shapes through the library and the CLI on data written without prefixes, and
the `validate_turtle` helper the per-shape tests build on."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_ctgraph, validate_turtle

EVENT = "https://w3id.org/ctgraph/test/event"
BACKWARDS = (
    f"<{EVENT}> a <https://w3id.org/ctgraph/ontology#Workshop>, <https://schema.org/Event> ;\n"
    '    <http://www.w3.org/2000/01/rdf-schema#label> "Backwards workshop"@en ;\n'
    '    <https://schema.org/name> "Backwards workshop"@en ;\n'
    '    <https://schema.org/startDate> "2011-07-22"^^<http://www.w3.org/2001/XMLSchema#date> ;\n'
    '    <https://schema.org/endDate> "2011-07-21"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
)

XSD_DATE = "<http://www.w3.org/2001/XMLSchema#date>"
NTRIPLES = "".join(f"<{EVENT}> {p} {o} .\n" for p, o in [
    ("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
     "<https://w3id.org/ctgraph/ontology#Workshop>"),
    ("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<https://schema.org/Event>"),
    ("<http://www.w3.org/2000/01/rdf-schema#label>", '"Backwards workshop"@en'),
    ("<https://schema.org/name>", '"Backwards workshop"@en'),
    ("<https://schema.org/startDate>", f'"2011-07-22"^^{XSD_DATE}'),
    ("<https://schema.org/endDate>", f'"2011-07-21"^^{XSD_DATE}'),
])


def test_sparql_constraints_work_on_data_without_prefixes(tmp_path: Path) -> None:
    """The bundled shapes' SPARQL uses prefixes; data declaring none must not break them.
    ctg:Workshop reaches the Event shapes only through the ontology's rdfs:subClassOf."""
    path = tmp_path / "event.nt"
    path.write_text(NTRIPLES, encoding="utf-8")
    done = run_ctgraph("validate", "--bundled", "--format", "json", str(path))
    assert done.returncode == 1, done.stderr
    results = json.loads(done.stdout)["results"]
    ends = [r for r in results if r["focus_node"] == EVENT and r["severity"] == "Violation"
            and "before it starts" in r["message"]]
    assert ends, results
    assert ends[0]["source_shape"] == "https://w3id.org/ctgraph/shapes#EventShape"
    assert ends[0]["focus_label"] == "Backwards workshop"
    assert ends[0]["files"] == [str(path)]


def test_validate_turtle_returns_typed_results() -> None:
    results = validate_turtle(BACKWARDS)
    mine = [r for r in results if r.focus_node == EVENT]
    assert any(r.severity == "Violation" and "before it starts" in r.message for r in mine)
    assert all(r.severity in ("Violation", "Warning", "Info") for r in results)
    assert [r.rank for r in results] == sorted((r.rank for r in results), reverse=True)
    assert all(r.source_shape.startswith("https://w3id.org/ctgraph/shapes#") for r in mine)
    assert all(r.shape_name and r.constraint.startswith("sh:") for r in mine)


def test_validate_turtle_on_clean_data_finds_no_violation() -> None:
    fixed = BACKWARDS.replace('"2011-07-21"', '"2011-07-23"')
    assert [r for r in validate_turtle(fixed)
            if r.focus_node == EVENT and "before it starts" in r.message] == []
