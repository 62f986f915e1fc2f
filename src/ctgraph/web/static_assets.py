"""Where the browser assets from npm live, and how to serve them safely.

YASGUI (the query editor), Swagger UI and ReDoc (the API documentation) are not committed:
web-assets/package-lock.json pins them and ``npm ci --prefix web-assets`` installs them
under ``web-assets/node_modules``. Each bundle is looked for, in order:

1. ``CTGRAPH_WEB_ASSETS``, when set: a ``web-assets`` folder where ``npm ci`` has been run.
   An explicit setting wins (and an empty folder hides every other copy, which the tests of
   the "not installed" page rely on);
2. the installed package, ``ctgraph/web/static/vendor/<bundle>``, where the build hook
   (hatch_build.py) puts the files in every wheel and sdist;
3. the source checkout's ``web-assets/node_modules`` (editable installs).

A bundle found nowhere is None: the pages that need it answer 503 naming `INSTALL_COMMAND`
and `SETTING`. `BUNDLES` must list the same files as hatch_build.py's (a test compares them).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse, Response

from ctgraph.graph.bundle import ROOT
from ctgraph.web.errors import HTTPProblem
from ctgraph.web.http_caching import etag_for, http_date, is_not_modified

INSTALL_COMMAND = "npm ci --prefix web-assets"
SETTING = "CTGRAPH_WEB_ASSETS"
VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
YASGUI_BUILD = Path("node_modules", "@zazuko", "yasgui", "build")
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")

MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


@dataclass(frozen=True)
class Bundle:
    """One npm package's built files: where npm puts them and which ones the pages use."""

    name: str
    npm_folder: Path
    """Inside a ``web-assets`` folder."""
    files: tuple[str, ...]
    """Served files; a folder lacking any one of them does not count as an install."""


BUNDLES = {
    bundle.name: bundle for bundle in (
        Bundle("yasgui", YASGUI_BUILD, YASGUI_FILES),
        Bundle("swagger-ui", Path("node_modules", "swagger-ui-dist"),
               ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")),
        Bundle("redoc", Path("node_modules", "redoc", "bundles"), ("redoc.standalone.js",)),
    )
}


REWRITES: dict[tuple[str, str], tuple[tuple[bytes, bytes], ...]] = {
    # ReDoc's sidebar credit shows Redocly's logo from their CDN, unconditionally; an empty
    # data: image fails to load and ReDoc then drops the <img> (the credit link stays).
    ("redoc", "redoc.standalone.js"): ((b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"data:,"),),
}
"""Byte replacements made when serving a bundle's file: the only way some upstream bundles
can be kept from reaching another origin. Each `old` must occur (a test checks it)."""


def web_assets_dir() -> Path:
    """The npm project folder: ``CTGRAPH_WEB_ASSETS``, else the checkout's ``web-assets``."""
    configured = os.environ.get(SETTING)
    return Path(configured) if configured else ROOT / "web-assets"


def _complete(folder: Path, bundle: Bundle) -> bool:
    return all((folder / name).is_file() for name in bundle.files)


def candidate_dirs(name: str) -> list[Path]:
    """Where bundle `name` is looked for, in order (see the module docstring)."""
    bundle = BUNDLES[name]
    configured = os.environ.get(SETTING)
    if configured:
        return [Path(configured) / bundle.npm_folder]
    return [VENDOR_DIR / name, ROOT / "web-assets" / bundle.npm_folder]


def bundle_dir(name: str) -> Path | None:
    """The folder holding bundle `name`'s built files, or None when it is not installed."""
    bundle = BUNDLES[name]
    return next((d for d in candidate_dirs(name) if _complete(d, bundle)), None)


def yasgui_dir() -> Path | None:
    """The folder of YASGUI's built files, or None when it is not installed."""
    return bundle_dir("yasgui")


def asset_file(folder: Path, name: str) -> Path | None:
    """``folder/name`` if it is a plain file directly inside `folder` with a served suffix;
    None for anything else (sub-paths, dot-files, other types), so a request can never
    reach outside the folder."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
        return None
    path = folder / name
    if path.suffix not in MEDIA_TYPES or not path.is_file():
        return None
    return path


def file_version(path: Path) -> str:
    """A short token that changes whenever the file does (for cache-busting URLs)."""
    stat = path.stat()
    return hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:10]


def vendor_url(bundle: str, name: str, root_path: str = "") -> str:
    """The URL of one of a bundle's files on this server, versioned so that caches never
    serve a stale copy after an upgrade."""
    folder = bundle_dir(bundle)
    version = file_version(folder / name) if folder and (folder / name).is_file() else "missing"
    return f"{root_path}/ui/vendor/{bundle}/{name}?v={version}"


def rewritten(bundle: str, path: Path) -> bytes | None:
    """The file's bytes with `REWRITES` applied, or None when it has none; cached per
    file version (the ReDoc bundle is a megabyte)."""
    replacements = REWRITES.get((bundle, path.name))
    if replacements is None:
        return None
    key = (str(path), file_version(path))
    if key not in _rewritten:
        data = path.read_bytes()
        for old, new in replacements:
            data = data.replace(old, new)
        _rewritten.clear()  # one version of each bundle in use at a time
        _rewritten[key] = data
    return _rewritten[key]


_rewritten: dict[tuple[str, str], bytes] = {}


def asset_response(request: Request, folder: Path | None, name: str,
                   bundle: str | None = None) -> Response:
    """A file of `folder` (with `bundle`'s `REWRITES` applied), cacheable for a day (page
    URLs carry a version), with 304s."""
    path = asset_file(folder, name) if folder else None
    if path is None:
        raise HTTPProblem(404, f"Not found: no asset named {name!r}")
    stat = path.stat()
    etag = etag_for(path.name, stat.st_size, stat.st_mtime_ns)
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff",
               "ETag": etag, "Last-Modified": http_date(stat.st_mtime)}
    if is_not_modified(request, etag, stat.st_mtime):
        return Response(status_code=304, headers=headers)
    media_type = MEDIA_TYPES[path.suffix]
    data = rewritten(bundle, path) if bundle else None
    if data is not None:
        return Response(data, media_type=media_type, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers)
