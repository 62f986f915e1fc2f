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
memory (PSS of its process tree) and Virtuoso's (PSS and RSS, sampled every 2 s), the CPU
seconds Virtuoso, each replica and the load script itself used, and the machine's load
average before and after. Before the load, every query of the mix is asked of
both replicas once and their answers and ETags compared (they must agree: ctgraph holds no
state of its own over a remote store). A query both replicas answer with an error there is
one Virtuoso itself refuses (its dialect: ``part-of-path``, a ``+`` path with neither end
bound, is "transitive start not given"): it is left out of the load phases and listed with
the store's message under ``refused_by_the_store``. Replicas run without the answer cache
(``--cache-entries 0``) so that every request reaches Virtuoso, and without the per-client
concurrency limit (``--client-concurrency 0``): every client of the load script comes from
127.0.0.1, as if through one proxy, and 32 of them are more than the default 16.

``--auth`` queries Virtuoso's ``/sparql-auth`` with digest credentials (``serve
--store-auth``) instead of the anonymous ``/sparql``.

A benchmark, not a test: nothing asserts a time. Exit 1 on an error during the load phases
or on replicas that disagree.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from loadtest import hold, tree_memory  # noqa: E402
from run import ACCEPT, QUERIES, free_port, prepare_mix  # noqa: E402

from tests.virtuoso import READER, start_virtuoso  # noqa: E402


class Replica:
    """One `ctgraph serve --store URL` (what `loadtest.hold` needs: .endpoint, .process)."""

    def __init__(self, store: str, public: str, auth: str | None = None):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/sparql"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CTGRAPH_")}
        if auth:
            env["CTGRAPH_STORE_AUTH"] = auth
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ctgraph.cli", "serve", "--store", store, "--port",
             str(self.port), "--base-url", public, "--cache-entries", "0",
             "--client-concurrency", "0", "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
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


def agree(one: Replica, two: Replica) -> tuple[list[str], dict[str, str]]:
    """The queries of the mix on which the replicas' answers or ETags differ, and those both
    answer with the same error (the store refuses them: name -> the message)."""
    differ, refused = [], {}
    with httpx.Client(timeout=300) as http:
        for name, query in QUERIES.items():
            answers = [http.get(r.endpoint, params={"query": query},
                                headers={"Accept": ACCEPT[name]}) for r in (one, two)]
            a, b = answers
            if (a.status_code, a.headers.get("etag")) != (b.status_code, b.headers.get("etag")):
                differ.append(name)
            elif a.status_code != 200:
                refused[name] = f"{a.status_code}: {a.text.strip()[:300]}"
            elif ACCEPT[name] != "text/turtle" and a.content != b.content:
                differ.append(name)  # Turtle may differ in blank-node labels only
    return differ, refused


def cpu_seconds(pid: int, children: bool = True) -> float:
    """CPU time (user + system) of process `pid` (and its children) so far."""
    total = 0.0
    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True) if children else []
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


async def phase(replicas: list[Replica], clients: int, seconds: float, virtuoso_pid: int
                ) -> dict:
    share = [clients // len(replicas) + (i < clients % len(replicas))
             for i in range(len(replicas))]
    virtuoso: list[tuple[float, float]] = []  # (PSS, RSS) in MiB

    async def watch_virtuoso() -> None:
        stop_at = time.perf_counter() + seconds
        while time.perf_counter() < stop_at:
            pss, rss = await asyncio.to_thread(tree_memory, virtuoso_pid)
            virtuoso.append((pss / 2**20, rss / 2**20))
            await asyncio.sleep(2)

    load_before = os.getloadavg()
    pids = {"virtuoso": virtuoso_pid, "load_script": os.getpid(),
            **{f"replica_{i + 1}": r.process.pid for i, r in enumerate(replicas)}}
    own = {"load_script"}  # Virtuoso and the replicas are this script's children
    cpu_before = {name: cpu_seconds(pid, name not in own) for name, pid in pids.items()}
    results = await asyncio.gather(
        *(hold(r, n, seconds, 2.0) for r, n in zip(replicas, share, strict=True)),
        watch_virtuoso())
    cpu = {name: round(cpu_seconds(pid, name not in own) - cpu_before[name], 1)
           for name, pid in pids.items()}
    per_replica = [{k: v for k, v in res.items() if k != "memory_series"}
                   for res in results[:-1]]
    requests = sum(r["requests"] for r in per_replica)
    elapsed = max(r["seconds"] for r in per_replica)
    statuses: dict[str, int] = {}
    for r in per_replica:
        for status, count in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "replicas": len(replicas), "clients": clients, "requests": requests,
        "errors": sum(r["errors"] for r in per_replica), "statuses": statuses,
        "throughput": round(requests / elapsed, 1),
        "per_replica": per_replica,
        "virtuoso_pss_mb_peak": round(max(p for p, _ in virtuoso), 1),
        "virtuoso_pss_mb_end": round(virtuoso[-1][0], 1),
        "virtuoso_rss_mb_peak": round(max(r for _, r in virtuoso), 1),
        "cpu_seconds": cpu,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="N-Quads/TriG (default: the bundled graph)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--auth", action="store_true",
                        help="query /sparql-auth with digest credentials (serve --store-auth)")
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
        store = virtuoso.base + "/sparql-auth" if args.auth else virtuoso.sparql
        auth = f"{READER[0]}:{READER[1]}" if args.auth else None
        replicas = [Replica(store, public, auth), Replica(store, public, auth)]
        differ, refused = agree(*replicas)
        for name in refused:
            del QUERIES[name]  # the load script's mix is this dict
        assert virtuoso.process is not None
        one = asyncio.run(phase(replicas[:1], args.clients, args.seconds, virtuoso.process.pid))
        two = asyncio.run(phase(replicas, args.clients, args.seconds, virtuoso.process.pid))
    finally:
        for replica in replicas:
            replica.stop()
        virtuoso.remove()
        shutil.rmtree(folder, ignore_errors=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=HERE).stdout.strip()
    result = {"data": str(args.data or "bundled"), "commit": commit,
              "command": " ".join(["python", "bench/replicas.py", *sys.argv[1:]]),
              "store": "/sparql-auth (digest)" if args.auth else "/sparql", "cpus": os.cpu_count(),
              "load_s": load_s, "queries_in_mix": len(QUERIES),
              "refused_by_the_store": refused, "replicas_disagree_on": differ,
              "one_replica": one, "two_replicas": two}
    print(json.dumps(result, indent=2))
    if args.output:
        args.output.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if not differ and one["errors"] == 0 and two["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
