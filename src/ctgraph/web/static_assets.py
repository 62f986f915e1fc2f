"""Where the browser assets installed from npm live, and how to serve them safely.

YASGUI is not copied into the repository: ``npm ci --prefix web-assets`` installs it under
``web-assets/node_modules`` (pinned by the committed package-lock.json), and ctgraph serves
the built files straight from there. ``CTGRAPH_WEB_ASSETS`` names another ``web-assets``
folder (an installed wheel has none of its own).
"""

from __future__ import annotations

import os
from pathlib import Path

from ctgraph.graph.bundle import ROOT

INSTALL_COMMAND = "npm ci --prefix web-assets"
YASGUI_BUILD = Path("node_modules", "@zazuko", "yasgui", "build")
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")

MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json",
    ".svg": "image/svg+xml",
}


def web_assets_dir() -> Path:
    """The npm project folder (``web-assets``)."""
    configured = os.environ.get("CTGRAPH_WEB_ASSETS")
    return Path(configured) if configured else ROOT / "web-assets"


def yasgui_dir() -> Path | None:
    """The folder of YASGUI's built files, or None when ``npm ci`` has not been run."""
    build = web_assets_dir() / YASGUI_BUILD
    return build if all((build / name).is_file() for name in YASGUI_FILES) else None


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
