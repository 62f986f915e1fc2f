"""`ctgraph load`: its progress and its refusals. That `ctgraph serve --store PATH` then
answers exactly as the in-memory server does is tested by the whole HTTP suite, which runs
over an on-disk store (conftest's ``server``), and by test_backends_same_answers.py."""

from __future__ import annotations

import re
from pathlib import Path

from ctgraph.graph.bundle import bundled_data_files, bundled_shape_files
from tests.helpers import run_ctgraph


def test_load_shows_its_progress_and_loads_what_memory_serves(disk_store_path: Path,
                                                              memory_server) -> None:
    log = disk_store_path.with_name("load.log").read_text()  # conftest's `ctgraph load`
    files = len(bundled_data_files()) + len(bundled_shape_files())
    assert f"{files}/{files}" in log
    # the same figures in the same words (views.stats.GraphSize) as the memory server's
    loaded = re.search(r"loaded (.*) into ", log)
    served = re.search(r"ctgraph (.*); listening on ", memory_server.stdout)
    assert loaded and served and loaded[1] == served[1]
    assert re.match(r"[\d,]+ triples in the default graph", loaded[1])


def test_load_refuses_a_folder_that_is_not_empty(disk_store_path) -> None:
    run = run_ctgraph("load", "--store", str(disk_store_path))
    assert run.returncode == 2 and "not an empty folder" in run.stderr


def test_load_reports_a_syntax_error_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a:b> <a:c> .\n")
    run = run_ctgraph("load", str(bad), "--store", str(tmp_path / "store"))
    assert run.returncode == 2 and f"{bad}:1:" in run.stderr and "Traceback" not in run.stderr


def test_load_reports_a_missing_file(tmp_path: Path) -> None:
    run = run_ctgraph("load", str(tmp_path / "nope.ttl"), "--store", str(tmp_path / "store"))
    assert run.returncode == 2 and "nope.ttl: no such file or folder" in run.stderr
