"""Media types the server speaks and HTTP content negotiation (RFC 9110 §12.5.1).

One table says which format answers what: SPARQL results (SELECT/ASK), RDF graphs
(CONSTRUCT/DESCRIBE, service description, VoID, linked data) and datasets. Each format has a
short key (used by ``?format=`` and file suffixes) and one canonical media type; aliases that
clients commonly send (``application/json``, ``text/xml``) map onto the canonical format.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    key: str
    media_type: str
    suffix: str
    kind: str
    """"results" (SPARQL results), "graph" (RDF triples), "dataset" (quads) or "page" (HTML)."""
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.media_type.endswith(
            ("+json", "+xml", "/json", "/xml", "n-triples", "n-quads", "trig")
        )
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ".srj", "results", ("application/json",)),
    Format("xml", "application/sparql-results+xml", ".srx", "results",
           ("application/xml", "text/xml")),
    Format("csv", "text/csv", ".csv", "results"),
    Format("tsv", "text/tab-separated-values", ".tsv", "results"),
    Format("turtle", "text/turtle", ".ttl", "graph", ("application/x-turtle",)),
    Format("ntriples", "application/n-triples", ".nt", "graph", ("text/plain",)),
    Format("rdfxml", "application/rdf+xml", ".rdf", "graph", ("application/xml", "text/xml")),
    Format("jsonld", "application/ld+json", ".jsonld", "graph", ("application/json",)),
    Format("trig", "application/trig", ".trig", "dataset"),
    Format("nquads", "application/n-quads", ".nq", "dataset"),
    Format("html", "text/html", ".html", "page", ("application/xhtml+xml",)),
)
BY_KEY: dict[str, Format] = {f.key: f for f in FORMATS}
FORMAT_KEY_ALIASES: dict[str, str] = {
    "srj": "json", "srx": "xml", "ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples",
    "rdf": "rdfxml", "rdf/xml": "rdfxml", "json-ld": "jsonld", "nq": "nquads", "n-quads": "nquads",
}

RESULTS = [BY_KEY[k] for k in ("json", "xml", "csv", "tsv")]
GRAPH = [BY_KEY[k] for k in ("turtle", "ntriples", "rdfxml", "jsonld", "trig", "nquads")]
"""Formats for CONSTRUCT/DESCRIBE answers: the graph formats, then datasets when asked."""
RDF_DOCUMENT = [*GRAPH, BY_KEY["html"]]
"""Formats for an RDF document that also has an HTML view (service description, VoID)."""


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...]

    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*") + bool(self.params)

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        return self.type in ("*", main) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges of an Accept header; malformed parts are ignored, a bad q counts as 1."""
    ranges: list[MediaRange] = []
    for part in (header or "").split(","):
        pieces = [p.strip() for p in part.split(";")]
        main, _, sub = pieces[0].lower().partition("/")
        if not main or not sub:
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
            elif name and name != "charset":
                params.append((name, value))
        ranges.append(MediaRange(main, sub, q, tuple(params)))
    return ranges


def quality(ranges: list[MediaRange], media_type: str, *, exact_only: bool = False) -> float:
    """q of the most specific range matching `media_type` (0 if none matches); with
    `exact_only`, wildcard ranges do not count."""
    best: MediaRange | None = None
    for r in ranges:
        if exact_only and "*" in (r.type, r.subtype):
            continue
        if r.matches(media_type) and (best is None or r.specificity() > best.specificity()):
            best = r
    return best.q if best else 0.0


def negotiate(accept: str | None, offers: list[Format]) -> Format | None:
    """The offer the client prefers most; ties go to the server's order. No or empty Accept
    header means anything. None when nothing offered is acceptable (→ 406)."""
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0] if offers else None
    best: Format | None = None
    best_q = 0.0
    for offer in offers:
        # Aliases count only when named: "*/*" must not revive a format refused by name.
        q = quality(ranges, offer.media_type)
        q = max([q, *(quality(ranges, a, exact_only=True) for a in offer.aliases)])
        if q > best_q:
            best, best_q = offer, q
    if best is None:
        # A graph asked for in a results type of its family (rdflib's SPARQLStore sends only
        # application/sparql-results+json in its JSON mode, for CONSTRUCT too): JSON-LD, RDF/XML.
        for offer in offers:
            family = _RESULTS_FAMILY.get(offer.key)
            q = quality(ranges, family, exact_only=True) if family else 0.0
            if q > best_q:
                best, best_q = offer, q
    return best


_RESULTS_FAMILY = {"jsonld": "application/sparql-results+json",
                   "rdfxml": "application/sparql-results+xml"}


KIND_NAMES: dict[str, dict[str, str]] = {
    "graph": {"xml": "rdfxml", "json": "jsonld", "n3": "turtle", "text/n3": "turtle",
              "text/rdf+n3": "turtle", "application/n3": "turtle", "rdf+xml": "rdfxml",
              "application/turtle": "turtle", "application/x-json+ld": "jsonld"},
    "page": {"htm": "html", "xhtml": "html"},
}
"""Names whose meaning depends on what is answered, as Fuseki and Oxigraph server read them:
``xml`` is RDF/XML for a graph and SPARQL XML for results, ``json`` is JSON-LD for a graph;
N3 is answered as Turtle (N3's RDF subset, which N3 readers parse)."""

FORMAT_PARAMS = ("format", "output", "results")
"""Parameters clients use to name a format beside Accept: SPARQLWrapper sends all three
(Virtuoso reads ``format``, Fuseki ``output``/``format``, sparqler ``output``)."""


def by_name(name: str, offers: list[Format]) -> Format | None:
    """The offer named by a ``format=`` parameter: a key, a suffix or a media type, read for
    the offers' kind (see `KIND_NAMES`); None when no offer has that name."""
    name = name.strip().lower().lstrip(".")
    key = FORMAT_KEY_ALIASES.get(name, name)
    for offer in offers:
        if key == offer.key or name in (offer.media_type, *offer.aliases):
            return offer
        if f".{name}" == offer.suffix:
            return offer
    for offer in offers:
        if KIND_NAMES.get(offer.kind, {}).get(name) == offer.key:
            return offer
    return None


def by_names(names: str | Iterable[str] | None, offers: list[Format]) -> Format | None:
    """The first of `names` (``format``/``output``/``results`` values, in request order) that
    names an offer; names that fit none are ignored."""
    if isinstance(names, str):
        names = [names]
    for name in names or ():
        if name and (found := by_name(name, offers)) is not None:
            return found
    return None


def choose(accept: str | None, format_param: str | Iterable[str] | None, offers: list[Format]
           ) -> Format | None:
    """A known format name wins over Accept (browsers cannot set Accept on a link); an unknown
    one is ignored and Accept decides, as mature servers do, so a client that sends a name of
    its own (SPARQLWrapper's ``format=rdf+xml``) still gets what its Accept header asks for."""
    return by_names(format_param, offers) or negotiate(accept, offers)


def offered(offers: list[Format]) -> str:
    """Comma-separated media types, for 406 messages."""
    return ", ".join(o.media_type for o in offers)


GZIP_MIN_BYTES = 1024
"""Bodies shorter than this are sent as they are: compressing them saves nothing."""
GZIP_LEVEL = 6
"""zlib's default: level 9 takes about 4x the time (1.2 ms against 0.27 ms on a 91 kB
results document) for a body 15 % smaller."""


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header (RFC 9110 §12.5.3) allows gzip: named with q > 0,
    or covered by ``*`` without being refused by name."""
    named: float | None = None
    star: float | None = None
    for item in (accept_encoding or "").split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        coding = coding.lower()
        if coding in ("gzip", "x-gzip"):
            named = q if named is None else max(named, q)
        elif coding == "*":
            star = q
    if named is not None:
        return named > 0
    return star is not None and star > 0
