"""`ctgraph load`: build an on-disk store that `ctgraph serve --store PATH` opens read-only.

Loading goes through the same `EmbeddedStore.from_files` as the in-memory server, so the
on-disk store holds the same named graphs and the same materialised union default graph
(a read-only store cannot build it later).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ctgraph.graph.remote_store import open_remote_store
from ctgraph.graph.store import RdfSyntaxError, load_paths

__all__ = ["open_remote_store", "run_load"]


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
    print(f"loaded {loaded.quad_count():,} quads in {len(loaded.named_graphs())} named graphs "
          f"into {store} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0
