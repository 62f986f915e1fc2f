"""`ctgraph validate --store`: what a store serves, validated as the files it was loaded from
are (an on-disk store, Virtuoso), including the derived integer datatypes a store gives back as
xsd:integer; refusals are one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_ctgraph


def _summary(stdout: str) -> str:
    """The report's last line: verdict and counts."""
    return stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def bundled_summary() -> str:
    run = run_ctgraph("validate", "--bundled")
    assert run.returncode == 0, run.stderr
    return _summary(run.stdout)


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store") / "ctgraph"
    run = run_ctgraph("load", "--store", str(folder), timeout=300)
    assert run.returncode == 0, run.stderr
    return folder


@pytest.mark.parametrize("shapes", [["--bundled"], []], ids=["bundled shapes", "store's shapes"])
def test_an_on_disk_store_validates_as_its_files(disk_store: Path, bundled_summary: str,
                                                 shapes: list[str]) -> None:
    run = run_ctgraph("validate", "--store", str(disk_store), *shapes)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert _summary(run.stdout) == bundled_summary
    assert "0 violations" in bundled_summary and "6206 triples" in bundled_summary


def test_virtuoso_validates_as_the_files(virtuoso, bundled_summary: str) -> None:
    run = run_ctgraph("validate", "--store", virtuoso.sparql, "--bundled", timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert _summary(run.stdout) == bundled_summary


def test_a_violation_in_a_store_is_reported_in_the_store(tmp_path: Path) -> None:
    """An offset below 0: a store keeps it as xsd:integer, and it is still a violation."""
    data = tmp_path / "bad.ttl"
    data.write_text(
        "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/ctgraph/citation/x> a <https://w3id.org/ctgraph/ontology#Citation> ;"
        " oa:hasTarget [\n"
        "  oa:hasSelector [ a oa:TextPositionSelector ;\n"
        '    oa:start "-3"^^xsd:nonNegativeInteger ; oa:end "12"^^xsd:nonNegativeInteger ] ] .\n',
        encoding="utf-8")
    store = tmp_path / "store"
    run = run_ctgraph("load", str(data), "--store", str(store))
    assert run.returncode == 0, run.stderr
    run = run_ctgraph("validate", "--store", str(store), "--bundled", "--format", "json")
    assert run.returncode == 1, run.stderr
    assert '"-3"' in run.stdout or "-3" in run.stdout
    assert str(store) in run.stdout  # located in the store, not in a scratch file
    assert "DatatypeConstraintComponent" in run.stdout
    # the in-range end offset came back as xsd:integer and was read as the shape's datatype
    assert run.stdout.count("DatatypeConstraintComponent") == 1


def test_stores_that_cannot_be_read_are_one_line_and_exit_2(tmp_path: Path) -> None:
    for store, expected in ((str(tmp_path / "missing"), "no such store folder"),
                            ("http://127.0.0.1:9/sparql", "unreachable")):
        run = run_ctgraph("validate", "--store", store, "--bundled")
        assert run.returncode == 2
        assert expected in run.stderr and len(run.stderr.strip().splitlines()) == 1
        assert "Traceback" not in run.stderr
    run = run_ctgraph("validate", str(tmp_path), "--store", str(tmp_path), "--bundled")
    assert run.returncode == 2 and "give one" in run.stderr
