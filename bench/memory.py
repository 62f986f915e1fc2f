"""Where a server's memory goes: each process's USS, PSS and RSS after it has run the mix.

    python bench/memory.py --data bench/work/g1m-v2.nq --servers ctgraph ctgraph-threads oxigraph

ctgraph's worker processes are forked from a zygote and share the loaded store copy-on-write;
this shows how much of it each process ends up holding privately (USS: pages no other process
maps) once the query mix has run through it, which is the profile behind the memory figures
in bench/README.md. Roles: the server (the process started), the zygote (its child that forks
workers), the workers (the zygote's children).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import Server, load, prepare_mix

MB = 1024 * 1024


def roles(pid: int) -> list[tuple[str, psutil.Process]]:
    """The server process, its direct children and their children, named by role."""
    server = psutil.Process(pid)
    named = [("server", server)]
    for child in server.children():
        grandchildren = child.children()
        named.append(("zygote" if grandchildren else "child", child))
        named += [(f"worker {i + 1}", g) for i, g in enumerate(grandchildren)]
    return named


def snapshot(pid: int) -> list[dict]:
    rows = []
    for role, proc in roles(pid):
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        rows.append({"role": role, "pid": proc.pid, "uss_mb": round(info.uss / MB, 1),
                     "pss_mb": round(info.pss / MB, 1), "rss_mb": round(info.rss / MB, 1)})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--servers", nargs="+", default=["ctgraph", "ctgraph-threads",
                                                          "oxigraph"])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    prepare_mix(True)
    report: dict[str, dict] = {}
    for name in args.servers:
        server = Server(name, args.data)
        server.start()
        try:
            assert server.process is not None
            before = snapshot(server.process.pid)
            stats = asyncio.run(load(server, args.concurrency, args.seconds, 10**9))
            after = snapshot(server.process.pid)
        finally:
            server.stop()
        report[name] = {"loaded": before, "after_mix": after, "requests": stats["requests"]}
        print(f"\n{name} (mix at c{args.concurrency} for {args.seconds:g} s, "
              f"{stats['requests']} requests)")
        print(f"{'role':10} {'USS MB':>9} {'PSS MB':>9} {'RSS MB':>9}   (loaded, before the mix)")
        for row, first in zip(after, before + [None] * len(after), strict=False):
            was = f"{first['uss_mb']:>9} {first['pss_mb']:>9}" if first else ""
            print(f"{row['role']:10} {row['uss_mb']:>9} {row['pss_mb']:>9} {row['rss_mb']:>9}"
                  f"   {was}")
        total = sum(r["pss_mb"] for r in after)
        print(f"{'total PSS':10} {total:>19.1f}")
    if args.output:
        args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
