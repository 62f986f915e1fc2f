"""Result bombs against each server: memory growth and a cheap query's latency meanwhile.

    python bench/bombs.py --servers ctgraph ctgraph-before oxigraph-merged --seconds 20

N clients (default 4) each send ``SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }`` (about 40 million
solutions on the bundled graph) and read the answer as fast as they can, again and again,
until the phase ends; meanwhile one client sends a cheap ``ASK`` every 100 ms. Reported: the
peak growth of the server's memory (PSS summed over the process and all its descendants,
sampled every 0.25 s from a separate process) over its value before the bombs, the cheap
query's p50/max latency and errors, and how the bombs' answers ended (aborted at the time
limit, or closed by us at the phase's end) with the bytes received. Every server is started on
the same N-Quads file (the bundled graph's named graphs, written to bench/work/bundled.nq).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py: the same server starters

BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
CHEAP = "ASK { ?s a ?t }"
HERE = Path(__file__).resolve().parent


def bundled_nquads(path: Path) -> Path:
    """The bundled graph's named graphs as N-Quads (what every server loads)."""
    if path.exists():
        return path
    import pyoxigraph as ox

    from ctgraph.graph.store import load_paths

    store = load_paths([], union_default_graph=False, shapes=True)
    quads = [q for q in store.oxigraph.quads_for_pattern(None, None, None)
             if not isinstance(q.graph_name, ox.DefaultGraph)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    return path


class TimedServer(run.Server):
    """run.Server with ctgraph's --timeout."""

    def __init__(self, name: str, data: Path, timeout: float):
        super().__init__(name, data)
        self.timeout = timeout

    def start(self) -> float:
        original = run.subprocess.Popen

        def popen(cmd, **kw):  # type: ignore[no-untyped-def]
            if self.name.startswith("ctgraph"):
                cmd = [*cmd, "--timeout", str(self.timeout)]
            return original(cmd, **kw)

        run.subprocess.Popen = popen  # type: ignore[assignment]
        try:
            return super().start()
        finally:
            run.subprocess.Popen = original  # type: ignore[assignment]


def tree_pss(pid: int) -> int:
    import psutil

    total = 0
    try:
        procs = [psutil.Process(pid)]
        procs += procs[0].children(recursive=True)
    except psutil.Error:
        return 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            total += proc.memory_full_info().pss
    return total


def phase(server: TimedServer, bombs: int, seconds: float) -> dict:
    pid = server.process.pid  # type: ignore[union-attr]
    baseline = tree_pss(pid)
    stop = threading.Event()
    peak = [baseline]

    def sample() -> None:
        while not stop.wait(0.25):
            peak[0] = max(peak[0], tree_pss(pid))

    endings: list[str] = []
    received: list[int] = []

    def bomb() -> None:
        with httpx.Client(timeout=120) as http:
            while not stop.is_set():
                n = 0
                try:
                    with http.stream("POST", server.endpoint, data={"query": BOMB},
                                     headers={"Accept": "application/sparql-results+json"}) as r:
                        for chunk in r.iter_raw():
                            n += len(chunk)
                            if stop.is_set():
                                break
                        endings.append(f"{r.status_code} closed by us" if stop.is_set()
                                       else f"{r.status_code} complete")
                except httpx.HTTPError as e:
                    endings.append(f"aborted ({type(e).__name__})")
                received.append(n)

    latencies: list[float] = []
    errors = 0

    def cheap() -> None:
        nonlocal errors
        with httpx.Client(timeout=120) as http:
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    r = http.get(server.endpoint, params={"query": CHEAP},
                                 headers={"Accept": "application/sparql-results+json"})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok
                stop.wait(0.1)

    threads = [threading.Thread(target=sample)]
    threads += [threading.Thread(target=bomb) for _ in range(bombs)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # the bombs are running
    asker = threading.Thread(target=cheap)
    asker.start()
    time.sleep(seconds)
    stop.set()
    for thread in [*threads, asker]:
        thread.join(180)
    ordered = sorted(latencies)
    counts: dict[str, int] = {}
    for ending in endings:
        counts[ending] = counts.get(ending, 0) + 1
    return {
        "server": server.name, "bombs": bombs, "seconds": seconds,
        "baseline_pss_mb": round(baseline / 2**20, 1),
        "growth_pss_mb": round((peak[0] - baseline) / 2**20, 1),
        "cheap_requests": len(latencies), "cheap_errors": errors,
        "cheap_p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else None,
        "cheap_max_ms": round(ordered[-1] * 1000, 2) if ordered else None,
        "bomb_endings": counts, "bomb_mb_received": round(sum(received) / 2**20, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", nargs="+", default=["ctgraph", "oxigraph-merged"])
    parser.add_argument("--data", type=Path, default=HERE / "work" / "bundled.nq")
    parser.add_argument("--bombs", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--timeout", type=float, default=12, help="ctgraph's --timeout")
    parser.add_argument("--before-src", type=Path, help="as in run.py (ctgraph-before)")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    run.BEFORE_SRC = args.before_src
    data = bundled_nquads(args.data)
    results = []
    for name in args.servers:
        server = TimedServer(name, data, args.timeout)
        try:
            server.start()
            time.sleep(1.0)
            row = phase(server, args.bombs, args.seconds)
        finally:
            server.stop()
        print(json.dumps(row), file=sys.stderr)
        results.append(row)
        if args.output:
            args.output.write_text(json.dumps(results, indent=2))
    print("| server | bombs | memory growth (PSS, MiB) | cheap ASK p50 ms | cheap ASK max ms "
          "| cheap errors | bomb answers |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        endings = ", ".join(f"{v}× {k}" for k, v in sorted(r["bomb_endings"].items()))
        print(f"| {r['server']} | {r['bombs']} | {r['growth_pss_mb']} | {r['cheap_p50_ms']} | "
              f"{r['cheap_max_ms']} | {r['cheap_errors']} | {endings}; "
              f"{r['bomb_mb_received']} MiB received |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
