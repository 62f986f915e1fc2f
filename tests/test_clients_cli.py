"""Errors a person understands: out-of-range ports in one line with exit status 2, and
syntax errors that point at the offending token with an expectation one can act on, from the
command line and over HTTP on every back-end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.helpers import run_ctgraph


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("ctgraph")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CTGRAPH_")}
    return subprocess.run([str(script), "serve", *args], env={**clean, **(env or {})},
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(("args", "env", "named"), [
    (["--port", "80000"], None, "--port 80000"),
    (["--port", "-1"], None, "--port -1"),
    ([], {"CTGRAPH_PORT": "80000"}, "CTGRAPH_PORT 80000"),
])
def test_out_of_range_port_is_one_line_and_exit_2(args, env, named):
    done = _serve(*args, env=env)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"ctgraph serve: {named} is not a port: use 0 to 65535 (0 picks a free one)"]


CASES = [
    ("SELECT ?x WHERE { ?x ?y }", 1, 25, "}", "expected an object after ?x ?y"),
    ("SELEC * WHERE {}", 1, 1, "SELEC",
     "expected a query form: SELECT, CONSTRUCT, DESCRIBE or ASK (after any PREFIX and BASE "
     "lines); did you mean SELECT?"),
    ("SELECT * WHERE {\n  ?s ?p ?o ?x\n}", 2, 12, "?x",
     "expected '.' or '}' after the triple ?s ?p ?o, not a fourth term"),
    ("SELECT ?x WHERE { ?x a nowhere:Thing }", 1, 24, "nowhere:Thing",
     "the prefix 'nowhere:' is not declared; add PREFIX nowhere: <…> at the top of the query"),
    ('SELECT * WHERE { ?s schema:name "x"@en ; schema:url }', 1, 53, "}",
     "expected an object after ?s schema:url"),
]


@pytest.mark.parametrize(("query", "line", "column", "near", "expected"), CASES)
def test_syntax_errors_on_the_command_line(query, line, column, near, expected):
    done = run_ctgraph("query", query)
    assert done.returncode == 2
    first, shown, caret = done.stderr.splitlines()[:3]
    assert first.startswith(f"ctgraph query: query:{line}:{column}: syntax error: {expected}")
    assert caret.index("^") - 2 == column - 1 and shown[2:][column - 1:].startswith(near)


@pytest.mark.parametrize(("query", "line", "column", "near", "expected"), CASES)
def test_syntax_errors_over_http(server, query, line, column, near, expected):
    r = httpx.get(server.sparql, params={"query": query})
    assert r.status_code == 400
    assert f"Malformed query at line {line}, column {column} near {near!r}: {expected}" in r.text


def test_other_errors_keep_the_engine_report(server):
    """Beyond the common mistakes the engine's position and expectation still come through."""
    r = httpx.get(server.sparql, params={"query": "SELECT ?s WHERE {\n  ?s ?p ?o .\n"
                                                  "  FILTER(?s = ) }"})
    assert r.status_code == 400 and "Malformed query at line 3" in r.text
