"""A data or shapes file that does not parse stops `ctgraph validate` with exit 2 and one line
``file:line:column: problem`` on stderr, in every syntax, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_ctgraph

SHAPES = Path(__file__).parent / "fixtures" / "validate" / "shapes.ttl"

# (file name, content, line, column, words of the problem); the position is the token at
# fault, counted by hand from the content.
CASES = [
    ("broken.ttl",
     '@prefix ex: <http://example.org/> .\nex:a ex:p "x" ;\n   ex:q ex:b ex:c .\n',
     3, 14, "dot"),
    ("broken.trig",
     "@prefix ex: <http://example.org/> .\nex:g {\n  ex:a ex:p .\n}\n",
     3, 13, "object"),
    ("broken.nt",
     '<http://example.org/a> <http://example.org/p> "ok" .\n'
     "<http://example.org/a> <http://example.org/p> <not an iri> .\n",
     2, 47, "IRI"),
    ("broken.nq",
     '<http://example.org/a> <http://example.org/p> "ok" <http://example.org/g> .\n'
     '<http://example.org/a> <http://example.org/p> "x" <http://example.org/g> '
     "<http://example.org/h> .\n",
     2, 74, "dot"),
    ("broken.jsonld",
     '{\n  "@id": "http://example.org/a",\n  "http://example.org/p": "x",\n}\n',
     4, 1, "JSON"),
    ("broken.rdf",
     '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
     '  <rdf:Description rdf:about="http://example.org/a">\n  </rdf:Descriptio>\n</rdf:RDF>\n',
     4, 5, "mismatched tag"),
]


@pytest.mark.parametrize(("name", "content", "line", "column", "words"), CASES,
                         ids=[c[0] for c in CASES])
def test_syntax_error_names_file_line_and_column(
    tmp_path: Path, name: str, content: str, line: int, column: int, words: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    done = run_ctgraph("validate", "--shapes", str(SHAPES), str(path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1
    prefix = f"{path}:{line}:{column}: "
    assert message.startswith(prefix), message
    problem = message.removeprefix(prefix)
    assert problem and words in problem
    assert "Parser error at line" not in problem  # the position is said once, up front


def test_syntax_error_in_shapes_is_reported_the_same_way(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<a> a sh:NodeShape\n",
                      encoding="utf-8")
    done = run_ctgraph("validate", "--shapes", str(shapes), str(SHAPES))
    assert done.returncode == 2
    assert done.stderr.startswith(f"{shapes}:3:")
    assert "Traceback" not in done.stderr


def test_rdf_level_error_without_position_still_names_the_file(tmp_path: Path) -> None:
    """RDF/XML that is well-formed XML but not valid RDF: the parser gives no position."""
    path = tmp_path / "both.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="http://example.org/a" rdf:resource="x" rdf:nodeID="n"/>\n'
        "</rdf:RDF>\n", encoding="utf-8")
    done = run_ctgraph("validate", "--shapes", str(SHAPES), str(path))
    assert done.returncode == 2
    assert done.stderr.startswith(f"{path}: ")
    assert "nodeID" in done.stderr
    assert "Traceback" not in done.stderr


def test_file_that_is_not_utf8_is_refused_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ttl"
    path.write_bytes('<http://example.org/a> <http://example.org/p> "caf\u00e9" .\n'
                     .encode("latin-1"))
    done = run_ctgraph("validate", "--shapes", str(SHAPES), str(path))
    assert done.returncode == 2
    assert done.stderr.strip() == f"{path}:1:51: not UTF-8 (byte 0xe9)"
