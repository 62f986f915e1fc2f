"""Seconds from `ctgraph serve` (bundled graph) to its first answered query, and the time
and peak memory of `ctgraph validate` on the bundled graph; best of N runs. With
``--validate FILE…``, also the time and peak memory of validating each file once.

    python bench/startup.py --runs 5
    python bench/startup.py --runs 0 --validate bench/work/g100k.nq bench/work/g1m.nq
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def startup() -> float:
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ctgraph.cli", "serve", "--port", str(port),
                             "--log-level", "warning"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - t0 < 60:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {?s ?p ?o}"},
                              headers={"Accept": "application/sparql-results+json"}, timeout=2)
                if r.status_code == 200:
                    return time.perf_counter() - t0
            except httpx.HTTPError:
                time.sleep(0.01)
        raise RuntimeError("no answer within 60 s")
    finally:
        proc.terminate()
        proc.wait(10)


def validate(*paths: str) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit status of one `ctgraph validate` process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ctgraph.cli", "validate", "--bundled",
                             *paths, "--format", "json", "--output", os.devnull],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--validate", nargs="*", default=[], metavar="FILE")
    args = parser.parse_args()
    if args.runs:
        starts = [startup() for _ in range(args.runs)]
        validations = [validate() for _ in range(args.runs)]
        print(f"start-up to first answer (bundled graph): best {min(starts):.2f} s, "
              f"median {sorted(starts)[len(starts) // 2]:.2f} s")
        print(f"ctgraph validate (bundled graph): best {min(v[0] for v in validations):.2f} s, "
              f"median {sorted(v[0] for v in validations)[len(validations) // 2]:.2f} s, "
              f"peak RSS {max(v[1] for v in validations):.0f} MB")
    for path in args.validate:
        seconds, peak, status = validate(path)
        print(f"ctgraph validate {path}: {seconds:.1f} s, peak RSS {peak:.0f} MB, "
              f"exit {status}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
