"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) served from this server's own origin.

FastAPI's defaults load both from a CDN and ReDoc's fonts from Google; the app turns those
routes off (``docs_url=None, redoc_url=None``) and includes this router instead. The pages
are FastAPI's own (`get_swagger_ui_html`, `get_redoc_html`) pointed at the bundles under
``/ui/vendor/<bundle>/`` (`ctgraph.web.static_assets`: the wheel's copy, or the checkout's
``web-assets/node_modules``), with a Content-Security-Policy of this origin only, so the
browser refuses any request elsewhere. Swagger UI's one inline start-up script is allowed by
its hash, nothing else inline runs.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from ctgraph.web import static_assets
from ctgraph.web.errors import HTTPProblem

router = APIRouter()

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def content_security_policy(html: str) -> str:
    """This origin only; inline scripts of `html` allowed by their SHA-256 (Swagger UI's
    start-up call), inline styles and data: images because both UIs use them, blob: workers
    for ReDoc's search."""
    allowed = "".join(f" 'sha256-{_digest(script)}'" for script in _INLINE_SCRIPT.findall(html))
    return (
        f"default-src 'self'; script-src 'self'{allowed}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'self'"
    )


def _digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def _page(html: str) -> HTMLResponse:
    return HTMLResponse(html, headers={
        "Content-Security-Policy": content_security_policy(html), "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"})


def _missing(request: Request, bundle: str, what: str) -> HTMLResponse:
    """503: the bundle is not installed (a source checkout before ``npm ci``)."""
    from ctgraph.web.routes.pages import render

    return render(request, "assets_missing.html", status=503, what=what, bundle=bundle,
                  install_command=static_assets.INSTALL_COMMAND, setting=static_assets.SETTING,
                  looked_in=[str(p) for p in static_assets.candidate_dirs(bundle)])


@router.get("/docs", include_in_schema=False)
async def swagger_ui(request: Request) -> HTMLResponse:
    """The OpenAPI document in Swagger UI ("try it out" calls this same server)."""
    if static_assets.bundle_dir("swagger-ui") is None:
        return _missing(request, "swagger-ui", "The API documentation (Swagger UI)")
    root = request.scope.get("root_path", "")
    html = get_swagger_ui_html(
        openapi_url=root + (request.app.openapi_url or "/openapi.json"),
        title=f"{request.app.title} – API documentation",
        swagger_js_url=static_assets.vendor_url("swagger-ui", "swagger-ui-bundle.js", root),
        swagger_css_url=static_assets.vendor_url("swagger-ui", "swagger-ui.css", root),
        swagger_favicon_url=static_assets.vendor_url("swagger-ui", "favicon-32x32.png", root),
        oauth2_redirect_url=None,
        swagger_ui_parameters={"validatorUrl": None},
    )
    return _page(html.body.decode())


@router.get("/redoc", include_in_schema=False)
async def redoc(request: Request) -> HTMLResponse:
    """The OpenAPI document in ReDoc, with the system's fonts instead of Google's."""
    if static_assets.bundle_dir("redoc") is None:
        return _missing(request, "redoc", "The API reference (ReDoc)")
    root = request.scope.get("root_path", "")
    html = get_redoc_html(
        openapi_url=root + (request.app.openapi_url or "/openapi.json"),
        title=f"{request.app.title} – API reference",
        redoc_js_url=static_assets.vendor_url("redoc", "redoc.standalone.js", root),
        redoc_favicon_url=static_assets.vendor_url("swagger-ui", "favicon-32x32.png", root),
        with_google_fonts=False,
    )
    return _page(html.body.decode())


@router.get("/ui/vendor/{bundle}/{name}", include_in_schema=False)
async def vendor_asset(request: Request, bundle: str, name: str) -> Response:
    """One file of an installed bundle (never anything outside its folder)."""
    if bundle not in static_assets.BUNDLES:
        raise HTTPProblem(404, f"Not found: no asset bundle named {bundle!r}")
    folder = static_assets.bundle_dir(bundle)
    if folder is None:
        raise HTTPProblem(404, f"{bundle} is not installed; run "
                               f"`{static_assets.INSTALL_COMMAND}` or set "
                               f"{static_assets.SETTING}")
    return static_assets.asset_response(request, folder, name, bundle)
