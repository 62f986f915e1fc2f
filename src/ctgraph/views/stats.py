"""How big the graph is, what it describes and where its facts come from.

Counts come from the query engine (pyoxigraph) over the files as loaded, without the
materialised union, so quads count each statement once per named graph and "triples" counts
distinct statements (the union default graph a query sees).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ctgraph.graph.namespaces import PREFIXES
from ctgraph.graph.store import EmbeddedStore

_LABEL_PROPERTIES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "https://schema.org/name",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://purl.org/dc/terms/title",
)

_TRIPLES = """
SELECT (COUNT(*) AS ?n) WHERE {
  SELECT DISTINCT ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }
}"""

_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  { ?s a ?class } UNION { GRAPH ?g { ?s a ?class } }
} GROUP BY ?class"""

_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@dataclass
class Count:
    iri: str | None
    """Class or graph IRI; None stands for the default graph."""
    label: str | None
    count: int


@dataclass
class Stats:
    quads: int
    triples: int
    classes: list[Count] = field(default_factory=list)
    graphs: list[Count] = field(default_factory=list)


def _int(solutions: ox.QuerySolutions) -> int:
    for row in solutions:
        return int(row["n"].value)
    return 0


def _labels(store: EmbeddedStore, iris: list[str]) -> dict[str, str]:
    """One display label per IRI: rdfs:label, schema:name, skos:prefLabel, dct:title in that
    order, English first."""
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in iris)
    props = " ".join(f"<{p}>" for p in _LABEL_PROPERTIES)
    query = (f"SELECT DISTINCT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ {props} }}"
             " { ?x ?p ?l } UNION { GRAPH ?g { ?x ?p ?l } } FILTER(isLiteral(?l)) }")
    best: dict[str, tuple[int, int, str]] = {}
    for row in store.query(query):  # type: ignore[union-attr]
        literal = row["l"]
        lang = literal.language or ""
        rank = (_LABEL_PROPERTIES.index(row["p"].value),
                0 if lang in ("en", "") or lang.startswith("en-") else 1, literal.value)
        key = row["x"].value
        if key not in best or rank < best[key]:
            best[key] = rank
    return {k: v[2] for k, v in best.items()}


def compute_stats(store: EmbeddedStore) -> Stats:
    """Counts of a store loaded without the materialised union default graph."""
    stats = Stats(quads=store.quad_count(), triples=_int(store.query(_TRIPLES)))  # type: ignore[arg-type]
    classes = [(row["class"], int(row["n"].value)) for row in store.query(_CLASSES)]  # type: ignore[union-attr]
    graphs = [(row["g"], int(row["n"].value)) for row in store.query(_GRAPHS)]  # type: ignore[union-attr]
    named = [c.value for c, _ in classes + graphs if isinstance(c, ox.NamedNode)]
    labels = _labels(store, sorted(set(named)))

    def entry(node: ox.NamedNode | ox.BlankNode, n: int) -> Count:
        iri = node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}"
        return Count(iri, labels.get(node.value), n)

    stats.classes = sorted((entry(c, n) for c, n in classes), key=lambda e: (-e.count, e.iri))
    stats.graphs = sorted((entry(g, n) for g, n in graphs), key=lambda e: e.iri or "")
    default = _int(store.query(_DEFAULT))  # type: ignore[arg-type]
    if default:
        stats.graphs.insert(0, Count(None, "default graph", default))
    return stats


def compact(iri: str) -> str:
    """`schema:Event` for display, the IRI itself when no known prefix fits."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return iri
