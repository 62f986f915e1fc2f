"""SHACL shapes compiled to SPARQL and run on pyoxigraph: the fast engine for large graphs.

pyshacl (the reference, `ctgraph.validation.shacl`) walks every focus node in Python over an
rdflib graph, and re-evaluates each SPARQL constraint once per focus node: about 330 s for a
million triples. Here each constraint of each shape becomes one SPARQL query over all its
focus nodes at once, run by Oxigraph (Rust) on a store the files are parsed into directly,
without rdflib terms for the data.

Only what can be compiled exactly is compiled: targets (class, with ``rdfs:subClassOf*``,
implicit class, node, subjects-of, objects-of), property paths, the value-type, cardinality,
value-range, string, language, property-pair (``sh:equals``), logical (on value tests),
``sh:node``/``sh:qualifiedValueShape`` on value tests, ``sh:hasValue``, ``sh:in``, and
SPARQL-based SELECT constraints of node shapes, each with ``sh:message`` (pyshacl's own
default messages are not copied). `compile_shapes` raises `Unsupported` for anything else,
and the caller then runs pyshacl: results never depend on which engine ran. Tests compare the
two on the W3C suite, the shape fixtures and generated graphs.

Results are written as a SHACL report graph of the same shape as pyshacl's, so that the
report model (`shacl._build_report`) and every writer serve both engines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, XSD
from rdflib.collection import Collection
from rdflib.term import BNode, Literal, Node, URIRef

from ctgraph.validation.report import SH

OWL_CLASS = URIRef("http://www.w3.org/2002/07/owl#Class")
RDF_LANGSTRING = RDF.langString

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
IGNORED = {RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.message, SH.order,
           SH.group, SH.severity, SH.deactivated, SH.defaultValue, SH.prefixes, SH.declare,
           RDFS.seeAlso, RDFS.isDefinedBy}
"""Predicates of a shape that do not constrain (or are handled beside the constraints)."""
VALUE_TESTS = {SH.datatype, SH["class"], SH.nodeKind, SH.languageIn, SH.pattern, SH.flags,
               SH["in"], SH.hasValue, SH.minInclusive, SH.maxInclusive, SH.minExclusive,
               SH.maxExclusive, SH.minLength, SH.maxLength, SH["or"], SH["and"], SH["not"],
               SH.node}
"""Constraints that test one value node on its own (no path, no counting)."""
PROPERTY_ONLY = {SH.path, SH.minCount, SH.maxCount, SH.uniqueLang, SH.equals,
                 SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount}
CASTABLE = {XSD.date, XSD.dateTime, XSD.time, XSD.integer, XSD.decimal, XSD.double, XSD.float,
            XSD.boolean, XSD.duration, XSD.dayTimeDuration, XSD.yearMonthDuration}
"""Datatypes whose well-formedness Oxigraph checks by casting (``xsd:date("…")``)."""

ENCODED_PREFIX = "urn:ctgraph:literal:"
"""Oxigraph's store turns ``"83"^^xsd:nonNegativeInteger`` into ``"83"^^xsd:integer`` (and
xsd:dateTimeStamp into xsd:dateTime), which would hide what ``sh:datatype`` checks. Each
triple with such a literal is also stored in the named graph ``urn:ctgraph:literal:<datatype
IRI>``: queries see the value as Oxigraph keeps it (arithmetic works), the datatype tests and
the report look the original datatype up there. (A value stated with two of these datatypes
at once is ambiguous; the data seldom does that.)"""
_X = str(XSD)
INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    _X + "nonNegativeInteger": (0, None), _X + "positiveInteger": (1, None),
    _X + "nonPositiveInteger": (None, 0), _X + "negativeInteger": (None, -1),
    _X + "long": (-2**63, 2**63 - 1), _X + "int": (-2**31, 2**31 - 1),
    _X + "short": (-2**15, 2**15 - 1), _X + "byte": (-128, 127),
    _X + "unsignedLong": (0, 2**64 - 1), _X + "unsignedInt": (0, 2**32 - 1),
    _X + "unsignedShort": (0, 2**16 - 1), _X + "unsignedByte": (0, 255),
}
ENCODED = {*INTEGER_RANGES, _X + "dateTimeStamp"}


def quads(quad: ox.Quad) -> Iterator[ox.Quad]:
    """A parsed quad as it is stored: in the default graph (the merge), and for literals of
    `ENCODED` datatypes also in their datatype's graph (see `ENCODED_PREFIX`)."""
    yield ox.Quad(quad.subject, quad.predicate, quad.object)
    term = quad.object
    if isinstance(term, ox.Literal) and term.datatype.value in ENCODED:
        yield ox.Quad(quad.subject, quad.predicate, term,
                      ox.NamedNode(ENCODED_PREFIX + term.datatype.value))


Triple = tuple[str, str] | None
"""The (subject, predicate) SPARQL a value node was reached by, when its path is one IRI:
the datatype tests then look at that very triple, not at any triple with the same value."""


def _stated(v: str, triple: Triple) -> str:
    return f"{triple[0]} {triple[1]} {v}" if triple else f"?ctgS ?ctgP {v}"


def _stated_as(v: str, datatype: str, triple: Triple) -> str:
    return f"EXISTS {{ GRAPH <{ENCODED_PREFIX}{datatype}> {{ {_stated(v, triple)} }} }}"


def _not_encoded(v: str, triple: Triple) -> str:
    return (f"NOT EXISTS {{ GRAPH ?ctgG {{ {_stated(v, triple)} }} "
            f"FILTER(STRSTARTS(STR(?ctgG), \"{ENCODED_PREFIX}\")) }}")


COMPONENT = {
    SH.datatype: SH.DatatypeConstraintComponent, SH["class"]: SH.ClassConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent, SH.languageIn: SH.LanguageInConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent, SH["in"]: SH.InConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent, SH.maxLength: SH.MaxLengthConstraintComponent,
    SH["or"]: SH.OrConstraintComponent, SH["and"]: SH.AndConstraintComponent,
    SH["not"]: SH.NotConstraintComponent, SH.node: SH.NodeConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent, SH.maxCount: SH.MaxCountConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent, SH.equals: SH.EqualsConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
}


class Unsupported(Exception):
    """The shapes use something this engine does not compile; run pyshacl instead."""


@dataclass
class Check:
    """One compiled constraint: a SELECT whose rows are validation results."""

    shape: Node
    """The ``sh:sourceShape``."""
    component: URIRef
    query: str
    severity: URIRef
    messages: list[Literal]
    path: Node | None = None
    source_constraint: Node | None = None
    value: str = "value"
    """Where a result's ``sh:value`` comes from: ``value`` (the ?value column), ``this``
    (node-shape constraints), ``none`` (counts, hasValue on a path, uniqueLang)."""
    sparql_based: bool = False
    """Rows of a SPARQL-based constraint: ?path and ?value optional, messages templated."""


@dataclass
class Compiled:
    checks: list[Check] = field(default_factory=list)
    targets: dict[Node, str] = field(default_factory=dict)
    """For each IRI-named shape with targets, the SPARQL group binding its focus nodes."""


def _iri(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    raise Unsupported(f"expected an IRI, got {node!r}")


def _literal(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise Unsupported(f"a blank node {node!r} as a constant")


def _list(shapes: rdflib.Graph, node: Node) -> list[Node]:
    if node == RDF.nil:
        return []
    if (node, RDF.first, None) not in shapes:
        raise Unsupported("expected an RDF list")
    return list(Collection(shapes, node))


def path_sparql(shapes: rdflib.Graph, path: Node) -> str:
    """A SHACL path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(path_sparql(shapes, p) for p in _list(shapes, path)) + ")"
    for kind, fmt in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"),
                      (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
        inner = shapes.value(path, kind)  # type: ignore[arg-type]
        if inner is not None:
            return fmt.format(path_sparql(shapes, inner))
    alternatives = shapes.value(path, SH.alternativePath)  # type: ignore[arg-type]
    if alternatives is not None:
        return "(" + "|".join(path_sparql(shapes, p) for p in _list(shapes, alternatives)) + ")"
    raise Unsupported("an unknown kind of path")


def _one(shapes: rdflib.Graph, node: Node, prop: URIRef) -> Node | None:
    values = list(shapes.objects(node, prop))  # type: ignore[arg-type]
    if len(values) > 1:
        raise Unsupported(f"several values of {prop}")
    return values[0] if values else None


def _int(node: Node | None) -> int:
    if not isinstance(node, Literal) or not isinstance(node.toPython(), int) or isinstance(
            node.toPython(), bool):
        raise Unsupported("a count that is not an integer")
    return int(node.toPython())


def value_test(shapes: rdflib.Graph, node: Node, pred: URIRef, obj: Node, v: str,
               depth: int = 0, triple: Triple = None) -> str:
    """A SPARQL boolean expression, true when value node `v` satisfies one constraint."""
    if pred == SH.datatype:
        if str(obj) in INTEGER_RANGES:
            low, high = INTEGER_RANGES[str(obj)]
            number = f"<{_X}integer>(STR({v}))"
            test = (f"(isLITERAL({v}) && {_stated_as(v, str(obj), triple)} && "
                    f"COALESCE(isLITERAL({number}), false)")
            test += f" && {number} >= {low}" if low is not None else ""
            test += f" && {number} <= {high}" if high is not None else ""
            return test + ")"
        if str(obj) == _X + "dateTimeStamp":
            stamp = f"<{_X}dateTime>(STR({v}))"
            return (f"(isLITERAL({v}) && {_stated_as(v, str(obj), triple)} && "
                    f"COALESCE(TZ({stamp}) != \"\", false))")
        test = f"(isLITERAL({v}) && DATATYPE({v}) = {_iri(obj)}"
        if obj == XSD.hexBinary:  # rdflib's one other well-formedness check
            test += f" && REGEX(STR({v}), \"^([0-9A-Fa-f]{{2}})*$\")"
        if obj in CASTABLE:
            test += f" && COALESCE(isLITERAL({_iri(obj)}(STR({v}))), false)"
        if obj in (XSD.integer, XSD.dateTime):  # where the encoded datatypes collapse to
            test += f" && {_not_encoded(v, triple)}"
        return test + ")"
    if pred == SH["class"]:
        return f"EXISTS {{ {v} <{RDF.type}>/<{RDFS.subClassOf}>* {_iri(obj)} }}"
    if pred == SH.nodeKind:
        kinds = {SH.IRI: "isIRI({v})", SH.BlankNode: "isBLANK({v})",
                 SH.Literal: "isLITERAL({v})", SH.BlankNodeOrIRI: "(isBLANK({v}) || isIRI({v}))",
                 SH.BlankNodeOrLiteral: "(isBLANK({v}) || isLITERAL({v}))",
                 SH.IRIOrLiteral: "(isIRI({v}) || isLITERAL({v}))"}
        if obj not in kinds:
            raise Unsupported("an unknown node kind")
        return kinds[obj].format(v=v)  # type: ignore[index]
    if pred == SH.languageIn:
        tags = [str(t) for t in _list(shapes, obj)]
        if not tags:
            return "false"
        return (f"(isLITERAL({v}) && LANG({v}) != \"\" && ("
                + " || ".join(f"langMatches(LANG({v}), {Literal(t).n3()})" for t in tags) + "))")
    if pred == SH.pattern:
        flags = _one(shapes, node, SH.flags)
        args = f", {Literal(str(flags)).n3()}" if flags is not None else ""
        return f"(!isBLANK({v}) && REGEX(STR({v}), {Literal(str(obj)).n3()}{args}))"
    if pred == SH.flags:
        return "true"
    if pred == SH["in"]:
        members = _list(shapes, obj)
        return "(" + (" || ".join(f"sameTerm({v}, {_literal(m)})" for m in members)
                      or "false") + ")"
    if pred == SH.hasValue:
        return f"sameTerm({v}, {_literal(obj)})"
    comparisons = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
                   SH.maxExclusive: "<"}
    if pred in comparisons:
        return (f"COALESCE({v} {comparisons[pred]} {obj.n3()}, false)"  # type: ignore[index,union-attr]
                if isinstance(obj, Literal) else "false")
    if pred in (SH.minLength, SH.maxLength):
        op = ">=" if pred == SH.minLength else "<="
        return f"(!isBLANK({v}) && STRLEN(STR({v})) {op} {_int(obj)})"
    if pred in (SH["or"], SH["and"]):
        joiner = " || " if pred == SH["or"] else " && "
        parts = [shape_test(shapes, s, v, depth + 1, triple) for s in _list(shapes, obj)]
        return "(" + (joiner.join(parts) or ("false" if pred == SH["or"] else "true")) + ")"
    if pred == SH["not"]:
        return f"!({shape_test(shapes, obj, v, depth + 1, triple)})"
    if pred == SH.node:
        return shape_test(shapes, obj, v, depth + 1, triple)
    raise Unsupported(f"constraint {pred}")


def shape_test(shapes: rdflib.Graph, shape: Node, v: str, depth: int = 0,
               triple: Triple = None) -> str:
    """A SPARQL boolean expression, true when `v` conforms to a shape made only of value
    tests (no property shapes, no counting: what sh:or, sh:node and qualified shapes use)."""
    if depth > 8:
        raise Unsupported("nesting too deep (or recursive shapes)")
    if _deactivated(shapes, shape):
        return "true"
    parts = []
    for pred, obj in sorted(shapes.predicate_objects(shape)):  # type: ignore[arg-type]
        if pred in IGNORED or pred in TARGETS:
            continue
        if pred not in VALUE_TESTS:
            raise Unsupported(f"nested shape with {pred}")
        parts.append(f"COALESCE({value_test(shapes, shape, pred, obj, v, depth, triple)}, false)")
    return "(" + (" && ".join(parts) or "true") + ")"


def _deactivated(shapes: rdflib.Graph, shape: Node) -> bool:
    value = shapes.value(shape, SH.deactivated)  # type: ignore[arg-type]
    return isinstance(value, Literal) and value.toPython() is True


def _severity(shapes: rdflib.Graph, shape: Node) -> URIRef:
    value = shapes.value(shape, SH.severity)  # type: ignore[arg-type]
    return value if isinstance(value, URIRef) else SH.Violation


def _messages(shapes: rdflib.Graph, node: Node) -> list[Literal]:
    found = [m for m in shapes.objects(node, SH.message) if isinstance(m, Literal)]  # type: ignore[arg-type]
    if not found:
        raise Unsupported("a constraint without sh:message (pyshacl writes its own)")
    return found


def focus_group(shapes: rdflib.Graph, shape: Node) -> str | None:
    """The SPARQL group binding ?this to the shape's focus nodes, or None without targets."""
    parts = []
    classes = list(shapes.objects(shape, SH.targetClass))  # type: ignore[arg-type]
    if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL_CLASS) in shapes:
        classes.append(shape)
    for cls in classes:
        parts.append(f"{{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* {_iri(cls)} }}")
    for node in shapes.objects(shape, SH.targetNode):  # type: ignore[arg-type]
        parts.append(f"{{ BIND({_literal(node)} AS ?this) }}")
    for prop in shapes.objects(shape, SH.targetSubjectsOf):  # type: ignore[arg-type]
        parts.append(f"{{ ?this {_iri(prop)} ?ctgTarget }}")
    for prop in shapes.objects(shape, SH.targetObjectsOf):  # type: ignore[arg-type]
        parts.append(f"{{ ?ctgTarget {_iri(prop)} ?this }}")
    if not parts:
        return None
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def compile_shapes(shapes: rdflib.Graph, prefixes_for: Callable[[Node], str]) -> Compiled:
    """Every constraint of every targeted shape as a `Check`, or `Unsupported`.
    `prefixes_for(node)` gives a SPARQL constraint's PREFIX lines."""
    compiled = Compiled()
    targeted = {s for p in TARGETS for s in shapes.subjects(p, None)}  # type: ignore[arg-type]
    for cls in (RDFS.Class, OWL_CLASS):
        targeted |= {s for s in shapes.subjects(RDF.type, cls)
                     if (s, RDF.type, SH.NodeShape) in shapes or (s, RDF.type, SH.PropertyShape)
                     in shapes}
    for shape in sorted(targeted, key=str):
        if _deactivated(shapes, shape):
            continue
        focus = focus_group(shapes, shape)
        if focus is None:
            continue
        if isinstance(shape, URIRef):
            compiled.targets[shape] = focus
        if (shape, SH.path, None) in shapes:
            compiled.checks += _property_checks(shapes, shape, focus)
            continue
        compiled.checks += _node_checks(shapes, shape, focus, prefixes_for)
    return compiled


def _node_checks(shapes: rdflib.Graph, shape: Node, focus: str, prefixes_for: Callable[[Node], str]
                 ) -> list[Check]:
    checks: list[Check] = []
    severity = _severity(shapes, shape)
    for pred, obj in sorted(shapes.predicate_objects(shape)):  # type: ignore[arg-type]
        if pred in IGNORED or pred in TARGETS:
            continue
        if pred == SH.property:
            if _deactivated(shapes, obj):
                continue
            checks += _property_checks(shapes, obj, focus)
        elif pred == SH.sparql:
            checks.append(_sparql_check(shapes, shape, obj, focus, prefixes_for))
        elif pred in VALUE_TESTS:
            if pred == SH.flags:
                continue
            test = value_test(shapes, shape, pred, obj, "?this")
            checks.append(Check(
                shape=shape, component=COMPONENT[pred], severity=severity,
                messages=_messages(shapes, shape), value="this",
                query=f"SELECT ?this WHERE {{ {focus} FILTER(!COALESCE({test}, false)) }}"))
        else:
            raise Unsupported(f"node shape with {pred}")
    return checks


def _property_checks(shapes: rdflib.Graph, ps: Node, focus: str) -> list[Check]:
    path_node = _one(shapes, ps, SH.path)
    if path_node is None:
        raise Unsupported("a property shape without sh:path")
    path = path_sparql(shapes, path_node)
    triple: Triple = ("?this", path) if isinstance(path_node, URIRef) else None
    severity = _severity(shapes, ps)
    messages = _messages(shapes, ps)
    checks: list[Check] = []

    def add(pred: URIRef, query: str, value: str = "value") -> None:
        checks.append(Check(shape=ps, component=COMPONENT[pred], query=query, severity=severity,
                            messages=messages, path=path_node, value=value))

    def counted(condition: str, having: str) -> str:
        return (f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?count) "
                f"WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value {condition} }} }} "
                f"GROUP BY ?this }} FILTER({having}) }}")

    disjoint = shapes.value(ps, SH.qualifiedValueShapesDisjoint)  # type: ignore[arg-type]
    if isinstance(disjoint, Literal) and disjoint.toPython() is True:
        raise Unsupported("sh:qualifiedValueShapesDisjoint")
    for pred, obj in sorted(shapes.predicate_objects(ps)):  # type: ignore[arg-type]
        if pred in IGNORED or pred in TARGETS or pred in (SH.path, SH.flags,
                                                           SH.qualifiedValueShape,
                                                           SH.qualifiedValueShapesDisjoint):
            continue
        if pred == SH.minCount:
            add(pred, counted("", f"?count < {_int(obj)}"), "none")
        elif pred == SH.maxCount:
            add(pred, counted("", f"?count > {_int(obj)}"), "none")
        elif pred in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
            qualified = _one(shapes, ps, SH.qualifiedValueShape)
            if qualified is None:
                raise Unsupported("a qualified count without sh:qualifiedValueShape")
            test = shape_test(shapes, qualified, "?value", triple=triple)
            op = "<" if pred == SH.qualifiedMinCount else ">"
            add(pred, counted(f"FILTER({test})", f"?count {op} {_int(obj)}"), "none")
        elif pred == SH.uniqueLang:
            if not (isinstance(obj, Literal) and obj.datatype == XSD.boolean
                    and str(obj) == "true"):
                continue
            add(pred, "SELECT DISTINCT ?this ?lang WHERE { " + focus
                + f" ?this {path} ?a . ?this {path} ?b . FILTER(!sameTerm(?a, ?b)) "
                + "BIND(LCASE(LANG(?a)) AS ?lang) FILTER(?lang != \"\" && "
                + "?lang = LCASE(LANG(?b))) }", "none")
        elif pred == SH.hasValue:
            add(pred, f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS "
                f"{{ ?this {path} {_literal(obj)} }} }}", "none")
        elif pred == SH.equals:
            other = _iri(obj)
            add(pred, f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {{ ?this {path} ?value "
                f"FILTER NOT EXISTS {{ ?this {other} ?value }} }} UNION {{ ?this {other} ?value "
                f"FILTER NOT EXISTS {{ ?this {path} ?value }} }} }}")
        elif pred in VALUE_TESTS:
            test = value_test(shapes, ps, pred, obj, "?value", triple=triple)
            add(pred, f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value "
                f"FILTER(!COALESCE({test}, false)) }}")
        else:
            raise Unsupported(f"property shape with {pred}")
    return checks


_THIS = re.compile(r"[$?]this\b")
_CURRENT_SHAPE = re.compile(r"[$?]currentShape\b")
_FORBIDDEN = re.compile(r"[$?](shapesGraph|PATH)\b")


def _sparql_check(shapes: rdflib.Graph, shape: Node, constraint: Node, focus: str,
                  prefixes_for: Callable[[Node], str]) -> Check:
    if _deactivated(shapes, constraint):
        raise Unsupported("deactivated SPARQL constraint")  # rare: leave it to pyshacl
    if (constraint, SH.ask, None) in shapes:
        raise Unsupported("ASK-based constraint")
    text = shapes.value(constraint, SH.select)  # type: ignore[arg-type]
    if not isinstance(text, Literal):
        raise Unsupported("SPARQL constraint without sh:select")
    body = str(text)
    if _FORBIDDEN.search(body):
        raise Unsupported("$shapesGraph or $PATH")
    body = _THIS.sub("?this", body)
    if isinstance(shape, URIRef):
        body = _CURRENT_SHAPE.sub(f"<{shape}>", body)
    elif _CURRENT_SHAPE.search(body):
        raise Unsupported("$currentShape of a blank shape")
    # the focus nodes join the outermost group pattern first, as pre-bound ?this would
    where = re.search(r"\bWHERE\s*\{", body, flags=re.I) or re.search(r"\{", body)
    if where is None:
        raise Unsupported("no group pattern")
    query = prefixes_for(constraint) + body[:where.end()] + f" {focus} " + body[where.end():]
    messages = [m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal)]  # type: ignore[arg-type]
    messages += [m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)]  # type: ignore[arg-type]
    if not messages:
        raise Unsupported("a SPARQL constraint without sh:message")
    return Check(shape=shape, component=SH.SPARQLConstraintComponent, query=query,
                 severity=_severity(shapes, shape), messages=messages,
                 source_constraint=constraint, value="this", sparql_based=True)


def to_rdflib(term: object) -> Node:
    """A pyoxigraph term as rdflib's (blank nodes keep their label)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")


def _copy_path(shapes: rdflib.Graph, path: Node, report: rdflib.Graph) -> None:
    if isinstance(path, BNode):
        for p, o in shapes.predicate_objects(path):
            report.add((path, p, o))
            _copy_path(shapes, o, report)


def _original(store: ox.Store, value: Node, where: tuple[Node, Node] | None,
              cache: dict[object, Node]) -> Node:
    """A result value with the datatype the data stated (see `ENCODED_PREFIX`), looked up
    on its triple (focus node, predicate) when known."""
    if not (isinstance(value, Literal) and value.datatype in (XSD.integer, XSD.dateTime)):
        return value
    key = (value, where)
    if key not in cache:
        stated = "?s ?p" if where is None else " ".join(_n3(t) for t in where)
        found = [s["g"].value for s in store.query(  # type: ignore[union-attr]
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {stated} {value.n3()} }} }}")
            if s["g"].value.startswith(ENCODED_PREFIX)]
        cache[key] = value if len(found) != 1 else Literal(
            str(value), datatype=URIRef(found[0].removeprefix(ENCODED_PREFIX)))
    return cache[key]


def _n3(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else term.n3()


def run(compiled: Compiled, store: ox.Store, shapes: rdflib.Graph) -> rdflib.Graph:
    """Run the checks on the store: the SHACL report graph, as pyshacl would write it."""
    originals: dict[object, Node] = {}
    report = rdflib.Graph()
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    count = 0
    for check in compiled.checks:
        for row in _rows(store, check):
            count += 1
            result = BNode()
            report.add((root, SH.result, result))
            report.add((result, RDF.type, SH.ValidationResult))
            report.add((result, SH.focusNode, row["this"]))
            report.add((result, SH.sourceShape, check.shape))
            report.add((result, SH.sourceConstraintComponent, check.component))
            report.add((result, SH.resultSeverity, check.severity))
            if check.source_constraint is not None:
                report.add((result, SH.sourceConstraint, check.source_constraint))
            path = row.get("path") if check.sparql_based else None
            path = path if path is not None else check.path
            if path is not None:
                report.add((result, SH.resultPath, path))
                _copy_path(shapes, path, report)
            value = row.get("value") if check.value == "value" else (
                row["this"] if check.value == "this" else None)
            if check.sparql_based and row.get("value") is not None:
                value = row["value"]
            if value is not None:
                where = (row["this"], check.path) if isinstance(check.path, URIRef) and (
                    check.value == "value") else None
                report.add((result, SH.value, _original(store, value, where, originals)))
            for message in check.messages:
                text = str(message)
                if check.sparql_based:
                    for name, bound in row.items():
                        text = re.sub("{[?$]" + re.escape(name) + "}", str(bound), text)
                report.add((result, SH.resultMessage,
                            Literal(text, lang=message.language, datatype=message.datatype)))
    report.add((root, SH.conforms, Literal(count == 0)))
    return report


def _rows(store: ox.Store, check: Check) -> Iterator[dict[str, Node]]:
    seen: set[tuple[tuple[str, Node], ...]] = set()
    solutions = store.query(check.query, use_default_graph_as_union=False)
    variables = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    for solution in solutions:  # type: ignore[union-attr]
        row = {}
        for name in variables:
            term = solution[name]
            if term is not None:
                row[name] = to_rdflib(term)
        if "this" not in row:
            continue
        key = tuple(sorted(row.items()))
        if key not in seen:
            seen.add(key)
            yield row


def focus_nodes(compiled: Compiled, store: ox.Store) -> dict[Node, set[Node]]:
    """The focus nodes of every IRI-named targeted shape (for reports listing passes)."""
    found: dict[Node, set[Node]] = {}
    for shape, group in compiled.targets.items():
        solutions = store.query(f"SELECT ?this WHERE {{ {group} }}")
        found[shape] = {to_rdflib(s["this"]) for s in solutions}  # type: ignore[union-attr]
    return found


def labels(store: ox.Store, nodes: Iterable[Node], properties: Iterable[URIRef]
           ) -> dict[Node, list[tuple[int, Literal]]]:
    """Literal values of the label properties for the given IRIs, by node: (rank of the
    property, literal)."""
    wanted = {n for n in nodes if isinstance(n, URIRef)}
    ranks = {str(p): i for i, p in enumerate(properties)}
    found: dict[Node, list[tuple[int, Literal]]] = {}
    values = " ".join(f"<{p}>" for p in ranks)
    query = f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o FILTER(isLITERAL(?o)) }}"
    for solution in store.query(query):  # type: ignore[union-attr]
        subject = URIRef(solution["s"].value) if isinstance(solution["s"], ox.NamedNode) else None
        if subject is None or subject not in wanted:
            continue
        literal = to_rdflib(solution["o"])
        found.setdefault(subject, []).append((ranks[solution["p"].value], literal))  # type: ignore[arg-type]
    return found

