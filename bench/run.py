"""Run the query mix over HTTP against ctgraph, Oxigraph server and rdflib-endpoint, side by
side on the same data, and print a Markdown table with ratios.

    python bench/run.py --data bench/work/g100k.nq --seconds 10 --concurrency 1 8 16

Every server runs on 127.0.0.1 with a free port, is stopped at the end, and every load phase
is bounded by a request count and a duration. Peak memory is the server process tree's RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

HERE = Path(__file__).resolve().parent
QUERIES = {p.stem: p.read_text() for p in sorted((HERE / "queries").glob("*.rq"))}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, data: Path, cache: bool = False):
        self.name, self.data, self.port = name, data, free_port()
        self.process: subprocess.Popen | None = None
        self.peak_rss = 0
        self.cache = cache

    @property
    def endpoint(self) -> str:
        suffix = {"oxigraph": "/query", "rdflib-endpoint": "/"}.get(self.name, "/sparql")
        return f"http://127.0.0.1:{self.port}{suffix}"

    def start(self) -> float:
        """Start the server; return seconds until it answered its first query."""
        started = time.perf_counter()
        if self.name.startswith("ctgraph"):
            cmd = [sys.executable, "-m", "ctgraph.cli", "serve", str(self.data), "--port",
                   str(self.port), "--cache-entries", "512" if self.cache else "0",
                   "--log-level", "warning"]
        elif self.name == "oxigraph":
            cmd = ["oxigraph", "serve", "--bind", f"127.0.0.1:{self.port}",
                   "--union-default-graph"]
        else:
            cmd = ["rdflib-endpoint", "serve", str(self.data), "--host", "127.0.0.1",
                   "--port", str(self.port)]
        self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.time() + 600
        loaded = self.name != "oxigraph"
        while time.time() < deadline:
            try:
                if not loaded:  # the in-memory Oxigraph server is loaded over its own HTTP API
                    httpx.post(f"http://127.0.0.1:{self.port}/store",
                               content=self.data.read_bytes(),
                               headers={"Content-Type": "application/n-quads"}, timeout=600)
                    loaded = True
                r = httpx.get(self.endpoint, params={"query": "ASK { ?s ?p ?o }"},
                              headers={"Accept": "application/sparql-results+json"}, timeout=5)
                if r.status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start")

    def sample_memory(self) -> None:
        if self.process is None:
            return
        try:
            proc = psutil.Process(self.process.pid)
            rss = proc.memory_info().rss + sum(c.memory_info().rss
                                               for c in proc.children(recursive=True))
            self.peak_rss = max(self.peak_rss, rss)
        except psutil.Error:
            pass

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


async def load(server: Server, concurrency: int, seconds: float, max_requests: int) -> dict:
    names = list(QUERIES)
    latencies: dict[str, list[float]] = {n: [] for n in names}
    errors = 0
    done = 0
    stop_at = time.perf_counter() + seconds

    async def client(worker: int) -> None:
        nonlocal errors, done
        async with httpx.AsyncClient(timeout=60) as http:
            i = worker
            while time.perf_counter() < stop_at and done < max_requests:
                name = names[i % len(names)]
                i += 1
                accept = ("text/turtle" if name.startswith(("construct", "profile"))
                          else "application/sparql-results+json")
                t0 = time.perf_counter()
                try:
                    r = await http.post(server.endpoint, data={"query": QUERIES[name]},
                                        headers={"Accept": accept})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies[name].append(time.perf_counter() - t0)
                done += 1
                errors += not ok

    async def sampler() -> None:
        while time.perf_counter() < stop_at and done < max_requests:
            server.sample_memory()
            await asyncio.sleep(0.2)

    t0 = time.perf_counter()
    await asyncio.gather(sampler(), *(client(w) for w in range(concurrency)))
    elapsed = time.perf_counter() - t0
    every = sorted(x for xs in latencies.values() for x in xs)

    def pct(xs: list[float], q: float) -> float:
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000 if xs else float("nan")

    return {
        "requests": done, "errors": errors, "throughput": done / elapsed,
        "p50_ms": pct(every, 0.50), "p95_ms": pct(every, 0.95), "p99_ms": pct(every, 0.99),
        "per_query_p50_ms": {n: round(statistics.median(v) * 1000, 2)
                             for n, v in latencies.items() if v},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--servers", nargs="+",
                        default=["ctgraph", "ctgraph-cache", "oxigraph", "rdflib-endpoint"])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--merge", type=Path, nargs="*", default=[],
                        help="earlier --output files whose rows join this run's table")
    args = parser.parse_args()
    results = []
    for name in args.servers:
        server = Server(name, args.data, cache=name == "ctgraph-cache")
        try:
            startup = server.start()
            for c in args.concurrency:
                row = asyncio.run(load(server, c, args.seconds, args.max_requests))
                row.update(server=name, concurrency=c, startup_s=round(startup, 2),
                           peak_rss_mb=round(server.peak_rss / 2**20, 1))
                results.append(row)
                print(json.dumps({k: v for k, v in row.items() if k != "per_query_p50_ms"}),
                      file=sys.stderr)
        finally:
            server.stop()
    if args.output:
        args.output.write_text(json.dumps(results, indent=2))
    for earlier in args.merge:
        results = json.loads(earlier.read_text()) + results
    base = {(r["server"], r["concurrency"]): r["throughput"] for r in results}
    print("| server | conc. | req/s | × Oxigraph | × rdflib-endpoint | p50 ms | p95 ms | p99 ms "
          "| errors | start-up s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        ox = base.get(("oxigraph", r["concurrency"]))
        rl = base.get(("rdflib-endpoint", r["concurrency"]))
        print(f"| {r['server']} | {r['concurrency']} | {r['throughput']:.1f} | "
              f"{r['throughput'] / ox:.2f} | " if ox else f"| {r['server']} | {r['concurrency']} "
              f"| {r['throughput']:.1f} | – | ", end="")
        print(f"{r['throughput'] / rl:.1f} | " if rl else "– | ", end="")
        print(f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | "
              f"{r['startup_s']} | {r['peak_rss_mb']} |")
    return 0


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        sys.exit(main())
