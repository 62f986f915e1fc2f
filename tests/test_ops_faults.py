"""Faults a public server must survive, each on a real `ctgraph serve`:

* a query worker SIGKILLed under load: its query gets 503, every later query is answered;
* the zygote (the process that forks workers) killed: the server says so and exits 1;
* an on-disk store that is missing, not a store, locked by another process or corrupt:
  one line on stderr at start-up, exit 2.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from tests.helpers import run_ctgraph
from tests.ops_support import (
    MEDIUM,
    Background,
    running_workers,
    state,
    unique,
    wait_exit,
    zygote_and_workers,
)


def test_worker_killed_under_load_fails_only_its_query(serve_files):
    server = serve_files(query_workers=2, cache_entries=0, timeout=120)
    pid = server.process.pid
    load = [Background("POST", server.sparql, data={"query": unique(MEDIUM, f"load{i}")})
            for i in range(4)]
    victim = sorted(running_workers(pid))[0]
    os.kill(victim, signal.SIGKILL)
    answers = [request.join() for request in load]
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200, 200, 200, 503], [r.text for r in answers]
    lost = next(r for r in answers if r.status_code == 503)
    assert lost.headers["retry-after"] == "1"
    assert "Traceback" not in lost.text
    later = [Background("POST", server.sparql, data={"query": unique(MEDIUM, f"later{i}")})
             for i in range(3)]
    assert [r.join().status_code for r in later] == [200, 200, 200]
    for i in range(5):
        r = httpx.post(server.sparql, data={"query": f"ASK {{ ?s ?p {i} }}"})
        assert r.status_code == 200
    _zygote, workers = zygote_and_workers(pid)
    assert victim not in workers
    assert len(workers) >= 2


def test_idle_worker_killed_is_replaced_before_the_next_query(serve_files):
    server = serve_files(query_workers=1, cache_entries=0)
    _zygote, workers = zygote_and_workers(server.process.pid)
    (worker,) = workers
    os.kill(worker, signal.SIGKILL)
    for _ in range(1000):
        if state(worker) in (None, "Z"):
            break
    for i in range(3):
        r = httpx.post(server.sparql, data={"query": f"ASK {{ ?s ?p {i} }}"})
        assert r.status_code == 200, r.text


def test_zygote_killed_the_server_stops_with_a_clear_message(launched):
    server = launched(query_workers=1)
    zygote, _workers = zygote_and_workers(server.process.pid)
    os.kill(zygote, signal.SIGKILL)
    assert wait_exit(server, within=60) == 1
    log = server.log()
    assert "zygote" in log and "restart it" in log
    assert "Traceback" not in log


@pytest.fixture()
def small_store(tmp_path: Path) -> Path:
    """An on-disk store with one quad, closed."""
    path = tmp_path / "store"
    store = ox.Store(str(path))
    store.add(ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"),
                      ox.Literal("o"), ox.NamedNode("https://example.org/g")))
    store.flush()
    del store
    return path


def _refused(path: Path, *expected: str) -> None:
    run = run_ctgraph("serve", "--store", str(path), "--port", "0", timeout=120)
    assert run.returncode == 2, (run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("ctgraph serve: "), lines
    for text in expected:
        assert text in lines[0], lines[0]
    assert run.stdout == ""


def test_missing_store(tmp_path):
    _refused(tmp_path / "nothing", "no such store folder")


def test_folder_that_is_not_a_store(tmp_path):
    (tmp_path / "empty").mkdir()
    _refused(tmp_path / "empty", "not a ctgraph store")
    (tmp_path / "file").write_text("x")
    _refused(tmp_path / "file", "not a folder")


def test_store_locked_by_another_process(small_store):
    writer = ox.Store(str(small_store))  # this test process writes it, as `ctgraph load` does
    try:
        _refused(small_store, "locked by another process")
    finally:
        del writer


@pytest.mark.parametrize("damage", ["CURRENT", "sst", "MANIFEST"])
def test_corrupt_store(small_store, damage):
    for item in small_store.iterdir():
        if damage == "CURRENT" and item.name == "CURRENT":
            item.write_text("garbage\n")
        elif damage == "sst" and item.suffix == ".sst":
            item.write_bytes(b"\0" * 64)
        elif damage == "MANIFEST" and item.name.startswith("MANIFEST"):
            item.write_bytes(os.urandom(256))
    _refused(small_store, "cannot open the store", str(small_store))


def test_a_store_served_after_the_writer_finished(small_store, serve_files, tmp_path):
    """The lock check does not refuse a store nobody writes (control for the tests above)."""
    copy = tmp_path / "copy"
    shutil.copytree(small_store, copy)
    server = serve_files(store=str(copy))
    r = httpx.post(server.sparql, data={"query": "ASK { GRAPH ?g { ?s ?p \"o\" } }"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.json()["boolean"] is True


def _get_on(sock, path: str = "/healthz") -> bytes:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    reply = b""
    while b"\r\n\r\n" not in reply or not reply.endswith(b"}\n"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        reply += chunk
    return reply


def test_idle_keep_alive_connections_outlast_the_clients_own_expiry(serve_files):
    """A connection idle for 6 s (past uvicorn's 5 s default, which equals httpx's own expiry
    and raced it under load in the soak) is still served; --keep-alive 1 closes it."""
    import socket
    import threading

    default = serve_files()
    short = serve_files(keep_alive=1)
    for server, survives in ((default, True), (short, False)):
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as s:
            assert _get_on(s).startswith(b"HTTP/1.1 200")
            threading.Event().wait(6)
            if survives:
                assert _get_on(s).startswith(b"HTTP/1.1 200")
            else:
                with contextlib.suppress(OSError):
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                with contextlib.suppress(ConnectionResetError):  # closed: EOF or reset
                    assert s.recv(65536) == b""
