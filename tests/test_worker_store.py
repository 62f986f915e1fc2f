"""The query workers' own store (ctgraph.sparql.worker_store): an on-disk snapshot of the
in-memory store that answers as it does, a zygote that is a fresh interpreter (so it shares no
memory with the server), and snapshots that never outlive their server for long."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from ctgraph.graph.store import EmbeddedStore, load_paths
from ctgraph.sparql.worker_store import (
    SNAPSHOT_PREFIX,
    open_worker_store,
    prepare_worker_store,
    remove_stale_snapshots,
    remove_worker_store,
    snapshot_folder,
)
from tests.ops_support import launch, zygote_and_workers

QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    # blank nodes keep their labels: a worker and a thread name them alike
    "SELECT ?s ?p WHERE { ?s ?p ?o FILTER(isBlank(?s)) } ORDER BY ?s ?p LIMIT 20",
]


def _rows(store: EmbeddedStore, query: str) -> list[tuple[str, ...]]:
    return [tuple(str(term) for term in solution) for solution in store.query(query)]


def test_a_snapshot_answers_as_the_in_memory_store(tmp_path: Path) -> None:
    memory = load_paths([], union_default_graph=True, shapes=True)
    spec = prepare_worker_store(memory, snapshot_folder(tmp_path))
    assert spec.snapshot and Path(spec.path).is_dir()
    assert Path(spec.path).parent.name.startswith(f"{SNAPSHOT_PREFIX}{os.getpid()}-")
    worker = open_worker_store(spec)
    for query in QUERIES:
        rows = _rows(memory, query)
        assert rows, query
        assert _rows(worker, query) == rows, query
    del worker
    remove_worker_store(spec)
    assert not Path(spec.path).parent.exists()


def test_a_snapshot_of_a_triples_file_keeps_the_bag_union(tmp_path: Path) -> None:
    """A file of triples in no graph: Oxigraph's own union is the merge (nothing is copied
    into the default graph), and the workers must query it the same way."""
    data = tmp_path / "data.nt"
    data.write_text("".join(f"<urn:s{i}> <urn:p> \"{i}\" .\n" for i in range(50)))
    memory = EmbeddedStore.from_files([data])
    assert memory.bag_union
    spec = prepare_worker_store(memory, snapshot_folder(tmp_path))
    worker = open_worker_store(spec)
    assert _rows(worker, QUERIES[0]) == _rows(memory, QUERIES[0])
    assert _rows(worker, QUERIES[0])[0][0].startswith('"50"')


def test_a_disk_store_is_used_as_it_is(tmp_path: Path) -> None:
    store = EmbeddedStore(ox.Store(str(tmp_path / "disk")))
    store.path = tmp_path / "disk"
    spec = prepare_worker_store(store)
    assert spec.path == str(tmp_path / "disk") and not spec.snapshot
    remove_worker_store(spec)  # never the user's own store
    assert (tmp_path / "disk").is_dir()


def test_stale_snapshots_of_dead_servers_are_removed(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = tmp_path / f"{SNAPSHOT_PREFIX}{int(gone.stdout)}-abc"
    alive = tmp_path / f"{SNAPSHOT_PREFIX}{os.getppid()}-def"
    unrelated = tmp_path / "ctgraph-worker-store-notes"
    for folder in (dead, alive, unrelated):
        folder.mkdir()
    assert remove_stale_snapshots(tmp_path) == [dead]
    assert not dead.exists() and alive.exists() and unrelated.exists()


def _snapshots(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(SNAPSHOT_PREFIX))


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/statm", "rb") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _wait_until_ready(url: str) -> None:
    """/healthz says workers_ready once the snapshot is written and the workers run."""
    for _ in range(600):
        health = httpx.get(f"{url}/healthz", timeout=10).json()
        assert health["status"] == "ok"
        if health["workers_ready"]:
            return
        time.sleep(0.05)
    raise AssertionError("the query workers never became ready")


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The servers started here write their snapshots into this folder."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    return tmp_path


def test_the_server_writes_a_snapshot_and_removes_it_when_it_stops(private_tmp: Path) -> None:
    data = private_tmp / "data" / "big.nt"  # a store of some size, so memory tells
    data.parent.mkdir()
    with data.open("w") as f:
        for i in range(150_000):
            f.write(f"<urn:ex:s{i}> <urn:ex:p{i % 7}> \"value number {i}\" .\n")
    server = launch(str(data))
    try:
        _wait_until_ready(server.url)
        assert len(_snapshots(private_tmp)) == 1
        zygote, workers = zygote_and_workers(server.process.pid)
        cmdline = Path(f"/proc/{zygote}/cmdline").read_bytes().split(b"\0")
        assert b"ctgraph.sparql.worker_process" in cmdline  # a fresh interpreter, not a fork
        assert workers
        # it shares no pages with the server: far smaller than the server's resident set (a
        # forked zygote's would hold all of the server's, the store included)
        assert _rss(zygote) < _rss(server.process.pid) / 3
        # a query for a worker (FILTER) is answered from the snapshot
        r = httpx.post(server.sparql, data={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?o)) }"},
            headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert r.status_code == 200
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == 0
        r = httpx.post(server.sparql, data={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }"},
            headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == 150_000
    finally:
        server.stop()
    assert server.process.returncode == 0
    assert _snapshots(private_tmp) == []


def test_a_killed_servers_snapshot_is_removed_by_the_next_server(private_tmp: Path) -> None:
    first = launch()
    try:
        _wait_until_ready(first.url)
        zygote, _ = zygote_and_workers(first.process.pid)
        left = _snapshots(private_tmp)
        assert len(left) == 1
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=30)
        for _ in range(600):  # the zygote dies with it (PR_SET_PDEATHSIG)
            if not Path(f"/proc/{zygote}").exists() or b"Z" in Path(
                    f"/proc/{zygote}/stat").read_bytes().rsplit(b")", 1)[1][:3]:
                break
            time.sleep(0.05)
        assert _snapshots(private_tmp) == left  # nobody cleaned up
    finally:
        first.stop()
    second = launch()
    try:
        _wait_until_ready(second.url)
        now = _snapshots(private_tmp)
        assert len(now) == 1 and now != left
        assert json.loads(httpx.get(f"{second.url}/healthz", timeout=10).text)["status"] == "ok"
    finally:
        second.stop()


def test_fork_mode_shares_the_servers_store_and_writes_no_snapshot(private_tmp: Path,
                                                                    launched) -> None:
    """``--worker-store fork``: the zygote is the server forked (no snapshot written); its
    workers answer from the inherited in-memory store, with the same blank-node labels."""
    server = launched(worker_store="fork")
    _wait_until_ready(server.url)
    assert _snapshots(private_tmp) == []
    zygote, workers = zygote_and_workers(server.process.pid)
    assert b"ctgraph.sparql.worker_process" not in Path(f"/proc/{zygote}/cmdline").read_bytes()
    assert workers
    query = "SELECT ?s WHERE { ?s ?p ?o FILTER(isBlank(?s)) } ORDER BY ?s LIMIT 3"
    first = httpx.post(server.sparql, data={"query": query},
                       headers={"Accept": "application/sparql-results+json"}, timeout=60)
    second = httpx.post(server.sparql, data={"query": query + " "},  # no cache hit
                        headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert first.status_code == 200 and len(first.json()["results"]["bindings"]) == 3
    assert first.json() == second.json()


def test_auto_forks_the_workers_only_for_a_big_in_memory_store(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ctgraph.sparql import execution

    store = load_paths([], union_default_graph=True)
    assert not execution.make_executor(store, 2, worker_store="auto").fork  # 12k quads
    monkeypatch.setattr(execution, "FORK_ABOVE_QUADS", len(store.oxigraph) - 1)
    assert execution.make_executor(store, 2, worker_store="auto").fork
    assert not execution.make_executor(store, 2, worker_store="snapshot").fork


def test_a_snapshot_worker_that_keeps_much_memory_is_recycled_after_its_query() -> None:
    """Past RECYCLE_PRIVATE bytes of its own, a worker is replaced by a fresh one when it has
    answered: not counted as a failure, and the next query is answered by the new one."""
    import asyncio

    from ctgraph.sparql.execution import Job, ProcessExecutor

    store = load_paths([], union_default_graph=True)
    job = Job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?o)) }",
              results_format="json")

    async def scenario(threshold: int) -> tuple[dict, bytes, bytes]:
        executor = ProcessExecutor(store, 1, threads=False)
        executor.RECYCLE_PRIVATE = threshold
        executor.start()
        try:
            await executor.connect()
            first = await executor.run(job, timeout=30)
            second = await executor.run(job, timeout=30)
            return executor.stats(), first.body, second.body
        finally:
            executor.close()

    stats, first, second = asyncio.run(scenario(1))  # every worker keeps more than a byte
    assert first == second and b'"n"' in first
    assert stats["workers_recycled"] == 2 and stats["workers_replaced"] == 0
    assert stats["workers_started"] == 3
    stats, _, _ = asyncio.run(scenario(1 << 40))
    assert stats["workers_recycled"] == 0 and stats["workers_started"] == 1
