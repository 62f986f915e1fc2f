"""The executor as the web app uses it: limited per client, measured, and watched.

`ObservedExecutor` wraps the query executor (`ctgraph.sparql.execution`) without changing
it: before a query it asks `ClientLimits` (429 with Retry-After when the client is over a
limit); around it, it keeps the queries-in-flight gauge, the duration histogram by outcome
and the timeout counter, and marks the request's log record as timed out. A streamed answer
counts as in flight until it has been sent or abandoned (`Streamed.on_finish`). With
`run()` (named queries), a query whose worker died under it gets 503 with Retry-After, as
the SPARQL route already answers for `stream()`.

`watch_zygote` notices when the process that forks the workers has died: the pool could no
longer be refilled, so the server logs one clear line and stops (exit status 1, so a
supervisor restarts it) instead of slowly running out of workers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
import weakref
from collections.abc import Callable
from typing import Any

from ctgraph.graph.store import StoreUnavailable
from ctgraph.sparql import execution
from ctgraph.web.errors import HTTPProblem
from ctgraph.web.middleware.access_log import RequestRecord, current_request, query_hash
from ctgraph.web.middleware.client_limits import ClientLimited, ClientLimits
from ctgraph.web.middleware.metrics import Metrics, zygote_alive, zygote_pid

log = logging.getLogger("ctgraph.web")


def outcome_of(error: BaseException) -> str:
    """The histogram's outcome label for a query that raised `error`."""
    kinds: list[tuple[type[BaseException], str]] = [
        (execution.QueryTimeout, "timeout"), (execution.QuerySyntaxError, "malformed"),
        (execution.NotAcceptable, "not_acceptable"), (asyncio.CancelledError, "cancelled"),
    ]
    for name, label in (("QueryMemoryExceeded", "memory"), ("WorkerLost", "worker_lost")):
        kind = getattr(execution, name, None)
        if kind is not None:
            kinds.insert(0, (kind, label))
    for kind, label in kinds:
        if isinstance(error, kind):
            return label
    return "error"


class ObservedExecutor:
    """Delegates to `inner` (``stream``, ``run``, ``start``, ``connect``, ``close`` and any
    other attribute) with the limits and measurements above."""

    def __init__(self, inner: Any, limits: ClientLimits, metrics: Metrics | None):
        self.inner = inner
        self.limits = limits
        self.metrics = metrics
        self.in_flight = 0
        """Queries admitted and not yet ended (the stop message says how many)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _begin(self, job: Any) -> Callable[[str], None]:
        """Admit the query (or raise ClientLimited); the function that ends it, once."""
        record = current_request.get()
        client = record.client if record is not None else "local"
        if record is not None and record.query_hash is None:
            record.query_hash = query_hash(job.sparql)
        try:
            self.limits.admit(client)
        except ClientLimited as e:
            if self.metrics is not None:
                self.metrics.rejections.labels(e.reason).inc()
            raise
        self.in_flight += 1
        if self.metrics is not None:
            self.metrics.queries_in_flight.inc()
        started = time.perf_counter()
        ended = False

        def end(outcome: str) -> None:
            nonlocal ended
            if ended:
                return
            ended = True
            self._end(client, record, time.perf_counter() - started, outcome)

        return end

    def _end(self, client: str, record: RequestRecord | None, elapsed: float,
             outcome: str) -> None:
        self.in_flight -= 1
        self.limits.release(client, elapsed)
        if outcome == "timeout" and record is not None:
            record.timed_out = True
        metrics = self.metrics
        if metrics is not None:
            metrics.queries_in_flight.dec()
            metrics.query_duration.labels(outcome).observe(elapsed)
            if outcome == "timeout":
                metrics.query_timeouts.inc()

    async def stream(self, job: Any, timeout: float) -> Any:
        end = self._begin(job)
        try:
            streamed = await self.inner.stream(job, timeout)
        except BaseException as e:
            end(outcome_of(e))
            raise
        if streamed.complete:
            end("ok")
        else:
            streamed.on_finish.append(end)
            weakref.finalize(streamed, end, "cancelled")  # never sent nor closed
        return streamed

    async def run(self, job: Any, timeout: float) -> Any:
        end = self._begin(job)
        outcome = "ok"
        try:
            return await self.inner.run(job, timeout)
        except BaseException as e:
            outcome = outcome_of(e)
            if (outcome != "worker_lost" and not isinstance(e, EOFError | OSError)) or \
                    isinstance(e, StoreUnavailable):  # a remote store down: errors.py answers
                raise
            log.error("a query worker died while evaluating a query; answered 503")
            raise HTTPProblem(
                503, "The query could not be answered: the process evaluating it stopped. "
                "Try again.", {"Retry-After": "1", "Cache-Control": "no-store"},
            ) from None
        finally:
            end(outcome)


async def watch_zygote(app: Any, every: float = 0.5) -> None:
    """Stop the server (SIGTERM to this process: a graceful stop) once the zygote has died;
    ``app.state.exit_status`` becomes 1 so `run_server` exits with it."""
    inner = getattr(app.state.executor, "inner", app.state.executor)
    pid = zygote_pid(inner)
    if not pid:
        return
    while True:
        await asyncio.sleep(every)
        if zygote_pid(inner) != pid:  # closed by the lifespan
            return
        if not zygote_alive(inner):
            log.critical(
                "the query-worker zygote (pid %d) has died, so query workers can no longer "
                "be replaced; stopping the server: restart it", pid)
            app.state.exit_status = 1
            os.kill(os.getpid(), signal.SIGTERM)
            return
