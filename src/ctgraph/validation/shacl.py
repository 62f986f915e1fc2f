"""SHACL validation of RDF files: run pyshacl and turn its report into typed results
(`ctgraph.validation.report`).

How pyshacl is run, and why:

* The data of every file and named graph is merged into one graph (set semantics): the shapes
  describe the union, as the SPARQL endpoint's default graph is (pyshacl would otherwise
  validate each named graph on its own, and a citation in one graph could not see the fact it
  cites in another).
* With the bundled shapes, the bundled ontology is mixed in as ``ont_graph`` so that
  ``sh:targetClass ctg:Event`` reaches every subclass through ``rdfs:subClassOf``. Other shapes
  get only the data given (pass the ontology among the paths if the shapes need it).
* ``inference="none"``: the data states its schema.org types explicitly (the model's "plain
  schema.org view, without inference") and the shapes check exactly those statements; RDFS
  inference would add the types and hide the missing ones.
* ``advanced=True`` for the SPARQL-based constraints; ``allow_warnings`` so that Warnings and
  Infos never make pyshacl's ``conforms`` false (``--fail-on`` decides instead); no owl:imports
  are followed.
* pyshacl re-parses a SPARQL constraint's text for every focus node; the data graph here
  parses each text once (`_PreparedQueryGraph`), which makes validating the bundled graph
  about eight times faster with identical results.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyshacl
import rdflib
from rdflib import RDF, RDFS
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import BNode, Literal, Node, URIRef

from ctgraph.graph.bundle import ONTOLOGY_DIR, bundled_data_files, bundled_shape_files, rdf_files
from ctgraph.graph.namespaces import PREFIXES
from ctgraph.graph.rdf_reading import read_files
from ctgraph.validation.report import (
    OWL,
    SH,
    Report,
    Result,
    ValidationInputError,
    display_path,
    label,
    path_text,
    term_text,
)


class _PreparedQueryGraph(rdflib.Graph):
    """An rdflib graph that parses each SPARQL text once; pyshacl sends the same constraint
    text for every focus node with different bindings."""

    def __init__(self, prefixes: dict[str, str]):
        super().__init__()
        self._prefixes = prefixes
        self._prepared: dict[str, Any] = {}

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, str):
            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = prepareQuery(query_object, initNs=self._prefixes)
                self._prepared[query_object] = prepared
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


def _named_owner(shapes: rdflib.Graph, node: Node) -> Node:
    """The nearest IRI-named shape that contains `node` (through sh:property, sh:node, lists)."""
    seen: set[Node] = set()
    frontier = [node]
    while frontier:
        current = frontier.pop(0)
        if isinstance(current, URIRef):
            return current
        if current in seen:
            continue
        seen.add(current)
        frontier.extend(shapes.subjects(None, current))  # type: ignore[arg-type]
    return node


def _shape_label(shapes: rdflib.Graph, shape: Node, prefixes: dict[str, str]) -> str:
    found = label(shapes, shape) or shapes.value(shape, SH.name)  # type: ignore[arg-type]
    return str(found) if found is not None else term_text(shape, prefixes)


def _message(report: rdflib.Graph, node: Node, constraint: str) -> str:
    messages = [m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)]  # type: ignore[arg-type]
    english = [m for m in messages if m.language in (None, "en")] or messages
    return str(sorted(english)[0]) if english else f"Fails {constraint}"


def _targets(shapes: rdflib.Graph, data: rdflib.Graph) -> dict[Node, set[Node]]:
    """Focus nodes of each named shape from its declared targets, for listing passes too."""
    found: dict[Node, set[Node]] = defaultdict(set)

    def instances(cls: Node) -> set[Node]:
        classes = set(data.transitive_subjects(RDFS.subClassOf, cls))  # type: ignore[arg-type]
        return {s for c in classes for s in data.subjects(RDF.type, c)}

    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    ):
        if not isinstance(shape, URIRef):
            continue
        nodes = found[shape]
        nodes.update(shapes.objects(shape, SH.targetNode))
        for cls in shapes.objects(shape, SH.targetClass):
            nodes.update(instances(cls))
        if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
            nodes.update(instances(shape))
        for prop in shapes.objects(shape, SH.targetSubjectsOf):
            nodes.update(data.subjects(prop, None))  # type: ignore[arg-type]
        for prop in shapes.objects(shape, SH.targetObjectsOf):
            nodes.update(data.objects(None, prop))  # type: ignore[arg-type]
    return found


def _node_id(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _declared_prefixes(shapes: rdflib.Graph) -> dict[str, str]:
    declared = {}
    for decl in shapes.objects(None, SH.declare):
        prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)  # type: ignore[arg-type]
        if prefix is not None and namespace is not None:
            declared[str(prefix)] = str(namespace)
    return declared


def bundled_shapes() -> tuple[rdflib.Graph, rdflib.Graph]:
    """The bundled shapes and ontology graphs, read once per process while the files are
    unchanged (validation reads them, it never changes them)."""
    files = tuple(bundled_shape_files()), tuple(rdf_files(ONTOLOGY_DIR))
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files[0] + files[1])
    return _read_bundled(stamp, files)


@functools.lru_cache(maxsize=1)
def _read_bundled(stamp: object, files: tuple[tuple[Path, ...], tuple[Path, ...]]
                  ) -> tuple[rdflib.Graph, rdflib.Graph]:
    return read_files(files[0]).union(), read_files(files[1]).union()


@contextlib.contextmanager
def _quiet_pyshacl() -> Iterator[None]:
    """pyshacl logs the errors it then raises to stderr, and prints some to stdout; the report
    and the one-line error are the only output a user should see."""
    logger = logging.getLogger("pyshacl-validate")
    disabled, logger.disabled = logger.disabled, True
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        logger.disabled = disabled


def validate_graph(
    data: rdflib.Graph,
    shapes: rdflib.Graph | None = None,
    ontology: rdflib.Graph | None = None,
    *,
    subject_files: dict[Node, list[Path]] | None = None,
) -> Report:
    """Validate `data` against `shapes` (default: the bundled shapes, with the bundled
    ontology mixed in unless `ontology` is given)."""
    if shapes is None:
        shapes, bundled_ontology = bundled_shapes()
        ontology = bundled_ontology if ontology is None else ontology
    if not _has_shapes(shapes):
        raise ValidationInputError("no SHACL shapes to validate against")

    # Queries see the prefixes the data declared, then the project's, then the shapes' own
    # declarations (shapes whose SPARQL omits sh:prefixes rely on these).
    prefixes = {p: str(n) for p, n in data.namespaces()}
    prefixes.update(PREFIXES)
    prefixes.update(_declared_prefixes(shapes))
    prefixes.setdefault("ctgsh", "https://w3id.org/ctgraph/shapes#")
    work = _PreparedQueryGraph(prefixes)
    for prefix, namespace in prefixes.items():
        work.bind(prefix, namespace, override=True, replace=True)
    for triple in data:
        work.add(triple)
    try:
        with _quiet_pyshacl():
            _, report_graph, _ = pyshacl.validate(
                work, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True,
                allow_warnings=True, inplace=True, do_owl_imports=False,
            )
    except Exception as e:  # pyshacl reports unusable shapes with several exception types
        problem = str(getattr(e, "message", None) or e).strip().splitlines()[0]
        raise ValidationInputError(f"shapes cannot be used: {problem}") from None
    return _build_report(report_graph, shapes, work, prefixes, subject_files or {})


_SHAPE_PREDICATES = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                     SH.property, SH.path, SH.sparql}


def _has_shapes(shapes: rdflib.Graph) -> bool:
    if any(shapes.subjects(RDF.type, SH.NodeShape)) or any(
        shapes.subjects(RDF.type, SH.PropertyShape)
    ):
        return True
    return any(p in _SHAPE_PREDICATES for p in shapes.predicates())


def _build_report(report_graph: rdflib.Graph, shapes: rdflib.Graph, data: rdflib.Graph,
                  prefixes: dict[str, str], subject_files: dict[Node, list[Path]]) -> Report:
    results: list[Result] = []
    labels: dict[str, str] = {}
    for node in report_graph.objects(None, SH.result):
        focus = report_graph.value(node, SH.focusNode)  # type: ignore[arg-type]
        source = report_graph.value(node, SH.sourceShape)  # type: ignore[arg-type]
        constraint_node = report_graph.value(node, SH.sourceConstraint)  # type: ignore[arg-type]
        severity = report_graph.value(node, SH.resultSeverity)  # type: ignore[arg-type]
        component = report_graph.value(node, SH.sourceConstraintComponent)  # type: ignore[arg-type]
        path = report_graph.value(node, SH.resultPath)  # type: ignore[arg-type]
        value = report_graph.value(node, SH.value)  # type: ignore[arg-type]
        owner = _named_owner(shapes, source) if source is not None else None
        name = None
        for candidate in (constraint_node, source):
            if candidate is not None and name is None:
                name = shapes.value(candidate, SH.name)  # type: ignore[arg-type]
        constraint = term_text(component, {"sh": str(SH)}) if component is not None else ""
        focus_label = label(data, focus) if focus is not None else None
        if focus is not None and focus_label:
            labels[_node_id(focus)] = focus_label
        sev = str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"
        results.append(Result(
            severity=sev,
            focus_node=_node_id(focus) if focus is not None else "",
            message=_message(report_graph, node, constraint),
            source_shape=_node_id(owner) if owner is not None else "",
            shape_name=str(name) if name is not None else (
                _shape_label(shapes, owner, prefixes) if owner is not None else ""),
            constraint=constraint,
            path=path_text(report_graph, path, prefixes) if path is not None else None,
            value=value,
            focus_label=focus_label,
            value_label=label(data, value) if isinstance(value, URIRef | BNode) else None,
            path_label=label(data, path) if isinstance(path, URIRef) else None,
            files=tuple(display_path(p) for p in subject_files.get(focus, []))
            if focus is not None else (),
        ))
    results.sort(key=lambda r: (-r.rank, r.source_shape, r.focus_node, r.path or "",
                                r.message, term_text(r.value, prefixes)))
    targets = {
        _node_id(shape): sorted(_node_id(n) for n in nodes)
        for shape, nodes in _targets(shapes, data).items()
    }
    for nodes in targets.values():
        for focus_id in nodes:
            if focus_id not in labels:
                found = label(data, URIRef(focus_id)) if not focus_id.startswith("_:") else None
                if found:
                    labels[focus_id] = found
    shape_labels = {
        _node_id(shape): _shape_label(shapes, shape, prefixes)
        for shape in {URIRef(s) for s in targets} | {URIRef(r.source_shape) for r in results
                                                     if r.source_shape.startswith("http")}
    }
    # SHACL: a report conforms iff it has no results at all. pyshacl's allow_warnings says
    # true when only Warnings and Infos remain; --fail-on makes that call for the exit code.
    for report_node in report_graph.subjects(RDF.type, SH.ValidationReport):
        report_graph.set((report_node, SH.conforms, Literal(not results)))
    report_graph.namespace_manager.bind("ctgsh", "https://w3id.org/ctgraph/shapes#")
    for prefix, namespace in prefixes.items():
        report_graph.bind(prefix, namespace, override=False)
    return Report(results=results, graph=report_graph, shape_labels=shape_labels,
                  targets=targets, labels=labels, triples=len(data), prefixes=prefixes)


def validate_files(paths: Iterable[Path], shapes: Iterable[Path] = ()) -> Report:
    """Validate RDF files or folders (default: the bundled graph) against shapes files or
    folders (default: the bundled shapes). Raises `RdfSyntaxError` or
    `ValidationInputError` for unusable input."""
    paths, shapes = list(paths), list(shapes)
    document = read_files(paths or bundled_data_files())
    if shapes:
        shapes_graph, ontology = read_files(shapes).union(), None
    else:
        shapes_graph, ontology = bundled_shapes()
    if not _has_shapes(shapes_graph):
        where = ", ".join(str(p) for p in shapes) or "bundled shapes"
        raise ValidationInputError(f"{where}: no SHACL shapes to validate against")
    try:
        report = validate_graph(document.union(), shapes_graph, ontology,
                                subject_files=document.subject_files)
    except ValidationInputError as e:
        where = ", ".join(str(p) for p in shapes) or "bundled shapes"
        raise ValidationInputError(f"{where}: {e}") from None
    report.files = document.files
    return report
