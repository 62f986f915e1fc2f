"""Prometheus metrics (``GET /metrics``), every name starting with ``ctgraph_``.

One `Metrics` per app, with its own `CollectorRegistry`: nothing is registered in
prometheus-client's global registry, so several apps (tests, embedding) never collide. The
server is one uvicorn process; the query workers are forked processes that never touch the
registry (they only evaluate), so no multiprocess mode is needed: counters live in the
server process, and what the workers' pool looks like is read from the executor at scrape
time (`_StateCollector`), as are the answer cache's hits and misses.

Series:

* ``ctgraph_http_requests_total{route,method,status}``, route = the route's template
  (``/sparql``, ``/id/{path:path}``), ``other`` for paths no route matched;
* ``ctgraph_http_request_duration_seconds{route}`` (histogram);
* ``ctgraph_query_duration_seconds{outcome}`` (histogram: ok, timeout, memory, malformed,
  not_acceptable, error, worker_lost, cancelled; waiting for a worker and streaming the
  answer included);
* ``ctgraph_queries_in_flight``, ``ctgraph_query_timeouts_total``,
  ``ctgraph_client_rejections_total{reason}`` (429s: concurrency, budget);
* ``ctgraph_cache_hits_total``, ``ctgraph_cache_misses_total``, ``ctgraph_cache_entries``;
* ``ctgraph_query_workers_alive``, ``ctgraph_query_workers_restarted_total``,
  ``ctgraph_query_zygote_up``, ``ctgraph_clients_tracked``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from starlette.routing import Match
from starlette.types import Scope

from ctgraph.web.middleware.access_log import RequestRecord

QUERY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST


def executor_stats(executor: Any) -> dict[str, int]:
    """The executor's own counters (``stats()``), else what its attributes show."""
    stats = getattr(executor, "stats", None)
    if callable(stats):
        return dict(stats())
    workers = getattr(executor, "_workers", None)
    if workers is None:
        return {}
    alive = 0
    for pid in list(workers):
        with contextlib.suppress(OSError):
            os.kill(pid, 0)
            alive += 1
    return {"workers_alive": alive, "zygote_alive": int(zygote_alive(executor))}


def zygote_pid(executor: Any) -> int:
    return int(getattr(executor, "zygote_pid", getattr(executor, "_zygote_pid", 0)) or 0)


def zygote_alive(executor: Any) -> bool:
    """False once the executor's zygote process (our child) has exited; True without one."""
    pid = zygote_pid(executor)
    if not pid:
        return True
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == 0


class Metrics:
    """The app's registry and the series the middleware and the executor wrapper update."""

    def __init__(self, app: Any):
        self.app = app
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("ctgraph_http_requests", "HTTP requests answered",
                                ["route", "method", "status"], registry=r)
        self.request_duration = Histogram(
            "ctgraph_http_request_duration_seconds", "Time to answer an HTTP request",
            ["route"], registry=r, buckets=QUERY_BUCKETS)
        self.query_duration = Histogram(
            "ctgraph_query_duration_seconds",
            "Time a query took in the executor (waiting for a worker included), by outcome",
            ["outcome"], registry=r, buckets=QUERY_BUCKETS)
        self.queries_in_flight = Gauge("ctgraph_queries_in_flight",
                                       "Queries waiting for a worker or being evaluated",
                                       registry=r)
        self.query_timeouts = Counter("ctgraph_query_timeouts",
                                      "Queries stopped at the time limit", registry=r)
        self.rejections = Counter("ctgraph_client_rejections",
                                  "Queries refused with 429 by the per-client limits",
                                  ["reason"], registry=r)
        r.register(_StateCollector(self))

    def observe_request(self, scope: Scope, record: RequestRecord) -> None:
        route = route_template(self.app, scope)
        self.requests.labels(route, record.method, str(record.status)).inc()
        self.request_duration.labels(route).observe(record.duration)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def route_template(app: Any, scope: Scope) -> str:
    """The template of the route `scope` matched (bounded label values), else "other"."""
    route = scope.get("route")
    if route is not None and getattr(route, "path", None):
        return str(route.path)
    probe = dict(scope, method="GET") if scope.get("method") == "HEAD" else scope
    for candidate in getattr(app, "routes", ()):
        with contextlib.suppress(Exception):
            match, _child = candidate.matches(probe)
            if match is Match.FULL:
                return str(getattr(candidate, "path", "other"))
    return "other"


class _StateCollector:
    """Values read at scrape time from the app's cache, executor and limits."""

    def __init__(self, metrics: Metrics):
        self.metrics = metrics

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        state = self.metrics.app.state
        cache = getattr(state, "cache", None)
        if cache is not None:
            yield CounterMetricFamily("ctgraph_cache_hits", "Answers served from the cache",
                                      value=cache.hits)
            yield CounterMetricFamily("ctgraph_cache_misses",
                                      "Answers not in the cache (evaluated)", value=cache.misses)
            yield GaugeMetricFamily("ctgraph_cache_entries", "Answers held in the cache",
                                    value=len(cache))
        executor = getattr(state, "executor", None)
        inner = getattr(executor, "inner", executor)
        stats = executor_stats(inner) if inner is not None else {}
        yield GaugeMetricFamily("ctgraph_query_workers_alive",
                                "Live query worker processes (0: queries run in threads)",
                                value=stats.get("workers_alive", 0))
        if "workers_ready" in stats:
            yield GaugeMetricFamily("ctgraph_query_workers_ready",
                                    "1 once the query workers' on-disk store is written and "
                                    "they run (0 while it is written after start-up)",
                                    value=stats["workers_ready"])
        restarted = stats.get("workers_replaced", 0)
        yield CounterMetricFamily("ctgraph_query_workers_restarted",
                                  "Query workers replaced after a timeout or a crash",
                                  value=restarted)
        yield GaugeMetricFamily("ctgraph_query_zygote_up",
                                "1 while the process that forks query workers runs",
                                value=stats.get("zygote_alive", 1 if zygote_pid(inner) else 0))
        limits = getattr(state, "client_limits", None)
        if limits is not None:
            yield GaugeMetricFamily("ctgraph_clients_tracked",
                                    "Clients the per-client limits currently remember",
                                    value=len(limits))
