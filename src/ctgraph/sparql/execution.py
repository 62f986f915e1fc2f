"""Evaluate queries fairly, stream their answers, and stop runaway ones for real.

pyoxigraph cannot cancel a query: a thread blocked inside its evaluation runs until the query
ends. But the engine writes a streamed answer through our ``write()`` every few kilobytes
(`ctgraph.sparql.serialization.write_results`), and an exception raised there ends the
evaluation. So there are two lanes:

* **Threads** (in the server process, sharing its one copy of the store) for queries whose
  answer comes out as it is computed: SELECT, CONSTRUCT and DESCRIBE over basic patterns,
  UNION, OPTIONAL, VALUES, BIND and LIMIT, without a full-scan pattern (``?s ?p ?o``). Their
  deadline is checked at every write, so they stop at the time limit and give their CPU back.
  ASK over such patterns runs here too: it writes only once, but it ends at its first
  solution, and without FILTER or a full scan the engine's join order finds one (or none)
  within work bounded by the store's size.
  `lane()` decides; anything it is unsure of goes to the other lane. pyoxigraph releases the
  GIL while it evaluates, so these threads share the cores with each other and with the event
  loop (bench/README.md, "Streaming, fairness and memory").
* **Processes** for everything that may compute for a long time before its first byte
  (ORDER BY, GROUP BY, aggregates, DISTINCT, FILTER, MINUS, OFFSET, paths with ``+``/``*``,
  full scans): a pool of worker processes, each reading an on-disk copy of the store opened
  read-only and shared through the page cache (`ctgraph.sparql.worker_store` says why they
  never share the server's memory). A single-threaded *zygote*, started as a fresh
  interpreter, forks them (`ctgraph.sparql.worker_process`). The server talks to each worker
  over its own socket pair; when a query outlives its time limit, or its worker's resident
  memory grows by more than the per-query bound (``--query-memory``), the server kills that
  worker with SIGKILL and asks the zygote for a fresh one. A query a worker has answered
  within half its time limit (`ProcessExecutor.QUICK_SHARE`) and with bounded memory is
  remembered (by text and dataset; the store never changes, so it
  costs the same again) and from then on runs in a thread, on the in-memory store: cheap and
  known queries never queue behind unknown heavy ones for a worker.

Both lanes stream: the answer is cut into chunks of `CHUNK` bytes (gzip-compressed where they
are made when the client accepts it, so the event loop never compresses), and a chunk is
produced only when the previous ones have been taken (a bounded queue in the thread lane, the
socket's buffer in the process lane), so a slow client pauses the query instead of filling
memory. `stream()` holds the first `HOLD_BYTES` before the response is committed: an answer
that ends within them is sent whole (with its real status, cached, Content-Length), an error
or time limit reached before the first byte is a proper 4xx/5xx, and an answer bigger than
that is held for up to ``stream_after`` seconds (so a bomb that hits a short time limit still
gets a clean 503) and then streamed. A stream cut by the time limit later is aborted: the
route raises, the server closes the connection without the final chunk.

Where fork() is unavailable, with ``query_workers=0``, or for stores that live elsewhere (a
remote endpoint), the `ThreadExecutor` runs every query in threads: the client still gets its
503 at the time limit, and a streaming query stops at its next write, but a query that blocks
before its first solution runs on (this is logged and counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ctgraph.graph.store import EmbeddedStore, GraphStore, StoreUnavailable
from ctgraph.sparql.analysis import tokens
from ctgraph.sparql.jobs import (
    CHUNK,
    FRAME,
    Answer,
    ChunkWriter,
    EvaluationError,
    Job,
    NotAcceptable,
    QueryMemoryExceeded,
    QuerySyntaxError,
    QueryTimeout,
    WorkerLost,
    error_reply,
    execute,
    produce,
    raise_reply,
)
from ctgraph.sparql.worker_process import recv_exactly, zygote_main
from ctgraph.sparql.worker_store import (
    WorkerStore,
    prepare_worker_store,
    remove_stale_snapshots,
    remove_worker_store,
    snapshot_folder,
)

__all__ = [
    "CHUNK", "Answer", "EvaluationError", "Job", "NotAcceptable", "ProcessExecutor",
    "QueryMemoryExceeded", "QuerySyntaxError", "QueryTimeout", "Streamed", "ThreadExecutor",
    "WorkerLost", "execute", "lane", "make_executor",
]
"""The names the routes use; the job and its errors live in `ctgraph.sparql.jobs`."""

log = logging.getLogger("ctgraph.sparql.execution")

HOLD_BYTES = 1024 * 1024
"""Bytes of answer `stream()` holds before it commits the response: an answer that fits is
sent whole with Content-Length and may be cached."""
THREAD_QUEUE_CHUNKS = 4
"""Chunks a thread-lane query may have produced ahead of the client."""
MEMORY_POLL = 0.05
"""Seconds between two looks at a busy worker's resident memory."""
DEFAULT_QUERY_MEMORY = 2048 * 1024 * 1024
"""Per-query memory bound: 2 GiB leaves room for the pool at its largest (twice the cores'
workers, 4 on 2 cores) on a 24 GiB machine beside a 10M-triple store."""

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

class _Stopped(Exception):
    """Raised inside a thread-lane query's write(): its deadline passed or nobody reads."""


# --- which lane -------------------------------------------------------------------------------

_BLOCKING_WORDS = frozenset({
    "ORDER", "GROUP", "HAVING", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT",
    "DISTINCT", "REDUCED", "MINUS", "FILTER", "EXISTS", "OFFSET", "SERVICE",
})
"""Words that make an answer wait for (or skip over) much of its input before a first
solution: such queries may compute without writing, so only a killable process can stop them
at their time limit. FILTER is here because a filter that rarely passes over a big join
writes nothing for a long time; DISTINCT because its memory grows with the answer."""


def lane(sparql: str) -> str:
    """"thread" when the query's answer is written as it is computed, so a check at each
    write stops it in time; "process" otherwise (also for anything unrecognised)."""
    toks = list(tokens(sparql))
    form = None
    braces = 0
    run_of_vars = 0
    for i, tok in enumerate(toks):
        if tok.kind == "word":
            word = tok.text.upper()
            if form is None and word in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
                form = word
            if word in _BLOCKING_WORDS:
                return "process"
        if tok.kind == "punct":
            text = tok.text
            if "{" in text:
                braces += text.count("{")
            if "+" in text or ("*" in text and not _is_select_star(toks, i)):
                return "process"  # a path closure (or arithmetic: we cannot tell cheaply)
            if text == "?":
                return "process"  # a zero-or-one path
        run_of_vars = run_of_vars + 1 if tok.kind == "var" and braces else 0
        if run_of_vars >= 3:
            return "process"  # ?s ?p ?o: a scan of the whole store, a bomb when joined
    return "thread" if form in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK") else "process"


def _is_select_star(toks: list, i: int) -> bool:
    return toks[i].text == "*" and i > 0 and toks[i - 1].kind == "word" and toks[
        i - 1].text.upper() in ("SELECT", "DESCRIBE", "DISTINCT", "REDUCED")


# --- streams ----------------------------------------------------------------------------------

class _Source(Protocol):
    """The messages of one running query: ("head", kind, format, encoding), then
    ("data", bytes, last) until one is the last; errors are raised."""

    async def next(self, until: float | None) -> tuple | None:
        """The next message, or None when loop time `until` came first."""
        ...

    async def stop(self, outcome: str) -> None:
        """The query's answer is not wanted any more (or it ended): give its resources back."""
        ...


@dataclass
class Streamed:
    """A query's answer as the route sends it (see the module docstring)."""

    kind: str
    format_key: str
    encoding: str | None
    head: bytes
    """The bytes held before the response was committed."""
    complete: bool
    """`head` is the whole answer."""
    _source: Any = None
    _deadline: float = 0.0
    _held: list[bytes] = field(default_factory=list)
    on_finish: list[Callable[[str], None]] = field(default_factory=list)
    """Called once with the outcome ("ok", "timeout", "memory", "worker_lost", "error",
    "cancelled") when the answer has been sent or abandoned."""
    _finished: bool = False

    def answer(self) -> Answer:
        """The whole answer (only when `complete`)."""
        assert self.complete
        return Answer(self.kind, self.format_key, self.head, self.encoding)

    async def rest(self) -> AsyncIterator[bytes]:
        """The held chunks, then the rest as it comes; raises QueryTimeout,
        QueryMemoryExceeded, WorkerLost or EvaluationError when the answer is cut."""
        outcome = "cancelled"
        try:
            for chunk in self._held:
                yield chunk
            self._held = []
            while not self.complete:
                message = await self._source.next(None)
                assert message is not None and message[0] == "data"
                if message[1]:
                    yield message[1]
                self.complete = message[2]
            outcome = "ok"
        except BaseException as e:
            outcome = _outcome(e)
            raise
        finally:
            await asyncio.shield(self._finish(outcome))

    async def aclose(self) -> None:
        """Abandon the answer (the client went away before it was sent)."""
        await self._finish("cancelled")

    async def _finish(self, outcome: str) -> None:
        if self._finished:
            return
        self._finished = True
        if self._source is not None:
            await self._source.stop(outcome)
        for callback in self.on_finish:
            try:
                callback(outcome)
            except Exception:
                log.exception("on_finish callback failed")


async def _hold(source: _Source, timeout: float, stream_after: float) -> Streamed:
    """Read the answer's first bytes (see the module docstring) and decide how it is sent."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    deadline = start + timeout
    commit_at = start + stream_after if stream_after < timeout else None
    try:
        head = await source.next(None)
        assert head is not None and head[0] == "head"
        first = await source.next(None)  # sent right after the head
        assert first is not None and first[0] == "data"
        held: list[bytes] = [first[1]]
        size = len(first[1])
        complete = first[2]
        while not complete:
            if size >= HOLD_BYTES:  # the query is paused (nobody reads) until commit_at
                if commit_at is None or commit_at >= deadline:
                    await asyncio.sleep(max(0.0, deadline - loop.time()))
                    raise QueryTimeout()
                await asyncio.sleep(max(0.0, commit_at - loop.time()))
                break
            message = await source.next(commit_at)
            if message is None:
                break  # held for stream_after seconds: start sending
            held.append(message[1])
            size += len(message[1])
            complete = message[2]
    except BaseException as e:
        await asyncio.shield(source.stop(_outcome(e)))
        raise
    streamed = Streamed(head[1], head[2], head[3], b"".join(held) if complete else b"",
                        complete, source, deadline)
    if complete:
        await source.stop("ok")
        streamed._finished = True
    else:
        streamed._held = held
    return streamed


def _outcome(error: BaseException) -> str:
    """How a query ended, for `Streamed.on_finish` and for what happens to its worker: after
    "error" the worker has reported and waits for the next job; after anything else (a
    cancellation included) its state is unknown and it is replaced."""
    if isinstance(error, QueryTimeout):
        return "timeout"
    if isinstance(error, QueryMemoryExceeded):
        return "memory"
    if isinstance(error, WorkerLost):
        return "worker_lost"
    if isinstance(error, (QuerySyntaxError, NotAcceptable, EvaluationError)):
        return "error"
    return "cancelled"


async def _collect(streamed: Streamed) -> Answer:
    if streamed.complete:
        return streamed.answer()
    body = bytearray()
    async for chunk in streamed.rest():
        body += chunk
    return Answer(streamed.kind, streamed.format_key, bytes(body), streamed.encoding)


# --- the thread lane ----------------------------------------------------------------------------

class _ThreadSource:
    """A query evaluated in a thread of this process, its chunks passed through a bounded
    queue; the thread checks the deadline and the consumer's interest at every chunk."""

    def __init__(self, store: GraphStore, job: Job, deadline: float, owner: Any):
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[tuple] = asyncio.Queue()
        self._space = threading.Semaphore(THREAD_QUEUE_CHUNKS)
        self._cancelled = threading.Event()
        self._deadline = deadline
        self._wall_deadline = time.monotonic() + (deadline - self._loop.time())
        self._owner = owner
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(store, job), daemon=True,
                                        name="ctgraph-query")
        owner._thread_running += 1
        self._thread.start()

    def _check(self) -> None:
        if self._cancelled.is_set() or time.monotonic() >= self._wall_deadline:
            raise _Stopped()

    def _emit(self, message: tuple) -> None:
        while not self._space.acquire(timeout=0.05):
            self._check()
        self._loop.call_soon_threadsafe(self._queue.put_nowait, message)

    def _run(self, store: GraphStore, job: Job) -> None:
        try:
            produce(store, job, ChunkWriter(self._emit, job.gzip, self._check))
        except _Stopped:
            pass
        except BaseException as e:
            if not self._cancelled.is_set():
                with contextlib.suppress(RuntimeError):  # the loop has closed
                    self._loop.call_soon_threadsafe(self._queue.put_nowait,
                                                    ("error", *error_reply(e)))
        finally:
            self._done.set()
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._owner._thread_ended)

    async def next(self, until: float | None) -> tuple | None:
        limit = self._deadline if until is None else min(until, self._deadline)
        try:
            async with asyncio.timeout_at(limit):
                message = await self._queue.get()
        except TimeoutError:
            if until is not None and until < self._deadline:
                return None
            raise QueryTimeout() from None
        self._space.release()
        if message[0] == "error":
            raise_reply(message[1], message[2])
        return message

    async def stop(self, outcome: str) -> None:
        self._cancelled.set()
        if outcome == "timeout" and not self._done.wait(0.0):
            self._owner._note_abandoned(self._done)


class ThreadExecutor:
    """Every query in threads: portable, but a query that blocks before its first write keeps
    running past its time limit (it stops at its next write, if any)."""

    def __init__(self, store: GraphStore, stream_after: float = 2.0):
        self.store = store
        self.stream_after = stream_after
        self.zygote_pid = 0
        self._thread_running = 0
        self._abandoned = 0
        self._timeouts = 0

    def start(self) -> None:
        pass

    async def connect(self) -> None:
        pass

    def close(self) -> None:
        pass

    def _thread_ended(self) -> None:
        self._thread_running -= 1

    def _note_abandoned(self, done: threading.Event) -> None:
        self._abandoned += 1
        log.warning("query past its time limit still running in its thread; it stops at its "
                    "next write or when it ends")

    def stats(self) -> dict[str, int]:
        return {"threads_abandoned": self._abandoned,
                "queries_running_threads": self._thread_running, "timeouts": self._timeouts}

    async def stream(self, job: Job, timeout: float) -> Streamed:
        deadline = asyncio.get_running_loop().time() + timeout
        try:
            return await _hold(_ThreadSource(self.store, job, deadline, self), timeout,
                               self.stream_after)
        except QueryTimeout:
            self._timeouts += 1
            raise

    async def run(self, job: Job, timeout: float) -> Answer:
        return await _collect(await self.stream(job, timeout))


# --- the process lane ---------------------------------------------------------------------------

@dataclass
class _Worker:
    pid: int
    sock: socket.socket
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        """Attach the socket to the running loop (persistent reader, no per-call setup)."""
        self.reader, self.writer = await asyncio.open_unix_connection(sock=self.sock)

    def send(self, job: Job) -> None:
        assert self.writer is not None
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(struct.pack("!Q", len(payload)) + payload)

    async def frame(self) -> tuple[bytes, bytes]:
        assert self.reader is not None
        kind, length = FRAME.unpack(await self.reader.readexactly(FRAME.size))
        return kind, await self.reader.readexactly(length) if length else b""

    def resident(self) -> int:
        """Resident memory in bytes (/proc/PID/statm), 0 when unknown."""
        try:
            with open(f"/proc/{self.pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            return 0

    def private(self) -> int:
        """Bytes only this process holds (Private_Clean + Private_Dirty of
        /proc/PID/smaps_rollup), 0 when unknown."""
        total = 0
        try:
            with open(f"/proc/{self.pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith((b"Private_Clean:", b"Private_Dirty:")):
                        total += int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            return 0
        return total

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        else:
            self.sock.close()


class _ProcessSource:
    """A query evaluated in a pool worker; frames read from its socket on demand (the socket's
    buffer is the backpressure), its resident memory watched while it computes."""

    def __init__(self, pool: ProcessExecutor, worker: _Worker, deadline: float, job: Job):
        self._pool = pool
        self._worker = worker
        self._deadline = deadline
        self._job = job
        self._started = asyncio.get_running_loop().time()
        self._baseline = worker.resident()
        self._pending: asyncio.Future[tuple[bytes, bytes]] | None = None

    async def next(self, until: float | None) -> tuple | None:
        loop = asyncio.get_running_loop()
        limit = self._pool.query_memory
        while True:
            if self._pending is None:
                self._pending = asyncio.ensure_future(self._worker.frame())
            now = loop.time()
            if now >= self._deadline:
                raise QueryTimeout()
            if until is not None and now >= until:
                return None
            wake = min(self._deadline, until if until is not None else self._deadline)
            if limit and self._baseline:
                wake = min(wake, now + MEMORY_POLL)
            done, _ = await asyncio.wait({self._pending}, timeout=max(0.0, wake - now))
            if not done:
                if limit and self._baseline and (
                        self._worker.resident() - self._baseline > limit):
                    raise QueryMemoryExceeded(limit)
                continue
            pending, self._pending = self._pending, None
            try:
                kind, payload = pending.result()
            except (OSError, EOFError, asyncio.IncompleteReadError) as e:
                log.error("query worker %d stopped unexpectedly: %s", self._worker.pid, e)
                raise WorkerLost("the query worker stopped unexpectedly") from None
            if kind in (b"D", b"L"):
                return ("data", payload, kind == b"L")
            if kind == b"H":
                return ("head", *pickle.loads(payload))
            status, value = pickle.loads(payload)
            raise_reply(status, value)

    async def stop(self, outcome: str) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if outcome == "ok":
            elapsed = asyncio.get_running_loop().time() - self._started
            growth = self._worker.resident() - self._baseline if self._baseline else 0
            self._pool._learn(self._job, elapsed, growth, self._deadline - self._started)
        if outcome in ("ok", "error"):  # after "error" the worker reported and waits
            if self._pool.recycles(self._worker):
                await self._pool._replace(self._worker, counted=False)
            else:
                self._pool._release(self._worker)
            return
        if outcome == "memory":
            self._pool._memory_stops += 1
            log.warning("query stopped: worker %d grew past the memory limit of %d MiB",
                        self._worker.pid, self._pool.query_memory // (1024 * 1024))
        await self._pool._replace(self._worker)


class ProcessExecutor:
    """The two lanes of the module docstring: threads for streaming queries, a pool of forked
    worker processes for the others.

    The pool keeps `size` workers. When a query finds none free and every worker has been on
    its current query for `GROW_AFTER` seconds (at most a quarter of the time limit), runaway
    queries are holding them all: it forks another, up to `2 * size`, so a few runaway
    queries cannot make every other client wait for their time limit. An extra worker retires
    as soon as it has answered and nobody waits. A busy pool that keeps turning over ordinary
    queries does not grow: an extra process would add no CPU, and each new worker first copies
    most of the in-memory store for itself (Oxigraph's store writes to its nodes while reading
    them), which measured 23 % of the throughput and 3x the p99 on the 1M-triple benchmark
    when the pool grew whenever a query had waited half a second.
    """

    GROW_AFTER = 2.0
    QUICK_SHARE = 0.5
    """A query a worker answered within this share of its time limit (waiting excluded) is
    known to end: from then on it runs in a thread, on the server's in-memory store, where
    it is faster than on the workers' disk store (1-5x at 1M, up to 30x at 10M). It is no
    runaway, so that a thread cannot kill it costs at most its known run time; should it
    reach its limit there all the same, it is forgotten (`_forget`)."""
    QUICK_GROWTH = 256 * 1024 * 1024
    """…and whose worker grew by at most this much."""
    QUICK_ENTRIES = 4096
    RECYCLE_PRIVATE = 32 * 1024 * 1024
    """Private memory past which a snapshot worker is replaced after its query (`recycles`)."""

    def __init__(self, store: EmbeddedStore, size: int, *,
                 query_memory: int = DEFAULT_QUERY_MEMORY, stream_after: float = 2.0,
                 threads: bool = True, snapshot_dir: Path | None = None,
                 worker_store: str = "snapshot"):
        self.store = store
        self.fork = worker_store == "fork"
        """Workers share the server's store copy-on-write (fork) instead of reading their own
        on-disk copy: in-memory speed for their queries, at the price of a private copy of
        every page they read (Oxigraph writes to what it reads; `worker_store`)."""
        self.snapshot_dir = snapshot_dir
        """Where the in-memory store's snapshot for the workers goes (None: the temp folder)."""
        self.worker_store: WorkerStore | None = None
        self.ready = False
        """The workers' store is written and the first workers run."""
        self.unready_reason = ""
        """Why the workers could not be started, when they could not."""
        self._preparing: asyncio.Task | None = None
        self._zygote: subprocess.Popen | None = None
        self._snapshot_folder: Path | None = None
        self._closed = False
        self.size = max(1, size)
        self.max_size = 2 * self.size
        self.query_memory = query_memory
        """Bytes a worker's resident memory may grow by during one query; 0: no bound."""
        self.stream_after = stream_after
        self.threads = threads
        """Streaming queries run in threads (`lane`); False: every query in a worker."""
        self.zygote_pid = 0
        self._threads = ThreadExecutor(store, stream_after)
        self._quick: dict[tuple, None] = {}
        """Queries known to be quick (`_learn`), oldest first."""
        self._growing = 0
        self._waiting = 0
        self._busy_since: dict[int, float] = {}
        """Loop time each busy worker (by pid) took its current query."""
        self._ctrl: socket.socket | None = None
        self._lock = threading.Lock()
        self._idle: asyncio.Queue[_Worker] | None = None
        self._workers: dict[int, _Worker] = {}
        self._first: list[_Worker] = []
        self._started = 0
        self._replaced = 0
        self._recycled = 0
        self._memory_stops = 0
        self._timeouts = 0

    @property
    def _zygote_pid(self) -> int:  # the name before zygote_pid was public
        return self.zygote_pid

    def _learn(self, job: Job, elapsed: float, growth: int, timeout: float) -> None:
        """Remember a query a worker answered quickly and with little memory: the store does
        not change, so the same text over the same dataset costs the same next time, and it
        can run in a thread, never waiting behind heavy queries for a worker."""
        if elapsed <= self.QUICK_SHARE * timeout and growth <= self.QUICK_GROWTH:
            key = (job.sparql, job.default_graphs, job.named_graphs)
            self._quick[key] = None
            if len(self._quick) > self.QUICK_ENTRIES:
                del self._quick[next(iter(self._quick))]

    def _forget(self, job: Job) -> None:
        """A known query that reached its time limit in a thread goes back to the workers,
        where the limit can stop it."""
        self._quick.pop((job.sparql, job.default_graphs, job.named_graphs), None)

    def _known_quick(self, job: Job) -> bool:
        return (job.sparql, job.default_graphs, job.named_graphs) in self._quick

    def stats(self) -> dict[str, int]:
        """Counters for /metrics and /healthz."""
        alive = 0
        for pid in list(self._workers):
            with contextlib.suppress(OSError):
                os.kill(pid, 0)
                alive += 1
        zygote = 0
        if self.zygote_pid:
            try:
                zygote = int(os.waitpid(self.zygote_pid, os.WNOHANG)[0] == 0)
            except ChildProcessError:
                zygote = 0
        threads = self._threads.stats()
        return {
            "workers_alive": alive, "workers_started": self._started,
            "workers_replaced": self._replaced, "zygote_alive": zygote,
            "threads_abandoned": threads["threads_abandoned"],
            "queries_running_threads": threads["queries_running_threads"],
            "queries_running_processes": len(self._busy_since),
            "memory_stops": self._memory_stops,
            "timeouts": self._timeouts + threads["timeouts"],
            "workers_ready": int(self.ready),
            "workers_recycled": self._recycled,
        }

    def start(self) -> None:
        """Start the zygote (a fresh interpreter, see `ctgraph.sparql.worker_process`); call
        before serving, from the main thread (the zygote dies with the thread that started
        it). Then `connect()` in the event loop prepares the workers' store and forks them."""
        remove_stale_snapshots(self.snapshot_dir)
        ours, theirs = socket.socketpair()
        self._idle = asyncio.Queue()
        if self.fork:  # before any thread of ours exists: a fork inherits no held lock
            pid = os.fork()
            if pid == 0:
                ours.close()
                zygote_main(theirs, self.store)
            theirs.close()
            self._ctrl, self.zygote_pid = ours, pid
            return
        self._zygote = subprocess.Popen(
            [sys.executable, "-m", "ctgraph.sparql.worker_process", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        theirs.close()
        self._ctrl, self.zygote_pid = ours, self._zygote.pid

    async def connect(self) -> None:
        """Prepare the workers' store and fork the first workers, in the background: an
        on-disk store is used as it is, an in-memory one is first copied to disk (a million
        triples take about 15 s), and the server answers meanwhile. Queries that need a
        worker wait for them (`_acquire`); /healthz says ``workers_ready``."""
        assert self._idle is not None, "executor not started"
        if self.store.path is None and not self.fork:
            self._snapshot_folder = snapshot_folder(self.snapshot_dir)
        self._preparing = asyncio.create_task(self._prepare())

    async def _prepare(self) -> None:
        if self.fork:  # the zygote holds the store already
            await self._start_first_workers()
            return
        started = time.perf_counter()
        try:
            spec = await asyncio.to_thread(prepare_worker_store, self.store,
                                           self._snapshot_folder, self._build_in_zygote)
        except Exception as e:
            if self._ctrl is None:
                return  # closed meanwhile
            self.unready_reason = f"the workers' store could not be written: {e}"
            log.exception("could not prepare the query workers' store; every query will run "
                          "in a thread")
            return
        self.worker_store = spec
        if spec.snapshot:
            log.info("query workers' store written in %.2fs (%s)",
                     time.perf_counter() - started, spec.path)
        payload = pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if self._ctrl is None:
                return  # closed meanwhile
            self._ctrl.sendall(b"s" + struct.pack("!Q", len(payload)) + payload)
        await self._start_first_workers()

    async def _start_first_workers(self) -> None:
        assert self._idle is not None
        try:
            first = [await asyncio.to_thread(self._spawn) for _ in range(self.size)]
            for worker in first:
                await worker.connect()
        except (OSError, EOFError, AssertionError) as e:
            if self._ctrl is None:
                return
            self.unready_reason = f"the query workers could not be started: {e}"
            log.error("could not start the query workers (every query will run in a thread): "
                      "%s", e)
            return
        self.ready = True
        for worker in first:
            self._idle.put_nowait(worker)

    def _build_in_zygote(self, dump: Path, target: Path) -> None:
        """The snapshot's store built by a child of the zygote (see `worker_process`)."""
        payload = pickle.dumps((str(dump), str(target)), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if self._ctrl is None:
                raise OSError("the executor was closed")
            self._ctrl.sendall(b"b" + struct.pack("!Q", len(payload)) + payload)
            status = struct.unpack("!i", recv_exactly(self._ctrl, 4))[0]
        if status != 0:
            raise OSError(f"the process writing it exited with status {status} (see the log)")

    def close(self) -> None:
        self._closed = True
        if self._preparing is not None and not self._preparing.done():
            self._preparing.cancel()
        for worker in list(self._workers.values()):
            self._discard(worker)
        with self._lock:  # not while a worker is being asked for
            if self._ctrl is not None:
                self._ctrl.close()  # the zygote exits on EOF
                self._ctrl = None
        if self._zygote is not None:
            try:
                self._zygote.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._zygote.kill()
                self._zygote.wait()
            self._zygote = None
        elif self.zygote_pid:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(self.zygote_pid, 0)
        self.zygote_pid = 0
        remove_worker_store(self.worker_store)
        if self._snapshot_folder is not None:  # also when closed before it was written
            shutil.rmtree(self._snapshot_folder, ignore_errors=True)
            self._snapshot_folder = None

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        with self._lock:
            assert self._ctrl is not None, "executor not started"
            socket.send_fds(self._ctrl, [b"w"], [theirs.fileno()])
            pid = struct.unpack("!i", recv_exactly(self._ctrl, 4))[0]
        theirs.close()
        if pid < 0:
            ours.close()
            raise OSError("the zygote has not been told which store the workers open")
        worker = _Worker(pid, ours)
        self._workers[pid] = worker
        self._started += 1
        return worker

    def _discard(self, worker: _Worker) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
        worker.close()
        self._workers.pop(worker.pid, None)
        self._busy_since.pop(worker.pid, None)

    def recycles(self, worker: _Worker) -> bool:
        """Whether a worker that has just answered is replaced by a fresh one: when it reads
        a snapshot and keeps more than `RECYCLE_PRIVATE` bytes of its own (RocksDB's block
        cache and table readers, heap glibc cannot give back: 55-64 MB per worker at 1M
        triples). Known queries run in threads, so workers answer few queries and a fresh
        one (forked in milliseconds) costs little; a forked worker (`fork`) is kept, since a
        fresh one would copy the pages it reads all over again."""
        if self.fork or self.RECYCLE_PRIVATE <= 0:
            return False
        return worker.private() > self.RECYCLE_PRIVATE

    async def _replace(self, worker: _Worker, counted: bool = True) -> None:
        """Kill `worker`; fork a fresh one if the pool is now below its size. `counted`: a
        replacement after a failure (``workers_replaced``), not a recycling."""
        self._discard(worker)
        if counted:
            self._replaced += 1
        else:
            self._recycled += 1
        if self._ctrl is None or not self.ready or len(self._workers) + self._growing >= self.size:
            return
        try:
            fresh = await asyncio.to_thread(self._spawn)
            await fresh.connect()
        except (OSError, EOFError, AssertionError):
            if not self._closed:  # else: the server is stopping, nothing to replace
                log.exception("could not start a replacement query worker")
            return
        if self._closed:
            self._discard(fresh)
            return
        assert self._idle is not None
        self._idle.put_nowait(fresh)

    async def _grow(self) -> _Worker | None:
        """A new worker when the pool may still grow, else None."""
        if self._ctrl is None or len(self._workers) + self._growing >= self.max_size:
            return None
        self._growing += 1
        try:
            worker = await asyncio.to_thread(self._spawn)
            await worker.connect()
        except (OSError, EOFError, AssertionError):
            if not self._closed:
                log.exception("could not start an extra query worker")
            return None
        finally:
            self._growing -= 1
        return worker

    async def stream(self, job: Job, timeout: float) -> Streamed:
        """The answer to `job` as a `Streamed` (see the module docstring)."""
        if (self.threads and lane(job.sparql) == "thread") or self.unready_reason:
            return await self._threads.stream(job, timeout)  # no workers: threads (logged)
        if self.threads and self._known_quick(job):
            try:
                streamed = await self._threads.stream(job, timeout)
            except QueryTimeout:
                self._forget(job)  # not quick after all (or the machine is overloaded)
                raise
            streamed.on_finish.append(lambda outcome: outcome == "timeout" and self._forget(job))
            return streamed
        assert self._idle is not None, "executor not started"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = await self._acquire(deadline, min(self.GROW_AFTER, timeout / 4))
        except QueryTimeout:
            self._timeouts += 1
            raise
        self._busy_since[worker.pid] = loop.time()
        try:
            worker.send(job)
        except OSError:
            await self._replace(worker)
            raise WorkerLost("the query worker stopped unexpectedly") from None
        source = _ProcessSource(self, worker, deadline, job)
        try:
            return await _hold(source, timeout, self.stream_after)
        except QueryTimeout:
            self._timeouts += 1
            raise
        except BaseException:
            # _hold has already released or replaced the worker; a cancellation (client
            # gone, shutdown) lands here too, after the worker was replaced.
            raise

    async def run(self, job: Job, timeout: float) -> Answer:
        """The whole answer to `job` in memory (named queries, the answer cache)."""
        return await _collect(await self.stream(job, timeout))

    async def _acquire(self, deadline: float, stuck_after: float) -> _Worker:
        """An idle worker; a new one if none came free while every worker has been on its
        query for `stuck_after` seconds. An idle worker found dead is replaced."""
        assert self._idle is not None
        loop = asyncio.get_running_loop()
        self._waiting += 1
        try:
            while True:
                recheck = self._held_for_less_than(stuck_after, loop.time())
                if recheck <= 0 and self.ready and (worker := await self._grow()) is not None:
                    return worker
                until = deadline if recheck <= 0 else min(deadline, loop.time() + recheck)
                try:
                    async with asyncio.timeout_at(until):
                        worker = await self._idle.get()
                except TimeoutError:
                    if loop.time() >= deadline and not self.ready:
                        raise StoreUnavailable(
                            "the query workers are still opening their copy of the store "
                            "(written after start-up); queries that need one are answered "
                            "once it is ready") from None
                    if loop.time() >= deadline:
                        raise QueryTimeout() from None
                    continue
                if (worker.reader is not None and worker.reader.at_eof()) or not _alive(
                        worker.pid):
                    log.error("idle query worker %d had died; replacing it", worker.pid)
                    await self._replace(worker)
                    continue
                return worker
        finally:
            self._waiting -= 1

    def _held_for_less_than(self, stuck_after: float, now: float) -> float:
        """Seconds until every busy worker will have held its query `stuck_after` seconds
        (0 or less: they all have); `stuck_after` while no worker is busy (all are starting)."""
        if not self._busy_since:
            return stuck_after
        return max(self._busy_since.values()) + stuck_after - now

    def _release(self, worker: _Worker) -> None:
        """Back to the idle queue, or retired if the pool has grown beyond its size and no
        query is waiting for a worker."""
        assert self._idle is not None
        self._busy_since.pop(worker.pid, None)
        if worker.pid not in self._workers:
            return
        if len(self._workers) > self.size and not self._waiting:
            self._discard(worker)
        else:
            self._idle.put_nowait(worker)


def _alive(pid: int) -> bool:
    """The worker is still a running process (not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True


FORK_ABOVE_QUADS = 3_000_000
"""Above this many quads in memory, "auto" forks the workers with the server's store instead
of giving them a snapshot on disk. Measured (bench/README.md): on the disk copy the mix's heavy
queries ran 1-5x slower than in memory at 1M triples but 25-30x slower at 10M, where most
timed out; forked workers cost memory instead (a private copy of what each reads: 4.7x
Oxigraph's memory at 1M, 1.85x at 10M)."""


def make_executor(store: GraphStore, workers: int, *, query_memory: int = DEFAULT_QUERY_MEMORY,
                  stream_after: float = 2.0, threads: bool = True,
                  snapshot_dir: Path | None = None, worker_store: str = "auto") -> Any:
    """Two lanes (threads and killable worker processes) for an in-memory/on-disk store
    where fork() exists, else threads only. `worker_store` "auto": workers fork with an
    in-memory store of more than `FORK_ABOVE_QUADS` quads, else read their snapshot."""
    if worker_store == "auto":
        big = isinstance(store, EmbeddedStore) and store.path is None and (
            store.quad_count() > FORK_ABOVE_QUADS)
        worker_store = "fork" if big else "snapshot"
    if workers > 0 and hasattr(os, "fork") and isinstance(store, EmbeddedStore):
        return ProcessExecutor(store, workers, query_memory=query_memory,
                               stream_after=stream_after, threads=threads,
                               snapshot_dir=snapshot_dir, worker_store=worker_store)
    return ThreadExecutor(store, stream_after)
