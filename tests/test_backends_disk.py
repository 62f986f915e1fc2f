"""`ctgraph load` builds an on-disk store; `ctgraph serve --store` answers from it exactly as
the in-memory server answers from the bundled files. (The whole HTTP suite also runs over
an on-disk store through the parametrised ``server`` fixture.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "SELECT ?e ?start WHERE { ?e a <https://schema.org/Event> ; "
    "<https://schema.org/startDate> ?start } ORDER BY ?start ?e",
    "ASK { <https://w3id.org/ctgraph/org/unrcca> ?p ?o }",
]


def ctgraph(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ctgraph.cli", *args], capture_output=True,
                          text=True, timeout=120)


def answer(server, query: str) -> str:
    r = httpx.get(server.sparql, params={"query": query}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    return r.text


def test_the_disk_store_answers_like_the_in_memory_server(disk_store_path, serve_files) -> None:
    from_disk, in_memory = serve_files(store=str(disk_store_path)), serve_files()
    for query in QUERIES:
        assert answer(from_disk, query) == answer(in_memory, query)


def test_load_shows_its_progress_file_by_file(tmp_path: Path) -> None:
    run = ctgraph("load", "--store", str(tmp_path / "store"))
    assert run.returncode == 0, run.stderr
    assert "loaded" in run.stderr and "7/7" in run.stderr


def test_load_refuses_a_folder_that_is_not_empty(disk_store_path) -> None:
    run = ctgraph("load", "--store", str(disk_store_path))
    assert run.returncode == 2 and "not an empty folder" in run.stderr


def test_load_reports_a_syntax_error_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a:b> <a:c> .\n")
    run = ctgraph("load", str(bad), "--store", str(tmp_path / "store"))
    assert run.returncode == 2 and f"{bad}:1:" in run.stderr and "Traceback" not in run.stderr


def test_load_reports_a_missing_file(tmp_path: Path) -> None:
    run = ctgraph("load", str(tmp_path / "nope.ttl"), "--store", str(tmp_path / "store"))
    assert run.returncode == 2 and "nope.ttl: no such file or folder" in run.stderr
