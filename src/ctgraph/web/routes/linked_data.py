"""Linked data: every IRI of the namespace dereferences, plus /ontology, /shapes, /download/
and the landing page.

A request for /{kind}/{slug} answers for the IRI https://w3id.org/ctgraph/{kind}/{slug}:
HTML for browsers, Turtle, JSON-LD, N-Triples or RDF/XML by Accept or by suffix, with
`Link` headers to the alternates and `Vary: Accept`. Links inside pages are the server's own
paths, so navigation works at any base URL.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctgraph import __version__
from ctgraph.graph.bundle import ONTOLOGY_DIR, bundled_shape_files
from ctgraph.graph.namespaces import BASE, GRAPH_ONTOLOGY, GRAPH_SHAPES, ONTOLOGY_IRI
from ctgraph.sparql import media_types as media
from ctgraph.sparql.serialization import serialize_triples
from ctgraph.views import resource as d
from ctgraph.views.stats import graph_size
from ctgraph.web import language
from ctgraph.web.errors import HTTPProblem
from ctgraph.web.http_caching import etag_for, is_not_modified, last_modified
from ctgraph.web.routes.pages import render

router = APIRouter()

KINDS = ("project", "phase", "event", "activity", "org", "country", "city", "region", "doc",
         "pillar", "source", "citation", "erratum", "graph", "line", "linkset")
"""First path segments of minted IRIs; a new kind in the data needs its name here
(tests/test_clients_dereference.py walks every IRI the service publishes)."""
OFFERS = [media.BY_KEY[k] for k in ("turtle", "jsonld", "ntriples", "rdfxml", "html")]
BY_SUFFIX = {f.suffix: f for f in OFFERS}
DUMPS = {
    "ctgraph.ttl": media.BY_KEY["turtle"],
    "ctgraph.nt": media.BY_KEY["ntriples"],
    "ctgraph.jsonld": media.BY_KEY["jsonld"],
    "ctgraph.trig": media.BY_KEY["trig"],
    "ctgraph.nq": media.BY_KEY["nquads"],
}


def local_path(iri: str) -> str | None:
    """The server path that dereferences `iri`, or None for IRIs outside the namespace."""
    if iri.startswith(ONTOLOGY_IRI + "#"):
        return "/ontology#" + iri.split("#", 1)[1]
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    if iri.startswith((ONTOLOGY_IRI + "/", f"{BASE}shapes#")) or iri == f"{BASE}shapes":
        return "/" + iri[len(BASE):]  # version IRIs (/ontology/0.2.0) and the shapes
    if iri.startswith(BASE) and iri[len(BASE):].split("/", 1)[0] in KINDS:
        return "/" + iri[len(BASE):]
    return None


def href(iri: str) -> str:
    return local_path(iri) or iri


def _negotiate(request: Request, suffix_format: media.Format | None) -> media.Format:
    if suffix_format is not None:
        return suffix_format
    chosen = media.choose(request.headers.get("accept"), request.query_params.get("format"),
                          OFFERS)
    if chosen is None:
        raise HTTPProblem(406, "None of the requested media types is offered; offered: "
                          + media.offered(OFFERS))
    return chosen


def _document_format(request: Request, path: str, suffix: str) -> media.Format:
    """The format of a whole document at `path` (+ optional suffix such as ".ttl")."""
    suffix_format = BY_SUFFIX.get(suffix) if suffix else None
    if suffix and suffix_format is None:
        raise HTTPProblem(404, f"Not found: {path}{suffix}")
    return _negotiate(request, suffix_format)


def _split_suffix(path: str) -> tuple[str, media.Format | None]:
    for suffix, fmt in BY_SUFFIX.items():
        if path.endswith(suffix):
            return path[: -len(suffix)], fmt
    return path, None


def _link_header(request: Request, path: str, iri: str) -> str:
    """Alternates at the server's public base URL (settings.base_url), and the IRI itself."""
    base = request.app.state.settings.public_base_url
    links = [f'<{base}{path}{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in OFFERS]
    links.append(f'<{iri}>; rel="canonical"')
    return ", ".join(links)


def _respond(request: Request, body: bytes, fmt: media.Format, extra: dict[str, str],
             lang: str | None = None) -> Response:
    """The representation with caching headers; `lang` for HTML whose labels follow the
    reader's language (the tag and Vary then cover it, and a ?lang= choice is remembered)."""
    state = request.app.state
    etag = etag_for(state.store.version, request.url.path, fmt.key, *([lang] if lang else []))
    loaded = last_modified(state)
    headers = {"Vary": language.VARY if lang else "Accept", "ETag": etag,
               "Cache-Control": "public, max-age=300", **extra}
    if is_not_modified(request, etag, loaded):
        response = Response(status_code=304, headers=headers)
    else:
        response = Response(body, media_type=fmt.content_type, headers=headers)
    return language.remember(request, response) if lang else response


# ------------------------------------------------------------------ resources


def _resource(request: Request, kind: str, rest: str) -> Response:
    slug, suffix_format = _split_suffix(rest)
    iri = f"{BASE}{kind}/{slug}"
    store = request.app.state.store
    try:
        known = d.exists(store, iri)
    except ValueError:
        known = False
    if not known and (document := GRAPH_DOCUMENTS.get(iri)) is not None:
        # A graph named in the service description whose content is a document of its own.
        return RedirectResponse(document, status_code=303, headers={"Vary": "Accept"})
    if not known:
        wants_html = media.choose(request.headers.get("accept"), None,
                                  [media.BY_KEY["html"], media.BY_KEY["turtle"]])
        if wants_html is not None and wants_html.key == "html":
            page = render(request, "not_found.html", status=404, iri=iri)
            page.headers["Vary"] = "Accept"
            return page
        raise HTTPProblem(404, f"Not found: the graph says nothing about <{iri}>")
    fmt = _negotiate(request, suffix_format)
    path = f"/{kind}/{slug}"
    headers = {"Link": _link_header(request, path, iri)}
    if fmt.key == "html":
        lang = language.page_language(request)
        description = d.describe(store, iri, lang)
        html = render(request, "resource.html", r=description, href=href,
                      svg=neighbourhood_svg(description), alternates=OFFERS, path=path,
                      page_lang=lang, languages=language.LANGUAGES).body
        return _respond(request, bytes(html), fmt, headers, lang)
    return _respond(request, serialize_triples(d.concise_description(store, iri), fmt), fmt,
                    headers)


def _register_kind(kind: str) -> None:
    def endpoint(request: Request, rest: str) -> Response:
        return _resource(request, kind, rest)

    endpoint.__name__ = f"dereference_{kind}"
    router.add_api_route(
        f"/{kind}/{{rest:path}}", endpoint, methods=["GET"], include_in_schema=kind == "event",
        summary="Dereference a resource IRI (HTML, Turtle, JSON-LD, N-Triples, RDF/XML)"
        if kind == "event" else None,
        operation_id=f"dereference_{kind}",
    )


for _kind in KINDS:
    _register_kind(_kind)


def neighbourhood_svg(r: d.Description, size: int = 360) -> str:
    """A small radial drawing of the resource and its linked neighbours, as inline SVG."""
    neighbours: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for _, props in r.groups:
        for prop in props:
            for v in prop.values:
                if v.iri and local_path(v.iri) and v.iri not in seen and len(neighbours) < 10:
                    seen.add(v.iri)
                    neighbours.append((v.iri, v.text, prop.label))
    for v, plabel in r.incoming:
        if v.iri and v.iri not in seen and len(neighbours) < 14 and "/citation/" not in v.iri:
            seen.add(v.iri)
            neighbours.append((v.iri, v.text, f"← {plabel}"))
    c = size / 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
             f'role="img" aria-labelledby="nb-title" class="neighbourhood">',
             f'<title id="nb-title">{escape(r.label)} and {len(neighbours)} linked resources'
             "</title>"]
    radius = size * 0.36
    for i, (iri, text, plabel) in enumerate(neighbours):
        angle = 2 * math.pi * i / max(len(neighbours), 1) - math.pi / 2
        x, y = c + radius * math.cos(angle), c + radius * math.sin(angle)
        short = text if len(text) <= 22 else text[:21] + "…"
        parts.append(f'<line x1="{c:.0f}" y1="{c:.0f}" x2="{x:.0f}" y2="{y:.0f}"/>')
        parts.append(f'<a href="{escape(href(iri))}"><title>{escape(plabel)}: {escape(text)}'
                     f'</title><circle cx="{x:.0f}" cy="{y:.0f}" r="6"/>'
                     f'<text x="{x:.0f}" y="{y + 18:.0f}" text-anchor="middle">{escape(short)}'
                     "</text></a>")
    centre = r.label if len(r.label) <= 28 else r.label[:27] + "…"
    parts.append(f'<circle class="centre" cx="{c:.0f}" cy="{c:.0f}" r="10"/>'
                 f'<text class="centre" x="{c:.0f}" y="{c - 16:.0f}" text-anchor="middle">'
                 f"{escape(centre)}</text></svg>")
    return "".join(parts)


# ------------------------------------------------------------------ ontology and shapes


def _graph_triples(request: Request, graph: str) -> list[ox.Triple]:
    rows = _select(request, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return [ox.Triple(s["s"], s["p"], s["o"]) for s in rows]


def _select(request: Request, query: str) -> list[ox.QuerySolution]:
    """All solutions at once: pyoxigraph's result iterators must not leave their thread."""
    return list(request.app.state.store.query(query))


OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TERM_KINDS = (OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty")


def _in_language(literals: list[ox.Literal], lang: str) -> tuple[str, str]:
    """The text in `lang`, else English, else the first; with the language it is in."""
    for wanted in (lang, "en"):
        for lit in literals:
            if lit.language == wanted:
                return lit.value, wanted
    return (literals[0].value, literals[0].language or "") if literals else ("", "")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _ontology_terms(request: Request, lang: str = "en") -> list[dict[str, Any]]:
    """Every ctg: term with its labels and definition in `lang` (else English), what it
    specialises, is disjoint with and is related to, and how much the data uses it: a class
    counts its instances through its subclasses, a property its statements."""
    about: dict[str, dict[str, list[Any]]] = {}
    for t in _graph_triples(request, GRAPH_ONTOLOGY):
        about.setdefault(str(t.subject), {}).setdefault(t.predicate.value, []).append(t.object)

    def objects(node: str, prop: str) -> list[Any]:
        return about.get(node, {}).get(prop, [])

    def iris(node: str, prop: str) -> list[str]:
        return sorted(o.value for o in objects(node, prop) if isinstance(o, ox.NamedNode))

    disjoint: dict[str, set[str]] = {}
    for node, props in about.items():
        for other in iris(node, OWL + "disjointWith") if node.startswith("<") else []:
            disjoint.setdefault(node[1:-1], set()).add(other)
            disjoint.setdefault(other, set()).add(node[1:-1])
        if ox.NamedNode(OWL + "AllDisjointClasses") in props.get(RDF + "type", []):
            members, cell = [], str(props[OWL + "members"][0])
            while cell in about and objects(cell, RDF + "first"):
                members.append(objects(cell, RDF + "first")[0].value)
                cell = str(objects(cell, RDF + "rest")[0])
            for a in members:
                disjoint.setdefault(a, set()).update(m for m in members if m != a)

    ctg = ONTOLOGY_IRI + "#"
    subclasses: dict[str, set[str]] = {}
    for node in about:
        for sup in iris(node, RDFS + "subClassOf"):
            subclasses.setdefault(sup, set()).add(node[1:-1])

    def below(c: str) -> set[str]:
        seen, todo = {c}, [c]
        while todo:
            for sub in subclasses.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return seen

    instances: dict[str, set[str]] = {}
    for r in _select(request, f"""SELECT DISTINCT ?s ?c WHERE {{
                         ?s a ?c FILTER(STRSTARTS(STR(?c), "{ctg}")) }}"""):
        instances.setdefault(r["c"].value, set()).add(str(r["s"]))
    uses = {
        s["p"].value: int(s["n"].value)
        for s in _select(request, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
    }
    names = {}
    for node in about:
        if node.startswith(f"<{ctg}"):
            text, text_lang = _in_language(objects(node, RDFS + "label"), lang)
            names[node[1:-1]] = (d.compact(node[1:-1]), text, text_lang)

    def link(iri: str) -> dict[str, str]:
        short, label, label_lang = names.get(iri, (d.compact(iri), "", ""))
        return {"name": short, "href": href(iri), "label": label, "lang": label_lang}

    terms = []
    for kind in TERM_KINDS:
        for node in sorted(n for n, props in about.items()
                           if n.startswith(f"<{ctg}") and ox.NamedNode(kind) in
                           props.get(RDF + "type", [])):
            iri = node[1:-1]
            label, label_lang = _in_language(objects(node, RDFS + "label"), lang)
            other_lang = "en" if label_lang != "en" else "ru"
            other = [lit.value for lit in objects(node, RDFS + "label")
                     if lit.language == other_lang]
            definition, definition_lang = _in_language(objects(node, SKOS + "definition"), lang)
            if kind.endswith("Class"):
                count = len(set().union(*(instances.get(c, set()) for c in below(iri))))
                usage = _plural(count, "instance", "instances")
                if len(below(iri)) > 1:
                    usage += ", counting its subclasses"
            else:
                usage = "used " + _plural(uses.get(iri, 0), "time", "times")
            terms.append({
                "iri": iri, "name": d.local_name(iri), "kind": d.local_name(kind),
                "label": label, "label_lang": label_lang,
                "other_label": (other[0], other_lang) if other else None,
                "definition": definition, "definition_lang": definition_lang,
                "notes": [n.value for n in objects(node, SKOS + "note")],
                "deprecated": any(o.value == "true" for o in objects(node, OWL + "deprecated")),
                "supers": [link(x) for x in iris(node, RDFS + "subClassOf")
                           + iris(node, RDFS + "subPropertyOf")],
                "disjoint": [link(x) for x in sorted(disjoint.get(iri, ()))],
                "see_also": [link(x) for x in iris(node, RDFS + "seeAlso")],
                "inverse": [link(x) for x in iris(node, OWL + "inverseOf")],
                "domain": [link(x) for x in iris(node, RDFS + "domain")],
                "range": [link(x) for x in iris(node, RDFS + "range")],
                "usage": usage,
            })
    return terms


@router.get("/ontology{suffix:path}", include_in_schema=False)
def ontology(request: Request, suffix: str = "") -> Response:
    if suffix.startswith("/"):
        return _ontology_version(request, suffix)
    fmt = _document_format(request, "/ontology", suffix)
    headers = {"Link": _link_header(request, "/ontology", ONTOLOGY_IRI)}
    if fmt.key == "html":
        lang = language.page_language(request)
        body = render(request, "ontology.html", terms=_ontology_terms(request, lang),
                      page_lang=lang, languages=language.LANGUAGES).body
        return _respond(request, bytes(body), fmt, headers, lang)
    return _respond(request, serialize_triples(_graph_triples(request, GRAPH_ONTOLOGY), fmt),
                    fmt, headers)


def _ontology_versions(request: Request) -> tuple[str | None, set[str]]:
    """The ontology header's owl:versionIRI and its owl:priorVersion IRIs."""
    rows = _select(request, f"""
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT ?current ?prior WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ <{ONTOLOGY_IRI}> a owl:Ontology
          OPTIONAL {{ <{ONTOLOGY_IRI}> owl:versionIRI ?current }}
          OPTIONAL {{ <{ONTOLOGY_IRI}> owl:priorVersion ?prior }} }} }}""")
    current = next((r["current"].value for r in rows if r["current"] is not None), None)
    return current, {r["prior"].value for r in rows if r["prior"] is not None}


def _ontology_version(request: Request, suffix: str) -> Response:
    """/ontology/{version}: the current version IRI is this ontology (200, same document);
    a prior version's IRI, which this server does not keep, is sent on to the current one."""
    rest, suffix_format = _split_suffix(suffix)
    current, prior = _ontology_versions(request)
    iri = ONTOLOGY_IRI + rest
    if iri == current:
        return ontology(request, suffix_format.suffix if suffix_format else "")
    if iri in prior:
        return RedirectResponse("/ontology" + (suffix_format.suffix if suffix_format else ""),
                                status_code=303, headers={"Vary": "Accept"})
    raise HTTPProblem(404, f"Not found: no ontology version <{iri}>")


GRAPH_DOCUMENTS = {GRAPH_ONTOLOGY: "/ontology", GRAPH_SHAPES: "/shapes"}
"""Named graphs whose content is served as a document: their IRIs redirect there (303)."""


def _shapes_graph() -> list[ox.Triple]:
    triples: list[ox.Triple] = []
    for path in bundled_shape_files():
        triples.extend(q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    return triples


@router.get("/shapes{suffix:path}", include_in_schema=False)
def shapes(request: Request, suffix: str = "") -> Response:
    fmt = _document_format(request, "/shapes", suffix)
    triples = _shapes_graph()
    if fmt.key != "html":
        return _respond(request, serialize_triples(triples, fmt), fmt, {})
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    rows = store.query("""
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?shape ?label ?name ?message ?severity WHERE {
          ?shape a sh:NodeShape ; rdfs:label ?label .
          OPTIONAL { ?shape sh:property|sh:sparql ?c . ?c sh:name ?name ; sh:message ?message
                     OPTIONAL { ?c sh:severity ?cs } OPTIONAL { ?shape sh:severity ?ss } }
          BIND(COALESCE(?cs, ?ss, sh:Violation) AS ?severity)
        } ORDER BY ?label ?name""")
    grouped: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = grouped.setdefault(r["shape"].value, {"label": r["label"].value,
                                                      "name": d.compact(r["shape"].value),
                                                      "rules": []})
        if r["name"] is not None:
            entry["rules"].append((r["name"].value, r["message"].value,
                                   d.local_name(r["severity"].value)))
    page = render(request, "shapes.html", shapes=list(grouped.values()))
    return _respond(request, bytes(page.body), fmt, {})


# ------------------------------------------------------------------ downloads


def _dump(request: Request, name: str) -> bytes:
    state = request.app.state
    cache = getattr(state, "dumps", None)
    if cache is None or cache.get("version") != state.store.version:
        cache = state.dumps = {"version": state.store.version}
    if name not in cache:
        fmt = DUMPS[name]
        if fmt.kind == "dataset":
            rows = _select(request, "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
            quads = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]
            syntax = ox.RdfFormat.TRIG if fmt.key == "trig" else ox.RdfFormat.N_QUADS
            cache[name] = ox.serialize(quads, format=syntax) or b""
        else:
            rows = _select(request, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
            triples = [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]
            cache[name] = serialize_triples(triples, fmt)
    return cache[name]


@router.get("/download/", include_in_schema=False, response_class=HTMLResponse)
def downloads(request: Request) -> Response:
    files = [(name, fmt.media_type, len(_dump(request, name))) for name, fmt in DUMPS.items()]
    return render(request, "downloads.html", files=files)


@router.get("/download/{name}", summary="Full dump of the graph",
            operation_id="download_dump")
def download(request: Request, name: str) -> Response:
    if name not in DUMPS:
        raise HTTPProblem(404, f"Not found: no dump named {name!r}; offered: {', '.join(DUMPS)}")
    fmt = DUMPS[name]
    return _respond(request, _dump(request, name), fmt,
                    {"Content-Disposition": f'attachment; filename="{name}"'})


# ------------------------------------------------------------------ landing page


@router.get("/", include_in_schema=False, response_class=HTMLResponse)
def landing(request: Request) -> Response:
    store = request.app.state.store
    classes = [
        (r["c"].value, int(r["n"].value))
        for r in _select(request, """
            SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {
              ?s a ?c FILTER(STRSTARTS(STR(?c), "https://w3id.org/ctgraph/ontology#")) }
            GROUP BY ?c ORDER BY DESC(?n) ?c""")
    ]
    lang = language.page_language(request)
    labels = d.labels_with_language(store, {c for c, _ in classes}, lang)
    size = graph_size(store)  # the figures of views.stats, in the same words everywhere
    sources = [
        {k: (r[k].value if r[k] is not None else None)
         for k in ("s", "label", "file", "sha", "older")}
        for r in _select(request, """
            PREFIX ctg: <https://w3id.org/ctgraph/ontology#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?s ?label ?file ?sha ?older WHERE {
              ?s a ctg:SourceText ; rdfs:label ?label ; ctg:fileName ?file ; ctg:sha256 ?sha .
              OPTIONAL { ?s prov:wasRevisionOf ?older } } ORDER BY ?file""")
    ]
    for s in sources:
        s["href"] = href(s["s"])
    rows = [(*labels.get(c, (d.local_name(c), "")), href(c), n) for c, n in classes]
    page = render(request, "landing.html", classes=rows, size=size, sources=sources,
                  version=__version__, data_version=store.version,
                  graphs=store.named_graphs(), ontology_dir=str(ONTOLOGY_DIR.name),
                  page_lang=lang, languages=language.LANGUAGES)
    page.headers["Vary"] = language.VARY
    return language.remember(request, page)
