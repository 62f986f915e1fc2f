"""Soak `ctgraph serve` as the open internet would: many clients for a long time over loopback,
mixing ordinary queries with malformed ones, result bombs, oversized headers and slow
uploads; then report every answer by kind and status, the unexpected ones, latency and the
server's memory over time.

    python bench/soak.py                      # 64 clients, 10 minutes, the bundled graph
    python bench/soak.py --clients 8 --seconds 30 --output bench/results/soak-short.json

Not part of the test run (it takes minutes and a machine's worth of CPU). Each client has its
own loopback address (127.0.0.2, 127.0.0.3, …), as clients on the internet have, so the
per-client limits apply to each one separately.

What counts as expected, by kind of request:

* ordinary: 200; or 503 "Query stopped: it ran longer than the time limit" when 64 clients
  queue for two cores' workers (overload is answered, not failed); 429 when that client is
  over its limit;
* malformed: 4xx, or the 503 at the time limit when the engine (in a worker) must find the
  error and the worker queue is longer than the limit;
* bombs: 503 at the time or memory limit, or a streamed answer cut at the limit (the connection is
  aborted by design: a client never takes a cut answer for a complete one);
* oversized headers (70 kB, 200 kB, 1.1 MB): 4xx or the connection closed; or 200 (the
  server allows a request head up to its 1 MB request limit, for long GET queries, and h11
  checks that limit only on a head still incomplete, so one arriving in one read may pass);
* slow uploads: the answer once the body has arrived (200/4xx).

Any other 5xx, or a connection error on an ordinary request, is unexpected; the script exits 1
when there is one, or when the server process's memory (PSS, from /proc) at the
end (median of the last tenth of the run) is more than ``--drift`` above its median over
the second quarter; the PSS of the process tree (server and query workers) is reported too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ORDINARY = [
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 20",
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)",
    "ASK { ?s a ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 50",
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o } LIMIT 100",
    "DESCRIBE ?s WHERE { ?s a ?t } LIMIT 1",
]
FORM = "application/x-www-form-urlencoded"
PAGES = ["/", "/healthz", "/.well-known/void", "/sparql", "/query", "/metrics"]
MALFORMED = [
    ("GET", {"params": {"query": "SELEC ?x WHERE { ?x ?y"}}),
    ("GET", {"params": {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT x"}}),
    ("POST", {"content": b"%ZZ%", "headers": {"Content-Type": FORM}}),
    ("POST", {"content": b"\xff\xfe", "headers": {"Content-Type": "application/sparql-query"}}),
    ("POST", {"content": b"ASK {}", "headers": {"Content-Type": "text/x-nope"}}),
    ("POST", {"data": {"update": "DROP ALL"}}),
    ("GET", {"params": {"query": "SELECT * WHERE { SERVICE <http://x.example/> { ?s ?p ?o } }"}}),
]
BOMBS = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
]
KINDS = [("ordinary", 60), ("page", 10), ("malformed", 12), ("bomb", 6), ("headers", 6),
         ("slow_upload", 6)]
TIME_LIMIT = "Query stopped: it ran longer than the time limit"
MEMORY_LIMIT = "Query stopped: it needed more than the memory limit"


def pss(pid: int, tree: bool = True) -> int:
    """Bytes of proportional set size of `pid` and (`tree`) every process below it (Linux
    /proc)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
            if not tree:
                break
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


class Tally:
    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {}
        self.unexpected: list[dict[str, object]] = []
        self.unexpected_count = 0
        self.latency: list[float] = []
        self.context: dict[str, object] = {}
        """What the current client did before (set by the client before each `add`)."""

    def add(self, kind: str, outcome: str, expected: bool, detail: str = "") -> None:
        bucket = self.counts.setdefault(kind, {})
        bucket[outcome] = bucket.get(outcome, 0) + 1
        if not expected:
            self.unexpected_count += 1
            same = [u for u in self.unexpected if (u["kind"], u["outcome"]) == (kind, outcome)]
            if len(same) < 5:  # a few examples of each kind of surprise
                self.unexpected.append({"kind": kind, "outcome": outcome,
                                        "detail": detail[:300], "t": round(time.time(), 1),
                                        **self.context})


async def raw_exchange(host: str, port: int, local: str, data: bytes, pause: float = 0.0,
                       pieces: int = 1) -> bytes:
    """Send `data` over a fresh connection (in `pieces`, `pause` seconds apart) and read the
    reply until the server closes or 30 s pass."""
    reader, writer = await asyncio.open_connection(host, port, local_addr=(local, 0))
    try:
        step = max(1, len(data) // pieces)
        for i in range(0, len(data), step):
            writer.write(data[i:i + step])
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)
        reply = b""
        async with asyncio.timeout(30):
            while chunk := await reader.read(65536):
                reply += chunk
                if b"\r\n\r\n" in reply and b"connection: close" not in reply.lower():
                    head, _, body = reply.partition(b"\r\n\r\n")
                    length = re.search(rb"content-length: *(\d+)", head, re.I)
                    if length and len(body) >= int(length.group(1)):
                        break
        return reply
    finally:
        writer.close()


def _status(reply: bytes) -> int:
    match = re.match(rb"HTTP/1\.[01] (\d{3})", reply)
    return int(match.group(1)) if match else 0


class _ClientTally:
    """The shared tally, with this client's context attached to what it records."""

    def __init__(self, tally: Tally):
        self.tally = tally
        self.context: dict[str, object] = {}

    @property
    def latency(self) -> list[float]:
        return self.tally.latency

    def add(self, kind: str, outcome: str, expected: bool, detail: str = "") -> None:
        self.tally.context = self.context
        self.tally.add(kind, outcome, expected, detail)


async def one_client(number: int, url: str, stop_at: float, shared: Tally, seed: int) -> None:
    tally = _ClientTally(shared)
    rng = random.Random(seed * 1000 + number)
    local = f"127.0.0.{2 + number % 250}"
    host, port = url.removeprefix("http://").split(":")
    transport = httpx.AsyncHTTPTransport(local_address=local)
    kinds = [k for k, w in KINDS for _ in range(w)]
    async with httpx.AsyncClient(base_url=url, transport=transport, timeout=120) as http:
        serial = 0
        previous, ended = "none", time.perf_counter()
        while time.monotonic() < stop_at:
            kind = rng.choice(kinds)
            serial += 1
            started = time.perf_counter()
            tally.context = {"client": number, "previous": previous,
                             "idle_s": round(started - ended, 3)}
            try:
                if kind == "ordinary":
                    query = rng.choice(ORDINARY)
                    if rng.random() < 0.5:  # half of them new texts: not from the cache
                        query = f"# c{number} q{serial}\n{query}"
                    r = await http.post("/sparql", data={"query": query})
                    ok = r.status_code in (200, 429) or (
                        r.status_code == 503 and r.text.startswith(TIME_LIMIT))
                    if r.status_code == 200:
                        tally.latency.append(time.perf_counter() - started)
                    tally.add(kind, str(r.status_code), ok, r.text)
                elif kind == "page":
                    r = await http.get(rng.choice(PAGES))
                    tally.add(kind, str(r.status_code), r.status_code in (200, 429), r.text)
                elif kind == "malformed":
                    method, kwargs = rng.choice(MALFORMED)
                    r = await http.request(method, "/sparql", **kwargs)
                    # A syntax error the engine finds is found in a worker: under overload
                    # it may wait for one past the time limit (503), as ordinary queries do.
                    ok = 400 <= r.status_code < 500 or (
                        r.status_code == 503 and r.text.startswith(TIME_LIMIT))
                    tally.add(kind, str(r.status_code), ok, r.text)
                elif kind == "bomb":
                    query = f"# c{number} b{serial}\n{rng.choice(BOMBS)}"
                    try:
                        r = await http.post("/sparql", data={"query": query})
                        ok = (r.status_code == 503 and r.text.startswith(
                            (TIME_LIMIT, MEMORY_LIMIT))) or r.status_code in (200, 429)
                        tally.add(kind, str(r.status_code), ok, r.text)
                    except httpx.RemoteProtocolError:
                        tally.add(kind, "cut", True)  # streamed, then stopped at the limit
                elif kind == "headers":
                    size = rng.choice([70_000, 200_000, 1_100_000])
                    request = (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: soak\r\n"
                               b"X-Big: " + b"a" * size + b"\r\n\r\n")
                    try:
                        reply = await raw_exchange(host, int(port), local, request)
                        status = _status(reply)
                        # Not a 5xx is what counts. h11 enforces its limit on a head still
                        # incomplete: one that arrives whole in one read may pass (200).
                        ok = status in (0, 200) or 400 <= status < 500
                        tally.add(kind, str(status) if status else "closed", ok,
                                  reply[:200].decode("latin-1"))
                    except (ConnectionError, OSError):
                        tally.add(kind, "closed", True)
                else:  # slow upload: a form body trickled over ~3 s
                    body = ("query=" + quote(f"ASK {{ ?s ?p {serial} }}")).encode()
                    head = (b"POST /sparql HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n"
                            b"Content-Type: application/x-www-form-urlencoded\r\n"
                            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
                    try:
                        reply = await raw_exchange(host, int(port), local, head + body,
                                                   pause=0.25, pieces=12)
                        status = _status(reply)
                        tally.add(kind, str(status) if status else "closed",
                                  status in (200, 429) or 400 <= status < 500 or (
                                      status == 503 and TIME_LIMIT.encode() in reply),
                                  reply[:300].decode("latin-1"))
                    except (ConnectionError, OSError, TimeoutError) as e:
                        tally.add(kind, type(e).__name__, False, str(e))
            except httpx.HTTPError as e:
                tally.add(kind, type(e).__name__, False, repr(e))
            previous, ended = kind, time.perf_counter()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def soak(url: str, pid: int, clients: int, seconds: float, seed: int,
               sample_every: float) -> dict:
    tally = Tally()
    stop_at = time.monotonic() + seconds
    memory: list[tuple[float, int, int]] = []
    """(seconds, PSS of the server process, PSS of it and its query workers)."""
    started = time.monotonic()

    def sample() -> None:
        memory.append((round(time.monotonic() - started, 1), pss(pid, tree=False), pss(pid)))

    async def sampler() -> None:
        while time.monotonic() < stop_at:
            sample()
            await asyncio.sleep(sample_every)

    tasks = [asyncio.create_task(one_client(i, url, stop_at, tally, seed)) for i in range(clients)]
    await asyncio.gather(sampler(), *tasks)
    sample()
    async with httpx.AsyncClient(timeout=30) as http:
        metrics = (await http.get(f"{url}/metrics")).text
    wanted = ("ctgraph_query_workers_restarted_total", "ctgraph_query_timeouts_total",
              "ctgraph_client_rejections_total", "ctgraph_query_workers_alive",
              "ctgraph_cache_hits_total", "ctgraph_cache_misses_total")
    scraped = [line for line in metrics.splitlines() if line.startswith(wanted)]
    def median(values: list[int]) -> float:
        return sorted(values)[len(values) // 2] / 2**20 if values else float("nan")

    # Flat means: the server process's median PSS over the last tenth of the run is within
    # --drift of its median over the second quarter (after warm-up). Workers grow while a
    # bomb runs and are replaced when it is stopped, so the tree is reported, not judged.
    second_quarter = [m for t, m, _ in memory if seconds / 4 <= t < seconds / 2]
    last_tenth = [m for t, m, _ in memory if t >= seconds * 0.9]
    total = sum(sum(v.values()) for v in tally.counts.values())
    return {
        "clients": clients, "seconds": seconds, "seed": seed, "requests": total,
        "requests_per_second": round(total / seconds, 1), "counts": tally.counts,
        "unexpected": tally.unexpected_count, "unexpected_examples": tally.unexpected,
        "ordinary_latency_s": {p: round(percentile(tally.latency, p), 4) for p in (50, 90, 99)},
        "memory_pss_mib": [(t, round(m / 2**20, 1), round(tr / 2**20, 1))
                           for t, m, tr in memory],
        "server_pss_baseline_mib": round(median(second_quarter), 1),
        "server_pss_end_mib": round(median(last_tenth), 1),
        "server_pss_peak_mib": round(max(m for _, m, _ in memory) / 2**20, 1),
        "tree_pss_first_mib": round(memory[0][2] / 2**20, 1),
        "tree_pss_end_mib": round(memory[-1][2] / 2**20, 1),
        "tree_pss_peak_mib": round(max(tr for _, _, tr in memory) / 2**20, 1),
        "metrics_at_end": scraped,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="RDF files to serve (default: the bundled graph)")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--timeout", type=float, default=5, help="the server's query time limit")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--sample-every", type=float, default=5)
    parser.add_argument("--drift", type=float, default=0.10,
                        help="largest memory growth after warm-up, as a fraction (default 0.10)")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--serve-arg", action="append", default=[],
                        help="extra argument for ctgraph serve (repeatable)")
    args = parser.parse_args()

    command = [sys.executable, "-m", "ctgraph.cli", "serve", "--port", "0", "--log-level",
               "warning", "--timeout", str(args.timeout), *args.serve_arg, *args.paths]
    log_path = Path("/tmp") / f"ctgraph-soak-{int(time.time())}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log)
    assert process.stdout is not None
    line = process.stdout.readline().decode()
    if "listening on http://" not in line:
        print("server did not start:", line, log_path.read_text(), file=sys.stderr)
        return 2
    url = line.split("listening on ", 1)[1].split("/ ", 1)[0]
    for _ in range(600):
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        report = asyncio.run(soak(url, process.pid, args.clients, args.seconds, args.seed,
                                  args.sample_every))
    finally:
        process.terminate()
        status = process.wait(timeout=60)
    report["server_exit_status"] = status
    report["server_log"] = str(log_path)
    report["server_log_tracebacks"] = log_path.read_text(errors="replace").count("Traceback")
    drift = report["server_pss_end_mib"] / report["server_pss_baseline_mib"] - 1
    report["memory_drift"] = round(drift, 3)
    text = json.dumps(report, indent=2)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n")
    summary = {k: v for k, v in report.items() if k not in ("memory_pss_mib",)}
    print(json.dumps(summary, indent=2))
    failed = report["unexpected"] or drift > args.drift or status != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
