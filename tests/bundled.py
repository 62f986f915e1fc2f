"""Shared helpers for tests that read the bundled graph and the source texts."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import rdflib

from ctgraph.graph.bundle import ONTOLOGY_DIR, bundled_data_files

SEEDS = Path(os.environ.get("CTGRAPH_SEEDS_DIR")
             or Path(__file__).resolve().parents[1].parent / "shared" / "seeds")
"""The source texts live beside the project root, not in it (../shared/seeds), or where
CTGRAPH_SEEDS_DIR says."""

BASE = "https://w3id.org/ctgraph/"
CTG = rdflib.Namespace(BASE + "ontology#")
SCHEMA = rdflib.Namespace("https://schema.org/")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")


@functools.cache
def bundled_dataset() -> rdflib.Dataset:
    """The bundled data files (not the ontology) as an rdflib Dataset, graphs kept."""
    ds = rdflib.Dataset()
    for path in bundled_data_files():
        if ONTOLOGY_DIR in path.parents:
            continue
        ds.parse(path, format="trig")
    return ds


def graph(name: str) -> rdflib.Graph:
    """One named graph of the bundled data, e.g. graph("source-000")."""
    return bundled_dataset().graph(rdflib.URIRef(f"{BASE}graph/{name}"))


def union() -> rdflib.Graph:
    """Every triple of the bundled data in one graph (set semantics)."""
    g = rdflib.Graph()
    for s, p, o, _ in bundled_dataset().quads((None, None, None, None)):
        g.add((s, p, o))
    return g
