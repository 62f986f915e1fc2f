"""The outcome of a SHACL validation as typed results, and how its terms read for people.

The model every report writer and the validation run share: `Result` and `Report`, the
standard severities and the ``--fail-on`` levels, Turtle-like term text and labels. It imports
nothing of ctgraph's, so writers and the run import it and never each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, Namespace
from rdflib.collection import Collection
from rdflib.term import BNode, Literal, Node, URIRef

SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")


SEVERITIES = ("Violation", "Warning", "Info")
"""Standard SHACL severities, most severe first."""
FAIL_ON = {"violation": "Violation", "warning": "Warning", "info": "Info"}
_RANK = {"Violation": 2, "Warning": 1, "Info": 0}
LABEL_PROPERTIES = (RDFS.label, SCHEMA.name, SKOS.prefLabel)


class ValidationInputError(ValueError):
    """Input that cannot be validated (no shapes, shapes pyshacl rejects); the message reads
    ``path: problem``."""


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, with labels for people and IRIs for machines."""

    severity: str
    """``Violation``, ``Warning`` or ``Info`` (a custom severity keeps its local name)."""
    focus_node: str
    """IRI of the focus node (``_:id`` for a blank node)."""
    message: str
    source_shape: str
    """IRI of the named shape the result comes from: the ``sh:sourceShape`` itself, or for a
    blank property shape the named shape it belongs to."""
    shape_name: str
    """The ``sh:name`` of the property shape or SPARQL constraint, else the shape's label."""
    constraint: str
    """Constraint component, e.g. ``sh:MinCountConstraintComponent``."""
    path: str | None = None
    """Result path as SPARQL property path text with prefixes, e.g. ``schema:startDate``."""
    value: Node | None = None
    focus_label: str | None = None
    value_label: str | None = None
    path_label: str | None = None
    """Label of the path's property (from the ontology) when the path is one property."""
    files: tuple[str, ...] = ()
    """Files that state something about the focus node."""
    line: int | None = None
    """Line of the first of `files` where the focus node is written, when it can be found
    (for CI systems that annotate the line)."""

    @property
    def rank(self) -> int:
        return _RANK.get(self.severity, 2)


@dataclass
class Report:
    """The outcome of one validation run."""

    results: list[Result]
    graph: rdflib.Graph
    """The SHACL validation report graph (sh:ValidationReport) as pyshacl produced it."""
    shape_labels: dict[str, str] = field(default_factory=dict)
    """Label of every named shape (IRI -> label)."""
    targets: dict[str, list[str]] = field(default_factory=dict)
    """Focus nodes each named shape targets (IRI -> IRIs), also those that passed."""
    labels: dict[str, str] = field(default_factory=dict)
    """Labels of focus nodes (IRI -> label)."""
    triples: int = 0
    files: list[Path] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)
    """Prefixes for display: the data's, the project's and the shapes' declarations."""
    engine: str = "pyshacl"
    """Which engine produced the results: ``pyshacl`` or ``compiled`` (same results)."""

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for result in self.results:
            counts[result.severity] = counts.get(result.severity, 0) + 1
        return counts

    def failing(self, fail_on: str) -> list[Result]:
        """Results at or above the `fail_on` level (``violation``, ``warning``, ``info``)."""
        threshold = _RANK[FAIL_ON[fail_on]]
        return [r for r in self.results if r.rank >= threshold]

    def conforms(self, fail_on: str = "violation") -> bool:
        return not self.failing(fail_on)


def label(graph: rdflib.Graph, node: Node) -> str | None:
    """A node's display name: English (else untagged, else any) rdfs:label, schema:name or
    skos:prefLabel."""
    for prop in LABEL_PROPERTIES:
        values = [o for o in graph.objects(node, prop) if isinstance(o, Literal)]  # type: ignore[arg-type]
        if values:
            for wanted in ("en", None):
                for v in sorted(values):
                    if v.language == wanted or (v.language or "").startswith(f"{wanted}-"):
                        return str(v)
            return str(sorted(values)[0])
    return None


def _compact(iri: str, prefixes: dict[str, str]) -> str:
    best = ""
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(namespace) > len(prefixes.get(best, "")):
            local = iri[len(namespace):]
            if local and all(c.isalnum() or c in "_-." for c in local) and local[-1] != ".":
                best = prefix
    return f"{best}:{iri[len(prefixes[best]):]}" if best else f"<{iri}>"


def term_text(node: Node | None, prefixes: dict[str, str]) -> str:
    """A term as it would be written in Turtle, IRIs compacted with the known prefixes."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return _compact(str(node), prefixes)
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        text = '"' + str(node).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype:
            return f"{text}^^{_compact(str(node.datatype), prefixes)}"
        return text
    return str(node)


def path_text(shapes: rdflib.Graph, path: Node, prefixes: dict[str, str]) -> str:
    """A SHACL property path as SPARQL property path text."""
    if isinstance(path, URIRef):
        return _compact(str(path), prefixes)
    if (path, RDF.first, None) in shapes:
        return "/".join(path_text(shapes, p, prefixes) for p in Collection(shapes, path))
    for prop, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                      (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = shapes.value(path, prop)  # type: ignore[arg-type]
        if inner is not None:
            return fmt.format(_group(shapes, inner, prefixes))
    alternatives = shapes.value(path, SH.alternativePath)  # type: ignore[arg-type]
    if alternatives is not None:
        return "|".join(path_text(shapes, p, prefixes) for p in Collection(shapes, alternatives))
    return term_text(path, prefixes)


def _group(shapes: rdflib.Graph, path: Node, prefixes: dict[str, str]) -> str:
    text = path_text(shapes, path, prefixes)
    return text if isinstance(path, URIRef) else f"({text})"


def display_path(path: Path) -> str:
    """A path relative to the working folder when it is inside it, as a user typed it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
