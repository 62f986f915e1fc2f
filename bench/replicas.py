"""Two `ctgraph serve --store URL` replicas in front of one Virtuoso, under the load script.

    python bench/replicas.py --data bench/work/g100k.nq --clients 32 --seconds 30 \\
        --output bench/results/replicas-100k.json

What it does, all on 127.0.0.1: starts a Virtuoso 7 in a throwaway folder (tests/virtuoso.py:
Debian's virtuoso-t), fills it with ``ctgraph load --store URL --graph-store URL`` (timed),
then runs the load script's clients (bench/loadtest.py: the bench/queries mix and the named
queries, POST, one connection per client) in two phases of ``--seconds`` each:

1. one replica, ``--clients`` clients;
2. two replicas, ``--clients`` clients split evenly between them (as a round-robin proxy
   would), at the same time.

For each phase: requests, errors by status, throughput, latency percentiles, each replica's
memory (PSS of its process tree) and Virtuoso's. Before the load, every query of the mix is
asked of both replicas once and their answers and ETags compared (they must agree: ctgraph
holds no state of its own over a remote store). Replicas run without the answer cache
(``--cache-entries 0``) so that every request reaches Virtuoso.

A benchmark, not a test: nothing asserts a time. Exit 1 on an error or on replicas that
disagree.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from loadtest import hold, tree_memory  # noqa: E402
from run import ACCEPT, QUERIES, free_port, prepare_mix  # noqa: E402

from tests.virtuoso import start_virtuoso  # noqa: E402


class Replica:
    """One `ctgraph serve --store URL` (what `loadtest.hold` needs: .endpoint, .process)."""

    def __init__(self, store: str, public: str):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/sparql"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ctgraph.cli", "serve", "--store", store, "--port",
             str(self.port), "--base-url", public, "--cache-entries", "0", "--log-level",
             "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(self.endpoint, params={"query": "ASK {}"}, timeout=5).is_success:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("a replica did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def agree(one: Replica, two: Replica) -> list[str]:
    """The queries of the mix on which the replicas' answers or ETags differ."""
    differ = []
    with httpx.Client(timeout=300) as http:
        for name, query in QUERIES.items():
            answers = [http.get(r.endpoint, params={"query": query},
                                headers={"Accept": ACCEPT[name]}) for r in (one, two)]
            a, b = answers
            if (a.status_code, a.headers.get("etag")) != (b.status_code, b.headers.get("etag")):
                differ.append(name)
            elif ACCEPT[name] != "text/turtle" and a.content != b.content:
                differ.append(name)  # Turtle may differ in blank-node labels only
    return differ


async def phase(replicas: list[Replica], clients: int, seconds: float, virtuoso_pid: int
                ) -> dict:
    share = [clients // len(replicas) + (i < clients % len(replicas))
             for i in range(len(replicas))]
    virtuoso_peak = [0.0]

    async def watch_virtuoso() -> None:
        stop_at = time.perf_counter() + seconds
        while time.perf_counter() < stop_at:
            rss = (await asyncio.to_thread(tree_memory, virtuoso_pid))[1]
            virtuoso_peak[0] = max(virtuoso_peak[0], rss / 2**20)
            await asyncio.sleep(2)

    results = await asyncio.gather(
        *(hold(r, n, seconds, 2.0) for r, n in zip(replicas, share, strict=True)),
        watch_virtuoso())
    per_replica = [{k: v for k, v in res.items() if k != "memory_series"}
                   for res in results[:-1]]
    requests = sum(r["requests"] for r in per_replica)
    elapsed = max(r["seconds"] for r in per_replica)
    return {
        "replicas": len(replicas), "clients": clients, "requests": requests,
        "errors": sum(r["errors"] for r in per_replica),
        "throughput": round(requests / elapsed, 1),
        "per_replica": per_replica, "virtuoso_rss_mb_peak": round(virtuoso_peak[0], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="N-Quads/TriG (default: the bundled graph)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    prepare_mix()
    folder = Path(tempfile.mkdtemp(prefix="ctgraph-replicas-"))
    virtuoso = start_virtuoso(folder / "virtuoso")
    replicas: list[Replica] = []
    try:
        started = time.perf_counter()
        data = [str(args.data)] if args.data else []
        subprocess.run([sys.executable, "-m", "ctgraph.cli", "load", *data, "--store",
                        virtuoso.sparql, "--graph-store", virtuoso.graph_store], check=True,
                       stderr=subprocess.DEVNULL, timeout=3600)
        load_s = round(time.perf_counter() - started, 1)
        public = "https://ctgraph.example.org"
        replicas = [Replica(virtuoso.sparql, public), Replica(virtuoso.sparql, public)]
        differ = agree(*replicas)
        assert virtuoso.process is not None
        one = asyncio.run(phase(replicas[:1], args.clients, args.seconds, virtuoso.process.pid))
        two = asyncio.run(phase(replicas, args.clients, args.seconds, virtuoso.process.pid))
    finally:
        for replica in replicas:
            replica.stop()
        virtuoso.remove()
        shutil.rmtree(folder, ignore_errors=True)
    result = {"data": str(args.data or "bundled"), "load_s": load_s,
              "queries_in_mix": len(QUERIES), "replicas_disagree_on": differ,
              "one_replica": one, "two_replicas": two}
    print(json.dumps(result, indent=2))
    if args.output:
        args.output.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if not differ and one["errors"] == 0 and two["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
