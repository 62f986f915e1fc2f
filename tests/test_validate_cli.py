"""`ctgraph validate` as a user runs it: exit codes, --fail-on, every report format, --output.

The fixtures in tests/fixtures/validate pair small shapes (one constraint per severity, a
subclass target, a SPARQL constraint) with data files that break a known set of them.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib

from tests.helpers import run_ctgraph

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
SHAPES = str(FIXTURES / "shapes.ttl")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
EXD = "http://example.org/data/"


def validate(*args: str) -> tuple[int, str, str]:
    done = run_ctgraph("validate", "--shapes", SHAPES, *args)
    assert "Traceback" not in done.stderr + done.stdout
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize(
    ("data", "fail_on", "code"),
    [
        ("conforming.ttl", "info", 0),
        ("conforming.jsonld", "info", 0),
        ("infos.ttl", "violation", 0),
        ("infos.ttl", "warning", 0),
        ("infos.ttl", "info", 1),
        ("warnings.ttl", "violation", 0),
        ("warnings.ttl", "warning", 1),
        ("violations.trig", "violation", 1),
    ],
)
def test_exit_code_follows_fail_on(data: str, fail_on: str, code: int) -> None:
    returncode, _, stderr = validate(str(FIXTURES / data), "--fail-on", fail_on)
    assert returncode == code, stderr


def test_text_report_groups_by_shape_and_names_the_focus_node() -> None:
    done = run_ctgraph("validate", "--shapes", "shapes.ttl", "violations.trig", cwd=FIXTURES)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    person = lines.index("Person (ex:PersonShape)")
    # the focus node with its label and the file that describes it, then its results
    assert lines[person + 1] == '  exd:carol "Carol"  in violations.trig'
    out = done.stdout
    block = "\n".join(lines[person:])
    assert "ex:name: A person needs an ex:name." in block
    assert 'ex:age: ex:age is a whole number. [value "old"]' in block
    assert "Friends (ex:FriendShape)" in out  # the SPARQL-based constraint
    assert lines[-1].startswith("does not conform (--fail-on violation): 3 violations, "
                                "0 warnings, 0 infos")


def test_json_report_is_stable_and_complete() -> None:
    code, out, _ = validate(str(FIXTURES / "warnings.ttl"), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["conforms"] is True
    assert report["counts"] == {"violation": 0, "warning": 1, "info": 1}
    assert [(r["severity"], r["path"]) for r in report["results"]] == [
        ("Warning", "ex:email"), ("Info", "ex:nickname")]
    first = report["results"][0]
    assert set(first) == {"severity", "focus_node", "focus_label", "path", "path_label", "value",
                          "value_label", "message", "source_shape", "shape_name", "constraint",
                          "files"}
    assert first["focus_node"] == EXD + "erin"
    assert first["focus_label"] == "Erin"
    assert first["path_label"] == "e-mail address"
    assert first["source_shape"] == "http://example.org/ns#PersonShape"
    assert first["shape_name"] == "e-mail"
    assert first["constraint"] == "sh:MinCountConstraintComponent"
    assert first["message"] == "No e-mail address is known."


def test_json_value_uses_sparql_json_term_encoding() -> None:
    _, out, _ = validate(str(FIXTURES / "violations.trig"), "--format", "json")
    values = [r["value"] for r in json.loads(out)["results"] if r["path"] == "ex:age"]
    assert values == [{"type": "literal", "value": "old"}]


def test_turtle_report_is_a_shacl_validation_report() -> None:
    code, out, _ = validate(str(FIXTURES / "violations.trig"), "--format", "turtle")
    assert code == 1
    graph = rdflib.Graph().parse(data=out, format="turtle")
    reports = list(graph.subjects(rdflib.RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert graph.value(reports[0], SH.conforms).toPython() is False
    focus = {graph.value(r, SH.focusNode) for r in graph.objects(reports[0], SH.result)}
    assert focus == {rdflib.URIRef(EXD + "carol")}
    assert len(list(graph.objects(reports[0], SH.result))) == 3


@pytest.mark.parametrize(("data", "conforms"), [("conforming.ttl", True), ("infos.ttl", False)])
def test_turtle_report_conforms_only_without_results(data: str, conforms: bool) -> None:
    """SHACL's definition, whatever --fail-on says: an Info alone makes sh:conforms false."""
    code, out, _ = validate(str(FIXTURES / data), "--format", "turtle")
    assert code == 0
    graph = rdflib.Graph().parse(data=out, format="turtle")
    (value,) = graph.objects(None, SH.conforms)
    assert value.toPython() is conforms


def test_junit_report_has_a_suite_per_shape_and_a_case_per_focus_node(tmp_path: Path) -> None:
    data = tmp_path / "people.ttl"
    data.write_text((FIXTURES / "conforming.ttl").read_text() + "\n"
                    + (FIXTURES / "warnings.ttl").read_text(), encoding="utf-8")
    code, out, _ = validate(str(data), "--format", "junit", "--fail-on", "warning")
    assert code == 1
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"Person (ex:PersonShape)", "Friends (ex:FriendShape)"}
    person = suites["Person (ex:PersonShape)"]
    cases = {c.get("name"): c for c in person.iter("testcase")}
    # passing focus nodes are listed too, so a CI system shows them as passed tests
    assert set(cases) == {"exd:alice Alice", "exd:bob Bob", "exd:erin Erin"}
    assert person.get("tests") == "3" and person.get("failures") == "1"
    failure = cases["exd:erin Erin"].find("failure")
    assert failure is not None and failure.get("type") == "Warning"
    assert failure.get("message") == "No e-mail address is known."
    # the Info is below --fail-on warning: visible, not a failure
    assert "No nickname is known." in cases["exd:erin Erin"].findtext("system-out", "")
    assert cases["exd:alice Alice"].find("failure") is None
    assert root.get("failures") == "1"


def test_junit_warnings_are_not_failures_at_the_default_level() -> None:
    code, out, _ = validate(str(FIXTURES / "warnings.ttl"), "--format", "junit")
    assert code == 0
    root = ET.fromstring(out)
    assert root.get("failures") == "0"
    assert "No e-mail address is known." in "".join(t.text or "" for t in root.iter("system-out"))


def test_output_file_gets_the_report_and_stdout_stays_empty(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, err = validate(str(FIXTURES / "violations.trig"), "--format", "json",
                              "--output", str(target))
    assert code == 1
    assert out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["counts"]["violation"] == 3
    assert str(target) in err


def test_folder_of_data_files_is_validated_as_one_graph(tmp_path: Path) -> None:
    # the class hierarchy and the instance live in different files
    (tmp_path / "schema.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<http://example.org/ns#Manager> rdfs:subClassOf <http://example.org/ns#Person> .\n",
        encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "people.nt").write_text(
        "<http://example.org/data/gus> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<http://example.org/ns#Manager> .\n", encoding="utf-8")
    code, out, _ = validate(str(tmp_path), "--format", "json")
    assert code == 1
    focus = {r["focus_node"] for r in json.loads(out)["results"] if r["severity"] == "Violation"}
    assert focus == {EXD + "gus"}


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["missing.ttl"], "missing.ttl: no such file or folder"),
        (["--shapes", "no-shapes-here.ttl", "conforming.ttl"],
         "no-shapes-here.ttl: no such file or folder"),
        (["--shapes", "not-shapes.ttl", "conforming.ttl"],
         "not-shapes.ttl: no SHACL shapes to validate against"),
    ],
)
def test_unusable_input_exits_2_with_one_line(args: list[str], problem: str) -> None:
    done = run_ctgraph("validate", *args, cwd=FIXTURES)
    assert done.returncode == 2
    assert done.stderr.strip() == problem
    assert done.stdout == ""


def test_empty_folder_is_unusable_input(tmp_path: Path) -> None:
    code, _, err = validate(str(tmp_path))
    assert code == 2
    assert err.strip() == f"{tmp_path}: folder holds no RDF files (.ttl, .trig, .nt, .nq, " \
        ".jsonld, .json, .rdf, .owl, .xml)"


@pytest.mark.parametrize(("constraint", "words"), [
    ('sh:sparql [ sh:message "m" ; sh:select "SELECT $this WHERE { $this ?p }" ]', "Expected"),
    ('sh:property [ sh:path <http://example.org/ns#name> ; sh:minCount "x" ]', "sh:minCount"),
], ids=["sparql-syntax", "min-count-not-integer"])
def test_broken_shapes_are_unusable_input(tmp_path: Path, constraint: str, words: str) -> None:
    shapes = tmp_path / "broken-shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<http://example.org/S> a sh:NodeShape ; sh:targetClass <http://example.org/ns#Person> ;\n"
        f"  {constraint} .\n", encoding="utf-8")
    done = run_ctgraph("validate", "--shapes", str(shapes), str(FIXTURES / "conforming.ttl"))
    assert done.returncode == 2
    assert done.stderr.startswith(f"{shapes}: shapes cannot be used: ")
    assert words in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""


def test_bundled_graph_has_no_violations() -> None:
    """The graph the project publishes conforms to its own shapes (Warnings and Infos record
    known gaps and source errors)."""
    done = run_ctgraph("validate", "--bundled", "--format", "json")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    report = json.loads(done.stdout)
    assert report["counts"]["violation"] == 0
    assert [r for r in report["results"] if r["severity"] == "Violation"] == []
    assert report["triples"] > 0
