"""``ctgraph stats``: how big the graph is, what it describes and where its facts come from.

Counts come from the query engine (pyoxigraph) over the files as loaded, without the
materialised union, so quads count each statement once per named graph and "triples" counts
distinct statements (the union default graph a query sees).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ctgraph.namespaces import PREFIXES
from ctgraph.store import EmbeddedStore, load_paths

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


def write_text(stats: Stats) -> str:
    graphs = sum(1 for g in stats.graphs if g.iri)
    lines = [
        f"{stats.triples:,} triples ({stats.quads:,} quads in {graphs} named graphs"
        + (" and the default graph" if any(g.iri is None for g in stats.graphs) else "") + ")",
        "",
        f"Entities per class ({len(stats.classes)} classes)",
    ]
    width = max((len(f"{c.count:,}") for c in stats.classes + stats.graphs), default=1)
    for c in stats.classes:
        shown = f"  {c.label}" if c.label else ""
        lines.append(f"  {c.count:>{width},}  {compact(c.iri or '')}{shown}")
    lines += ["", "Facts per source (triples per graph)"]
    for g in stats.graphs:
        name = g.iri or "(default graph)"
        shown = f"  {g.label}" if g.label and g.iri else ""
        lines.append(f"  {g.count:>{width},}  {name}{shown}")
    return "\n".join(lines) + "\n"


def write_json(stats: Stats) -> str:
    document = {
        "triples": stats.triples,
        "quads": stats.quads,
        "classes": [{"class": c.iri, "label": c.label, "entities": c.count}
                    for c in stats.classes],
        "graphs": [{"graph": g.iri, "label": g.label, "triples": g.count} for g in stats.graphs],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _explain(paths: list[Path], error: Exception) -> str:
    """The clearest one-line message for a load failure: the safe reader's diagnosis (it names
    refused JSON-LD contexts and XML entities, with positions) when it has one."""
    from ctgraph.rdfio import RdfSyntaxError, read_files

    try:
        read_files(paths)
    except RdfSyntaxError as e:
        return str(e)
    return str(error).replace("\n", " ")


def compact(iri: str) -> str:
    """`schema:Event` for display, the IRI itself when no known prefix fits."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return iri


def run_stats(paths: list[Path], *, fmt: str) -> int:
    """``ctgraph stats``: 0 with the statistics on stdout, 2 with one line on stderr when the
    files cannot be read."""
    for path in paths:
        if not path.exists():
            print(f"{path}: no such file or folder", file=sys.stderr)
            return 2
    try:
        store = load_paths(paths, union_default_graph=False)
    except (ValueError, OSError) as e:  # RdfSyntaxError is a ValueError naming file:line:col
        print(_explain(paths, e), file=sys.stderr)
        return 2
    stats = compute_stats(store)
    sys.stdout.write(write_json(stats) if fmt == "json" else write_text(stats))
    return 0
