"""The queries the client tests send and their right answers, computed in this process.

The reference is the bundled graph loaded as `ctgraph serve` loads it (`load_bundled` with
the shapes), queried with pyoxigraph directly: no HTTP, no content negotiation, so a client
that parses a server's answer must find exactly this.
"""

from __future__ import annotations

import functools

import pyoxigraph as ox
import rdflib

from ctgraph.graph.store import EmbeddedStore, load_bundled

PREFIX = "PREFIX schema: <https://schema.org/>\n"
SELECT = PREFIX + "SELECT ?event WHERE { ?event a schema:Event } ORDER BY ?event LIMIT 5"
ASK = PREFIX + "ASK { ?event a schema:Event }"
CONSTRUCT = PREFIX + (
    "CONSTRUCT { ?event a schema:Event ; schema:name ?name } "
    "WHERE { ?event a schema:Event ; schema:name ?name FILTER(LANG(?name) = 'en') }"
)
DESCRIBE = "DESCRIBE <https://w3id.org/ctgraph/country/kazakhstan>"


@functools.cache
def reference_store() -> EmbeddedStore:
    return load_bundled(shapes=True)


def expected_select() -> list[str]:
    return [row["event"].value for row in reference_store().query(SELECT)]


def expected_graph(query: str) -> rdflib.Graph:
    """The CONSTRUCT/DESCRIBE answer as an rdflib graph (for `rdflib.compare.isomorphic`)."""
    triples = list(reference_store().query(query))
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return rdflib.Graph().parse(data=data, format="nt")
