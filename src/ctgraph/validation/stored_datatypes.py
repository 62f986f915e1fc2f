"""Derived integer datatypes that a store gives back as ``xsd:integer``.

Oxigraph keeps ``"83"^^xsd:nonNegativeInteger`` as ``"83"^^xsd:integer`` (the same value, in
its integer encoding), so the data a store serves no longer says what the loaded file said,
and a shape's ``sh:datatype xsd:nonNegativeInteger`` would fail on every such value. When
``ctgraph validate --store`` reads a store, an ``xsd:integer`` value of a property whose shape
asks for one derived integer datatype, and which lies in that datatype's range, is read as that
datatype again. A value out of range stays ``xsd:integer`` and is still reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from ctgraph.graph.rdf_reading import sniff_format
from ctgraph.validation.compiled import INTEGER_RANGES

_SH = "http://www.w3.org/ns/shacl#"
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def expected_integer_types(shape_files: Iterable[Path]) -> dict[str, str]:
    """Predicate IRI → the one derived integer datatype the shapes ask its values to have
    (``sh:path P ; sh:datatype D``, P an IRI or a sequence path's last step; predicates
    asked for two datatypes are left out)."""
    store = ox.Store()
    for path in shape_files:
        content = path.read_bytes()
        store.load(content, format=sniff_format(path, content[:1024]),
                   base_iri=path.resolve().as_uri())
    found: dict[str, set[str]] = {}
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    rows = store.query(  # the predicate of a path, or of a sequence path's last step
        f"SELECT DISTINCT ?p ?d WHERE {{ ?shape <{_SH}path> ?path ; <{_SH}datatype> ?d . "
        f"{{ BIND(?path AS ?p) }} UNION {{ ?path <{rdf}rest>* ?cell . "
        f"?cell <{rdf}rest> <{rdf}nil> ; <{rdf}first> ?p }} FILTER(isIRI(?p)) }}",
        use_default_graph_as_union=True)  # every graph of TriG shapes too
    for row in rows:
        found.setdefault(row["p"].value, set()).add(row["d"].value)
    return {p: next(iter(ds)) for p, ds in found.items()
            if len(ds) == 1 and next(iter(ds)) in INTEGER_RANGES}


def restore_integer_types(triples: Iterable[ox.Triple],
                          expected: dict[str, str]) -> Iterator[ox.Triple]:
    """`triples` with each in-range ``xsd:integer`` value of a predicate in `expected` typed
    as the datatype its shape expects."""
    for triple in triples:
        datatype = expected.get(triple.predicate.value)
        value = triple.object
        if datatype is not None and isinstance(value, ox.Literal) and value.datatype == _INTEGER:
            low, high = INTEGER_RANGES[datatype]
            number = int(value.value)
            if (low is None or number >= low) and (high is None or number <= high):
                triple = ox.Triple(triple.subject, triple.predicate,
                                   ox.Literal(value.value, datatype=ox.NamedNode(datatype)))
        yield triple
