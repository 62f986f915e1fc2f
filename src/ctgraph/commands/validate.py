"""`ctgraph validate`: validate files, write the report, and decide the exit code."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from ctgraph.graph.rdf_reading import RdfSyntaxError
from ctgraph.validation.report import SEVERITIES, ValidationInputError
from ctgraph.validation.shacl import validate_files
from ctgraph.validation.writers import write_report


def run_validate(paths: list[Path], shapes: list[Path], *, fmt: str, fail_on: str,
                 output: Path | None, bundled: bool = False) -> int:
    """``ctgraph validate``: 0 conforms, 1 results at or above `fail_on`, 2 unusable input
    (one line on stderr, ``path:line:column: problem``). Without paths it validates the
    current folder's RDF files (the bundled graph with `bundled`), so a CI run never passes
    by validating something else than the repository it runs in."""
    try:
        with warnings.catch_warnings():
            # rdflib warns about ill-typed literals ("weird boolean"); SHACL reports them
            warnings.simplefilter("ignore")
            report = validate_files(paths, shapes, bundled=bundled)
    except (RdfSyntaxError, ValidationInputError) as e:
        print(str(e).replace("\n", " "), file=sys.stderr)
        return 2
    text = write_report(report, fmt, fail_on=fail_on)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as e:
            print(f"{output}: cannot write the report: {e.strerror or e}", file=sys.stderr)
            return 2
        counts = report.counts()
        print(f"{output}: " + ", ".join(f"{counts[s]} {s.lower()}(s)" for s in SEVERITIES),
              file=sys.stderr)
    return 0 if report.conforms(fail_on) else 1
