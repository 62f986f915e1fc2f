"""Run the query mix over HTTP against ctgraph, Oxigraph server and rdflib-endpoint, side by
side on the same data, and print a Markdown table with ratios.

    python bench/run.py --data bench/work/g100k.nq --seconds 10 --concurrency 1 8 16

Every server runs on 127.0.0.1 with a free port, is stopped at the end, and every load phase
is bounded by a request count and a duration. Peak memory is sampled from a separate process:
the PSS and the RSS of the server process tree.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
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
import pyoxigraph

from ctgraph.sparql.analysis import analyse

HERE = Path(__file__).resolve().parent
MIX = {p.stem: p.read_text() for p in sorted((HERE / "queries").glob("*.rq"))}


def named_queries() -> dict[str, str]:
    """ctgraph's named queries (queries/*.rq) bound to their documented examples, as plain
    SPARQL every server can run."""
    from ctgraph.catalog.named_queries import bundled_catalog

    return {f"named/{name}": q.bind(q.example) for name, q in bundled_catalog().items()}


DISK_STORE: Path | None = None
"""--disk-store: the ctgraph-disk row serves this store instead of loading one."""
BEFORE_SRC: Path | None = None
"""--before-src: where the ctgraph-before row imports ctgraph from."""
QUERIES: dict[str, str] = {}
"""The mix a run cycles through (`prepare_mix` fills it)."""
ACCEPT: dict[str, str] = {}
"""Accept header per query of the mix: Turtle for graphs, SPARQL JSON for results."""


def prepare_mix(with_named_queries: bool = True) -> None:
    """Fill QUERIES with bench/queries (and the named queries) and ACCEPT to match."""
    QUERIES.clear()
    QUERIES.update(MIX)
    if with_named_queries:
        QUERIES.update(named_queries())
    ACCEPT.update({n: "text/turtle" if analyse(q).form in ("CONSTRUCT", "DESCRIBE")
                   else "application/sparql-results+json" for n, q in QUERIES.items()})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def watch_tree(pid: int, peaks, stop, interval: float = 0.5) -> None:
    """Record into `peaks` the largest RSS and PSS seen for process `pid` and its children.
    RSS counts a page shared by forked workers once per process; PSS divides it among the
    sharers, so its sum is the memory the tree really holds."""
    while not stop.is_set():
        try:
            procs = [psutil.Process(pid)]
            procs += procs[0].children(recursive=True)
            rss = pss = 0
            for proc in procs:
                info = proc.memory_full_info()
                rss, pss = rss + info.rss, pss + info.pss
            peaks[0], peaks[1] = max(peaks[0], rss), max(peaks[1], pss)
        except psutil.Error:
            pass
        stop.wait(interval)


class Server:
    def __init__(self, name: str, data: Path, cache: bool = False):
        self.name, self.data, self.port = name, data, free_port()
        self.process: subprocess.Popen | None = None
        self._peaks = None
        self._stop_watch = None
        self._watcher: multiprocessing.Process | None = None
        self.cache = cache
        self.load_s: float | None = None
        """Seconds `ctgraph load` took (ctgraph-disk only)."""

    def disk_store(self) -> str:
        """`ctgraph load` the data into a fresh on-disk store; its load time is recorded
        (--disk-store: an existing one, loaded and timed beforehand)."""
        if DISK_STORE is not None:
            return str(DISK_STORE)
        folder = tempfile.mkdtemp(prefix="ctgraph-bench-store-")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ctgraph.cli", "load", str(self.data), "--store",
                        f"{folder}/store"], check=True, stderr=subprocess.DEVNULL)
        self.load_s = time.perf_counter() - started
        return f"{folder}/store"

    def oxigraph_disk_store(self) -> str:
        """`oxigraph load` the named graphs and their merge (as the default graph, so it
        answers like ctgraph and oxigraph-merged) into a fresh RocksDB; load time recorded."""
        folder = tempfile.mkdtemp(prefix="oxigraph-bench-store-")
        merged = Path(folder) / "merged.nt"
        quads = pyoxigraph.parse(path=str(self.data), format=pyoxigraph.RdfFormat.N_QUADS)
        pyoxigraph.serialize((q.triple for q in quads), str(merged),
                             format=pyoxigraph.RdfFormat.N_TRIPLES)
        started = time.perf_counter()
        subprocess.run(["oxigraph", "load", "--location", f"{folder}/store", "--file",
                        str(self.data), str(merged)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        self.load_s = time.perf_counter() - started
        merged.unlink()
        return f"{folder}/store"

    @property
    def endpoint(self) -> str:
        suffix = {"oxigraph": "/query", "oxigraph-merged": "/query", "oxigraph-disk": "/query",
                  "rdflib-endpoint": "/"}.get(self.name, "/sparql")
        return f"http://127.0.0.1:{self.port}{suffix}"

    def start(self) -> float:
        """Start the server; return seconds until it answered its first query."""
        started = time.perf_counter()
        if self.name.startswith("ctgraph"):
            source = [str(self.data)]
            if self.name == "ctgraph-disk":  # load once into RocksDB; start-up is opening it
                source = ["--store", self.disk_store()]
                started = time.perf_counter()
            cmd = [sys.executable, "-m", "ctgraph.cli", "serve", *source, "--port",
                   str(self.port), "--cache-entries", "512" if self.cache else "0",
                   "--log-level", "warning"]
            if self.name == "ctgraph-threads":
                cmd += ["--query-workers", "0"]
            if self.name == "ctgraph-procs":  # every query in a worker process (streamed)
                cmd += ["--no-query-threads"]
            if self.name == "ctgraph-fork":  # workers forked with the in-memory store
                cmd += ["--worker-store", "fork"]
        elif self.name == "bare":
            cmd = [sys.executable, str(HERE / "bare_endpoint.py"), str(self.data), "--port",
                   str(self.port)]
        elif self.name == "oxigraph":
            cmd = ["oxigraph", "serve", "--bind", f"127.0.0.1:{self.port}",
                   "--union-default-graph"]
        elif self.name == "oxigraph-merged":  # the union materialised: the same answers
            cmd = ["oxigraph", "serve", "--bind", f"127.0.0.1:{self.port}"]
        elif self.name == "oxigraph-disk":  # on disk: `oxigraph load` (timed), read-only serve
            location = self.oxigraph_disk_store()
            started = time.perf_counter()
            cmd = ["oxigraph", "serve-read-only", "--location", location, "--bind",
                   f"127.0.0.1:{self.port}"]
        else:
            cmd = ["rdflib-endpoint", "serve", str(self.data), "--host", "127.0.0.1",
                   "--port", str(self.port)]
        env = dict(os.environ)
        if self.name == "ctgraph-before":  # the same command from an older source tree (A/B)
            env["PYTHONPATH"] = str(BEFORE_SRC)
        self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True, env=env)
        deadline = time.time() + 600
        loaded = self.name not in ("oxigraph", "oxigraph-merged")
        while time.time() < deadline:
            try:
                if not loaded:  # the in-memory Oxigraph server is loaded over its own HTTP API
                    httpx.post(f"http://127.0.0.1:{self.port}/store",
                               content=self.data.read_bytes(),
                               headers={"Content-Type": "application/n-quads"}, timeout=600)
                    if self.name == "oxigraph-merged":
                        httpx.post(f"http://127.0.0.1:{self.port}/store?default",
                                   content=merged_triples(self.data),
                                   headers={"Content-Type": "application/n-triples"},
                                   timeout=600)
                    loaded = True
                r = httpx.get(self.endpoint, params={"query": "ASK { ?s ?p ?o }"},
                              headers={"Accept": "application/sparql-results+json"}, timeout=5)
                if r.status_code == 200:
                    elapsed = time.perf_counter() - started
                    self.watch_memory()
                    if self.name.startswith("ctgraph"):
                        self.workers_ready_s = self.wait_for_workers(started)
                    return elapsed
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start")

    def wait_for_workers(self, started: float) -> float:
        """Seconds from start until ctgraph's query workers run (their on-disk copy of an
        in-memory store is written after the server answers; /healthz says when)."""
        while True:
            health = httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=30).json()
            if health.get("workers_ready", True):
                return round(time.perf_counter() - started, 2)
            time.sleep(0.1)

    def watch_memory(self) -> None:
        """Sample the server's memory from a separate process, so that reading /proc (several
        ms per sample for a tree of workers) never stalls the load generator's event loop."""
        assert self.process is not None
        self._peaks = multiprocessing.Array("d", 2)
        self._stop_watch = multiprocessing.Event()
        self._watcher = multiprocessing.Process(
            target=watch_tree, args=(self.process.pid, self._peaks, self._stop_watch),
            daemon=True)
        self._watcher.start()

    @property
    def peak_rss(self) -> float:
        return self._peaks[0] if self._peaks is not None else 0.0

    @property
    def peak_pss(self) -> float:
        return self._peaks[1] if self._peaks is not None else 0.0

    def stop(self) -> None:
        if self._watcher is not None:
            self._stop_watch.set()
            self._watcher.join(5)
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def merged_triples(data: Path) -> bytes:
    """Every triple of an N-Quads file without its graph (the server's default graph keeps
    each once: the RDF merge ctgraph's default graph is)."""
    quads = pyoxigraph.parse(path=str(data), format=pyoxigraph.RdfFormat.N_QUADS)
    return pyoxigraph.serialize((q.triple for q in quads), format=pyoxigraph.RdfFormat.N_TRIPLES)


def same_queries_ratio(row: dict, other: dict) -> float | None:
    """How many times faster `row` answered than `other`, comparing the sums of their median
    latencies over the queries both answered. rdflib-endpoint gets through only the first few
    queries of the mix in a phase, so its throughput is measured on a different (lighter) mix;
    this compares like with like."""
    mine, theirs = row.get("per_query_p50_ms", {}), other.get("per_query_p50_ms", {})
    shared = [q for q in theirs if q in mine]
    if not shared:
        return None
    return sum(theirs[q] for q in shared) / max(sum(mine[q] for q in shared), 1e-9)


def percentile(sorted_seconds: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of sorted latencies, in milliseconds."""
    if not sorted_seconds:
        return float("nan")
    return round(sorted_seconds[min(len(sorted_seconds) - 1, int(q * len(sorted_seconds)))]
                 * 1000, 2)


def warm_up(server: Server, seconds: float) -> None:
    """One unmeasured pass over the mix, so that every server starts the measured phases with
    its caches, page tables and (for ctgraph) worker processes warm. Bounded by one phase's
    duration: a server that cannot finish a pass in that time (rdflib-endpoint) gets no more."""
    stop_at = time.perf_counter() + seconds
    with httpx.Client(timeout=max(seconds, 30)) as http:
        for name, query in QUERIES.items():
            if time.perf_counter() >= stop_at:
                break
            with contextlib.suppress(httpx.HTTPError):
                http.post(server.endpoint, data={"query": query},
                          headers={"Accept": ACCEPT[name]})


async def load(server: Server, concurrency: int, seconds: float, max_requests: int) -> dict:
    names = list(QUERIES)
    latencies: dict[str, list[float]] = {n: [] for n in names}
    answered: dict[str, list[float]] = {n: [] for n in names}  # 200s only: per-query medians
    errors = 0
    done = 0
    stop_at = time.perf_counter() + seconds

    async def client(worker: int) -> None:
        nonlocal errors, done
        async with httpx.AsyncClient(timeout=300) as http:
            i = worker
            while time.perf_counter() < stop_at and done < max_requests:
                name = names[i % len(names)]
                i += 1
                accept = ACCEPT[name]
                t0 = time.perf_counter()
                try:
                    r = await http.post(server.endpoint, data={"query": QUERIES[name]},
                                        headers={"Accept": accept})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies[name].append(time.perf_counter() - t0)
                if ok:
                    answered[name].append(latencies[name][-1])
                done += 1
                errors += not ok

    t0 = time.perf_counter()
    await asyncio.gather(*(client(w) for w in range(concurrency)))
    elapsed = time.perf_counter() - t0
    every = sorted(x for xs in latencies.values() for x in xs)

    return {
        "requests": done, "errors": errors, "throughput": done / elapsed,
        "p50_ms": percentile(every, 0.50), "p95_ms": percentile(every, 0.95),
        "p99_ms": percentile(every, 0.99),
        "per_query_p50_ms": {n: round(statistics.median(v) * 1000, 2)
                             for n, v in answered.items() if v},
    }


def markdown_table(results: list[dict]) -> str:
    """The results as the Markdown table bench/README.md shows."""
    rows = {(r["server"], r["concurrency"]): r for r in results}
    # Oxigraph with the union materialised gives the same answers as ctgraph; with
    # --union-default-graph (a bag) it repeats every triple stated in two graphs.
    reference = "oxigraph-merged" if any(s == "oxigraph-merged" for s, _ in rows) else "oxigraph"
    lines = [f"Ratios to `{reference}`; rdflib-endpoint by throughput and by median latency "
             "over the queries it answered.", "",
             "| server | conc. | req/s | × Oxigraph | × rdflib-endpoint (req/s) | "
             "× rdflib-endpoint (same queries) | p50 ms | p95 ms | p99 ms | errors | "
             "start-up s | peak PSS MB | peak RSS MB |",
             "|---" * 13 + "|"]

    def ratio(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f}" if value < 10 else f"{value:.0f}"

    for r in results:
        ox, rl = rows.get((reference, r["concurrency"])), rows.get(("rdflib-endpoint",
                                                                     r["concurrency"]))
        cells = [r["server"], r["concurrency"], f"{r['throughput']:.1f}",
                 ratio(r["throughput"] / ox["throughput"] if ox else None),
                 ratio(r["throughput"] / rl["throughput"] if rl else None),
                 ratio(same_queries_ratio(r, rl) if rl else None),
                 r["p50_ms"], r["p95_ms"], r["p99_ms"], r["errors"], r["startup_s"],
                 r.get("peak_pss_mb", "–"), r["peak_rss_mb"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--servers", nargs="+",
                        default=["ctgraph", "ctgraph-cache", "ctgraph-threads", "ctgraph-disk",
                                 "bare", "oxigraph", "oxigraph-merged", "rdflib-endpoint"],
                        help="ctgraph: default settings; -cache: result cache on; -threads: "
                        "--query-workers 0; -procs: --no-query-threads; -fork: --worker-store "
                        "fork; -before: the "
                        "default on --before-src; -disk: serve --store after "
                        "ctgraph load; oxigraph: --union-default-graph (a bag); "
                        "oxigraph-merged: the union materialised in its default graph (a set)")
    parser.add_argument("--named-queries", action=argparse.BooleanOptionalAction, default=True,
                        help="add ctgraph's named queries (bound to their examples) to the mix")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--warmup", type=int, default=1,
                        help="unmeasured passes over the mix before the first phase")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--disk-store", type=Path,
                        help="an on-disk store made by `ctgraph load` of --data, for the "
                        "ctgraph-disk row (time the load yourself; 10M takes minutes)")
    parser.add_argument("--before-src", type=Path,
                        help="src/ folder of an older ctgraph (e.g. from git archive) for the "
                        "ctgraph-before row: the same command on that code, for A/B ratios")
    parser.add_argument("--merge", type=Path, nargs="*", default=[],
                        help="earlier --output files whose rows join this run's table")
    args = parser.parse_args()
    global BEFORE_SRC, DISK_STORE
    BEFORE_SRC, DISK_STORE = args.before_src, args.disk_store
    prepare_mix(args.named_queries)
    results = []
    for name in args.servers:
        server = Server(name, args.data, cache=name == "ctgraph-cache")
        try:
            startup = server.start()
            # rdflib-endpoint cannot finish a pass, and a request its client gave up on runs
            # on in the server, delaying the measured phase: no warm-up for it
            for _ in range(0 if name == "rdflib-endpoint" else args.warmup):
                warm_up(server, args.seconds)
            for c in args.concurrency:
                row = asyncio.run(load(server, c, args.seconds, args.max_requests))
                row.update(server=name, concurrency=c, startup_s=round(startup, 2),
                           workers_ready_s=getattr(server, "workers_ready_s", None),
                           peak_rss_mb=round(server.peak_rss / 2**20, 1),
                           peak_pss_mb=round(server.peak_pss / 2**20, 1),
                           queries=len(QUERIES), disk_load_s=server.load_s)
                results.append(row)
                print(json.dumps({k: v for k, v in row.items() if k != "per_query_p50_ms"}),
                      file=sys.stderr)
                if args.output:  # after every row: a server that fails later loses nothing
                    args.output.write_text(json.dumps(results, indent=2))
        finally:
            server.stop()
    for earlier in args.merge:
        results = json.loads(earlier.read_text()) + results
    print(markdown_table(results))
    return 0


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        sys.exit(main())
