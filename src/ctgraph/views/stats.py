"""How big the graph is, what it describes and where its facts come from.

The size is defined once, here (`GraphSize`, `graph_size`): triples in the default graph
(what a query sees), of which data and ontology, the shapes apart in their own graph, and
triples per named graph. The start-up line, the landing page, VoID and ``ctgraph stats`` all
show it in the same words (`GraphSize.sentence`). Counts are plain SPARQL, so every back-end
gives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ctgraph.graph.namespaces import GRAPH_ONTOLOGY, GRAPH_SHAPES, PREFIXES
from ctgraph.graph.store import EmbeddedStore, GraphStore

_LABEL_PROPERTIES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "https://schema.org/name",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://purl.org/dc/terms/title",
)

_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"""
"""Entities per class in the default graph: what queries see."""


@dataclass
class Count:
    iri: str | None
    """Class or graph IRI; None stands for the default graph."""
    label: str | None
    count: int


@dataclass
class Stats:
    size: GraphSize
    classes: list[Count] = field(default_factory=list)
    graphs: list[Count] = field(default_factory=list)
    """Triples per named graph."""


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
    """The figures (`graph_size`), entities per class and triples per named graph of a store
    loaded as `ctgraph serve` loads it."""
    size = graph_size(store)
    classes = [(row["class"], int(row["n"].value)) for row in store.query(_CLASSES)]  # type: ignore[union-attr]
    named = [c.value for c, _ in classes if isinstance(c, ox.NamedNode)] + list(size.graphs)
    labels = _labels(store, sorted(set(named)))

    def entry(node: ox.NamedNode | ox.BlankNode, n: int) -> Count:
        iri = node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}"
        return Count(iri, labels.get(node.value), n)

    return Stats(
        size=size,
        classes=sorted((entry(c, n) for c, n in classes), key=lambda e: (-e.count, e.iri)),
        graphs=[Count(g, labels.get(g), n) for g, n in sorted(size.graphs.items())],
    )


@dataclass(frozen=True)
class GraphSize:
    """The graph's size, defined once; the start-up line, the landing page, VoID and
    ``ctgraph stats`` all show these figures in these words (`GraphSize.sentence`)."""

    default_graph: int
    """Triples in the default graph: what ``SELECT * { ?s ?p ?o }`` walks."""
    data: int
    """Of those, the triples that are not the ontology's or the shapes'."""
    ontology: int
    """Triples in the ontology graph (ctgr:graph/ontology)."""
    shapes: int
    """Triples in the shapes graph (ctgr:graph/shapes)."""
    shapes_in_default_graph: bool
    graphs: dict[str, int] = field(default_factory=dict)
    """Triples per named graph, by graph IRI."""
    ontology_in_default: bool = True
    """The default graph holds the ontology (not with --no-union-default-graph or without an
    ontology graph)."""

    def sentence(self) -> str:
        """E.g. "6,311 triples in the default graph (5,242 data + 1,069 ontology); 1,502
        shapes triples in their own graph; 7 named graphs"."""
        parts = [f"{self.data:,} data"]
        if self.ontology_in_default:
            parts.append(f"{self.ontology:,} ontology")
        if self.shapes and self.shapes_in_default_graph:
            parts.append(f"{self.shapes:,} shapes")
        text = f"{self.default_graph:,} triples in the default graph ({' + '.join(parts)})"
        if self.shapes and not self.shapes_in_default_graph:
            text += f"; {self.shapes:,} shapes triples in their own graph"
        n = len(self.graphs)
        return text + f"; {n} named graph{'s' if n != 1 else ''}"

    def as_json(self) -> dict[str, object]:
        return {"default_graph": self.default_graph, "data": self.data,
                "ontology": self.ontology, "shapes": self.shapes,
                "shapes_in_default_graph": self.shapes_in_default_graph,
                "named_graphs": dict(sorted(self.graphs.items())), "summary": self.sentence()}


_SIZE_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_SIZE_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_IN_DEFAULT = """ASK { GRAPH <%s> { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) } ?s ?p ?o }"""
"""Whether a named graph is part of the default graph. The union holds all of a graph or none
of it, so one shared triple answers; triples without blank nodes are asked about because a
remote store loaded graph by graph (Graph Store Protocol) keeps the union's blank nodes apart
from the named graphs' own."""
_SIZES: dict[tuple[int, str], GraphSize] = {}


def _shared(store: GraphStore, graph: str, graphs: dict[str, int]) -> int:
    """Triples of `graph` in the default graph: all of them when it is part of it, else 0."""
    if not graphs.get(graph):
        return 0
    return graphs[graph] if bool(store.query(_IN_DEFAULT % graph)) else 0


def graph_size(store: GraphStore) -> GraphSize:
    """The figures of `store` (any back-end: plain SPARQL), computed once per store version."""
    key = (id(store), store.version)
    if key in _SIZES:
        return _SIZES[key]
    graphs = {row["g"].value: int(row["n"].value) for row in store.query(_SIZE_GRAPHS)  # type: ignore[union-attr]
              if isinstance(row["g"], ox.NamedNode)}
    default = _int(store.query(_SIZE_DEFAULT))  # type: ignore[arg-type]
    ontology_shared = _shared(store, GRAPH_ONTOLOGY, graphs)
    shapes_shared = _shared(store, GRAPH_SHAPES, graphs)
    size = GraphSize(
        default_graph=default, data=default - ontology_shared - shapes_shared,
        ontology=graphs.get(GRAPH_ONTOLOGY, 0), shapes=graphs.get(GRAPH_SHAPES, 0),
        shapes_in_default_graph=shapes_shared > 0, graphs=graphs,
        ontology_in_default=ontology_shared > 0,
    )
    _SIZES.clear()  # one store per process; keep no stale versions
    _SIZES[key] = size
    return size


def compact(iri: str) -> str:
    """`schema:Event` for display, the IRI itself when no known prefix fits."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return iri
