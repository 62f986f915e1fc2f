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
* ``advanced=True`` for the SPARQL-based constraints; no owl:imports are followed. pyshacl's
  ``allow_warnings`` is *not* set: it changes how nested shapes evaluate (``sh:not`` of a shape
  with Warnings would turn into a Violation). The report is the standard one; ``--fail-on``
  decides the exit code from it afterwards.
* A user's shapes are checked as written: a SPARQL constraint sees the prefixes its
  ``sh:prefixes`` declare (and rdf, rdfs, owl, as pyshacl adds them), never the data's or the
  project's. Only the bundled shapes also get the project's prefixes.
* pyshacl re-parses a SPARQL constraint's text for every focus node; the data graph here
  parses each text once (`_PreparedQueryGraph`), which makes validating the bundled graph
  about eight times faster with identical results.
* Shapes pyshacl would refuse only while validating (SPARQL that SHACL forbids: MINUS, VALUES,
  SERVICE, ``SELECT *`` in a sub-query, ``AS`` re-binding a pre-bound variable; undeclared
  prefixes) are checked first (`sparql_problems`), so the error names the shape.
* Two places where pyshacl departs from the standard are worked around on a copy of the
  shapes graph (`_standard_shapes`): ``sh:uniqueLang`` counts only for the literal ``true``
  (pyshacl also takes ``"1"^^xsd:boolean``), and ``$shapesGraph`` (which pyshacl refuses) is
  bound to the shapes graph, queried as a named graph beside the data.
* `validate_files` runs the bundled shapes on the compiled engine (`compiled`: one SPARQL
  query per constraint on pyoxigraph, the same reports, a million triples in well under a
  minute instead of five); any other shapes, or anything it cannot compile, run on pyshacl.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
import rdflib
from pyparsing import ParseResults
from rdflib import RDF, RDFS, XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import BNode, Literal, Node, URIRef

from ctgraph.graph.bundle import (
    ONTOLOGY_DIR,
    bundled_data_files,
    bundled_shape_files,
    rdf_files,
)
from ctgraph.graph.namespaces import PREFIXES
from ctgraph.graph.rdf_reading import (
    RdfSyntaxError,
    expand_paths,
    parse_file,
    quiet_rdflib_terms,
    read_files,
)
from ctgraph.validation.report import (
    LABEL_PROPERTIES,
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

SHAPES_GRAPH_VAR = "ctgraphShapesGraph"
"""What ``$shapesGraph`` is renamed to in the copy given to pyshacl (which refuses the name)."""
SHAPES_GRAPH_IRI = URIRef("urn:ctgraph:shapes-graph")
_SHAPES_GRAPH_REF = re.compile(r"[$?]shapesGraph\b")
_CONSTRAINT_TEXT = (SH.select, SH.ask)


class _PreparedQueryGraph(rdflib.Graph):
    """An rdflib graph that parses each SPARQL text once; pyshacl sends the same constraint
    text for every focus node with different bindings. `prefixes` are the only prefixes a
    query gets besides its own PREFIX lines (rdflib would otherwise add the graph's)."""

    def __init__(self, prefixes: dict[str, str], shapes: rdflib.Graph | None = None):
        super().__init__()
        self._prefixes = prefixes
        self._prepared: dict[str, Any] = {}
        self._shapes = shapes
        self._dataset: rdflib.Dataset | None = None

    def query(self, query_object: Any, processor: Any = "sparql",  # type: ignore[override]
              result: Any = "sparql", initNs: Any = None, initBindings: Any = None,
              use_store_provided: bool = True, **kwargs: Any) -> Any:
        target: rdflib.Graph = self
        if isinstance(query_object, str):
            text = query_object
            prepared = self._prepared.get(text)
            if prepared is None:
                prepared = prepareQuery(text, initNs=self._prefixes)
                self._prepared[text] = prepared
            query_object = prepared
            if SHAPES_GRAPH_VAR in text and self._shapes is not None:
                initBindings = {**(initBindings or {}), SHAPES_GRAPH_VAR: SHAPES_GRAPH_IRI}
                target = self._with_shapes_graph()
        run = super().query if target is self else target.query
        return run(query_object, processor, result, initNs, initBindings, use_store_provided,
                   **kwargs)

    def _with_shapes_graph(self) -> rdflib.Dataset:
        """The data as default graph and the shapes graph as a named graph, for the rare
        constraint that reads ``$shapesGraph`` (built once, on first use)."""
        if self._dataset is None:
            dataset = rdflib.Dataset()
            for triple in self:
                dataset.default_graph.add(triple)
            named = dataset.graph(SHAPES_GRAPH_IRI)
            for triple in self._shapes or ():
                named.add(triple)
            self._dataset = dataset
        return self._dataset


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


_CTGSH = PREFIXES["ctgsh"]
"""The namespace of the project's shapes."""


def _project_prefixes(shapes: rdflib.Graph) -> dict[str, str]:
    """The project's prefixes, then those the shapes declare; ``ctgsh:`` is always the
    project's shapes namespace."""
    return {**PREFIXES, **_declared_prefixes(shapes), "ctgsh": _CTGSH}


def _constraint_owner(shapes: rdflib.Graph, node: Node) -> Node:
    """The shape (or constraint component) a SPARQL constraint or validator belongs to."""
    for link in (SH.sparql, SH.validator, SH.nodeValidator, SH.propertyValidator):
        owner = shapes.value(None, link, node)  # type: ignore[arg-type]
        if owner is not None:
            return owner
    return node


def _query_prefixes(shapes: rdflib.Graph, node: Node) -> dict[str, str]:
    """The prefixes a SPARQL constraint declares (SHACL 5.2.1): rdf, rdfs and owl (which
    pyshacl always adds), then the ``sh:declare`` of each ``sh:prefixes`` value and of what it
    reaches through ``owl:imports``, and of an owl:Ontology of the shapes graph (pyshacl)."""
    found = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
    holders: list[Node] = list(shapes.subjects(RDF.type, OWL.Ontology))
    frontier = list(shapes.objects(node, SH.prefixes))  # type: ignore[arg-type]
    while frontier:
        current = frontier.pop()
        if current not in holders:
            holders.append(current)
            frontier.extend(shapes.objects(current, OWL.imports))  # type: ignore[arg-type]
    for holder in holders:
        for decl in shapes.objects(holder, SH.declare):
            prefix = shapes.value(decl, SH.prefix)  # type: ignore[arg-type]
            namespace = shapes.value(decl, SH.namespace)  # type: ignore[arg-type]
            if prefix is not None and namespace is not None:
                found[str(prefix)] = str(namespace)
    return found


def _with_prefixes(shapes: rdflib.Graph, node: Node, text: str) -> str:
    """A constraint's text with its declared prefixes written out, so that the query needs
    nothing from outside (pyshacl's own collection misses those reached by owl:imports)."""
    declared = _query_prefixes(shapes, node)
    return "".join(f"PREFIX {p}: <{n}>\n" for p, n in declared.items()) + text


def sparql_problems(shapes: rdflib.Graph, init_ns: dict[str, str] | None = None,
                    prefixes: dict[str, str] | None = None) -> list[str]:
    """Why pyshacl would refuse the SPARQL of these shapes, one line per constraint,
    ``shape: SPARQL constraint: reason``. Checked before validating so that the error
    names the shape (pyshacl's own failure does not)."""
    from pyshacl.errors import ValidationFailure
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    display = prefixes or {}
    problems: list[str] = []
    for prop in _CONSTRAINT_TEXT:
        for node, text in sorted(shapes.subject_objects(prop)):
            owner = _constraint_owner(shapes, node)
            where = term_text(owner, display)
            if owner != node and isinstance(node, URIRef):
                where += f" (SPARQL constraint {term_text(node, display)})"
            body = str(text)
            # $value is pre-bound in property shapes and in constraint components' validators
            is_property = (owner, SH.path, None) in shapes or (
                owner, RDF.type, SH.ConstraintComponent) in shapes
            try:
                SPARQLQueryHelper(None, node, body).check_invalid_sparql(
                    body, valuenode=True if is_property else None)
            except ValidationFailure as e:
                problems.append(f"{where}: {_one_line(str(e))}")
                continue
            probe = re.sub(r"[$?]PATH\b", "<urn:ctgraph:path>", body)
            probe = _SHAPES_GRAPH_REF.sub("?" + SHAPES_GRAPH_VAR, probe)
            text = _with_prefixes(shapes, node, probe)
            try:
                parsed = parseQuery(text)
                prepareQuery(text, initNs=init_ns or {})
            except Exception as e:  # rdflib raises several types for bad SPARQL
                problems.append(f"{where}: SPARQL does not parse: {_one_line(str(e))}")
                continue
            # rdflib would quietly resolve its own default prefixes (schema:, xsd:, foaf:…)
            declared = {str(d.get("prefix") or "") for d in parsed[0]} | set(init_ns or {})
            undeclared = sorted(_used_prefixes(parsed[1:], set()) - declared)
            if undeclared:
                names = ", ".join(f"{u}:" for u in undeclared)
                problems.append(f"{where}: SPARQL does not parse: undeclared prefix {names} "
                                "(declare it with sh:prefixes and sh:declare)")
    return problems


def _used_prefixes(node: object, found: set[str]) -> set[str]:
    """The prefixes of the prefixed names in a parsed SPARQL query."""
    if isinstance(node, CompValue):
        if node.name == "pname":
            found.add(str(node.get("prefix") or ""))
        for value in node.values():
            _used_prefixes(value, found)
    elif isinstance(node, list | tuple | ParseResults):
        for value in node:
            _used_prefixes(value, found)
    elif isinstance(node, dict):
        for value in node.values():
            _used_prefixes(value, found)
    return found


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _standard_shapes(shapes: rdflib.Graph) -> rdflib.Graph:
    """The shapes graph as pyshacl should read it by the standard (see the module
    docstring): the graph itself when nothing needs changing, else a changed copy."""
    odd_unique = [(s, o) for s, o in shapes.subject_objects(SH.uniqueLang)
                  if not (isinstance(o, Literal) and o.datatype == XSD.boolean
                          and str(o) == "true")]
    texts = [(s, p, o) for p in _CONSTRAINT_TEXT for s, o in shapes.subject_objects(p)
             if isinstance(o, Literal)]
    if not odd_unique and not texts:
        return shapes
    copy = rdflib.Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    for triple in shapes:
        copy.add(triple)
    for s, o in odd_unique:
        copy.remove((s, SH.uniqueLang, o))
    for s, p, o in texts:
        copy.remove((s, p, o))
        text = _with_prefixes(shapes, s, _SHAPES_GRAPH_REF.sub("$" + SHAPES_GRAPH_VAR, str(o)))
        copy.add((s, p, Literal(text, lang=o.language, datatype=o.datatype)))
    return copy


def read_shapes(paths: Iterable[Path]) -> rdflib.Graph:
    """Shapes files as written: like `read_files`, but ``xsd:boolean`` literals keep their
    lexical form (rdflib would turn ``"1"`` into ``"true"``, and only the literal ``true``
    switches ``sh:uniqueLang`` on)."""
    graph = rdflib.Graph()
    for path in rdf_files(*paths):
        if not path.exists():
            raise RdfSyntaxError(path, "no such file or folder")
    document = read_files(paths)
    for prefix, namespace in document.prefixes.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    raw_booleans: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in document.files:
        quads, _ = parse_file(path)
        for quad in quads:
            obj = quad.object
            if (isinstance(obj, ox.Literal) and obj.datatype.value == str(XSD.boolean)
                    and obj.value not in ("true", "false")
                    and isinstance(quad.subject, ox.NamedNode)):
                raw_booleans[(quad.subject.value, quad.predicate.value)].append(obj.value)
    for s, p, o in document.union():
        if raw_booleans and isinstance(o, Literal) and o.datatype == XSD.boolean:
            for lexical in raw_booleans.get((str(s), str(p)), ()):
                graph.add((s, p, Literal(lexical, datatype=XSD.boolean, normalize=False)))
            if (str(s), str(p)) in raw_booleans:
                continue
        graph.add((s, p, o))
    return graph


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
    project_shapes: bool | None = None,
) -> Report:
    """Validate `data` against `shapes` (default: the bundled shapes, with the bundled
    ontology mixed in unless `ontology` is given). `project_shapes` (default: whether the
    shapes are the bundled ones) gives SPARQL constraints the project's prefixes too."""
    if shapes is None:
        shapes, bundled_ontology = bundled_shapes()
        ontology = bundled_ontology if ontology is None else ontology
        project_shapes = True if project_shapes is None else project_shapes
    if not _has_shapes(shapes):
        raise ValidationInputError("no SHACL shapes to validate against")

    # Display prefixes: the data's, the project's, the shapes' declarations. Query prefixes:
    # none beyond each constraint's own, except for the project's own shapes.
    prefixes = {p: str(n) for p, n in data.namespaces()}
    prefixes.update(PREFIXES)
    prefixes.update(_declared_prefixes(shapes))
    prefixes.setdefault("ctgsh", _CTGSH)
    query_ns: dict[str, str] = {}
    if project_shapes:
        query_ns = _project_prefixes(shapes)
    problems = sparql_problems(shapes, query_ns, prefixes)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValidationInputError(f"shapes cannot be used: {problems[0]}{more}")
    given = _standard_shapes(shapes)
    work = _PreparedQueryGraph(query_ns, given if given is not shapes else None)
    for prefix, namespace in prefixes.items():
        work.bind(prefix, namespace, override=True, replace=True)
    for triple in data:
        work.add(triple)
    triples = len(work)  # the data's, before pyshacl mixes the ontology in
    try:
        with _quiet_pyshacl():
            _, report_graph, _ = pyshacl.validate(
                work, shacl_graph=given, ont_graph=ontology, inference="none", advanced=True,
                inplace=True, do_owl_imports=False,
            )
    except Exception as e:  # pyshacl reports unusable shapes with several exception types
        problem = _one_line(str(getattr(e, "message", None) or e))
        raise ValidationInputError(f"shapes cannot be used: {problem}") from None
    if not isinstance(report_graph, rdflib.Graph):
        # pyshacl returns (not raises) a ValidationFailure for shapes it refuses mid-run
        problem = _one_line(str(getattr(report_graph, "message", None) or report_graph))
        raise ValidationInputError(f"shapes refused by the SHACL processor: {problem}")
    return _build_report(report_graph, shapes, lambda n: label(work, n), _targets(shapes, work),
                         triples, prefixes, subject_files or {})


_SHAPE_PREDICATES = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                     SH.property, SH.path, SH.sparql}


def _has_shapes(shapes: rdflib.Graph) -> bool:
    if any(shapes.subjects(RDF.type, SH.NodeShape)) or any(
        shapes.subjects(RDF.type, SH.PropertyShape)
    ):
        return True
    return any(p in _SHAPE_PREDICATES for p in shapes.predicates())


def _build_report(report_graph: rdflib.Graph, shapes: rdflib.Graph,
                  label_of: Callable[[Node], str | None], target_nodes: dict[Node, set[Node]],
                  triples: int, prefixes: dict[str, str],
                  subject_files: dict[Node, list[Path]]) -> Report:
    """The report model from a SHACL report graph (pyshacl's or the compiled engine's).
    `label_of` looks labels up in the data; `target_nodes` are each named shape's focus
    nodes, passes included."""
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
        focus_label = label_of(focus) if focus is not None else None
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
            value_label=label_of(value) if isinstance(value, URIRef | BNode) else None,
            path_label=label_of(path) if isinstance(path, URIRef) else None,
            files=tuple(display_path(p) for p in subject_files.get(focus, []))
            if focus is not None else (),
        ))
    results.sort(key=lambda r: (-r.rank, r.source_shape, r.focus_node, r.path or "",
                                r.message, term_text(r.value, prefixes), r.constraint,
                                r.shape_name))
    targets = {_node_id(shape): sorted(_node_id(n) for n in nodes)
               for shape, nodes in target_nodes.items()}
    for nodes in target_nodes.values():
        for focus in nodes:
            # only IRIs carry labels; a literal sh:targetNode is no IRI to look up
            if isinstance(focus, URIRef) and str(focus) not in labels:
                found = label_of(focus)
                if found:
                    labels[str(focus)] = found
    shape_labels = {
        _node_id(shape): _shape_label(shapes, shape, prefixes)
        for shape in {URIRef(s) for s in targets} | {URIRef(r.source_shape) for r in results
                                                     if r.source_shape.startswith("http")}
    }
    # SHACL: a report conforms iff it has no results at all; --fail-on decides the exit code.
    for report_node in report_graph.subjects(RDF.type, SH.ValidationReport):
        report_graph.set((report_node, SH.conforms, Literal(not results)))
    report_graph.namespace_manager.bind("ctgsh", _CTGSH)
    for prefix, namespace in prefixes.items():
        report_graph.bind(prefix, namespace, override=False)
    return Report(results=results, graph=report_graph, shape_labels=shape_labels,
                  targets=targets, labels=labels, triples=triples, prefixes=prefixes)


DEFAULT_SUFFIXES = (".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf", ".owl")
"""What ``ctgraph validate`` reads from the current folder when given no paths: the suffixes
the pre-commit hook triggers on (``.json`` and ``.xml`` files are seldom RDF)."""
_SKIPPED_FOLDERS = ("node_modules", "__pycache__")


def default_files(folder: Path, exclude: Iterable[Path] = ()) -> list[Path]:
    """The RDF files under `folder` (recursively, by `DEFAULT_SUFFIXES`), leaving out hidden
    folders (``.git``, ``.venv``), ``node_modules`` and the `exclude` files (the shapes)."""
    skip = {p.resolve() for p in exclude}
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") or part in _SKIPPED_FOLDERS for part in relative[:-1]):
            continue
        if (path.suffix.lower() in DEFAULT_SUFFIXES and not relative[-1].startswith(".")
                and path.is_file() and path.resolve() not in skip):
            found.append(path.relative_to(folder) if folder == Path.cwd() else path)
    return found


def validate_files(paths: Iterable[Path], shapes: Iterable[Path] = (), *,
                   bundled: bool = False, engine: str = "auto") -> Report:
    """Validate RDF files or folders against shapes files or folders. Raises
    `RdfSyntaxError` or `ValidationInputError` for unusable input.

    Without paths: the RDF files of the current folder (`default_files`), or the bundled
    graph when `bundled`. Without shapes: the bundled shapes when `bundled`, else the shapes
    found in the data itself (SHACL allows the shapes graph to be the data graph); finding
    none is an error, so that a run never passes for want of shapes.

    `engine`: ``pyshacl`` (the reference), ``compiled`` (`ctgraph.validation.compiled`,
    pyshacl when the shapes use anything it does not compile) or ``auto``: compiled for the
    bundled shapes, which it compiles completely, pyshacl for anyone else's."""
    paths, shapes = list(paths), list(shapes)
    if not paths:
        if bundled:
            paths = bundled_data_files()
        else:
            shape_files = rdf_files(*(p for p in shapes if p.exists()))
            paths = default_files(Path.cwd(), shape_files)
            if not paths:
                raise ValidationInputError(
                    f"{Path.cwd()}: no RDF files ({', '.join(DEFAULT_SUFFIXES)}) to validate; "
                    "name files or folders, or pass --bundled for ctgraph's own graph")
    if engine == "compiled" or (engine == "auto" and bundled and not shapes):
        if shapes:
            shapes_graph, where = read_shapes(shapes), ", ".join(str(p) for p in shapes)
            ontology_files: list[Path] = []
        else:
            shapes_graph, _ = bundled_shapes()
            ontology_files, where = rdf_files(ONTOLOGY_DIR), "bundled shapes"
        with quiet_rdflib_terms():
            fast = _validate_compiled(paths, shapes_graph, ontology_files, where,
                                      project_shapes=bundled)
        if fast is not None:
            return fast
    document = read_files(paths)
    data = document.union()
    ontology = None
    if shapes:
        shapes_graph = read_shapes(shapes)
        where = ", ".join(str(p) for p in shapes)
    elif bundled:
        shapes_graph, ontology = bundled_shapes()
        where = "bundled shapes"
    else:
        shapes_graph = data
        where = ", ".join(str(p) for p in paths)
    if not _has_shapes(shapes_graph):
        hint = "" if shapes or bundled else (
            " (none among the files validated; name them with --shapes, or pass --bundled "
            "for ctgraph's own)")
        raise ValidationInputError(f"{where}: no SHACL shapes to validate against{hint}")
    try:
        report = validate_graph(data, shapes_graph, ontology,
                                subject_files=document.subject_files, project_shapes=bundled)
    except ValidationInputError as e:
        raise ValidationInputError(f"{where}: {e}") from None
    report.files = document.files
    report.results = _with_lines(report.results, report.prefixes)
    return report


def _with_lines(results: list[Result], prefixes: dict[str, str]) -> list[Result]:
    """Each result with the line where its focus node is first written in its first file:
    as ``<IRI>`` or as a prefixed name at the start of a statement."""
    texts: dict[str, list[str]] = {}
    found: dict[tuple[str, str], int | None] = {}
    out = []
    for result in results:
        if not result.files or result.focus_node.startswith("_:"):
            out.append(result)
            continue
        name = result.files[0]
        key = (name, result.focus_node)
        if key not in found:
            if name not in texts:
                try:
                    texts[name] = Path(name).read_text(encoding="utf-8").splitlines()
                except (OSError, UnicodeDecodeError):
                    texts[name] = []
            found[key] = _line_of(texts[name], result.focus_node, prefixes)
        out.append(dataclasses.replace(result, line=found[key]))
    return out


def _line_of(lines: list[str], iri: str, prefixes: dict[str, str]) -> int | None:
    full = f"<{iri}>"
    compact = [f"{p}:{iri[len(n):]}" for p, n in prefixes.items() if iri.startswith(n)]
    for number, text in enumerate(lines, 1):
        if full in text:
            return number
        stripped = text.lstrip()
        if any(stripped.startswith(c) and stripped[len(c):len(c) + 1] in (" ", "\t", "")
               for c in compact):
            return number
    return None


def _validate_compiled(paths: list[Path], shapes: rdflib.Graph, ontology_files: list[Path],
                       where: str, *, project_shapes: bool) -> Report | None:
    """The compiled engine (see `ctgraph.validation.compiled`); None when the shapes use
    something it does not compile. The files are parsed straight into an Oxigraph store
    (the same safe parser as `read_files`), merged into its default graph."""
    from ctgraph.validation import compiled as engine

    if not _has_shapes(shapes):
        raise ValidationInputError(f"{where}: no SHACL shapes to validate against")
    project_ns = _project_prefixes(shapes) if project_shapes else {}

    def prefixes_for(node: Node) -> str:
        declared = {**project_ns, **_query_prefixes(shapes, node)}
        return "".join(f"PREFIX {p}: <{n}>\n" for p, n in declared.items())

    display = _project_prefixes(shapes)
    problems = sparql_problems(shapes, project_ns, display)
    if problems:
        raise ValidationInputError(f"{where}: shapes cannot be used: {problems[0]}")
    try:
        plan = engine.compile_shapes(shapes, prefixes_for)
    except engine.Unsupported:
        return None
    files = expand_paths(paths)
    store = ox.Store()
    subject_files: dict[Node, list[Path]] = {}
    data_prefixes: dict[str, str] = {}
    triples = 0
    for path in [*files, None, *ontology_files]:
        if path is None:
            # the data's, before the ontology is mixed in (the merge is the default graph)
            count = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            triples = int(next(iter(count))["n"].value)  # type: ignore[call-overload,index]
            continue
        quads, declared = parse_file(path)
        is_data = path in files
        if is_data:
            for prefix, namespace in declared.items():
                data_prefixes.setdefault(prefix, namespace)
        store.bulk_extend(stored for q in quads for stored in engine.quads(q))
        if is_data:
            for subject in {q.subject for q in quads}:
                seen = subject_files.setdefault(engine.to_rdflib(subject), [])
                if not seen or seen[-1] != path:
                    seen.append(path)
        del quads
    try:
        report_graph = engine.run(plan, store, shapes)
    except (SyntaxError, OSError) as e:  # a SPARQL text Oxigraph reads differently
        raise ValidationInputError(f"{where}: shapes cannot be used: {_one_line(str(e))}"
                                   ) from None
    target_nodes = engine.focus_nodes(plan, store)
    wanted: set[Node] = {n for nodes in target_nodes.values() for n in nodes}
    for prop in (SH.focusNode, SH.value, SH.resultPath):
        wanted.update(report_graph.objects(None, prop))
    label_graph = rdflib.Graph()
    for node, found in engine.labels(store, wanted, LABEL_PROPERTIES).items():
        for rank, literal in found:
            label_graph.add((node, LABEL_PROPERTIES[rank], literal))
    prefixes = {**data_prefixes, **display}
    report = _build_report(report_graph, shapes, lambda n: label(label_graph, n), target_nodes,
                           triples, prefixes, subject_files)
    report.files = files
    report.results = _with_lines(report.results, report.prefixes)
    report.engine = "compiled"
    return report
