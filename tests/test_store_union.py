"""The union default graph is the RDF merge (a set) whichever way the store keeps it: Oxigraph's
own union when no triple stands in two graphs, a materialised copy plus a default-graph-only
store in memory otherwise, a materialised copy on disk. Each way must answer alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctgraph.graph.store import EmbeddedStore, dataset_keywords, open_disk_store

G1, G2 = "urn:ex:g1", "urn:ex:g2"
SHARED = "<urn:ex:s> <urn:ex:p> \"both\" <{g}> .\n"


def nquads(overlap: bool) -> str:
    text = (SHARED.format(g=G1)
            + f"<urn:ex:s> <urn:ex:p> \"one\" <{G1}> .\n"
            + f"<urn:ex:s> <urn:ex:p> \"two\" <{G2}> .\n"
            + "<urn:ex:s> <urn:ex:p> \"loose\" .\n")
    return text + (SHARED.format(g=G2) if overlap else "")


def store_for(tmp_path: Path, overlap: bool, where: str) -> EmbeddedStore:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "d.nq"
    path.write_text(nquads(overlap))
    if where == "memory":
        return EmbeddedStore.from_files([path])
    EmbeddedStore.from_files([path], location=tmp_path / "store").oxigraph.flush()
    return open_disk_store(tmp_path / "store")


def values(store: EmbeddedStore, query: str, **kwargs: object) -> list[str]:
    return sorted(str(row[0]) for row in store.query(query, **kwargs))


@pytest.mark.parametrize("where", ["memory", "disk"])
@pytest.mark.parametrize("overlap", [False, True], ids=["disjoint", "overlapping"])
def test_every_strategy_answers_the_rdf_merge(tmp_path: Path, overlap: bool, where: str) -> None:
    store = store_for(tmp_path, overlap, where)
    assert values(store, "SELECT ?o { ?s ?p ?o }") == ['"both"', '"loose"', '"one"', '"two"']
    assert values(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == [
        '"4"^^<http://www.w3.org/2001/XMLSchema#integer>']
    graph_counts = values(store, "SELECT ?g { GRAPH ?g { ?s ?p ?o } }")
    assert graph_counts.count(f"<{G1}>") == 2
    assert graph_counts.count(f"<{G2}>") == (2 if overlap else 1)
    # a query that names its dataset gets exactly that dataset, never the union
    assert values(store, f"SELECT ?o FROM <{G2}> {{ ?s ?p ?o }}") == (
        ['"both"', '"two"'] if overlap else ['"two"'])
    assert values(store, f"SELECT ?o FROM NAMED <{G1}> {{ ?s ?p ?o }}") == []
    assert values(store, "SELECT ?o { ?s ?p ?o }", default_graphs=[G1]) == ['"both"', '"one"']
    # default graph and named graphs in one query
    mixed = ("SELECT ?o { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")
    assert values(store, mixed) == ['"loose"']


def test_the_strategy_follows_the_data(tmp_path: Path) -> None:
    disjoint = store_for(tmp_path / "a", False, "memory")
    assert disjoint.bag_union and disjoint.default_only is None
    overlapping = store_for(tmp_path / "b", True, "memory")
    assert not overlapping.bag_union and overlapping.default_only is not None
    assert len(overlapping.default_only) == 4


def test_dataset_keywords_ignore_strings_iris_and_comments() -> None:
    assert dataset_keywords('SELECT * { ?s ?p "GRAPH FROM" } # FROM') == frozenset()
    assert dataset_keywords("SELECT * { ?s <urn:graph/from> ?o }") == frozenset()
    assert dataset_keywords("SELECT * { ?s graph:from ?o }") == frozenset()
    assert dataset_keywords("select * from <urn:g> { graph ?g { ?s ?p ?o } }") == {
        "GRAPH", "FROM"}
