"""Verdicts as the SHACL standard gives them, whatever ctgraph's own settings: nested shapes
evaluate by the standard (severities only matter on the final report, through --fail-on),
and a user's shapes are checked as written (a SPARQL constraint sees only the prefixes it
declares, never the data's or the project's)."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import rdflib

from tests.helpers import run_ctgraph

HEAD = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/ns#> .
"""
DATA = HEAD + "ex:a a ex:Thing .\n"

NOT_OF_A_WARNING = HEAD + """
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:not ex:T .
ex:T a sh:NodeShape ; sh:severity sh:Warning ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""

UNDECLARED_PREFIX = HEAD + """
ex:Unrelated sh:declare [ sh:prefix "zz" ; sh:namespace "http://example.org/zz#"^^xsd:anyURI ] .
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:sparql [ sh:message "m" ; sh:prefixes ex:Mine ;
                sh:select "SELECT $this WHERE { $this zz:p ?o }" ] .
ex:Mine sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/ns#"^^xsd:anyURI ] .
"""

PROJECT_PREFIX = HEAD + """
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:sparql [ sh:message "m" ;
                sh:select "SELECT $this WHERE { $this schema:name ?o }" ] .
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_not_of_a_shape_with_warnings_conforms(tmp_path: Path) -> None:
    """ex:a has no ex:name, so it does not conform to ex:T (a Warning inside ex:T), so it
    conforms to `sh:not ex:T`: no result at all, as plain pyshacl says too."""
    data, shapes = write(tmp_path, "d.ttl", DATA), write(tmp_path, "s.ttl", NOT_OF_A_WARNING)
    reference, _, _ = pyshacl.validate(rdflib.Graph().parse(data),
                                       shacl_graph=rdflib.Graph().parse(shapes))
    assert reference is True
    for fail_on in ("violation", "info"):
        done = run_ctgraph("validate", str(data), "--shapes", str(shapes), "--format", "json",
                           "--fail-on", fail_on)
        assert done.returncode == 0, done.stdout + done.stderr
        assert '"results": []' in done.stdout


def test_not_still_fails_when_the_inner_shape_conforms(tmp_path: Path) -> None:
    data = write(tmp_path, "d.ttl", DATA + 'ex:a ex:name "A" .\n')
    shapes = write(tmp_path, "s.ttl", NOT_OF_A_WARNING)
    done = run_ctgraph("validate", str(data), "--shapes", str(shapes), "--format", "json")
    assert done.returncode == 1
    assert '"constraint": "sh:NotConstraintComponent"' in done.stdout


def test_prefix_declared_elsewhere_is_not_the_constraints(tmp_path: Path) -> None:
    data, shapes = write(tmp_path, "d.ttl", DATA), write(tmp_path, "s.ttl", UNDECLARED_PREFIX)
    done = run_ctgraph("validate", str(data), "--shapes", str(shapes))
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"{shapes}: shapes cannot be used: ex:S: SPARQL does not parse")
    assert "zz" in line and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_the_projects_prefixes_do_not_help_user_shapes(tmp_path: Path) -> None:
    """`schema:` is one of ctgraph's own prefixes; a user's shape must declare it."""
    data, shapes = write(tmp_path, "d.ttl", DATA), write(tmp_path, "s.ttl", PROJECT_PREFIX)
    done = run_ctgraph("validate", str(data), "--shapes", str(shapes))
    assert done.returncode == 2
    assert "schema" in done.stderr and len(done.stderr.splitlines()) == 1


def test_the_datas_prefixes_do_not_help_user_shapes(tmp_path: Path) -> None:
    data = write(tmp_path, "d.ttl", "@prefix schema: <https://schema.org/> .\n" + DATA)
    shapes = write(tmp_path, "s.ttl", PROJECT_PREFIX)
    done = run_ctgraph("validate", str(data), "--shapes", str(shapes))
    assert done.returncode == 2
    assert "schema" in done.stderr


def test_declared_prefixes_work(tmp_path: Path) -> None:
    shapes = write(tmp_path, "s.ttl", PROJECT_PREFIX.replace(
        'sh:message "m" ;', 'sh:message "m" ; sh:prefixes ex:P ;') + (
        'ex:P sh:declare [ sh:prefix "schema" ; '
        'sh:namespace "https://schema.org/"^^xsd:anyURI ] .\n'))
    data = write(tmp_path, "d.ttl", DATA + 'ex:a <https://schema.org/name> "A" .\n')
    done = run_ctgraph("validate", str(data), "--shapes", str(shapes), "--format", "json")
    assert done.returncode == 1, done.stderr
    assert '"constraint": "sh:SPARQLConstraintComponent"' in done.stdout
