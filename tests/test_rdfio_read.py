"""`ctgraph.graph.rdf_reading` reads every RDF syntax into rdflib, keeping named graphs, file
by file."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from ctgraph.graph.rdf_reading import RdfSyntaxError, line_column, read_files, read_graph

EX = rdflib.Namespace("http://example.org/")

# One small graph in each triples syntax; a blank node and a language tag included.
SYNTAXES = {
    "turtle.ttl": '@prefix ex: <http://example.org/> .\n'
                  'ex:a ex:name "A"@en ; ex:age 3 ; ex:knows [ ex:name "B" ] .\n',
    "ntriples.nt": '<http://example.org/a> <http://example.org/name> "A"@en .\n'
                   '<http://example.org/a> <http://example.org/age> '
                   '"3"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
                   '<http://example.org/a> <http://example.org/knows> _:b .\n'
                   '_:b <http://example.org/name> "B" .\n',
    "jsonld.jsonld": '{"@context": {"ex": "http://example.org/"}, "@id": "ex:a",'
                     ' "ex:name": {"@value": "A", "@language": "en"}, "ex:age": 3,'
                     ' "ex:knows": {"ex:name": "B"}}',
    "rdfxml.rdf": '<?xml version="1.0"?>\n'
                  '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
                  ' xmlns:ex="http://example.org/">\n'
                  '  <rdf:Description rdf:about="http://example.org/a">\n'
                  '    <ex:name xml:lang="en">A</ex:name>\n'
                  '    <ex:age rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">3</ex:age>\n'
                  '    <ex:knows><rdf:Description><ex:name>B</ex:name></rdf:Description>'
                  '</ex:knows>\n'
                  '  </rdf:Description>\n</rdf:RDF>\n',
}


def expected() -> rdflib.Graph:
    return rdflib.Graph().parse(data=SYNTAXES["turtle.ttl"], format="turtle")


@pytest.mark.parametrize("name", sorted(SYNTAXES))
def test_every_syntax_gives_the_same_graph(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(SYNTAXES[name], encoding="utf-8")
    graph = read_graph([path])
    assert len(graph) == 4
    assert isomorphic(graph, expected())


@pytest.mark.parametrize(("name", "content"), [
    ("data.owl", SYNTAXES["rdfxml.rdf"]),
    ("data.owl", SYNTAXES["turtle.ttl"]),
    ("data.txt", SYNTAXES["jsonld.jsonld"]),
    ("data", SYNTAXES["ntriples.nt"]),
])
def test_syntax_is_sniffed_when_the_suffix_does_not_say(
    tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert isomorphic(read_graph([path]), expected())


def test_nquads_are_recognised_without_a_suffix(tmp_path: Path) -> None:
    path = tmp_path / "export.data"
    path.write_text("<http://example.org/a> <http://example.org/p> <http://example.org/o> "
                    "<http://example.org/g> .\n", encoding="utf-8")
    graphs = {g.identifier: len(g) for g in read_files([path]).dataset.graphs() if len(g)}
    assert graphs == {EX.g: 1}


def test_unsniffable_text_reports_the_trig_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some words\n", encoding="utf-8")
    with pytest.raises(RdfSyntaxError) as error:
        read_files([path])
    assert error.value.line == 1 and str(error.value).startswith(f"{path}:1:")


def test_quads_keep_their_graphs_and_the_union_is_a_set(tmp_path: Path) -> None:
    (tmp_path / "a.trig").write_text(
        "@prefix ex: <http://example.org/> .\n"
        "ex:a ex:p ex:o .\n"
        "ex:g1 { ex:a ex:p ex:o . ex:b ex:p ex:o }\n", encoding="utf-8")
    (tmp_path / "b.nq").write_text(
        "<http://example.org/a> <http://example.org/p> <http://example.org/o> "
        "<http://example.org/g2> .\n", encoding="utf-8")
    document = read_files([tmp_path])
    assert document.files == [tmp_path / "a.trig", tmp_path / "b.nq"]
    sizes = {g.identifier: len(g) for g in document.dataset.graphs() if len(g)}
    assert sizes == {EX.g1: 2, EX.g2: 1, DATASET_DEFAULT_GRAPH_ID: 1}
    assert len(document.union()) == 2
    assert document.subject_files[EX.a] == [tmp_path / "a.trig", tmp_path / "b.nq"]
    assert document.subject_files[EX.b] == [tmp_path / "a.trig"]


def test_blank_node_labels_are_local_to_their_file(tmp_path: Path) -> None:
    for name in ("one.ttl", "two.ttl"):
        (tmp_path / name).write_text(
            f'_:x <http://example.org/from> "{name}" .\n', encoding="utf-8")
    graph = read_graph([tmp_path / "one.ttl", tmp_path / "two.ttl"])
    assert len(set(graph.subjects())) == 2


def test_relative_iris_resolve_against_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rel.ttl"
    path.write_text("<#me> <http://example.org/p> <other.ttl> .\n", encoding="utf-8")
    (s, _, o), = read_graph([path])
    assert str(s) == path.resolve().as_uri() + "#me"
    assert str(o) == (tmp_path / "other.ttl").resolve().as_uri()


def test_prefixes_of_the_files_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "p.ttl"
    path.write_text(SYNTAXES["turtle.ttl"], encoding="utf-8")
    assert read_files([path]).prefixes == {"ex": "http://example.org/"}
    assert dict(read_graph([path]).namespaces())["ex"] == rdflib.URIRef("http://example.org/")


@pytest.mark.parametrize(("offset", "position"), [(0, (1, 1)), (2, (1, 3)), (3, (2, 1)),
                                                  (7, (3, 2))])
def test_line_column_counts_from_one(offset: int, position: tuple[int, int]) -> None:
    assert line_column("ab\ncd\nef", offset) == position
