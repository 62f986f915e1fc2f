"""What `ctgraph validate` checks when told nothing: the current folder's RDF files against
the shapes among them, never ctgraph's own graph unless `--bundled` says so; and a run
with nothing to check fails instead of passing. The JUnit report points at file and line."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.helpers import run_ctgraph

FIXTURES = Path(__file__).parent / "fixtures" / "validate"


def their_repo(tmp_path: Path, *data: str) -> Path:
    (tmp_path / "shapes").mkdir()
    (tmp_path / "data").mkdir()
    shutil.copy(FIXTURES / "shapes.ttl", tmp_path / "shapes" / "people.ttl")
    for name in data:
        shutil.copy(FIXTURES / name, tmp_path / "data" / name)
    return tmp_path


def test_no_paths_validates_the_current_folder(tmp_path: Path) -> None:
    repo = their_repo(tmp_path, "conforming.ttl", "violations.trig")
    done = run_ctgraph("validate", "--format", "json", cwd=repo)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert sorted(report["files"]) == [str(Path("data/conforming.ttl")),
                                       str(Path("data/violations.trig")),
                                       str(Path("shapes/people.ttl"))]
    assert {r["files"][0] for r in report["results"]} == {str(Path("data/violations.trig"))}
    assert report["counts"]["violation"] == 3


def test_named_shapes_are_not_read_as_data(tmp_path: Path) -> None:
    repo = their_repo(tmp_path, "conforming.ttl")
    done = run_ctgraph("validate", "--shapes", "shapes", "--format", "json", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"] == [str(Path("data/conforming.ttl"))]


def test_hidden_folders_and_non_rdf_json_are_left_out(tmp_path: Path) -> None:
    repo = their_repo(tmp_path, "conforming.ttl")
    (repo / ".venv").mkdir()
    (repo / ".venv" / "broken.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    (repo / "node_modules").mkdir()
    (repo / "node_modules" / "broken.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    (repo / "package.json").write_text('{"name": "x"}', encoding="utf-8")
    done = run_ctgraph("validate", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("conforms (--fail-on violation)")


def test_data_without_shapes_is_an_error_not_a_pass(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "conforming.ttl", tmp_path / "good.ttl")
    done = run_ctgraph("validate", cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert "no SHACL shapes to validate against" in line and "--shapes" in line
    assert done.stdout == ""


def test_a_folder_without_rdf_is_an_error_not_a_pass(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("nothing here\n", encoding="utf-8")
    done = run_ctgraph("validate", cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert "no RDF files" in line and "--bundled" in line


def test_bundled_needs_asking(tmp_path: Path) -> None:
    """`--bundled` validates ctgraph's graph against its shapes from any folder."""
    done = run_ctgraph("validate", "--bundled", "--format", "json", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["triples"] > 1000
    assert all(r["source_shape"].startswith("https://w3id.org/ctgraph/shapes#")
               for r in report["results"])


def test_junit_names_the_failing_file_line_and_shape(tmp_path: Path) -> None:
    repo = their_repo(tmp_path, "conforming.ttl", "violations.trig")
    done = run_ctgraph("validate", "--format", "junit", cwd=repo)
    assert done.returncode == 1, done.stderr
    root = ET.fromstring(done.stdout)
    failing = [(suite.get("name"), case) for suite in root.iter("testsuite")
               for case in suite.iter("testcase") if case.find("failure") is not None]
    assert {name for name, _ in failing} == {"Person (ex:PersonShape)",
                                             "Friends (ex:FriendShape)"}
    source = (FIXTURES / "violations.trig").read_text(encoding="utf-8").splitlines()
    for _, case in failing:
        assert case.get("file") == str(Path("data/violations.trig"))
        line = int(case.get("line") or 0)
        assert source[line - 1].lstrip().startswith("exd:carol")
        text = case.findtext("failure") or ""
        assert text.splitlines()[0].endswith(f"in {Path('data/violations.trig')}:{line}")
    passing = [case for suite in root.iter("testsuite") for case in suite.iter("testcase")
               if case.find("failure") is None]
    assert passing and all(case.get("file") in (None, str(Path("data/conforming.ttl")))
                           for case in passing)
