"""The store query workers read: on disk, opened read-only, shared through the page cache.

Why not the server's in-memory store, forked copy-on-write? Oxigraph's memory store writes to
its nodes while reading them (reference counts, a lock per quad), so every page a worker's
query touches becomes that worker's private copy, and every page the server's own threads
touch becomes the server's while the forking process keeps the original: at 1M triples two
workers held 675 MB each of their own (bench/README.md, "Memory profile at 1M"). Workers
therefore share no memory with the server. They open an on-disk store read-only: the user's
own (``serve --store PATH``), or a *snapshot* of the in-memory store that the server writes to
a temporary folder after it has loaded: an N-Quads dump (without the GIL, so it serves
meanwhile), loaded into RocksDB by a child of the zygote, about 15 s per million triples.
RocksDB reads through the kernel's page cache, one copy for every worker, which the kernel
may reclaim under pressure. A snapshot is removed when the server stops;
one left by a server that was killed is removed by the next server that starts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ctgraph.graph.store import EmbeddedStore, open_disk_store
from ctgraph.sparql.heap import release_free_heap

SNAPSHOT_PREFIX = "ctgraph-worker-store-"
_SNAPSHOT_NAME = re.compile(re.escape(SNAPSHOT_PREFIX) + r"(\d+)-")


@dataclass(frozen=True)
class WorkerStore:
    """How a worker opens the store: a folder and the query settings of the server's store."""

    path: str
    union_default_graph: bool
    bag_union: bool
    """Queries use Oxigraph's union default graph (it is a set for this data)."""
    prefixes: tuple[tuple[str, str], ...] = ()
    snapshot: bool = False
    """The folder is a snapshot this server wrote (removed when it stops)."""


def snapshot_folder(parent: Path | None = None) -> Path:
    """A new, empty folder for a snapshot, named after this process (see
    `remove_stale_snapshots`), under `parent` (default: the temporary folder)."""
    return Path(tempfile.mkdtemp(prefix=f"{SNAPSHOT_PREFIX}{os.getpid()}-", dir=parent))


Build = Callable[[Path, Path], None]
"""Makes the on-disk store `target` from the N-Quads `dump`: `build_store` in this process,
or somewhere else (the zygote forks a child for it, so the server never holds the GIL for
it: `ctgraph.sparql.worker_process`)."""


def prepare_worker_store(store: EmbeddedStore, folder: Path | None = None,
                         build: Build | None = None) -> WorkerStore:
    """The on-disk store for `store`'s workers: its own folder when it lives on disk, else a
    snapshot written into `folder` (a new `snapshot_folder` when None) by `build`."""
    prefixes = tuple(sorted(store.prefixes.items()))
    if store.path is not None:
        return WorkerStore(str(store.path), store.union_default_graph, False, prefixes)
    folder = folder if folder is not None else snapshot_folder()
    write_snapshot(store.oxigraph, folder / "store", build or build_store)
    return WorkerStore(str(folder / "store"), store.union_default_graph, store.bag_union,
                       prefixes, snapshot=True)


def write_snapshot(source: ox.Store, target: Path, build: Build) -> None:
    """Copy every quad of `source` (the materialised union default graph included) into a
    new RocksDB store at `target`: an N-Quads dump (without the GIL), which `build` loads.
    Not Oxigraph's `bulk_load`: its parser gives blank nodes new identifiers, and a worker
    must answer with the same blank-node labels as the server's threads."""
    dump = target.with_suffix(".nq")
    try:
        source.dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
        build(dump, target)
    finally:
        with contextlib.suppress(OSError):
            dump.unlink()


def build_store(dump: Path, target: Path) -> None:
    """Load the N-Quads `dump` into a new on-disk store, blank-node labels kept. Holds the
    GIL throughout (Oxigraph's bulk loader reads a Python iterator); the loader's buffers are
    given back to the system afterwards (glibc keeps freed heap otherwise: +190 MB at 1M
    triples, measured)."""
    disk = ox.Store(str(target))
    disk.bulk_extend(ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS))
    disk.flush()
    del disk
    release_free_heap()


def open_worker_store(spec: WorkerStore) -> EmbeddedStore:
    """The store as a worker queries it (read-only; the union was materialised when written)."""
    store = open_disk_store(Path(spec.path), union_default_graph=spec.union_default_graph)
    store.bag_union = spec.bag_union
    store.prefixes = dict(spec.prefixes)
    return store


def remove_worker_store(spec: WorkerStore | None) -> None:
    """Delete a snapshot and its folder (never the user's own store)."""
    if spec is not None and spec.snapshot:
        shutil.rmtree(Path(spec.path).parent, ignore_errors=True)


def remove_stale_snapshots(parent: Path | None = None) -> list[Path]:
    """Delete snapshots whose server is no longer running (killed before it could clean up);
    the folders removed."""
    removed = []
    folder = Path(parent or tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            match = _SNAPSHOT_NAME.match(entry.name)
            if match and entry.is_dir() and not _running(int(match.group(1))):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
