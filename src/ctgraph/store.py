"""The query engine behind one small interface.

`GraphStore` is what every reader of the graph (SPARQL protocol, linked-data views, named
queries, stats) talks to. `EmbeddedStore` wraps a pyoxigraph store (in memory or on disk);
other back-ends (a remote SPARQL endpoint) implement the same methods and return the same
pyoxigraph result objects, so callers never branch on the back-end.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from ctgraph.bundle import bundled_data_files, rdf_files

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

FORMAT_BY_SUFFIX: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".owl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


class GraphStore(Protocol):
    """Read-only access to a dataset, whatever holds it."""

    version: str
    """Changes whenever the data changes: the basis of ETags and cache keys."""

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode] | None = None,
    ) -> QueryResult: ...

    def named_graphs(self) -> list[str]: ...

    def quad_count(self) -> int: ...


class EmbeddedStore:
    """A pyoxigraph store in this process; the default graph is the union of all graphs unless
    `union_default_graph` is False."""

    def __init__(self, store: ox.Store, *, union_default_graph: bool = True, version: str = ""):
        self.oxigraph = store
        self.union_default_graph = union_default_graph
        self.version = version or "empty"

    @classmethod
    def from_files(cls, paths: Iterable[Path], *, union_default_graph: bool = True) -> EmbeddedStore:
        """Load RDF files (any syntax pyoxigraph reads; quads keep their graphs) into memory.

        pyoxigraph's parsers fetch no remote JSON-LD contexts and expand no XML entities, so
        loading a user's files never reaches the network or other local files.
        """
        store = ox.Store()
        digest = hashlib.sha256()
        for path in paths:
            fmt = FORMAT_BY_SUFFIX.get(path.suffix.lower())
            if fmt is None:
                raise ValueError(f"{path}: unknown RDF syntax (suffix {path.suffix!r})")
            content = path.read_bytes()
            digest.update(path.name.encode() + b"\0" + content)
            store.bulk_load(content, format=fmt, base_iri=path.resolve().as_uri())
        return cls(store, union_default_graph=union_default_graph, version=digest.hexdigest()[:16])

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode] | None = None,
    ) -> QueryResult:
        kwargs: dict[str, object] = {}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = self.union_default_graph
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        return self.oxigraph.query(sparql, **kwargs)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.oxigraph.named_graphs() if isinstance(g, ox.NamedNode))

    def quad_count(self) -> int:
        return len(self.oxigraph)


def load_bundled(*, union_default_graph: bool = True) -> EmbeddedStore:
    """The bundled ontology and data in memory."""
    return EmbeddedStore.from_files(bundled_data_files(), union_default_graph=union_default_graph)


def load_paths(paths: list[Path], *, union_default_graph: bool = True) -> EmbeddedStore:
    """The given files/folders, or the bundled graph when `paths` is empty."""
    files = rdf_files(*paths) if paths else bundled_data_files()
    return EmbeddedStore.from_files(files, union_default_graph=union_default_graph)
