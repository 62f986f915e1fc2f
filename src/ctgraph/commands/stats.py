"""`ctgraph stats`: the graph's size, classes and sources as text or JSON on stdout."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ctgraph.graph.rdf_reading import RdfSyntaxError, read_files
from ctgraph.graph.store import load_paths
from ctgraph.views.stats import Stats, compact, compute_stats


def write_text(stats: Stats) -> str:
    lines = [stats.size.sentence(), "", f"Entities per class ({len(stats.classes)} classes)"]
    width = max((len(f"{c.count:,}") for c in stats.classes + stats.graphs), default=1)
    for c in stats.classes:
        shown = f"  {c.label}" if c.label else ""
        lines.append(f"  {c.count:>{width},}  {compact(c.iri or '')}{shown}")
    lines += ["", "Triples per named graph"]
    for g in stats.graphs:
        shown = f"  {g.label}" if g.label else ""
        lines.append(f"  {g.count:>{width},}  {g.iri}{shown}")
    return "\n".join(lines) + "\n"


def write_json(stats: Stats) -> str:
    size = stats.size
    document = {
        "summary": size.sentence(),
        "triples": size.default_graph,
        "data": size.data,
        "ontology": size.ontology,
        "shapes": size.shapes,
        "shapes_in_default_graph": size.shapes_in_default_graph,
        "classes": [{"class": c.iri, "label": c.label, "entities": c.count}
                    for c in stats.classes],
        "graphs": [{"graph": g.iri, "label": g.label, "triples": g.count} for g in stats.graphs],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _explain(paths: list[Path], error: Exception) -> str:
    """The clearest one-line message for a load failure: the safe reader's diagnosis (it names
    refused JSON-LD contexts and XML entities, with positions) when it has one."""
    try:
        read_files(paths)
    except RdfSyntaxError as e:
        return str(e)
    return str(error).replace("\n", " ")


def run_stats(paths: list[Path], *, fmt: str) -> int:
    """``ctgraph stats``: 0 with the statistics on stdout, 2 with one line on stderr when the
    files cannot be read."""
    for path in paths:
        if not path.exists():
            print(f"{path}: no such file or folder", file=sys.stderr)
            return 2
    try:
        store = load_paths(paths, shapes=not paths)  # as `ctgraph serve` loads them
    except (ValueError, OSError) as e:  # RdfSyntaxError is a ValueError naming file:line:col
        print(_explain(paths, e), file=sys.stderr)
        return 2
    stats = compute_stats(store)
    sys.stdout.write(write_json(stats) if fmt == "json" else write_text(stats))
    return 0
