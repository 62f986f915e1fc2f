"""Turn query answers and triples into bytes of a negotiated format (`sparql.media_types`).

pyoxigraph writes every format natively except compact JSON-LD: for that the triples go through
rdflib, compacted with the project's published @context (the one served at /context.jsonld),
so keys read ``schema:name`` rather than full IRIs.

`write_results` and `write_triples` write to a binary file-like object instead of returning
bytes: pyoxigraph calls its ``write()`` every few kilobytes as solutions or triples come out
of the engine, so an answer can be streamed (and stopped: an exception raised by ``write()``
ends the evaluation) without ever being whole in memory. Compact JSON-LD is the exception:
rdflib needs the whole graph, so it is written in one piece.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

import pyoxigraph as ox

from ctgraph.graph.namespaces import PREFIXES
from ctgraph.sparql.media_types import Format

RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
_WITH_PREFIXES = {"turtle", "trig", "rdfxml"}


def jsonld_context() -> dict[str, Any]:
    """The project's JSON-LD context document: one term per published prefix."""
    return {"@context": dict(sorted(PREFIXES.items()))}


def serialize_results(result: ox.QuerySolutions | ox.QueryBoolean, fmt: Format) -> bytes:
    """SELECT solutions or an ASK boolean in a SPARQL results format."""
    return result.serialize(format=RESULTS_FORMATS[fmt.key])


def write_results(result: ox.QuerySolutions | ox.QueryBoolean, fmt: Format,
                  output: IO[bytes]) -> None:
    """`serialize_results` written to `output` as the solutions are produced (streaming)."""
    result.serialize(output, format=RESULTS_FORMATS[fmt.key])


def serialize_triples(triples: Iterable[ox.Triple | ox.Quad], fmt: Format) -> bytes:
    """Triples (CONSTRUCT, DESCRIBE, any RDF document) in an RDF format; the dataset formats
    write them to the default graph."""
    if fmt.key == "jsonld":
        return _compact_jsonld(triples)
    quads, kwargs = _rdf_arguments(triples, fmt)
    return ox.serialize(quads, **kwargs) or b""


def write_triples(triples: Iterable[ox.Triple | ox.Quad], fmt: Format,
                  output: IO[bytes]) -> None:
    """`serialize_triples` written to `output` as the triples are produced (streaming, but
    for compact JSON-LD, which rdflib builds whole)."""
    if fmt.key == "jsonld":
        output.write(_compact_jsonld(triples))
        return
    quads, kwargs = _rdf_arguments(triples, fmt)
    ox.serialize(quads, output, **kwargs)


def _rdf_arguments(
    triples: Iterable[ox.Triple | ox.Quad], fmt: Format
) -> tuple[Iterable[ox.Quad | ox.Triple], dict[str, Any]]:
    rdf_format = RDF_FORMATS[fmt.key]
    if rdf_format.supports_datasets:
        quads: Iterable[ox.Quad | ox.Triple] = (
            t if isinstance(t, ox.Quad) else ox.Quad(t.subject, t.predicate, t.object)
            for t in triples
        )
    else:
        quads = triples
    kwargs: dict[str, Any] = {"format": rdf_format}
    if fmt.key in _WITH_PREFIXES:
        kwargs["prefixes"] = PREFIXES
    return quads, kwargs


def _compact_jsonld(triples: Iterable[ox.Triple | ox.Quad]) -> bytes:
    import rdflib

    graph = rdflib.Graph()
    nt = ox.serialize(
        (ox.Triple(t.subject, t.predicate, t.object) for t in triples),
        format=ox.RdfFormat.N_TRIPLES,
    )
    if nt:
        graph.parse(data=nt.decode("utf-8"), format="nt")
    context = jsonld_context()["@context"]
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    document = json.loads(text)
    if isinstance(document, list):  # empty graph: rdflib writes a bare array
        document = {"@context": context, "@graph": document}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
