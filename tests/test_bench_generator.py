"""The benchmark generator is deterministic, writes N-Quads the server's loader reads, conforms
to the project's shapes (checked by the real `ctgraph validate`), and, like the real sources,
states some facts in both source graphs."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

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
        generate(8000, 1, out)
    run = subprocess.run([sys.executable, "-m", "ctgraph.cli", "query", "--data", str(path),
                          "--format", "csv",
                          "SELECT (COUNT(DISTINCT ?e) AS ?n) "
                          "WHERE { ?e a <https://schema.org/Event> }"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    events = {line.split(" ", 1)[0] for line in path.read_text().splitlines()
              if line.split(" ")[1:3] == ["<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
                                          "<https://schema.org/Event>"]}
    assert int(run.stdout.splitlines()[1]) == len(events) > 10


def test_generated_graph_conforms_to_the_shapes(tmp_path: Path) -> None:
    path = tmp_path / "g.nq"
    with path.open("w") as out:
        generate(5000, 3, out)
    run = subprocess.run([sys.executable, "-m", "ctgraph.cli", "validate", str(path),
                          "--bundled", "--format", "json"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    report = json.loads(run.stdout)
    assert report["conforms"] and report["counts"]["violation"] == 0
    assert report["triples"] >= 5000


def test_the_sources_overlap_like_the_real_ones() -> None:
    out = io.StringIO()
    generate(20000, 5, out)
    store = ox.Store()
    store.load(out.getvalue().encode(), format=ox.RdfFormat.N_QUADS)
    both = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/ctgraph/graph/source-000> "
        "{ ?s ?p ?o } GRAPH <https://w3id.org/ctgraph/graph/source-001> { ?s ?p ?o } }")
    shared = int(next(iter(both))[0].value)
    only_newer = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/ctgraph/graph/source-000> "
        "{ ?s ?p ?o } FILTER NOT EXISTS { GRAPH <https://w3id.org/ctgraph/graph/source-001> "
        "{ ?s ?p ?o } } }")
    assert shared > 100 and int(next(iter(only_newer))[0].value) > shared
