"""`ctgraph stats`: the graph's size, classes and sources as text or JSON on stdout."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ctgraph.graph.rdf_reading import RdfSyntaxError, read_files
from ctgraph.graph.store import load_paths
from ctgraph.views.stats import Stats, compact, compute_stats


def write_text(stats: Stats) -> str:
    graphs = sum(1 for g in stats.graphs if g.iri)
    lines = [
        f"{stats.triples:,} triples ({stats.quads:,} quads in {graphs} named graphs"
        + (" and the default graph" if any(g.iri is None for g in stats.graphs) else "") + ")",
        "",
        f"Entities per class ({len(stats.classes)} classes)",
    ]
    width = max((len(f"{c.count:,}") for c in stats.classes + stats.graphs), default=1)
    for c in stats.classes:
        shown = f"  {c.label}" if c.label else ""
        lines.append(f"  {c.count:>{width},}  {compact(c.iri or '')}{shown}")
    lines += ["", "Facts per source (triples per graph)"]
    for g in stats.graphs:
        name = g.iri or "(default graph)"
        shown = f"  {g.label}" if g.label and g.iri else ""
        lines.append(f"  {g.count:>{width},}  {name}{shown}")
    return "\n".join(lines) + "\n"


def write_json(stats: Stats) -> str:
    document = {
        "triples": stats.triples,
        "quads": stats.quads,
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
        store = load_paths(paths, union_default_graph=False)
    except (ValueError, OSError) as e:  # RdfSyntaxError is a ValueError naming file:line:col
        print(_explain(paths, e), file=sys.stderr)
        return 2
    stats = compute_stats(store)
    sys.stdout.write(write_json(stats) if fmt == "json" else write_text(stats))
    return 0
