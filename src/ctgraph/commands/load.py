"""`ctgraph load`: fill the store that `ctgraph serve --store …` answers from.

* ``--store PATH``: build an on-disk store, opened read-only by ``serve --store PATH``.
  Loading goes through the same `EmbeddedStore.from_files` as the in-memory server, so the
  on-disk store holds the same named graphs and the same materialised union default graph
  (a read-only store cannot build it later).
* ``--store URL --graph-store GSP_URL``: write into a remote store through the Graph Store
  Protocol (`ctgraph.graph.graph_store_protocol`): the files are read into memory exactly as
  the in-memory server reads them, then each named graph, their merge and a description of
  the load are PUT, replacing what was there. The SPARQL endpoint ``URL`` is then asked
  whether it holds what was written, so a GSP_URL that belongs to another store, or that
  swallows writes without storing them, is an error too.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyoxigraph as ox

from ctgraph.graph.graph_store_protocol import GraphStoreClient, GraphStoreError, write_dataset
from ctgraph.graph.remote_store import (
    RemoteQueryError,
    RemoteStore,
    StoreUnavailable,
    open_remote_store,
)
from ctgraph.graph.store import RdfSyntaxError, load_paths
from ctgraph.settings import parse_credentials

__all__ = ["open_remote_store", "run_load", "run_remote_load"]


def _progress_bar(index: int, total: int, path: Path) -> None:
    """One line on stderr per file: a bar, the count, the file and its size."""
    done = int(20 * index / max(total, 1))
    size = path.stat().st_size
    sys.stderr.write(f"\r[{'#' * done}{'.' * (20 - done)}] {index + 1}/{total} "
                     f"{path.name} ({size:,} bytes)\x1b[K")
    sys.stderr.flush()


def run_load(paths: list[Path], store: Path) -> int:
    """Load RDF files/folders (default: the bundled graph with its shapes) into `store`.

    Exit 0 when loaded, 2 for unusable input (missing file, syntax error, a store folder that
    is not empty), with one line on stderr and no traceback.
    """
    if store.exists() and (not store.is_dir() or any(store.iterdir())):
        print(f"ctgraph load: {store}: exists and is not an empty folder; choose a new path",
              file=sys.stderr)
        return 2
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"ctgraph load: {missing[0]}: no such file or folder", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        loaded = load_paths(paths, shapes=not paths, location=store, progress=_progress_bar)
        loaded.oxigraph.flush()
        loaded.oxigraph.optimize()
    except RdfSyntaxError as e:
        sys.stderr.write("\n")
        print(f"ctgraph load: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        sys.stderr.write("\n")
        print(f"ctgraph load: {store}: {e.strerror or e}", file=sys.stderr)
        return 2
    sys.stderr.write("\n")
    from ctgraph.views.stats import graph_size  # the figures serve shows, in the same words

    print(f"loaded {graph_size(loaded).sentence()} into {store} in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def _graph_progress(index: int, total: int, graph: str, triples: int) -> None:
    """The bar for a remote load: one step per graph written."""
    done = int(20 * index / max(total, 1))
    sys.stderr.write(f"\r[{'#' * done}{'.' * (20 - done)}] {index + 1}/{total} "
                     f"<{graph}> ({triples:,} triples)\x1b[K")
    sys.stderr.flush()


def run_remote_load(paths: list[Path], store: str, graph_store: str | None,
                    auth: str | None = None) -> int:
    """Load RDF files/folders (default: the bundled graph with its shapes) into the remote
    store whose SPARQL endpoint is `store`, writing through the Graph Store endpoint
    `graph_store`. Exit 0 when loaded and checked, 2 with one line on stderr otherwise."""

    def fail(message: str) -> int:
        sys.stderr.write("\n" if bar_started else "")
        print(f"ctgraph load: {message}", file=sys.stderr)
        return 2

    bar_started = False
    if not graph_store:
        return fail(f"{store} is a SPARQL endpoint: give --graph-store GSP_URL, its Graph "
                    "Store Protocol endpoint, to write into it")
    if not graph_store.startswith(("http://", "https://")):
        return fail(f"--graph-store {graph_store}: not an http(s) URL")
    try:
        credentials = parse_credentials(auth)
    except ValueError:
        return fail("--auth (or CTGRAPH_STORE_AUTH) must read USER:PASSWORD")
    missing = [p for p in paths if not p.exists()]
    if missing:
        return fail(f"{missing[0]}: no such file or folder")
    started = time.perf_counter()
    try:
        loaded = load_paths(paths, shapes=not paths, union_default_graph=False)
    except RdfSyntaxError as e:
        return fail(str(e))
    except OSError as e:
        return fail(f"{getattr(e, 'filename', '') or ''}: {e.strerror or e}".lstrip(": "))
    client = GraphStoreClient(graph_store, auth=credentials)
    try:
        # the same credentials for the SPARQL endpoint, sent only if it asks (/sparql-auth)
        before = RemoteStore(store, timeout=120, auth=credentials)
        previous = before.dataset.named_graphs if before.dataset else ()
        bar_started = True
        graphs = write_dataset(loaded.oxigraph, client, version=loaded.version,
                               previous=previous, progress=_graph_progress)
        sys.stderr.write("\n")
        bar_started = False
        after = RemoteStore(store, timeout=120, auth=credentials)
        problem = _check(after, loaded.oxigraph, graphs, loaded.version)
    except (GraphStoreError, StoreUnavailable, RemoteQueryError) as e:
        return fail(str(e))
    finally:
        client.close()
    if problem:
        return fail(f"{graph_store} accepted the writes but {store} does not hold them "
                    f"({problem}): are both endpoints of the same store?")
    print(f"loaded {len(loaded.oxigraph):,} quads in {len(graphs)} named graphs into {store} "
          f"through {graph_store} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def _check(remote: RemoteStore, local: ox.Store, graphs: list[str], version: str
           ) -> str | None:
    """What differs between the store and what was written (triples per graph), or None."""
    if remote.dataset is None or remote.dataset.version != version:
        return "no description of this load"
    rows = remote.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    held = {r["g"].value: int(r["n"].value) for r in rows}  # type: ignore[union-attr, index]
    for graph in graphs:
        expected = sum(1 for _ in local.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        if held.get(graph, 0) != expected:
            return f"<{graph}> holds {held.get(graph, 0):,} triples, {expected:,} were written"
    return None
