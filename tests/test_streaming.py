"""Answers are streamed, bombs do not take the server's memory, a cut stream never looks whole.

Against real `ctgraph serve` processes on the bundled graph. Nothing here is timed: memory is
measured (PSS summed over the server and every process below it, from /proc) and the order of
events is asserted, never durations.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from ctgraph.graph.store import load_paths
from ctgraph.sparql.execution import Job, QueryTimeout, ThreadExecutor, lane
from tests.ops_support import tree_pss

BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
"""The result bomb of issue 13: every pair of triples, about 40 million solutions."""
THREAD_BOMB = "SELECT ?s ?o ?z WHERE { ?s a ?t . ?x a ?o . ?y a ?z }"
"""A cross product the thread lane takes (no full-scan pattern): it streams from a thread."""
MEMORY_BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
"""Sorting every pair of triples: the worker must hold them all before its first byte."""
ALL_TRIPLES = "SELECT * WHERE { ?s ?p ?o }"
RESULTS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPHS = {
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
    "nquads": ("application/n-quads", ox.RdfFormat.N_QUADS),
}
MIB = 1024 * 1024


class MemoryWatch:
    """Samples the server tree's PSS in a thread until stopped; `.peak` is the highest."""

    def __init__(self, pid: int):
        self.pid = pid
        self.baseline = tree_pss(pid)
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, tree_pss(self.pid))

    def stop(self) -> int:
        """Growth of the peak over the baseline, in bytes."""
        self._stop.set()
        self._thread.join()
        return self.peak - self.baseline


def _stream(url: str, query: str, accept: str, record: dict, ready: threading.Event | None = None,
            gzip: bool = True) -> None:
    """POST `query` and read the answer to its end, recording status, bytes and how it ended."""
    headers = {"Accept": accept, "Accept-Encoding": "gzip" if gzip else "identity"}
    body = bytearray()
    tail = b""
    try:
        with httpx.stream("POST", url, data={"query": query}, headers=headers,
                          timeout=120) as r:
            record["status"] = r.status_code
            record["headers"] = r.headers
            if ready is not None:
                ready.set()
            for chunk in r.iter_bytes():
                tail = (tail + chunk)[-4096:]
                if len(body) < 64 * MIB:  # enough to judge it; keep the test's own memory low
                    body += chunk
        record["ended"] = "complete"
    except httpx.RemoteProtocolError as e:
        record["ended"] = f"aborted: {e}"
    finally:
        record["body"] = bytes(body)
        record["tail"] = tail
        if ready is not None:
            ready.set()


@pytest.fixture(scope="module")
def streaming_server(serve_files):
    """Streams anything over one chunk at once (--stream-after 0)."""
    server = serve_files(timeout=60, stream_after=0, cache_entries=0)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bomb_server(serve_files):
    """The time limit cuts the bombs mid-stream; the memory bound stops a sorting bomb."""
    server = serve_files(timeout=8, query_memory=256, cache_entries=0, query_workers=2)
    yield server
    server.stop()


def test_lanes():
    """Queries that write as they compute go to threads; anything that may compute long
    before its first byte, to the killable workers."""
    assert lane("SELECT ?s WHERE { ?s a <http://schema.org/Event> } LIMIT 10") == "thread"
    assert lane("ASK { ?s a ?t }") == "thread"
    assert lane("DESCRIBE <https://w3id.org/ctgraph/event/e17>") == "thread"
    assert lane("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") == "process"  # full scan
    for query in (BOMB, MEMORY_BOMB, "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }",
                  "SELECT ?s WHERE { ?s a ?t } ORDER BY ?s",
                  "SELECT DISTINCT ?t WHERE { ?s a ?t }",
                  "SELECT ?s WHERE { ?s ?p ?o FILTER(?o = 1) }",
                  "SELECT ?s WHERE { ?s <http://x/p>+ ?o }",
                  "SELECT ?s WHERE { ?s a ?t } OFFSET 100000"):
        assert lane(query) == "process", query
    assert lane('SELECT ?s WHERE { ?s <http://x/p> "ORDER BY ?x" }') == "thread"  # a string


@pytest.mark.parametrize("fmt", list(RESULTS))
def test_big_select_answer_is_streamed_in_every_results_format(streaming_server, fmt):
    count = httpx.post(streaming_server.sparql, headers={"Accept": RESULTS["json"]}, data={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).json()
    expected = int(count["results"]["bindings"][0]["n"]["value"])
    record: dict = {}
    _stream(streaming_server.sparql, ALL_TRIPLES, RESULTS[fmt], record, gzip=False)
    assert record["status"] == 200 and record["ended"] == "complete"
    assert record["headers"].get("transfer-encoding") == "chunked"
    assert "content-length" not in record["headers"]
    text = record["body"].decode("utf-8")
    if fmt == "json":
        rows = len(json.loads(text)["results"]["bindings"])
    elif fmt == "xml":
        ns = "{http://www.w3.org/2005/sparql-results#}"
        rows = len(ET.fromstring(text).findall(f"{ns}results/{ns}result"))
    elif fmt == "csv":
        rows = len(list(csv.reader(io.StringIO(text)))) - 1
    else:
        rows = len(text.rstrip("\n").split("\n")) - 1
    assert rows == expected > 5000


@pytest.mark.parametrize("fmt", list(GRAPHS))
@pytest.mark.parametrize("gzip", [False, True], ids=["identity", "gzip"])
def test_big_graph_answer_is_streamed(streaming_server, fmt, gzip):
    media, rdf_format = GRAPHS[fmt]
    record: dict = {}
    _stream(streaming_server.sparql, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", media,
            record, gzip=gzip)
    assert record["status"] == 200 and record["ended"] == "complete"
    assert record["headers"].get("transfer-encoding") == "chunked"
    assert record["headers"].get("content-encoding") == ("gzip" if gzip else None)
    triples = {(q.subject, q.predicate, q.object)
               for q in ox.parse(record["body"], format=rdf_format)}
    count = httpx.post(streaming_server.sparql, headers={"Accept": RESULTS["json"]}, data={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).json()
    assert len(triples) == int(count["results"]["bindings"][0]["n"]["value"])


def test_small_answer_is_sent_whole(streaming_server):
    """An answer that fits the hold buffer keeps its Content-Length (and can be cached)."""
    r = httpx.get(streaming_server.sparql, params={"query": "ASK { ?s a ?t }"},
                  headers={"Accept": RESULTS["json"]})
    assert r.status_code == 200 and r.json()["boolean"] is True
    assert r.headers["content-length"] == str(len(r.content))


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux /proc")
def test_bombs_stream_without_growing_memory_while_a_cheap_query_answers(bomb_server):
    """Four clients send the result bomb; each answer starts (200), streams, and is cut at
    the time limit as an aborted transfer, never a complete document. Meanwhile a cheap ASK
    is answered, and the server's memory (every process) grows less than the per-query
    bound of one query."""
    watch = MemoryWatch(bomb_server.process.pid)
    records = [{} for _ in range(4)]
    started = [threading.Event() for _ in range(4)]
    events: list[str] = []

    def bomb(i: int) -> None:
        _stream(bomb_server.sparql, BOMB, RESULTS["json"], records[i], started[i])
        events.append("bomb ended")

    threads = [threading.Thread(target=bomb, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for event in started:
        event.wait(120)
    r = httpx.get(bomb_server.sparql, params={"query": "ASK { ?s a ?t }"},
                  headers={"Accept": RESULTS["json"]}, timeout=120)
    events.append("ask answered")
    for thread in threads:
        thread.join()
    growth = watch.stop()
    assert r.status_code == 200 and r.json()["boolean"] is True
    assert events[0] == "ask answered", events
    for record in records:
        assert record["status"] == 200
        assert record["ended"].startswith("aborted"), record["ended"]
        assert record["body"].startswith(b'{"head":{"vars":')
        assert not record["tail"].rstrip().endswith(b"]}}")  # the document is unterminated
    assert growth < 256 * MIB, f"memory grew by {growth / MIB:.0f} MiB"
    assert "time limit reached while streaming" in bomb_server.log()


@pytest.mark.parametrize("query, accept", [
    (THREAD_BOMB, "text/csv"),
    ("CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }", "application/n-triples"),
], ids=["thread-lane-csv", "worker-ntriples"])
def test_stream_cut_by_the_time_limit_is_an_aborted_transfer(bomb_server, query, accept):
    record: dict = {}
    _stream(bomb_server.sparql, query, accept, record, gzip=False)
    assert record["status"] == 200
    assert record["ended"].startswith("aborted"), record["ended"]
    assert record["body"]  # it had started


def test_query_over_the_memory_bound_is_stopped_and_others_carry_on(bomb_server):
    r = httpx.post(bomb_server.sparql, data={"query": MEMORY_BOMB},
                   headers={"Accept": RESULTS["json"]}, timeout=120)
    assert r.status_code == 503, r.text
    assert "memory limit of 256 MiB" in r.text
    ask = httpx.get(bomb_server.sparql, params={"query": "ASK { ?s a ?t }"},
                    headers={"Accept": RESULTS["json"]})
    assert ask.json()["boolean"] is True
    count = httpx.post(bomb_server.sparql, headers={"Accept": RESULTS["json"]}, data={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"})
    assert count.status_code == 200 and int(
        count.json()["results"]["bindings"][0]["n"]["value"]) > 0


def test_thread_lane_query_stops_at_its_time_limit():
    """In-process: a streaming query in a thread is stopped at its deadline (the client sees
    QueryTimeout) and its thread ends, giving its CPU back."""
    store = load_paths([], union_default_graph=True, shapes=True)
    executor = ThreadExecutor(store, stream_after=0)

    async def scenario() -> tuple[int, int]:
        streamed = await executor.stream(Job(THREAD_BOMB, results_format="csv"), timeout=1.0)
        received = len(streamed.head)
        with pytest.raises(QueryTimeout):
            async for chunk in streamed.rest():
                received += len(chunk)
        for _ in range(3000):
            if executor.stats()["queries_running_threads"] == 0:
                break
            await asyncio.sleep(0.01)
        return received, executor.stats()["queries_running_threads"]

    received, running = asyncio.run(scenario())
    assert received > 0
    assert running == 0


def test_a_query_a_worker_answered_quickly_runs_in_a_thread_next_time():
    """FILTER sends a query to the killable workers; once one has answered it quickly, the
    same text (the store never changes) is known to be cheap and runs in a thread. The
    worker read the on-disk copy, the thread reads the in-memory store: with ORDER BY the
    two answers are the same bytes (without it, SPARQL leaves the order to the engine)."""
    from ctgraph.sparql.execution import ProcessExecutor

    store = load_paths([], union_default_graph=True, shapes=True)
    query = 'SELECT ?s WHERE { ?s a ?t FILTER(isIRI(?t)) } ORDER BY ?s LIMIT 5'
    job = Job(query, results_format="json")
    assert lane(query) == "process"

    async def scenario() -> tuple[bool, bool, int, int]:
        executor = ProcessExecutor(store, 1)
        executor.start()
        try:
            await executor.connect()
            first = await executor.run(job, timeout=30)
            known = executor._known_quick(job)
            second = await executor.run(job, timeout=30)
            return (known, first.body == second.body, executor.stats()["workers_started"],
                    len(json.loads(second.body)["results"]["bindings"]))
        finally:
            executor.close()

    known, same, started, rows = asyncio.run(scenario())
    assert known and same and rows == 5
    assert started == 1


def test_a_known_query_that_reaches_its_limit_in_a_thread_goes_back_to_the_workers():
    """Learned as quick, but it outlived its time limit in a thread (an overloaded machine, or
    a bigger cost than measured): next time it runs where the limit can kill it."""
    from ctgraph.sparql.execution import ProcessExecutor, QueryTimeout

    store = load_paths([], union_default_graph=True)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # seconds, one row
    job = Job(slow, results_format="json")

    async def scenario() -> tuple[bool, bool]:
        executor = ProcessExecutor(store, 1)
        executor.start()
        try:
            await executor.connect()
            executor._learn(job, elapsed=0.1, growth=0, timeout=30)
            learned = executor._known_quick(job)
            with pytest.raises(QueryTimeout):
                await executor.run(job, timeout=0.2)
            return learned, executor._known_quick(job)
        finally:
            executor.close()

    learned, still_known = asyncio.run(scenario())
    assert learned and not still_known
