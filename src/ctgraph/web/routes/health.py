"""``GET /healthz`` and ``GET /metrics``: what an operator's probes and scrapers read.

/healthz answers 200 ``{"status": "ok", ...}`` when the store answers ``ASK {}`` within a
second and the query workers can still be replaced (their zygote runs); 503 with
``"status": "unavailable"`` and the reason otherwise. The probe runs in a thread against the
store itself, not through the query workers: a pool busy with long queries is working, not
dead, and must not make a load balancer drop the server. One probe runs at a time; requests
arriving meanwhile share its answer, so a hanging remote store holds one thread, not one per
probe.

/metrics is the Prometheus text format (`ctgraph.web.middleware.metrics`); 404 with
``--no-metrics``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Request, Response

from ctgraph.web.errors import HTTPProblem
from ctgraph.web.middleware.metrics import CONTENT_TYPE, executor_stats, zygote_alive

router = APIRouter(tags=["Operations"])

PROBE_SECONDS = 1.0
NO_STORE = {"Cache-Control": "no-store"}


def _probe(store: Any) -> bool:
    return bool(store.query("ASK {}"))


async def _store_answers(request: Request) -> str | None:
    """None when the store answered in time, else why not."""
    state = request.app.state
    task: asyncio.Future[bool] | None = getattr(state, "health_probe", None)
    if task is None or task.done():
        task = asyncio.ensure_future(asyncio.to_thread(_probe, state.store))
        state.health_probe = task
    try:
        async with asyncio.timeout(PROBE_SECONDS):
            await asyncio.shield(task)
    except TimeoutError:
        return f"the store did not answer a trivial query within {PROBE_SECONDS:g} s"
    except Exception as e:  # the store's own failure (a remote endpoint down, I/O error)
        return f"the store failed a trivial query ({type(e).__name__})"
    return None


@router.get("/healthz", summary="Liveness and readiness", response_class=Response)
async def healthz(request: Request) -> Response:
    state = request.app.state
    executor = getattr(state.executor, "inner", state.executor)
    problem = await _store_answers(request)
    body: dict[str, object] = {"status": "ok"}
    stats = executor_stats(executor)
    if "workers_alive" in stats:
        body["workers"] = stats["workers_alive"]
    if "workers_ready" in stats:  # false while the workers' store is being written
        body["workers_ready"] = bool(stats["workers_ready"])
    if problem is None and not zygote_alive(executor):
        problem = "the query-worker zygote has died; the server is stopping"
    if getattr(state, "stopping", False) and problem is None:
        problem = "the server is stopping"
    if problem is not None:
        body = {"status": "unavailable", "reason": problem}
    return Response(json.dumps(body) + "\n", status_code=200 if problem is None else 503,
                    media_type="application/json", headers=NO_STORE)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    registry = getattr(request.app.state, "metrics", None)
    if registry is None:
        raise HTTPProblem(404, "Not found: /metrics (metrics are turned off: --no-metrics)")
    return Response(registry.render(), media_type=CONTENT_TYPE, headers=NO_STORE)
