"""`ctgraph query` as a user runs it: a real subprocess, its stdout, stderr and exit status."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from ctgraph.catalog.named_queries import bundled_catalog

B = "https://w3id.org/ctgraph/"


def ctgraph(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTGRAPH_")}
    return subprocess.run([sys.executable, "-m", "ctgraph.cli", "query", *args],
                          capture_output=True, text=True, timeout=120, env=env)


def test_list_names_every_query_with_its_parameters() -> None:
    run = ctgraph("--list")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert [line.split()[0] for line in lines] == sorted(bundled_catalog())
    assert any(line.startswith("events-by-city") and "[city=iri]" in line for line in lines)
    assert any("[from=date? to=date?]" in line for line in lines)
    as_json = json.loads(ctgraph("--list", "--format", "json").stdout)
    assert {q["name"] for q in as_json} == set(bundled_catalog())


def test_named_query_with_parameter_as_table_and_csv() -> None:
    run = ctgraph("events-by-city", "--param", "city=almaty")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["event", "name", "start", "end", "phase", "phaseName"]
    assert lines[2].startswith("event:expert-meeting-3 ")
    assert lines[-1] == "(3 rows)"
    run = ctgraph("events-by-city", "-p", "city=almaty", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [r["event"] for r in table] == [
        B + "event/expert-meeting-3", B + "event/phase-2-regional-workshop-1",
        B + "event/phase-2-regional-workshop-4"]


def test_json_is_sparql_results_and_turtle_is_rdf() -> None:
    run = ctgraph("funders-and-implementers", "-p", "phase=3", "--format", "json")
    data = json.loads(run.stdout)
    assert [b["organisation"]["value"] for b in data["results"]["bindings"]] == [
        B + "org/uncct", B + "org/unrcca"]
    run = ctgraph("events-as-schema-org", "-p", "phase=2", "--format", "turtle")
    assert run.returncode == 0, run.stderr
    g = rdflib.Graph().parse(data=run.stdout, format="turtle")
    assert len(set(g.subjects(rdflib.RDF.type, rdflib.URIRef("https://schema.org/Event")))) == 6
    run = ctgraph("events-as-schema-org", "-p", "phase=2", "--format", "json")
    assert len(rdflib.Graph().parse(data=run.stdout, format="json-ld")) == len(g)


def test_adhoc_text_and_rq_file(tmp_path: Path) -> None:
    run = ctgraph("SELECT (COUNT(*) AS ?n) WHERE { ?c a ctg:City }", "--format", "tsv")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["?n", "5"]  # five cities
    query = tmp_path / "cities.rq"
    query.write_text("PREFIX schema: <https://schema.org/>\nSELECT ?name WHERE {\n"
                     "  ?c a schema:City ; schema:name ?name FILTER(LANG(?name) = 'en')\n"
                     "} ORDER BY ?name\n", encoding="utf-8")
    run = ctgraph(str(query), "--format", "csv")
    assert run.stdout.split() == ["name", "Almaty", "Ashgabat", "Bishkek", "Bratislava",
                                  "Dushanbe"]
    # a .rq file with a header takes typed parameters, like a bundled one
    named = tmp_path / "by-city.rq"
    named.write_text((bundled_catalog()["events-by-city"].path).read_text(encoding="utf-8"))
    run = ctgraph(str(named), "-p", "city=bishkek", "--format", "csv")
    assert run.returncode == 0, run.stderr
    assert B + "event/phase-2-regional-workshop-2" in run.stdout


def test_data_option_queries_other_files(tmp_path: Path) -> None:
    data = tmp_path / "tiny.ttl"
    data.write_text("<https://w3id.org/ctgraph/city/x> a <https://schema.org/City> .\n")
    run = ctgraph("SELECT ?c WHERE { ?c a schema:City }", "--data", str(data), "--format", "csv")
    assert run.stdout.split() == ["c", B + "city/x"]


@pytest.mark.parametrize(("args", "message"), [
    (["events-by-cty"], "No named query 'events-by-cty'; did you mean events-by-city"),
    (["events-by-city"], "needs parameter 'city' (iri, e.g. almaty)"),
    (["events-by-phase", "-p", "phase=first"], "Parameter 'phase' (integer): 'first' is not "
     "an integer"),
    (["events-by-date-range", "-p", "from=2011-13-01"], "'2011-13-01' is not a date that exists"),
    (["events-by-city", "-p", "city=al>maty"], "Parameter 'city' (iri)"),
    (["events-by-city", "-p", "town=almaty"], "has no parameter 'town'"),
    (["events-by-city", "-p", "city"], "--param 'city': write it as KEY=VALUE"),
    (["events-by-city", "-p", "city=a", "-p", "city=b"], "'city' is given twice"),
    (["timeline", "--format", "turtle"], "does not fit; use table, json, csv or tsv"),
    (["events-as-schema-org", "--format", "csv"], "use turtle or json"),
    (["SELECT * WHERE { ?s ?p ?o }", "-p", "x=1"], "--param applies to named queries"),
    (["DROP ALL"], "updates are not allowed"),
    (["nothing-here.rq"], "nothing-here.rq: no such query file"),
    ([], "Give SPARQL text, a .rq file or a named query"),
])
def test_user_errors_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    run = ctgraph(*args)
    assert run.returncode == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""


def test_syntax_error_names_line_and_column() -> None:
    run = ctgraph("SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?s = ) }")
    assert run.returncode == 2
    first = run.stderr.splitlines()[0]
    assert first.startswith("ctgraph query: query:3:3: syntax error:")
    assert run.stderr.splitlines()[1].strip() == "FILTER(?s = ) }"


def test_unreadable_data_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a:b> <a:c> .\n")
    run = ctgraph("ASK { ?s ?p ?o }", "--data", str(bad))
    assert run.returncode == 2
    assert f"{bad}:1:" in run.stderr
    odd = tmp_path / "notes.docx"
    odd.write_text("x")
    run = ctgraph("ASK { ?s ?p ?o }", "--data", str(odd))
    assert run.returncode == 2 and "notes.docx:1:1:" in run.stderr and "Traceback" not in run.stderr
    run = ctgraph("ASK { ?s ?p ?o }", "--data", str(tmp_path / "missing.ttl"))
    assert run.returncode == 2 and "missing.ttl: no such file or folder" in run.stderr
