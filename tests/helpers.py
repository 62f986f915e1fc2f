"""Reusable test helpers: validating Turtle snippets against the bundled shapes, running the
`ctgraph` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import rdflib

from ctgraph.validation.report import Result
from ctgraph.validation.shacl import validate_graph

ResultLike = Result


def validate_turtle(ttl: str) -> list[Result]:
    """Validate a Turtle snippet (with the bundled ontology mixed in, as `ctgraph validate`
    does) against the bundled shapes; the typed results, most severe first."""
    data = rdflib.Graph().parse(data=ttl, format="turtle")
    return validate_graph(data).results


def run_ctgraph(*args: str, cwd: Path | None = None, timeout: float = 120
                ) -> subprocess.CompletedProcess[str]:
    """Run the installed ``ctgraph`` command (the console script beside this interpreter,
    else ``python -m ctgraph.cli``) as a real subprocess; output captured as text."""
    script = Path(sys.executable).with_name("ctgraph")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "ctgraph.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTGRAPH_")}
    return subprocess.run([*command, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
