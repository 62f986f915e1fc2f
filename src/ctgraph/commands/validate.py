"""`ctgraph validate`: validate files, write the report, and decide the exit code."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import warnings
from pathlib import Path

import pyoxigraph as ox

from ctgraph.commands.query import UsageError, open_store_option
from ctgraph.graph.bundle import bundled_shape_files
from ctgraph.graph.namespaces import GRAPH_SHAPES
from ctgraph.graph.rdf_reading import RdfSyntaxError
from ctgraph.graph.remote_store import redacted
from ctgraph.graph.store import StoreUnavailable
from ctgraph.validation.report import SEVERITIES, Report, ValidationInputError
from ctgraph.validation.shacl import validate_files
from ctgraph.validation.stored_datatypes import expected_integer_types, restore_integer_types
from ctgraph.validation.writers import write_report


def run_validate(paths: list[Path], shapes: list[Path], *, fmt: str, fail_on: str,
                 output: Path | None, bundled: bool = False, store: str | None = None,
                 store_auth: str | None = None) -> int:
    """``ctgraph validate``: 0 conforms, 1 results at or above `fail_on`, 2 unusable input
    (one line on stderr, ``path:line:column: problem``). Without paths it validates the
    current folder's RDF files (the bundled graph with `bundled`), so a CI run never passes
    by validating something else than the repository it runs in. With `store` (an on-disk
    folder or a remote endpoint, `store_auth` its credentials) it validates what the store
    serves: its default graph (the data and the ontology), against `shapes`, the bundled
    shapes (`bundled`) or else the store's own shapes graph (derived integer datatypes the
    store keeps as xsd:integer: `ctgraph.validation.stored_datatypes`)."""
    try:
        with warnings.catch_warnings(), tempfile.TemporaryDirectory() as scratch:
            # rdflib warns about ill-typed literals ("weird boolean"); SHACL reports them
            warnings.simplefilter("ignore")
            if store:
                if paths:
                    raise ValidationInputError("PATHS and --store name two graphs: give one")
                paths, shapes = _from_store(store, store_auth, shapes, bundled, Path(scratch))
            report = validate_files(paths, shapes, bundled=bundled)
            if store:
                _located_in(report, redacted(store))
    except (RdfSyntaxError, ValidationInputError, UsageError) as e:
        print(str(e).replace("\n", " "), file=sys.stderr)
        return 2
    except FileNotFoundError as e:
        print(f"{e.filename}: no such store folder", file=sys.stderr)
        return 2
    except StoreUnavailable as e:
        print(f"{redacted(store or '')}: {e}", file=sys.stderr)
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


def _from_store(store: str, auth: str | None, shapes: list[Path], bundled: bool,
                scratch: Path) -> tuple[list[Path], list[Path]]:
    """The store's default graph (and, without `shapes` or `bundled`, its shapes graph) as
    N-Triples files in `scratch`, for `validate_files`."""
    graph = open_store_option(store, auth)
    if not shapes and not bundled:
        own = scratch / "shapes.nt"
        triples = graph.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_SHAPES}> "
                              "{ ?s ?p ?o } }")
        own.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
        if own.stat().st_size == 0:
            raise ValidationInputError(f"{redacted(store)}: the store has no shapes graph "
                                       f"<{GRAPH_SHAPES}>; give --shapes or --bundled")
        shapes = [own]
    expected = expected_integer_types(shapes or bundled_shape_files())
    data = scratch / "data.nt"
    triples = graph.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    data.write_bytes(ox.serialize(restore_integer_types(triples, expected),
                                  format=ox.RdfFormat.N_TRIPLES) or b"")
    return [data], shapes


def _located_in(report: Report, store: str) -> None:
    """Results found in the store's dump: located in the store (lines of a scratch file
    mean nothing to the reader)."""
    report.files = []
    report.results = [dataclasses.replace(r, files=(store,), line=None) for r in report.results]
