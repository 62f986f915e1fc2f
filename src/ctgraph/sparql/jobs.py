"""One query as a job, and its answer produced as chunks: the code that threads of the server
and worker processes run alike.

`produce` evaluates a `Job` and serialises its answer into a `ChunkWriter`, which cuts it into
`CHUNK`-byte chunks (gzipped where made, when the client accepts it) and hands each to an
``emit`` callback: a queue in the thread lane, a socket in a worker (framed with `FRAME`).
Failures travel between processes as a picklable (status, message) pair (`error_reply`,
`raise_reply`).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ctgraph.graph.store import GraphStore, StoreUnavailable
from ctgraph.sparql.media_types import BY_KEY, GZIP_LEVEL, GZIP_MIN_BYTES
from ctgraph.sparql.serialization import write_results, write_triples

CHUNK = 64 * 1024
"""Bytes of serialised answer per chunk (before compression)."""

FRAME = struct.Struct("!cQ")
"""A worker's frame: kind (H head, D data, L last data, X error) and payload length."""



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
    made, so the event loop never spends its time compressing."""


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


class QueryMemoryExceeded(Exception):
    """The query's worker grew past the per-query memory bound and was stopped."""

    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit
        """The bound, in bytes."""


class EvaluationError(Exception):
    """The engine failed while evaluating a well-formed query."""


class WorkerLost(EvaluationError):
    """The process evaluating the query died under it (killed from outside, out of memory)."""


class ChunkWriter:
    """The file object pyoxigraph serialises into: cuts the answer into `CHUNK`-byte chunks,
    gzips them when asked, and hands each to `emit`; `check` may stop the query (it raises)."""

    def __init__(self, emit: Callable[[tuple], None], gzip: bool,
                 check: Callable[[], None] | None = None):
        self._emit = emit
        self._gzip = gzip
        self._check = check
        self._buffer = bytearray()
        self._compressor: Any = None
        self._started = False
        self.kind = "results"
        self.format_key = ""

    def write(self, data: bytes) -> int:
        if self._check is not None:
            self._check()
        self._buffer += data
        if len(self._buffer) >= CHUNK:
            self._send(final=False)
        return len(data)

    def flush(self) -> None:
        """pyoxigraph flushes at the end; chunking decides when bytes leave."""

    def finish(self) -> None:
        self._send(final=True)

    def _send(self, final: bool) -> None:
        if self._check is not None:
            self._check()
        data = bytes(self._buffer)
        self._buffer.clear()
        if not self._started:
            self._started = True
            if self._gzip and (not final or len(data) >= GZIP_MIN_BYTES):
                self._compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
            encoding = "gzip" if self._compressor is not None else None
            self._emit(("head", self.kind, self.format_key, encoding))
        if self._compressor is not None:
            data = self._compressor.compress(data)
            if final:
                data += self._compressor.flush()
        if data or final:
            self._emit(("data", data, final))


def produce(store: GraphStore, job: Job, writer: ChunkWriter) -> None:
    """Evaluate `job` on `store`, serialising the answer into `writer` as it comes."""
    result = store.query(
        job.sparql,
        default_graphs=list(job.default_graphs) if job.default_graphs is not None else None,
        named_graphs=list(job.named_graphs) if job.named_graphs is not None else None,
        base_iri=job.base_iri,
    )
    if isinstance(result, ox.QueryTriples):
        if job.graph_format is None:
            raise NotAcceptable("graph")
        writer.kind, writer.format_key = "graph", job.graph_format
        write_triples(result, BY_KEY[job.graph_format], writer)  # type: ignore[arg-type]
    else:
        if job.results_format is None:
            raise NotAcceptable("results")
        writer.kind, writer.format_key = "results", job.results_format
        write_results(result, BY_KEY[job.results_format], writer)  # type: ignore[arg-type]
    writer.finish()


def execute(store: GraphStore, job: Job) -> Answer:
    """Evaluate `job` on `store` and return the whole answer (in-process callers)."""
    parts: list[bytes] = []
    head: list[Any] = []

    def emit(message: tuple) -> None:
        if message[0] == "head":
            head.extend(message[1:])
        else:
            parts.append(message[1])

    produce(store, job, ChunkWriter(emit, job.gzip))
    return Answer(head[0], head[1], b"".join(parts), head[2])


def error_reply(error: BaseException) -> tuple[str, str]:
    """Any failure of `produce` as a picklable (status, message)."""
    if isinstance(error, SyntaxError):
        return "syntax", str(error)
    if isinstance(error, NotAcceptable):
        return "406", error.kind
    if isinstance(error, StoreUnavailable):  # a remote store down: 503/502, not a 500
        return "unavailable", f"{error.status} {error}"
    return "error", f"{type(error).__name__}: {error}"


def raise_reply(status: str, value: str) -> None:
    if status == "syntax":
        raise QuerySyntaxError(value)
    if status == "unavailable":
        code, _, message = value.partition(" ")
        raise StoreUnavailable(message, int(code))
    if status == "406":
        raise NotAcceptable(value)
    raise EvaluationError(value)
