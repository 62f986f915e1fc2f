"""Time `ctgraph validate --bundled FILE` (the compiled engine) and, with --reference, the same
validation on pyshacl; peak RSS of each run and whether their JSON reports are identical.

    python bench/validate.py bench/work/g1m-v2.nq [--reference] [--runs 1]

Each run is a fresh process (wall time includes imports and parsing); CPU is its user +
system time; peak RSS is getrusage's largest child so far, which is why the compiled runs
(the smaller) go first.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REFERENCE = """
import sys, warnings
from pathlib import Path
warnings.simplefilter("ignore")
from ctgraph.validation.shacl import validate_files
from ctgraph.validation.writers import write_report
report = validate_files([Path(sys.argv[1])], bundled=True, engine="pyshacl")
Path(sys.argv[2]).write_text(write_report(report, "json"), encoding="utf-8")
"""


def measure(command: list[str]) -> dict[str, float]:
    """Wall and CPU seconds and peak RSS (MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return {"wall_s": round(wall, 1),
            "cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1),
            "peak_rss_mb": round(after.ru_maxrss / 1024), "exit": done.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--reference", action="store_true", help="also run pyshacl")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    ctgraph = str(Path(sys.executable).with_name("ctgraph"))
    with tempfile.TemporaryDirectory() as tmp:
        fast_json, ref_json = Path(tmp) / "compiled.json", Path(tmp) / "pyshacl.json"
        rows = []
        for _ in range(args.runs):
            rows.append({"engine": "compiled", **measure(
                [ctgraph, "validate", "--bundled", str(args.data), "--format", "json",
                 "--output", str(fast_json)])})
        if args.reference:
            rows.append({"engine": "pyshacl", **measure(
                [sys.executable, "-c", REFERENCE, str(args.data), str(ref_json)])})
        summary = {"data": str(args.data), "runs": rows,
                   "counts": json.loads(fast_json.read_text(encoding="utf-8"))["counts"]}
        if args.reference:
            summary["identical_reports"] = fast_json.read_text(encoding="utf-8") == \
                ref_json.read_text(encoding="utf-8")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
