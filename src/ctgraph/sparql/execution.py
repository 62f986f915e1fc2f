"""Evaluate queries so that a runaway one can be stopped and its memory and CPU given back.

pyoxigraph cannot cancel a query: a thread blocked in its iterator runs until the query ends.
So queries run in worker processes that share the loaded store copy-on-write. At start-up the
server forks a single-threaded *zygote* holding the store; every worker is forked from the
zygote (never from the multi-threaded server, where a lock held by another thread would be
inherited locked). The server talks to each worker over its own socket pair and, when a query
outlives its time limit, kills that worker with SIGKILL and asks the zygote for a fresh one.
Workers serialise (and, for clients that accept it, gzip) answers themselves, so only
finished bytes cross the socket and the event loop never compresses.

Where fork() is unavailable, or for stores that live elsewhere (a remote endpoint), the
`ThreadExecutor` runs queries in threads: the client still gets its 503 at the time limit, but
the abandoned evaluation runs on (this is logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import logging
import os
import pickle
import signal
import socket
import struct
import threading
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from ctgraph.graph.store import GraphStore
from ctgraph.sparql.media_types import BY_KEY, GZIP_LEVEL, GZIP_MIN_BYTES
from ctgraph.sparql.serialization import serialize_results, serialize_triples

log = logging.getLogger("ctgraph.sparql.execution")

_HEADER = struct.Struct("!Q")


@dataclass(frozen=True)
class Job:
    """One query to evaluate and the formats its answer may take."""

    sparql: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    results_format: str | None = None
    """Format key for SELECT/ASK answers; None: the client accepts none."""
    graph_format: str | None = None
    """Format key for CONSTRUCT/DESCRIBE answers; None: the client accepts none."""
    base_iri: str | None = None
    """Resolves relative IRIs in the query (stores that support it)."""
    gzip: bool = False
    """The client accepts gzip: a body of `GZIP_MIN_BYTES` or more is compressed where it is
    made, in the worker, so the event loop never spends its time compressing."""


@dataclass(frozen=True)
class Answer:
    kind: str
    """"results" or "graph"."""
    format_key: str
    body: bytes
    encoding: str | None = None
    """The body's Content-Encoding ("gzip"), None when sent as it is."""


class QuerySyntaxError(Exception):
    """The engine rejected the query text; the message carries line and column."""


class NotAcceptable(Exception):
    """The answer's kind ("results" or "graph") has no format the client accepts."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class QueryTimeout(Exception):
    """The query outlived its time limit and was stopped."""


class EvaluationError(Exception):
    """The engine failed while evaluating a well-formed query."""


def execute(store: GraphStore, job: Job) -> Answer:
    """Evaluate `job` on `store` and serialise the answer (runs inside a worker)."""
    result = store.query(
        job.sparql,
        default_graphs=list(job.default_graphs) if job.default_graphs is not None else None,
        named_graphs=list(job.named_graphs) if job.named_graphs is not None else None,
        base_iri=job.base_iri,
    )
    if isinstance(result, ox.QueryTriples):
        if job.graph_format is None:
            raise NotAcceptable("graph")
        body = serialize_triples(result, BY_KEY[job.graph_format])
        return _encoded(Answer("graph", job.graph_format, body), job)
    if job.results_format is None:
        raise NotAcceptable("results")
    fmt = BY_KEY[job.results_format]
    return _encoded(Answer("results", job.results_format, serialize_results(result, fmt)), job)


def _encoded(answer: Answer, job: Job) -> Answer:
    if not job.gzip or len(answer.body) < GZIP_MIN_BYTES:
        return answer
    body = gzip.compress(answer.body, compresslevel=GZIP_LEVEL, mtime=0)
    return Answer(answer.kind, answer.format_key, body, "gzip")


def _evaluate(store: GraphStore, job: Job) -> tuple[str, object]:
    """`execute` with every outcome turned into a picklable reply."""
    try:
        return "ok", execute(store, job)
    except SyntaxError as e:
        return "syntax", str(e)
    except NotAcceptable as e:
        return "406", e.kind
    except Exception as e:  # the engine's evaluation errors (OSError, RuntimeError, ValueError)
        return "error", f"{type(e).__name__}: {e}"


def _unpack(reply: tuple[str, object]) -> Answer:
    status, value = reply
    if status == "ok":
        assert isinstance(value, Answer)
        return value
    if status == "syntax":
        raise QuerySyntaxError(str(value))
    if status == "406":
        raise NotAcceptable(str(value))
    raise EvaluationError(str(value))


class Executor(Protocol):
    async def run(self, job: Job, timeout: float) -> Answer: ...

    def start(self) -> None: ...

    async def connect(self) -> None: ...

    def close(self) -> None: ...


class ThreadExecutor:
    """Queries in threads: portable, but a timed-out query keeps running until it ends."""

    def __init__(self, store: GraphStore):
        self.store = store

    def start(self) -> None:
        pass

    async def connect(self) -> None:
        pass

    def close(self) -> None:
        pass

    async def run(self, job: Job, timeout: float) -> Answer:
        task = asyncio.ensure_future(asyncio.to_thread(_evaluate, self.store, job))
        try:
            async with asyncio.timeout(timeout):
                reply = await asyncio.shield(task)
        except TimeoutError:
            log.warning("query abandoned at its time limit; it runs on in its thread")
            raise QueryTimeout() from None
        return _unpack(reply)


@dataclass
class _Worker:
    pid: int
    sock: socket.socket
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        """Attach the socket to the running loop (persistent reader, no per-call setup)."""
        self.reader, self.writer = await asyncio.open_unix_connection(sock=self.sock)

    async def roundtrip(self, job: Job) -> object:
        assert self.reader is not None and self.writer is not None
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(_HEADER.pack(len(payload)) + payload)
        header = await self.reader.readexactly(_HEADER.size)
        (length,) = _HEADER.unpack(header)
        return pickle.loads(await self.reader.readexactly(length))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        else:
            self.sock.close()


class ProcessExecutor:
    """A pool of forked worker processes (see the module docstring).

    It keeps `size` workers. When a query finds none free and every worker has been on its
    current query for `GROW_AFTER` seconds (at most a quarter of the time limit), runaway
    queries are holding them all: it forks another, up to `2 * size`, so a few runaway queries
    cannot make every other client wait for their time limit. An extra worker retires as soon
    as it has answered and nobody waits. A busy pool that keeps turning over ordinary queries
    does not grow: an extra process would add no CPU, and each new worker first copies most
    of the in-memory store for itself (Oxigraph's store writes to its nodes while reading
    them), which measured 23 % of the throughput and 3x the p99 on the 1M-triple benchmark
    when the pool grew whenever a query had waited half a second.
    """

    GROW_AFTER = 2.0

    def __init__(self, store: GraphStore, size: int):
        self.store = store
        self.size = max(1, size)
        self.max_size = 2 * self.size
        self._growing = 0
        self._waiting = 0
        self._busy_since: dict[int, float] = {}
        """Loop time each busy worker (by pid) took its current query."""
        self._ctrl: socket.socket | None = None
        self._zygote_pid = 0
        self._lock = threading.Lock()
        self._idle: asyncio.Queue[_Worker] | None = None
        self._workers: dict[int, _Worker] = {}
        self._first: list[_Worker] = []

    def start(self) -> None:
        """Fork the zygote and the first workers; call before serving. Call `connect()` in
        the event loop before the first `run()` (create_app's lifespan does both)."""
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the zygote
            ours.close()
            _zygote_main(theirs, self.store)
        theirs.close()
        self._ctrl, self._zygote_pid = ours, pid
        self._idle = asyncio.Queue()
        self._first = [self._spawn() for _ in range(self.size)]

    async def connect(self) -> None:
        assert self._idle is not None, "executor not started"
        for worker in self._first:
            await worker.connect()
            self._idle.put_nowait(worker)
        self._first = []

    def close(self) -> None:
        for worker in list(self._workers.values()):
            self._discard(worker)
        if self._ctrl is not None:
            self._ctrl.close()  # the zygote exits on EOF
            self._ctrl = None
        if self._zygote_pid:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(self._zygote_pid, 0)
            self._zygote_pid = 0

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        with self._lock:
            assert self._ctrl is not None, "executor not started"
            socket.send_fds(self._ctrl, [b"w"], [theirs.fileno()])
            pid = struct.unpack("!i", _recv_exactly(self._ctrl, 4))[0]
        theirs.close()
        worker = _Worker(pid, ours)
        self._workers[pid] = worker
        return worker

    def _discard(self, worker: _Worker) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
        worker.close()
        self._workers.pop(worker.pid, None)
        self._busy_since.pop(worker.pid, None)

    async def _replace(self, worker: _Worker) -> None:
        """Kill `worker`; fork a fresh one if the pool is now below its size."""
        self._discard(worker)
        if self._ctrl is None or len(self._workers) + self._growing >= self.size:
            return
        try:
            fresh = await asyncio.to_thread(self._spawn)
            await fresh.connect()
        except OSError:
            log.exception("could not start a replacement query worker")
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
        except OSError:
            log.exception("could not start an extra query worker")
            return None
        finally:
            self._growing -= 1
        return worker

    async def run(self, job: Job, timeout: float) -> Answer:
        assert self._idle is not None, "executor not started"
        deadline = asyncio.get_running_loop().time() + timeout
        worker = await self._acquire(deadline, min(self.GROW_AFTER, timeout / 4))
        self._busy_since[worker.pid] = asyncio.get_running_loop().time()
        try:
            async with asyncio.timeout_at(deadline):
                reply = await worker.roundtrip(job)
        except TimeoutError:
            await self._replace(worker)
            raise QueryTimeout() from None
        except (OSError, EOFError, asyncio.IncompleteReadError, pickle.UnpicklingError) as e:
            log.error("query worker %d failed: %s", worker.pid, e)
            await self._replace(worker)
            raise EvaluationError("the query worker stopped unexpectedly") from None
        except BaseException:  # cancelled (client gone, shutdown): the worker's state is unknown
            await asyncio.shield(self._replace(worker))
            raise
        self._release(worker)
        return _unpack(reply)

    async def _acquire(self, deadline: float, stuck_after: float) -> _Worker:
        """An idle worker; a new one if none came free while every worker has been on its
        query for `stuck_after` seconds."""
        assert self._idle is not None
        loop = asyncio.get_running_loop()
        self._waiting += 1
        try:
            while True:
                recheck = self._held_for_less_than(stuck_after, loop.time())
                if recheck <= 0 and (worker := await self._grow()) is not None:
                    return worker
                until = deadline if recheck <= 0 else min(deadline, loop.time() + recheck)
                try:
                    async with asyncio.timeout_at(until):
                        return await self._idle.get()
                except TimeoutError:
                    if loop.time() >= deadline:
                        raise QueryTimeout() from None
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
        if len(self._workers) > self.size and not self._waiting:
            self._discard(worker)
        else:
            self._idle.put_nowait(worker)


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            raise EOFError("peer closed its socket")
        chunks += chunk
    return bytes(chunks)


def _die_with_parent() -> None:
    """Linux: get SIGKILL when the parent dies, so no worker outlives the server."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _child_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when children stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _zygote_main(ctrl: socket.socket, store: GraphStore) -> None:  # pragma: no cover (child)
    code = 0
    try:
        _die_with_parent()
        _child_signals()
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps workers
        while True:
            msg, fds, _flags, _addr = socket.recv_fds(ctrl, 16, 1)
            if not msg:
                break
            channel = socket.socket(fileno=fds[0])
            pid = os.fork()
            if pid == 0:
                ctrl.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _die_with_parent()
                _worker_main(channel, store)
            channel.close()
            ctrl.sendall(struct.pack("!i", pid))
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _worker_main(channel: socket.socket, store: GraphStore) -> None:  # pragma: no cover (child)
    code = 0
    try:
        reopen = getattr(store, "reopen", None)
        if reopen is not None:
            store = reopen()
        while True:
            try:
                (length,) = _HEADER.unpack(_recv_exactly(channel, _HEADER.size))
                job = pickle.loads(_recv_exactly(channel, length))
            except EOFError:
                break
            reply = pickle.dumps(_evaluate(store, job), protocol=pickle.HIGHEST_PROTOCOL)
            channel.sendall(_HEADER.pack(len(reply)) + reply)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def make_executor(store: GraphStore, workers: int) -> Executor:
    """Worker processes for an in-memory/on-disk store where fork() exists, else threads."""
    from ctgraph.graph.store import EmbeddedStore

    if workers > 0 and hasattr(os, "fork") and isinstance(store, EmbeddedStore):
        return ProcessExecutor(store, workers)
    return ThreadExecutor(store)
