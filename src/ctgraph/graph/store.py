"""The query engine behind one small interface.

`GraphStore` is what every reader of the graph (SPARQL protocol, linked-data views, named
queries, stats) talks to. `EmbeddedStore` wraps a pyoxigraph store (in memory or on disk);
other back-ends (a remote SPARQL endpoint) implement the same methods and return the same
pyoxigraph result objects, so callers never branch on the back-end.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypedDict, Unpack

import pyoxigraph as ox

from ctgraph.graph.bundle import (
    ONTOLOGY_DIR,
    bundled_data_files,
    bundled_shape_files,
    rdf_files,
)
from ctgraph.graph.namespaces import GRAPH_ONTOLOGY, GRAPH_SHAPES
from ctgraph.sparql.analysis import tokens

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

TRIPLE_FORMATS = frozenset(
    {ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD}
)

class RdfSyntaxError(ValueError):
    """A data file that does not parse; the message reads ``file:line:column: problem``."""

    def __init__(self, path: Path, error: SyntaxError):
        self.path, self.line, self.column = path, error.lineno, error.offset
        detail = str(error.msg).split(": ", 1)[-1] if ": " in str(error.msg) else str(error.msg)
        where = f"{path}:{self.line}:{self.column}" if self.line else str(path)
        super().__init__(f"{where}: {detail}")


class StoreUnavailable(OSError):
    """A store that lives elsewhere could not answer: unreachable or timed out (`status` 503)
    or failing with a server error (502). The message is one line, fit for the client."""

    def __init__(self, message: str, status: int = 503):
        super().__init__(message)
        self.status = status


class QueryOptions(TypedDict, total=False):
    """What `GraphStore.query` takes besides the text, the same for every back-end (each
    absent or None by default)."""

    default_graphs: list[str] | None
    """The default graph is the merge of these (the protocol's ``default-graph-uri``)."""
    named_graphs: list[str] | None
    """The named graphs ``GRAPH ?g`` ranges over (``named-graph-uri``)."""
    substitutions: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode] | None
    """Variables bound before evaluation (the embedded store only)."""
    base_iri: str | None
    """What the query's relative IRIs resolve against."""


class GraphStore(Protocol):
    """Read-only access to a dataset, whatever holds it."""

    @property
    def version(self) -> str:
        """Changes whenever the data changes: the basis of ETags and cache keys."""
        ...

    def query(self, sparql: str, **options: Unpack[QueryOptions]) -> QueryResult: ...

    def named_graphs(self) -> list[str]: ...

    def quad_count(self) -> int: ...


OUTSIDE_THE_UNION: frozenset[str] = frozenset({GRAPH_SHAPES})
"""Named graphs the union default graph leaves out unless the operator asks for them
(``serve --shapes-in-default-graph``): the SHACL shapes describe the data, they are not
data, so ``SELECT * { ?s ?p ?o }`` must not start with shapes and their blank nodes. They
stay queryable with ``GRAPH ctgr:graph/shapes { … }``."""


def in_the_union(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph,
                 outside: Collection[str] = OUTSIDE_THE_UNION) -> bool:
    """Whether a named graph's triples belong in the union default graph."""
    return not isinstance(graph, ox.DefaultGraph) and graph.value not in outside


def materialise_union(store: ox.Store, outside: Collection[str] = OUTSIDE_THE_UNION) -> None:
    """Copy every named graph's triples (but those of `outside`) into the default graph, once.

    Oxigraph's own union default graph (`use_default_graph_as_union`) is a bag: a triple
    asserted in two graphs (here, a fact both source texts state) answers twice, and counts
    come out doubled. SPARQL's default graph is an RDF merge, a set, so the union is
    materialised instead; adding a quad that exists is a no-op, so the copy is a set.
    """
    named = [
        ox.Quad(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None)
        if in_the_union(q.graph_name, outside)
    ]
    store.bulk_extend(named)


def union_is_a_set(store: ox.Store) -> bool:
    """True when no triple stands in two graphs, so Oxigraph's bag union already is the RDF
    merge and need not be materialised (one DISTINCT pass: about 0.1 s per 100k quads)."""
    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
    solution = next(iter(store.query(distinct, use_default_graph_as_union=True)))
    return int(solution[0].value) == len(store)


def dataset_keywords(sparql: str) -> frozenset[str]:
    """Which of GRAPH and FROM the text uses as keywords (not inside strings, IRIs or
    comments): a query without them reads the default graph only, and one with FROM names
    its own dataset."""
    return frozenset(word for tok in tokens(sparql) if tok.kind == "word"
                     and (word := tok.text.upper()) in _DATASET_KEYWORDS)


_DATASET_KEYWORDS = frozenset({"GRAPH", "FROM"})


class EmbeddedStore:
    """A pyoxigraph store in this process; the default graph is the union of all graphs unless
    `union_default_graph` is False.

    "All graphs" means the named graphs plus, when triples were loaded without a graph (plain
    Turtle files given to ``serve``), the store's own default graph. A query that names its
    own dataset with FROM / FROM NAMED, or default-graph-uri, gets exactly that dataset.

    How the union is kept depends on the data and on where the store lives:

    * no triple in two graphs (`union_is_a_set`): Oxigraph's own union is already the merge,
      so queries run with ``use_default_graph_as_union`` and nothing is copied;
    * on disk: the union is materialised into the default graph (`materialise_union`);
      RocksDB indexes the default graph apart from the named graphs, so this costs no speed;
    * in memory, with triples in several graphs: the union is materialised too, and a second
      in-memory store holds the default graph alone. Oxigraph's memory store chains every
      quad of a term together whatever its graph, so a default-graph pattern in a store that
      also holds the named graphs walks twice the quads (measured 1.3-1.5x slower on the
      benchmark mix); queries that cannot read a named graph (no GRAPH, no FROM, no dataset
      parameters: `dataset_keywords`) run on the small store instead, at the price of a
      third copy of the union in memory.
    """

    def __init__(self, store: ox.Store, *, union_default_graph: bool = True, version: str = "",
                 in_memory: bool = False, union_outside: Collection[str] = OUTSIDE_THE_UNION):
        self.oxigraph = store
        self.union_default_graph = union_default_graph
        self.version = version or "empty"
        self.path: Path | None = None
        """Folder of an on-disk store (opened read-only), None for memory."""
        self.prefixes: dict[str, str] = {}
        """Prefixes pre-declared for every query (the query's own PREFIX lines win)."""
        self.bag_union = False
        """Queries run with Oxigraph's union default graph (it is a set for this data)."""
        self.default_only: ox.Store | None = None
        """The materialised union alone, for queries that read only the default graph."""
        if not union_default_graph:
            return
        left_out = any(next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(g))), None)
                       for g in union_outside)
        if in_memory and not left_out and union_is_a_set(store):
            self.bag_union = True
            return
        materialise_union(store, union_outside)
        if in_memory:
            self.default_only = ox.Store()
            self.default_only.bulk_extend(store.quads_for_pattern(None, None, None,
                                                                  ox.DefaultGraph()))

    @classmethod
    def from_files(
        cls,
        paths: Iterable[Path],
        *,
        union_default_graph: bool = True,
        graphs: Mapping[Path, str] | None = None,
        location: Path | None = None,
        progress: Callable[[int, int, Path], None] | None = None,
        union_outside: Collection[str] = OUTSIDE_THE_UNION,
    ) -> EmbeddedStore:
        """Load RDF files (any syntax pyoxigraph reads; quads keep their graphs) into memory.

        `graphs` puts a triples file into a named graph instead of the default graph.
        `location` writes an on-disk store there instead (see `ctgraph load`); `progress` is
        called before each file with (index, total, path).
        pyoxigraph's parsers fetch no remote JSON-LD contexts and expand no XML entities, so
        loading a user's files never reaches the network or other local files.
        """
        from ctgraph.graph.rdf_reading import sniff_format  # rdfio builds on this module

        store = ox.Store(str(location)) if location is not None else ox.Store()
        digest = hashlib.sha256()
        paths = list(paths)
        for index, path in enumerate(paths):
            if progress is not None:
                progress(index, len(paths), path)
            content = path.read_bytes()
            fmt = sniff_format(path, content[:1024])
            graph = (graphs or {}).get(path)
            digest.update(path.name.encode() + b"\0" + (graph or "").encode() + b"\0" + content)
            kwargs: dict[str, object] = {}
            if graph and fmt in TRIPLE_FORMATS:
                kwargs["to_graph"] = ox.NamedNode(graph)
            try:
                store.bulk_load(content, format=fmt, base_iri=path.resolve().as_uri(), **kwargs)
            except SyntaxError as e:
                raise RdfSyntaxError(path, e) from None
        return cls(store, union_default_graph=union_default_graph, version=digest.hexdigest()[:16],
                   in_memory=location is None, union_outside=union_outside)

    def query(self, sparql: str, **options: Unpack[QueryOptions]) -> QueryResult:
        """Evaluate a query; `base_iri` resolves its relative IRIs (the protocol uses the
        endpoint URL)."""
        default_graphs, named_graphs = options.get("default_graphs"), options.get("named_graphs")
        substitutions, base_iri = options.get("substitutions"), options.get("base_iri")
        kwargs: dict[str, object] = {}
        if base_iri:
            kwargs["base_iri"] = base_iri
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        if self.prefixes:
            kwargs["prefixes"] = self.prefixes
        store = self.oxigraph
        if self.union_default_graph and default_graphs is None and named_graphs is None:
            keywords = dataset_keywords(sparql)
            if self.bag_union and "FROM" not in keywords:  # the flag would override FROM
                kwargs["use_default_graph_as_union"] = True
            elif self.default_only is not None and not keywords:
                store = self.default_only
        return store.query(sparql, **kwargs)

    def reopen(self) -> EmbeddedStore:
        """The same on-disk store opened afresh (a forked worker must not share the parent's
        RocksDB handles); an in-memory store is returned as is."""
        if self.path is None:
            return self
        fresh = open_disk_store(self.path, union_default_graph=self.union_default_graph)
        fresh.prefixes = dict(self.prefixes)
        return fresh

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.oxigraph.named_graphs() if isinstance(g, ox.NamedNode))

    def quad_count(self) -> int:
        return len(self.oxigraph)


def load_bundled(
    *, union_default_graph: bool = True, shapes: bool = False, **options: Any
) -> EmbeddedStore:
    """The bundled ontology and data in memory; the ontology's triples go to graph
    ctgr:graph/ontology and, with `shapes`, the SHACL shapes to ctgr:graph/shapes."""
    files = bundled_data_files()
    graphs = {p: GRAPH_ONTOLOGY for p in rdf_files(ONTOLOGY_DIR)}
    if shapes:
        shape_files = bundled_shape_files()
        files += shape_files
        graphs.update({p: GRAPH_SHAPES for p in shape_files})
    return EmbeddedStore.from_files(files, union_default_graph=union_default_graph, graphs=graphs,
                                    **options)


def load_paths(
    paths: list[Path], *, union_default_graph: bool = True, shapes: bool = False, **options: Any
) -> EmbeddedStore:
    """The given files/folders, or the bundled graph (see `load_bundled`) when `paths` is empty.
    `options` go to `EmbeddedStore.from_files` (an on-disk `location`, `progress`)."""
    if not paths:
        return load_bundled(union_default_graph=union_default_graph, shapes=shapes, **options)
    return EmbeddedStore.from_files(rdf_files(*paths), union_default_graph=union_default_graph,
                                    **options)


def open_disk_store(path: Path, *, union_default_graph: bool = True) -> EmbeddedStore:
    """An on-disk store (made by ``ctgraph load``, which materialises the union default graph
    as `materialise_union` does) opened read-only; its version follows the files' sizes and
    modification times."""
    if not path.is_dir():
        raise FileNotFoundError(2, "no such store folder", str(path))
    digest = hashlib.sha256(str(path.resolve()).encode())
    for item in sorted(path.iterdir()):
        if item.is_file():
            stat = item.stat()
            digest.update(f"{item.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    # A read-only store cannot materialise the union now: `ctgraph load` did it when writing.
    store = EmbeddedStore(ox.Store.read_only(str(path)), union_default_graph=False,
                          version=digest.hexdigest()[:16])
    store.union_default_graph = union_default_graph
    store.path = path
    return store
