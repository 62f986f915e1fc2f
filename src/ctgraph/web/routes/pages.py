"""Pages for analysts: the SPARQL query editor (YASGUI), name search and the timeline.

Every page, script and style sheet comes from this server: YASGUI from the npm install in
``web-assets`` (see `ctgraph.web.webassets`), the rest from ``web/static``. A
Content-Security-Policy of ``'self'`` makes the browser refuse anything else, so a page can
never leak a request to another origin.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ctgraph.graph.namespaces import PREFIXES
from ctgraph.views.search import MAX_QUERY_CHARS, search
from ctgraph.views.timeline import FAMILIES, build_timeline
from ctgraph.views.timeline_layout import svg_layout
from ctgraph.web import static_assets as webassets
from ctgraph.web.errors import HTTPProblem
from ctgraph.web.http_caching import etag_for, http_date, is_not_modified

HERE = Path(__file__).resolve().parent.parent  # the web package: templates/, static/
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
"""Only this origin; inline styles because YASGUI sets element styles from script."""

PAGE_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache",
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}

router = APIRouter()

_env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
    trim_blocks=True, lstrip_blocks=True,
)


def _file_version(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:10]


def static_url(name: str) -> str:
    """URL of one of this module's static files, versioned so caches never serve a stale one."""
    path = STATIC / name
    return f"/ui/static/{name}?v={_file_version(path)}" if path.is_file() else f"/ui/static/{name}"


def yasgui_url(name: str) -> str:
    folder = webassets.yasgui_dir()
    version = _file_version(folder / name) if folder else "missing"
    return f"/ui/yasgui/{name}?v={version}"


def _layout() -> str:
    """The site's shared base template when the linked-data pages provide one, else ours."""
    return "base.html" if (TEMPLATES / "base.html").is_file() else "ui_base.html"


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """An HTML page from `template`, with the headers every UI page carries."""
    html = _env.get_template(template).render(
        request=request, layout=_layout(), static_url=static_url, yasgui_url=yasgui_url,
        settings=request.app.state.settings, **context,
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


# ------------------------------------------------------------------ assets


def _asset_response(request: Request, folder: Path | None, name: str) -> Response:
    """A file of `folder`, cacheable for a day (page URLs carry a version), with 304s."""
    path = webassets.asset_file(folder, name) if folder else None
    if path is None:
        raise HTTPProblem(404, f"Not found: no asset named {name!r}")
    stat = path.stat()
    etag = etag_for(path.name, stat.st_size, stat.st_mtime_ns)
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff",
               "ETag": etag, "Last-Modified": http_date(stat.st_mtime)}
    if is_not_modified(request, etag, stat.st_mtime):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=webassets.MEDIA_TYPES[path.suffix], headers=headers)


@router.get("/favicon.ico", include_in_schema=False)
async def favicon(request: Request) -> Response:
    """The site's icon where browsers look for it without being told (no 404 in their logs)."""
    path = STATIC / "favicon.ico"
    stat = path.stat()
    etag = etag_for(path.name, stat.st_size, stat.st_mtime_ns)
    headers = {"Cache-Control": "public, max-age=86400", "ETag": etag,
               "Last-Modified": http_date(stat.st_mtime)}
    if is_not_modified(request, etag, stat.st_mtime):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type="image/vnd.microsoft.icon", headers=headers)


@router.get("/ui/static/{name}", include_in_schema=False)
async def ui_static(request: Request, name: str) -> Response:
    return _asset_response(request, STATIC, name)


@router.get("/ui/yasgui/{name}", include_in_schema=False)
async def yasgui_asset(request: Request, name: str) -> Response:
    folder = webassets.yasgui_dir()
    if folder is None:
        raise HTTPProblem(404, f"YASGUI is not installed; run `{webassets.INSTALL_COMMAND}`")
    return _asset_response(request, folder, name)


# ------------------------------------------------------------------ query editor


def _strip_metadata(sparql: str) -> str:
    """A named query's text without its ``#+`` metadata header."""
    lines = sparql.splitlines()
    while lines and (lines[0].startswith("#+") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines).strip() + "\n"


def example_queries() -> list[dict[str, str]]:
    """The named queries (``queries/*.rq``) as the editor's examples: each shows what its
    title promises (`NamedQuery.editor_text`: optional parameters unbound, a comment at the
    top saying which parameters there are and how to set them)."""
    try:
        from ctgraph.catalog.named_queries import bundled_catalog
        catalog = bundled_catalog()
    except Exception:  # the catalogue is optional here: the editor works without examples
        return []
    examples = []
    for named in catalog.values():
        try:
            text = named.editor_text()
        except Exception:
            text = f"# {named.title}\n" + _strip_metadata(named.sparql)
        examples.append({
            "name": named.name, "title": named.title,
            "description": " ".join(named.description.replace("`", "").split()),
            "query": text,
        })
    return sorted(examples, key=lambda e: e["title"].casefold())


def default_query() -> str:
    """What a new editor tab holds: the project's prefixes and a first query to run."""
    prefixes = "\n".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items())
    return (
        f"{prefixes}\n\n"
        "# Events with their dates and cities\n"
        "SELECT ?event ?name ?start ?city WHERE {\n"
        "  ?event a schema:Event ; schema:name ?name ; schema:startDate ?start .\n"
        "  OPTIONAL { ?event schema:location/schema:name ?city FILTER(LANG(?city) = \"en\") }\n"
        "}\nORDER BY ?start\n"
    )


@router.get("/query", include_in_schema=False, response_class=HTMLResponse)
def query_editor(request: Request) -> HTMLResponse:
    if webassets.yasgui_dir() is None:
        return render(request, "query.html", status=503, installed=False,
                      install_command=webassets.INSTALL_COMMAND,
                      assets_dir=str(webassets.web_assets_dir()))
    config = {
        "endpoint": "/sparql",
        "prefixes": PREFIXES,
        "defaultQuery": default_query(),
        "examples": example_queries(),
    }
    return render(request, "query.html", installed=True,
                  config_json=json.dumps(config, ensure_ascii=False).replace("</", "<\\/"),
                  examples=config["examples"])


# ------------------------------------------------------------------ search


def _search_text(q: str | None) -> str:
    text = (q or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise HTTPProblem(400, f"Parameter q is too long: {len(text)} characters "
                               f"(at most {MAX_QUERY_CHARS})")
    return text


@router.get("/search", include_in_schema=False, response_class=HTMLResponse)
def search_page(
    request: Request, q: str | None = None, limit: int = Query(50, ge=1, le=200),
) -> HTMLResponse:
    text = _search_text(q)
    hits = search(request.app.state.store, text, limit) if text else []
    return render(request, "search.html", q=text, hits=hits, limit=limit)


@router.get(
    "/api/search", tags=["search"], summary="Find resources by name",
    operation_id="searchByName",
    description="Resources whose labels, names or acronyms (rdfs:label, schema:name, "
    "skos:prefLabel, skos:altLabel, schema:alternateName, skos:hiddenLabel) contain the "
    "text, in English or Russian, ignoring case and accents; best matches first.",
)
def search_api(
    request: Request,
    q: str | None = Query(None, description="The text to look for", examples=["UNRCCA"]),
    limit: int = Query(50, ge=1, le=200, description="At most this many results"),
) -> JSONResponse:
    text = _search_text(q)
    if not text:
        raise HTTPProblem(400, "Parameter q is required: the text to look for, e.g. "
                               "/api/search?q=UNRCCA")
    hits = search(request.app.state.store, text, limit)
    return JSONResponse(
        {"query": text, "count": len(hits), "results": [h.as_json() for h in hits]},
        headers={"Cache-Control": "no-cache"},
    )


# ------------------------------------------------------------------ timeline

@router.get("/timeline", include_in_schema=False, response_class=HTMLResponse)
def timeline_page(request: Request) -> HTMLResponse:
    timeline = build_timeline(request.app.state.store)
    return render(request, "timeline.html", timeline=timeline, svg=svg_layout(timeline),
                  families=FAMILIES)
