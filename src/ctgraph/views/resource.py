"""What the linked-data views say about a resource, as plain data read from the GraphStore.

Every function runs SPARQL through the `GraphStore` interface, so the views work the same
over the embedded and remote back-ends; rendering lives in `linked_data` and templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ctgraph.graph.namespaces import BASE, PREFIXES
from ctgraph.graph.store import GraphStore

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL_PROPERTIES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "https://schema.org/name",
)
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Names and identity", ("label", "name", "alternateName", "altLabel", "prefLabel",
                            "hiddenLabel", "identifier", "notation", "isoAlpha2", "isoAlpha3",
                            "isoNumeric", "ordinal", "definition", "fileName", "sha256",
                            "characterCount", "encodingFormat", "comment")),
    ("Time and place", ("startDate", "endDate", "datePublished", "temporalCoverage",
                        "statedDuration", "location", "containedInPlace", "containsPlace",
                        "memberCountry", "inLanguage")),
    ("Provenance", ("hasSourceError", "source", "wasRevisionOf", "isVersionOf", "hasVersion",
                    "specializationOf", "wasDerivedFrom", "inSource", "citation", "affects",
                    "affectedProperty", "statedValue", "correctedValue", "reason",
                    "errorKind", "hasBody", "hasTarget", "hasSource", "hasSelector",
                    "citedProperty", "motivatedBy", "start", "end", "exact")),
)
GRAPH_NAMES = {
    f"{BASE}graph/source-000": "source 000",
    f"{BASE}graph/source-001": "source 001",
    f"{BASE}graph/reference": "reference",
    f"{BASE}graph/provenance": "provenance",
    f"{BASE}graph/ontology": "ontology",
    f"{BASE}graph/shapes": "shapes",
}


def iri_ref(iri: str) -> str:
    """An IRI as a SPARQL term, refusing characters that could break out of it."""
    if any(c in iri for c in '<>"{}|^`\\ \n\t'):
        raise ValueError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


def local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def compact(iri: str) -> str:
    """prefix:local for display when a published prefix fits (longest namespace wins)."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            rest = iri[len(ns):]
            if rest and "/" not in rest and "#" not in rest:
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


@dataclass
class Value:
    """One object of a statement, ready to show: a link with a label, or a literal."""

    text: str
    iri: str | None = None
    datatype: str | None = None
    language: str | None = None
    graphs: list[str] = field(default_factory=list)


@dataclass
class Property:
    iri: str
    label: str
    values: list[Value]


@dataclass
class Citation:
    iri: str
    source: str
    file_name: str
    start: int
    end: int
    exact: str
    properties: list[str]


@dataclass
class SourceError:
    iri: str
    label: str
    kind: str
    stated: str
    corrected: str | None
    reason: str
    sources: list[str]


@dataclass
class Description:
    iri: str
    label: str
    labels: dict[str, str]
    types: list[Value]
    groups: list[tuple[str, list[Property]]]
    incoming: list[tuple[Value, str]]
    citations: list[Citation]
    errors: list[SourceError]
    language: str = "en"
    """The language asked for; `label_language` is the one `label` is in ("" untagged)."""
    label_language: str = "en"
    property_languages: dict[str, str] = field(default_factory=dict)

    @property
    def other_label(self) -> tuple[str, str] | None:
        """The resource's own label in the other offered language, shown under the title."""
        for lang in ("ru", "en") if self.label_language != "ru" else ("en",):
            if lang != self.label_language and self.labels.get(lang):
                return self.labels[lang], lang
        return None


def _rows(store: GraphStore, query: str) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    result = store.query(query)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    solutions = list(result)  # type: ignore[arg-type]
    return [{n: s[n] for n in names if s[n] is not None} for s in solutions]


def exists(store: GraphStore, iri: str) -> bool:
    """True when the graph says anything about `iri` as a subject."""
    return bool(store.query(f"ASK {{ {iri_ref(iri)} ?p ?o }}"))


def labels_for(store: GraphStore, iris: set[str], lang: str = "en") -> dict[str, str]:
    """A display label per IRI (in `lang`, else English, else untagged, else any)."""
    return {k: text for k, (text, _) in labels_with_language(store, iris, lang).items()}


def labels_with_language(store: GraphStore, iris: set[str],
                         lang: str = "en") -> dict[str, tuple[str, str]]:
    """A display label per IRI with its language tag ("" untagged), preferring `lang`, then
    English, then untagged, then any: a page in Russian names what has a Russian name in
    Russian and everything else as before."""
    if not iris:
        return {}
    values = " ".join(iri_ref(i) for i in sorted(iris))
    props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    found: dict[str, tuple[int, str, str]] = {}
    for row in _rows(store, f"""
        SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ {props} }} ?x ?p ?l }}"""):
        label = row["l"]
        language = getattr(label, "language", None) or ""
        rank = 0 if language == lang else 1 if language == "en" else 2 if not language else 3
        key = row["x"].value
        if key not in found or rank < found[key][0]:
            found[key] = (rank, label.value, language)
    return {k: (text, language) for k, (_, text, language) in found.items()}


def concise_description(store: GraphStore, iri: str) -> list[ox.Triple]:
    """The resource's outgoing triples plus those of its blank nodes and hash-suffixed
    children (a citation's #target and selectors), two levels deep: its RDF document."""
    ref = iri_ref(iri)
    query = f"""
        SELECT DISTINCT ?s ?p ?o WHERE {{
          {{ BIND({ref} AS ?s) ?s ?p ?o }}
          UNION {{ {ref} ?a ?s . FILTER(isBlank(?s) || STRSTARTS(STR(?s), "{iri}#")) ?s ?p ?o }}
          UNION {{ {ref} ?a ?m . ?m ?b ?s .
                   FILTER(isBlank(?m) || STRSTARTS(STR(?m), "{iri}#"))
                   FILTER(isBlank(?s) || STRSTARTS(STR(?s), "{iri}#")) ?s ?p ?o }}
        }}"""
    return [ox.Triple(r["s"], r["p"], r["o"]) for r in _rows(store, query)]  # type: ignore[arg-type]


def _value(term: ox.NamedNode | ox.Literal | ox.BlankNode,
           labels: dict[str, tuple[str, str]]) -> Value:
    if isinstance(term, ox.NamedNode):
        text, language = labels.get(term.value, (compact(term.value), ""))
        return Value(text, iri=term.value, language=language or None)
    if isinstance(term, ox.Literal):
        return Value(term.value, datatype=term.datatype.value if not term.language else None,
                     language=term.language)
    return Value(f"_:{term.value}")


def _group_of(prop: str) -> str:
    name = local_name(prop)
    for group, names in GROUPS:
        if name in names:
            return group
    return "Relations"


def describe(store: GraphStore, iri: str, lang: str = "en") -> Description:
    """Everything the HTML page of `iri` shows, with labels in `lang` where the graph has them
    (a link's `Value.language` is its label's language)."""
    ref = iri_ref(iri)
    statements = _rows(store, f"""
        SELECT ?p ?o ?g WHERE {{
          {{ GRAPH ?g {{ {ref} ?p ?o }} }}
          UNION {{ {ref} ?p ?o FILTER NOT EXISTS {{ GRAPH ?h {{ {ref} ?p ?o }} }} }} }}""")
    incoming_rows = _rows(store, f"""
        SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {ref} FILTER(isIRI(?s)) }} ORDER BY ?p ?s LIMIT 300""")
    mentioned = {iri} | {r["p"].value for r in statements} | {
        r["o"].value for r in statements if isinstance(r["o"], ox.NamedNode)
    } | {r["s"].value for r in incoming_rows} | {r["p"].value for r in incoming_rows}
    labelled = labels_with_language(store, mentioned, lang)
    labels = {k: text for k, (text, _) in labelled.items()}

    own_labels: dict[str, str] = {}
    by_property: dict[str, dict[str, Value]] = {}
    types: dict[str, Value] = {}
    for row in statements:
        p, o = row["p"].value, row["o"]
        g = row["g"].value if "g" in row else None
        graph = GRAPH_NAMES.get(g, compact(g)) if g else "default"
        key = str(o)
        if p == RDF_TYPE:
            types.setdefault(key, _value(o, labelled)).graphs.append(graph)
            continue
        if p == LABEL_PROPERTIES[0] and isinstance(o, ox.Literal):
            own_labels.setdefault(o.language or "", o.value)
        value = by_property.setdefault(p, {}).setdefault(key, _value(o, labelled))
        if graph not in value.graphs:
            value.graphs.append(graph)

    groups: dict[str, list[Property]] = {}
    for p in sorted(by_property, key=lambda x: (labels.get(x) or local_name(x)).lower()):
        values = sorted(by_property[p].values(), key=lambda v: v.text.lower())
        groups.setdefault(_group_of(p), []).append(
            Property(p, labels.get(p) or local_name(p), values))
    ordered = [(g, groups[g]) for g in ("Names and identity", "Time and place", "Relations",
                                        "Provenance") if g in groups]
    incoming = [(_value(r["s"], labelled), labels.get(r["p"].value) or local_name(r["p"].value))
                for r in incoming_rows]
    return Description(
        iri=iri,
        label=labels.get(iri) or local_name(iri),
        labels=own_labels,
        types=sorted(types.values(), key=lambda v: v.text.lower()),
        groups=ordered,
        incoming=incoming,
        citations=citations(store, iri),
        errors=source_errors(store, iri),
        language=lang,
        label_language=labelled[iri][1] if iri in labelled else "en",
        property_languages={p: labelled[p][1] for p in by_property if p in labelled},
    )


def citations(store: GraphStore, iri: str) -> list[Citation]:
    """Where the sources state facts about `iri`: file, offsets, quoted span, properties."""
    rows = _rows(store, f"""
        PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX ctg: <https://w3id.org/ctgraph/ontology#>
        SELECT ?c ?src ?file ?start ?end ?exact
               (GROUP_CONCAT(DISTINCT STR(?p); separator=" ") AS ?props) WHERE {{
          ?c oa:hasBody {iri_ref(iri)} ; ctg:citedProperty ?p ; oa:hasTarget ?t .
          ?t oa:hasSource ?src ; oa:hasSelector ?ps , ?qs .
          ?src ctg:fileName ?file .
          ?ps oa:start ?start ; oa:end ?end .
          ?qs oa:exact ?exact .
        }} GROUP BY ?c ?src ?file ?start ?end ?exact ORDER BY ?file ?start""")
    return [
        Citation(r["c"].value, r["src"].value, r["file"].value, int(r["start"].value),
                 int(r["end"].value), r["exact"].value,
                 [local_name(p) for p in r["props"].value.split()])
        for r in rows
    ]


def source_errors(store: GraphStore, iri: str) -> list[SourceError]:
    rows = _rows(store, f"""
        PREFIX ctg: <https://w3id.org/ctgraph/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?e ?label ?kind ?stated ?corrected ?reason
               (GROUP_CONCAT(DISTINCT STR(?src); separator=" ") AS ?sources) WHERE {{
          ?e ctg:affects {iri_ref(iri)} ; rdfs:label ?label ; ctg:errorKind ?kind ;
             ctg:statedValue ?stated ; ctg:reason ?reason ; ctg:inSource ?src .
          OPTIONAL {{ ?e ctg:correctedValue ?corrected }}
        }} GROUP BY ?e ?label ?kind ?stated ?corrected ?reason ORDER BY ?e""")
    return [
        SourceError(r["e"].value, r["label"].value, r["kind"].value, r["stated"].value,
                    r["corrected"].value if "corrected" in r else None, r["reason"].value,
                    r["sources"].value.split())
        for r in rows
    ]
