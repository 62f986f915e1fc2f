"""`ctgraph stats`: the graph's figures (views.stats.GraphSize), entities per class and
triples per named graph, checked against counts made independently with rdflib's parsers."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import rdflib
from rdflib import RDF

from ctgraph.graph.bundle import ONTOLOGY_DIR, bundled_data_files, bundled_shape_files
from ctgraph.graph.namespaces import GRAPH_ONTOLOGY, GRAPH_SHAPES
from tests.helpers import run_ctgraph


def rdflib_dataset() -> rdflib.Dataset:
    """The bundled graph as `ctgraph serve` holds it, read by rdflib: the ontology and the
    shapes in their own named graphs."""
    ds = rdflib.Dataset()
    for path in bundled_data_files():
        if ONTOLOGY_DIR in path.parents:
            ds.graph(rdflib.URIRef(GRAPH_ONTOLOGY)).parse(path, format="turtle")
        else:
            ds.parse(path, format="trig")
    for path in bundled_shape_files():
        ds.graph(rdflib.URIRef(GRAPH_SHAPES)).parse(path, format="turtle")
    return ds


def test_bundled_stats_match_an_independent_count() -> None:
    """The figures: the default graph is the union of the named graphs but the shapes; of it,
    data is what the ontology graph does not hold; every named graph counted apart."""
    done = run_ctgraph("stats", "--format", "json")
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)

    ds = rdflib_dataset()
    quads = list(ds.quads((None, None, None, None)))
    ontology = {(s, p, o) for s, p, o, g in quads if str(g) == GRAPH_ONTOLOGY}
    shapes = {(s, p, o) for s, p, o, g in quads if str(g) == GRAPH_SHAPES}
    union = {(s, p, o) for s, p, o, g in quads if str(g) != GRAPH_SHAPES}
    assert stats["triples"] == len(union)
    assert stats["ontology"] == len(ontology)
    assert stats["shapes"] == len(shapes) > 0
    assert stats["data"] == len(union - ontology - shapes)
    assert stats["shapes_in_default_graph"] is False
    assert stats["summary"].startswith(f"{len(union):,} triples in the default graph")

    per_graph = Counter(str(g) for *_, g in quads)
    assert {g["graph"]: g["triples"] for g in stats["graphs"]} == dict(per_graph)

    per_class = Counter(o for s, p, o in union if p == RDF.type)
    assert {c["class"]: c["entities"] for c in stats["classes"]} == {
        str(c): n for c, n in per_class.items()}
    counts = [c["entities"] for c in stats["classes"]]
    assert counts == sorted(counts, reverse=True)


def test_bundled_stats_label_classes_and_graphs() -> None:
    stats = json.loads(run_ctgraph("stats", "--format", "json").stdout)
    ds = rdflib_dataset()
    union = rdflib.Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    for entry in stats["graphs"] + stats["classes"]:
        iri = rdflib.URIRef(entry.get("graph") or entry.get("class"))
        english = {str(o) for o in union.objects(iri, rdflib.RDFS.label)
                   if getattr(o, "language", None) == "en"}
        if english:
            assert entry["label"] in english, entry


def test_text_output_shows_counts_labels_and_graphs(tmp_path: Path) -> None:
    data = tmp_path / "small.trig"
    data.write_text(
        "@prefix ex: <http://example.org/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'ex:Person rdfs:label "person"@en .\n'
        'ex:people { ex:a a ex:Person . ex:b a ex:Person . ex:people rdfs:label "People"@en }\n'
        "ex:other { ex:a a ex:Person }\n", encoding="utf-8")
    done = run_ctgraph("stats", str(data))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "4 triples in the default graph (4 data); 2 named graphs"
    assert "  2  http://example.org/Person  person" in lines
    assert "  3  http://example.org/people  People" in lines
    assert "  1  http://example.org/other" in lines


def test_unreadable_input_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = run_ctgraph("stats", str(tmp_path / "missing.ttl"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"{tmp_path / 'missing.ttl'}: no such file or folder"

    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://example.org/a> <http://example.org/p> .\n", encoding="utf-8")
    done = run_ctgraph("stats", str(broken))
    assert done.returncode == 2
    assert done.stderr.startswith(f"{broken}:1:")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
