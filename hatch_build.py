"""Hatch build hook: put the browser assets into the wheel and the sdist.

ctgraph's pages need YASGUI (the query editor at /query) and Swagger UI and ReDoc (the API
documentation at /docs and /redoc). They are not committed: web-assets/package-lock.json
pins them and `npm ci --prefix web-assets` installs them under web-assets/node_modules.
A wheel user cannot run npm, so every build that is not editable copies the built files in:

* wheel: as ``ctgraph/web/static/vendor/<bundle>/<file>``, where
  `ctgraph.web.static_assets` looks first;
* sdist: as ``src/ctgraph/web/static/vendor/<bundle>/<file>``, so a wheel built from the
  sdist (what ``python -m build`` and pip do) needs neither npm nor the network.

The files come from web-assets/node_modules; when that lacks them (or holds other versions
than web-assets/package-lock.json pins) and the tree carries no vendored copy of the locked
versions (a fresh clone), the hook runs ``npm ci --prefix web-assets`` first, from the lock.
A build that can find them nowhere fails rather than ship a wheel without its editor.
Editable installs are left alone: they serve web-assets/node_modules directly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

NODE_MODULES = Path("web-assets", "node_modules")
SDIST_VENDOR = "src/ctgraph/web/static/vendor"
WHEEL_VENDOR = "ctgraph/web/static/vendor"
NPM_CI = ("npm", "ci", "--prefix", "web-assets", "--no-audit", "--no-fund", "--ignore-scripts",
          "--loglevel=error")

# bundle folder -> (npm package, folder inside the package holding the files, files)
# Served files first; the licence texts and package.json travel with them as provenance.
BUNDLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "yasgui": ("@zazuko/yasgui", "build", ("yasgui.min.js", "yasgui.min.css")),
    "swagger-ui": ("swagger-ui-dist", "",
                   ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png",
                    "LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt")),
    "redoc": ("redoc", "bundles", ("redoc.standalone.js", "redoc.standalone.js.LICENSE.txt")),
}
PROVENANCE = "package.json"  # each bundle's package.json: its name, version and licence


def locked_versions(root: Path) -> dict[str, str]:
    """Each bundle's npm package version as web-assets/package-lock.json pins it."""
    lock = json.loads((root / "web-assets" / "package-lock.json").read_text(encoding="utf-8"))
    return {bundle: lock["packages"][f"node_modules/{package}"]["version"]
            for bundle, (package, _folder, _names) in BUNDLES.items()}


def _version(package_json: Path) -> str | None:
    try:
        return json.loads(package_json.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None


def asset_files(root: Path) -> dict[str, Path] | None:
    """Every vendored file (``bundle/file`` -> source path) from web-assets/node_modules, or
    None when any one is missing there or a package is not the version the lock pins (a
    node_modules left over from before the lock changed)."""
    found: dict[str, Path] = {}
    locked = locked_versions(root)
    for bundle, (package, folder, names) in BUNDLES.items():
        base = root / NODE_MODULES / package
        if _version(base / PROVENANCE) != locked[bundle]:
            return None
        for name in names:
            found[f"{bundle}/{name}"] = base / folder / name
        found[f"{bundle}/{PROVENANCE}"] = base / PROVENANCE
    return found if all(path.is_file() for path in found.values()) else None


def asset_files_keys() -> list[str]:
    """``bundle/file`` for every file the hook vendors."""
    keys = []
    for bundle, (_package, _folder, names) in BUNDLES.items():
        keys += [f"{bundle}/{name}" for name in names]
        keys.append(f"{bundle}/{PROVENANCE}")
    return keys


def vendored_files(root: Path) -> dict[str, Path] | None:
    """The same files as an sdist carries them, or None when any one is missing or is not
    the locked version."""
    found = {key: root / SDIST_VENDOR / key for key in asset_files_keys()}
    if not all(path.is_file() for path in found.values()):
        return None
    locked = locked_versions(root)
    if any(_version(root / SDIST_VENDOR / b / PROVENANCE) != v for b, v in locked.items()):
        return None
    return found


def run_npm_ci(root: Path) -> None:
    """Install the web assets from web-assets/package-lock.json (exact versions, integrity
    hashes); install scripts stay off, only prebuilt bundles are used."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "ctgraph's build needs the browser assets (YASGUI, Swagger UI, ReDoc): install "
            "Node.js and npm, or run `npm ci --prefix web-assets` before building")
    env = dict(os.environ, SCARF_ANALYTICS="false")
    subprocess.run([npm, *NPM_CI[1:]], cwd=root, env=env, check=True)


class WebAssetsBuildHook(BuildHookInterface):
    """Adds the browser assets to every non-editable wheel and sdist (see the module doc)."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Force-include each asset at its place in the artifact being built."""
        if self.target_name == "wheel" and version == "editable":
            return
        root = Path(self.root)
        files = asset_files(root) or vendored_files(root)
        if files is None:
            self.app.display_info("web assets missing or not the locked versions: "
                                  "running `npm ci --prefix web-assets`")
            run_npm_ci(root)
            files = asset_files(root)
        if files is None:
            raise RuntimeError(
                "`npm ci --prefix web-assets` did not install every browser asset the "
                f"package needs under {root / NODE_MODULES}")
        prefix = WHEEL_VENDOR if self.target_name == "wheel" else SDIST_VENDOR
        for key, path in files.items():
            build_data["force_include"][str(path)] = f"{prefix}/{key}"
