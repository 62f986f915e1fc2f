"""The web application: one FastAPI app serving the SPARQL endpoint and the linked data.

`create_app(settings, store=None)` builds it. At start-up (the lifespan) it loads the store
(`store` if given, else ``settings.store`` / ``settings.data`` / the bundled graph with the
shapes in ctgr:graph/shapes), starts the query executor (killable worker processes), and
shuts both down on exit. Middleware, outermost first: the access log (client address,
text or JSON line, metrics), default security and Cache-Control headers, CORS for any origin
(no credentials), HEAD for every GET route, gzip negotiated with q-values. The executor is
wrapped by `ctgraph.web.middleware.query_guard` (per-client limits, query metrics, a
watchdog on the workers' zygote); /healthz and /metrics come from `routes.health`.

Contract for routers from other modules
---------------------------------------
``ctgraph.web.linked_data``, ``ctgraph.web.api`` and ``ctgraph.web.ui`` each expose
``router: fastapi.APIRouter``, included by the app. Handlers read
shared state only from ``request.app.state``:

* ``store``: the `ctgraph.graph.store.GraphStore` (``query()``, ``named_graphs()``,
  ``quad_count()``, ``version``); read-only, safe to call from threads;
* ``settings``: the `ctgraph.settings.Settings`;
* ``loaded_at``: POSIX time the store was loaded (for Last-Modified);
* ``executor``: runs a `ctgraph.sparql.execution.Job` with a time limit (``await executor.run(job,
  timeout)``) for user-supplied queries that must be stoppable.

They raise `ctgraph.web.errors.HTTPProblem(status, message)` for user errors.

In-process use (e.g. ``with TestClient(create_app(settings, store)) as client``) runs the
same lifespan; pass ``Settings(query_workers=0)`` to evaluate in threads instead of forking.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from ctgraph import __version__
from ctgraph.graph.namespaces import PREFIXES
from ctgraph.graph.store import OUTSIDE_THE_UNION, GraphStore, load_paths, open_disk_store
from ctgraph.settings import Settings
from ctgraph.sparql import media_types as media
from ctgraph.sparql.execution import make_executor
from ctgraph.sparql.heap import release_free_heap
from ctgraph.views.stats import graph_size
from ctgraph.web import errors
from ctgraph.web.answer_cache import LRUCache
from ctgraph.web.middleware.access_log import AccessLog
from ctgraph.web.middleware.client_limits import ClientLimits, parse_networks
from ctgraph.web.middleware.gzip import NegotiatedGZip
from ctgraph.web.middleware.head import HeadAsGet
from ctgraph.web.middleware.metrics import Metrics
from ctgraph.web.middleware.query_guard import ObservedExecutor, watch_zygote
from ctgraph.web.middleware.security_headers import SecurityHeaders
from ctgraph.web.routes import api_docs, health, linked_data, sparql
from ctgraph.web.routes import dataset_description as void
from ctgraph.web.routes import named_queries as api
from ctgraph.web.routes import pages as ui

log = logging.getLogger("ctgraph.web")

def open_store(settings: Settings) -> GraphStore:
    """The store the settings describe: an on-disk or remote store (``settings.store``),
    the given files, or the bundled graph."""
    if settings.store and settings.store.startswith(("http://", "https://")):
        try:
            from ctgraph.graph.remote_store import open_remote_store
        except ImportError:
            raise ValueError("remote stores are not available in this installation") from None
        return open_remote_store(
            settings.store, union_default_graph=settings.union_default_graph,
            timeout=settings.timeout, auth=settings.store_credentials(),
            refresh=settings.store_refresh,
            union_outside=() if settings.shapes_in_default_graph else OUTSIDE_THE_UNION)
    if settings.store:
        store = open_disk_store(Path(settings.store),
                                union_default_graph=settings.union_default_graph)
        store.prefixes = dict(PREFIXES)
        return store
    store = load_paths(settings.data, union_default_graph=settings.union_default_graph,
                       shapes=settings.shapes,
                       union_outside=() if settings.shapes_in_default_graph else OUTSIDE_THE_UNION)
    store.prefixes = dict(PREFIXES)
    return store


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The ASGI app; `store` overrides loading from `settings` (tests, embedding)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started = time.perf_counter()
        app.state.store = store if store is not None else open_store(settings)
        app.state.loaded_at = time.time()
        # Counted once, at start-up: the store never changes while it is served.
        size = graph_size(app.state.store)  # the figures every page shows (views.stats)
        release_free_heap()  # the loader's and the counting passes' buffers
        executor = make_executor(
            app.state.store, settings.query_workers,
            query_memory=settings.query_memory * 1024 * 1024,
            stream_after=settings.stream_after, threads=settings.query_threads,
            worker_store=settings.worker_store)
        # Limits, metrics and the 503 for a lost worker wrap the executor (query_guard).
        app.state.executor = ObservedExecutor(executor, app.state.client_limits,
                                              app.state.metrics)
        executor.start()
        await executor.connect()
        log.info("loaded in %.2fs (version %s): %s", time.perf_counter() - started,
                 app.state.store.version, size.sentence())
        watchdog = asyncio.create_task(watch_zygote(app))
        try:
            yield
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
            executor.close()

    app = FastAPI(
        title="ctgraph",
        version=__version__,
        summary="SPARQL 1.1 endpoint and linked data for the UN Global Counter-Terrorism "
        "Strategy's implementation in Central Asia",
        lifespan=lifespan,
        docs_url=None, redoc_url=None,  # self-hosted by routes.api_docs (no CDN, no fonts)
    )
    app.state.settings = settings
    app.state.cache = LRUCache(settings.cache_entries)
    app.state.client_limits = ClientLimits(settings.client_concurrency,
                                           settings.client_query_seconds)
    app.state.metrics = Metrics(app) if settings.metrics else None
    app.state.exit_status = 0
    errors.install(app)
    app.include_router(health.router)
    app.include_router(sparql.router)
    app.include_router(void.router)
    app.include_router(api.router)
    app.include_router(ui.router)
    app.include_router(api_docs.router)
    app.include_router(linked_data.router)

    app.add_middleware(NegotiatedGZip, minimum_size=media.GZIP_MIN_BYTES,
                       compresslevel=media.GZIP_LEVEL)
    app.add_middleware(HeadAsGet)
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"], allow_headers=["*"],
        expose_headers=["ETag", "Last-Modified", "Content-Type"], max_age=86400,
    )

    app.add_middleware(SecurityHeaders)
    metrics = app.state.metrics
    app.add_middleware(  # outermost: sees HEAD and the final status
        AccessLog, log_format=settings.log_format,
        trusted_proxies=parse_networks(settings.trusted_proxy),
        on_finish=metrics.observe_request if metrics is not None else None, state=app.state,
    )
    return app
