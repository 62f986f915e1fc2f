"""The benchmark generator is deterministic and writes N-Quads the server's loader reads.
(Conformance of generated graphs to the shapes is not yet claimed: see bench/README.md.)"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402


def test_same_seed_same_bytes_and_requested_size() -> None:
    first, second, other = io.StringIO(), io.StringIO(), io.StringIO()
    assert generate(2000, 7, first) >= 2000
    generate(2000, 7, second)
    generate(2000, 8, other)
    assert first.getvalue() == second.getvalue() != other.getvalue()


def test_generated_graph_is_read_by_the_server_loader(tmp_path: Path) -> None:
    path = tmp_path / "g.nq"
    with path.open("w") as out:
        generate(3000, 1, out)
    run = subprocess.run([sys.executable, "-m", "ctgraph.cli", "query", "--data", str(path),
                          "--format", "csv",
                          "SELECT (COUNT(DISTINCT ?e) AS ?n) "
                          "WHERE { ?e a <https://schema.org/Event> }"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert int(run.stdout.splitlines()[1]) > 100
