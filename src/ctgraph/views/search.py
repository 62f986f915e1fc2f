"""Name search for people who know what they are looking for but not its IRI.

A name matches when the text, folded (case, accents, Russian ё/е), occurs in one of a
resource's names in any language: labels, schema.org names, preferred and alternative SKOS
labels, alternate names, hidden variant spellings. The whole name table of the graph is small
(hundreds of literals), so it is fetched with one SPARQL query per store version and matched
in Python, which lets the folding be the same for every back-end (a remote endpoint included).
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field

import pyoxigraph as ox

from ctgraph.graph.namespaces import BASE
from ctgraph.graph.store import GraphStore

NAME_PROPERTIES: dict[str, str] = {
    "http://www.w3.org/2000/01/rdf-schema#label": "rdfs:label",
    "https://schema.org/name": "schema:name",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "skos:prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel": "skos:altLabel",
    "https://schema.org/alternateName": "schema:alternateName",
    "http://www.w3.org/2004/02/skos/core#hiddenLabel": "skos:hiddenLabel",
}
HIDDEN = "http://www.w3.org/2004/02/skos/core#hiddenLabel"
"""Variant spellings: found by search, never displayed (docs/model.md)."""

MAX_QUERY_CHARS = 200

_VALUES = " ".join(f"<{p}>" for p in NAME_PROPERTIES)
_NAMES_QUERY = """
SELECT DISTINCT ?resource ?property ?name ?kindLabel WHERE {
  VALUES ?property { _VALUES }
  ?resource ?property ?name .
  FILTER(isIRI(?resource) && isLiteral(?name))
  OPTIONAL {
    ?resource a ?class .
    ?class <http://www.w3.org/2000/01/rdf-schema#label> ?kindLabel .
    FILTER(STRSTARTS(STR(?class), "_BASEontology#") && LANG(?kindLabel) = "en")
  }
}
""".replace("_VALUES", _VALUES).replace("_BASE", BASE)


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD without combining marks, casefolded.

    Decomposition also turns Russian ё into е + diaeresis, so "Ёлка" and "елка" match, and
    й into и + breve, which only widens matches harmlessly.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


@dataclass
class Resource:
    """A resource with its displayable names, as the search index holds it."""

    iri: str
    names: list[tuple[str, str, str]] = field(default_factory=list)
    """(property IRI, text, language tag) of every name, hidden ones included."""
    kinds: set[str] = field(default_factory=set)

    def label(self, lang: str = "en") -> str | None:
        """The rdfs:label in `lang`, else schema:name / skos:prefLabel, else any visible name."""
        visible = [n for n in self.names if n[0] != HIDDEN]
        for prop in (
            "http://www.w3.org/2000/01/rdf-schema#label",
            "https://schema.org/name",
            "http://www.w3.org/2004/02/skos/core#prefLabel",
        ):
            for p, text, tag in visible:
                if p == prop and tag.lower().split("-")[0] == lang:
                    return text
        return None

    def display_label(self) -> str:
        return (
            self.label("en")
            or next((t for p, t, _ in self.names if p != HIDDEN and not _is_acronymish(t)), None)
            or next((t for p, t, _ in self.names if p != HIDDEN), None)
            or self.iri
        )

    def acronyms(self) -> list[tuple[str, str]]:
        """Alternative names (acronyms, short forms) with their language tags, each once,
        English first."""
        seen: list[tuple[str, str]] = []
        for p, text, tag in self.names:
            if p in (
                "http://www.w3.org/2004/02/skos/core#altLabel", "https://schema.org/alternateName"
            ) and text not in (s[0] for s in seen):
                seen.append((text, tag))
        return sorted(seen, key=lambda s: (s[1] != "en", s[1]))


def _is_acronymish(text: str) -> bool:
    return len(text) <= 12 and " " not in text


@dataclass(frozen=True)
class SearchHit:
    """One matching resource: what to show, where it lives, and why it matched."""

    iri: str
    path: str | None
    """Path of its page on this server (``/{kind}/{slug}``), None for IRIs outside ctgraph."""
    label: str
    label_ru: str | None
    kinds: tuple[str, ...]
    acronyms: tuple[tuple[str, str], ...]
    """(text, language tag) of each alternative name."""
    matched: str
    """The name that matched (the label when the match was a hidden variant spelling)."""
    matched_property: str
    score: int

    def as_json(self) -> dict[str, object]:
        return {
            "iri": self.iri,
            "path": self.path,
            "label": self.label,
            "labelRu": self.label_ru,
            "kinds": list(self.kinds),
            "acronyms": [{"text": text, "lang": lang} for text, lang in self.acronyms],
            "matched": self.matched,
            "matchedProperty": NAME_PROPERTIES.get(self.matched_property, self.matched_property),
        }


def resource_path(iri: str) -> str | None:
    """Where this server shows a resource: ``/{kind}/{slug}`` for ctgraph IRIs (the ontology's
    terms are documented on ``/ontology``)."""
    if not iri.startswith(BASE):
        return None
    local = iri[len(BASE):]
    return "/" + local if local else "/"


class NameIndex:
    """Every name in a store, folded, built once per store version."""

    def __init__(self, resources: dict[str, Resource]):
        self.resources = resources
        self.entries = [
            (fold(text), res, prop, text)
            for res in resources.values()
            for prop, text, _ in res.names
        ]

    @classmethod
    def from_store(cls, store: GraphStore) -> NameIndex:
        resources: dict[str, Resource] = {}
        result = store.query(_NAMES_QUERY)
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            iri = row["resource"].value
            res = resources.setdefault(iri, Resource(iri))
            name = row["name"]
            entry = (row["property"].value, name.value, name.language or "")
            if entry not in res.names:
                res.names.append(entry)
            if row["kindLabel"] is not None:
                res.kinds.add(row["kindLabel"].value)
        for res in resources.values():
            if not res.kinds and res.iri.startswith(f"{BASE}ontology"):
                res.kinds.add("ontology term")
        return cls(resources)

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """Resources with a name containing `text` (folded), best first: a whole-name match,
        then a name starting with it, then a word starting with it, then anywhere; shorter
        names first within a rank, then by label."""
        needle = fold(text)
        if not needle:
            return []
        best: dict[str, tuple[int, str, str]] = {}
        for folded, res, prop, original in self.entries:
            if needle not in folded:
                continue
            if folded == needle:
                score = 0
            elif folded.startswith(needle):
                score = 1
            elif f" {needle}" in f" {folded}" or any(
                w.startswith(needle) for w in folded.replace("-", " ").replace("(", " ").split()
            ):
                score = 2
            else:
                score = 3
            score = score * 1000 + min(len(folded), 999)
            current = best.get(res.iri)
            if current is None or score < current[0]:
                best[res.iri] = (score, prop, original)
        hits = []
        for iri, (score, prop, original) in best.items():
            res = self.resources[iri]
            label = res.display_label()
            hits.append(SearchHit(
                iri=iri, path=resource_path(iri), label=label, label_ru=res.label("ru"),
                kinds=tuple(sorted(res.kinds)), acronyms=tuple(res.acronyms()),
                matched=label if prop == HIDDEN else original, matched_property=prop,
                score=score,
            ))
        hits.sort(key=lambda h: (h.score, h.label.casefold(), h.iri))
        return hits[:limit]


_cache: dict[int, tuple[str, NameIndex]] = {}
_lock = threading.Lock()


def name_index(store: GraphStore) -> NameIndex:
    """The store's name index, rebuilt when the store's version changes."""
    key = id(store)
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == store.version:
            return cached[1]
    index = NameIndex.from_store(store)
    with _lock:
        _cache[key] = (store.version, index)
    return index


def search(store: GraphStore, text: str, limit: int = 50) -> list[SearchHit]:
    """Resources of `store` whose names contain `text`, case- and accent-insensitively."""
    return name_index(store).search(text[:MAX_QUERY_CHARS], limit)
