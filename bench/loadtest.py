"""Hold `ctgraph serve` under load: many concurrent clients for a fixed time over loopback,
then report errors, throughput, latency percentiles and memory over time.

    python bench/loadtest.py --data bench/work/g100k.nq --clients 64 --seconds 60 \\
        --output bench/results/load-64x60.json

A benchmark, not a test: nothing here asserts a time. "Memory stable" means the process
tree's PSS at the end is within `--drift` (default 10 %) of what it was once warmed up (after
the first quarter of the run); the script exits 1 on any error or on drift beyond that.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ACCEPT, QUERIES, Server, percentile, prepare_mix


def tree_memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) in bytes of process `pid` and its children."""
    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    pss = rss = 0
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        pss, rss = pss + info.pss, rss + info.rss
    return pss, rss


async def hold(server: Server, clients: int, seconds: float, sample_every: float) -> dict:
    names = list(QUERIES)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    memory: list[tuple[float, float, float]] = []
    started = time.perf_counter()
    stop_at = started + seconds
    assert server.process is not None

    async def client(number: int) -> None:
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(timeout=120, limits=limits) as http:
            i = number
            while time.perf_counter() < stop_at:
                name = names[i % len(names)]
                i += 1
                t0 = time.perf_counter()
                try:
                    r = await http.post(server.endpoint, data={"query": QUERIES[name]},
                                        headers={"Accept": ACCEPT[name]})
                    outcome = str(r.status_code)
                except httpx.HTTPError as e:
                    outcome = type(e).__name__
                latencies.append(time.perf_counter() - t0)
                statuses[outcome] = statuses.get(outcome, 0) + 1

    async def sampler() -> None:
        while time.perf_counter() < stop_at:
            pss, rss = await asyncio.to_thread(tree_memory, server.process.pid)
            memory.append((round(time.perf_counter() - started, 1), pss / 2**20, rss / 2**20))
            await asyncio.sleep(sample_every)

    await asyncio.gather(sampler(), *(client(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    ok = statuses.get("200", 0)
    warm = [m for m in memory if m[0] >= seconds / 4] or memory
    return {
        "clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies),
        "ok": ok, "errors": len(latencies) - ok, "statuses": statuses,
        "throughput": round(len(latencies) / elapsed, 1),
        "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99), "max_ms": round(latencies[-1] * 1000, 1),
        "pss_mb_warm": round(warm[0][1], 1), "pss_mb_end": round(memory[-1][1], 1),
        "pss_mb_peak": round(max(m[1] for m in memory), 1),
        "rss_mb_peak": round(max(m[2] for m in memory), 1),
        "memory_series": [(t, round(p, 1), round(r, 1)) for t, p, r in memory],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--server", default="ctgraph",
                        help="a server name bench/run.py knows (ctgraph, ctgraph-threads, …)")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--sample-every", type=float, default=2.0)
    parser.add_argument("--drift", type=float, default=0.10)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    prepare_mix()
    server = Server(args.server, args.data)
    try:
        startup = server.start()
        result = asyncio.run(hold(server, args.clients, args.seconds, args.sample_every))
    finally:
        server.stop()
    result.update(server=args.server, data=str(args.data), startup_s=round(startup, 2))
    drift = (result["pss_mb_end"] - result["pss_mb_warm"]) / result["pss_mb_warm"]
    result["memory_drift"] = round(drift, 3)
    result["memory_stable"] = abs(drift) <= args.drift
    summary = {k: v for k, v in result.items() if k != "memory_series"}
    print(json.dumps(summary, indent=2))
    if args.output:
        args.output.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["errors"] == 0 and result["memory_stable"] else 1


if __name__ == "__main__":
    sys.exit(main())
