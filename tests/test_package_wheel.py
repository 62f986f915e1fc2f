"""The wheel is self-contained: built, installed into a fresh venv from the lock, served
from a folder that is not the checkout, and checked in Chromium with zero foreign requests.

This is what a new user does (README, "Install from the wheel"): ``python -m build``, then
``pip install --require-hashes --no-deps -r requirements-serve.txt`` and ``pip install
--no-deps dist/*.whl`` into a fresh virtual environment, then ``ctgraph serve`` anywhere.
The build, the venv and the server are made once per test session (a minute or so, most of
it pip; pip's cache makes later runs faster). Nothing of the checkout is importable or on
the server's path: the editor and the API documentation must come out of the wheel itself.
Besides its own checks of /query, /docs and /redoc, every page test of test_browser_ui.py
runs unchanged against the wheel's server. Only the Chromium tests carry the ``browser``
mark; all run in the default suite.
"""

from __future__ import annotations

import email.parser
import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from ctgraph.graph.store import load_bundled
from ctgraph.web import static_assets
from tests import test_browser_ui as browser_ui
from tests.ui_support import (
    ThreadServer,
    Watched,
    skip_or_fail,
    watched_page,
)

ROOT = Path(__file__).resolve().parent.parent
WHEEL_VENDOR = "ctgraph/web/static/vendor"
SDIST_VENDOR = "src/ctgraph/web/static/vendor"


def _clean_env() -> dict[str, str]:
    """The environment without ctgraph's settings or a Python path into the checkout."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("CTGRAPH_") and k not in ("PYTHONPATH", "PYTHONHOME")}


def _run(command: list[str], *, cwd: Path, timeout: float = 900) -> str:
    """Run `command`; fail the test with its whole output if it fails."""
    env = dict(_clean_env(), PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout, check=False)
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} exited {result.returncode}:\n"
        f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result.stdout


@dataclass
class Built:
    wheel: Path
    sdist: Path


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """``python -m build --no-isolation``: the locked hatchling of this venv builds the sdist,
    then the wheel from the sdist (as pip would from PyPI), with the assets hook."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT], cwd=ROOT)
    wheels, sdists = sorted(out.glob("ctgraph-*.whl")), sorted(out.glob("ctgraph-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(out.iterdir())
    return Built(wheels[0], sdists[0])


@dataclass
class Installed:
    venv: Path
    python: Path
    ctgraph: Path
    cwd: Path
    """A folder with nothing of the checkout in it, to run from."""


@pytest.fixture(scope="session")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A fresh venv with the lock's serve.txt and the wheel, both without resolving."""
    venv = tmp_path_factory.mktemp("wheel-venv")
    cwd = tmp_path_factory.mktemp("elsewhere")
    _run([sys.executable, "-m", "venv", "--clear", venv], cwd=cwd, timeout=300)
    python = venv / "bin" / "python"
    pip = [python, "-m", "pip", "--quiet"]
    _run([*pip, "install", "--require-hashes", "--no-deps", "-r",
          ROOT / "requirements-serve.txt"], cwd=cwd)
    _run([*pip, "install", "--no-deps", built.wheel], cwd=cwd)
    _run([*pip, "check"], cwd=cwd, timeout=120)
    return Installed(venv, python, venv / "bin" / "ctgraph", cwd)


@dataclass
class WheelServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def wheel_server(installed: Installed) -> Iterator[WheelServer]:
    """``ctgraph serve --port 0`` of the installed wheel, run from the unrelated folder."""
    log = installed.cwd / "serve.log"
    env = dict(_clean_env(), PYTHONUNBUFFERED="1")
    with log.open("wb") as err:
        process = subprocess.Popen(
            [str(installed.ctgraph), "serve", "--host", "127.0.0.1", "--port", "0"],
            cwd=installed.cwd, env=env, stdout=subprocess.PIPE, stderr=err)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode("utf-8", "replace")
        assert "listening on http://" in line, line + log.read_text(errors="replace")
        url = line.split("listening on ", 1)[1].split("/ ", 1)[0].rstrip("/")
        server = WheelServer(url, process, log)
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/context.jsonld", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, server.log_text()
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=20)


# ---------------------------------------------------------------- the artifacts


def _served_files() -> list[str]:
    return [f"{name}/{file}" for name, bundle in static_assets.BUNDLES.items()
            for file in bundle.files]


def test_wheel_and_sdist_carry_the_browser_assets(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
    missing = [f for f in _served_files() if f"{WHEEL_VENDOR}/{f}" not in names]
    assert not missing, f"the wheel lacks {missing}"
    assert not [n for n in names if "node_modules" in n or n.startswith("web-assets/")]
    locked = _hatch_build().locked_versions(ROOT)
    with zipfile.ZipFile(built.wheel) as wheel:
        for bundle in static_assets.BUNDLES:  # licence and version travel with each bundle
            meta = json.loads(wheel.read(f"{WHEEL_VENDOR}/{bundle}/package.json"))
            assert meta["version"] == locked[bundle], (bundle, meta["version"])
    assert "ctgraph/_bundled/data/" in {n[: len("ctgraph/_bundled/data/")] for n in names}
    with tarfile.open(built.sdist) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    missing = [f for f in _served_files() if f"{SDIST_VENDOR}/{f}" not in members]
    assert not missing, f"the sdist lacks {missing}"
    assert "hatch_build.py" in members and "web-assets/package-lock.json" in members
    assert not [m for m in members if "node_modules" in m or m.startswith(".hypothesis")]


def _hatch_build() -> Any:
    spec = importlib.util.spec_from_file_location("hatch_build", ROOT / "hatch_build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_hook_vendors_what_the_server_serves() -> None:
    """hatch_build.BUNDLES and static_assets.BUNDLES name the same npm folders and files."""
    hook = _hatch_build()
    assert set(hook.BUNDLES) == set(static_assets.BUNDLES)
    for name, bundle in static_assets.BUNDLES.items():
        package, folder, files = hook.BUNDLES[name]
        assert Path("node_modules", package, folder) == bundle.npm_folder
        assert set(bundle.files) <= set(files), name


LICENCES = ROOT / "licenses"
LICENCE_NAME = re.compile(r"LICEN[CS]E|NOTICE|COPYING", re.I)


def test_licence_copies_are_the_locked_packages_texts() -> None:
    """licenses/<bundle>/ (pyproject's license-files) holds the licence and notice files at
    the root of the bundle's npm package and those the build hook vendors beside the bundled
    files, byte for byte as the locked version ships them; a package upgrade that changes
    one fails here until the copy is refreshed."""
    hook = _hatch_build()
    if hook.asset_files(ROOT) is None:
        skip_or_fail("web-assets/node_modules lacks the locked packages: run "
                     f"`{static_assets.INSTALL_COMMAND}`")
    copies = {str(p.relative_to(LICENCES)) for p in LICENCES.glob("*/*")}
    expected: dict[str, Path] = {}
    for bundle, (package, folder, files) in hook.BUNDLES.items():
        base = ROOT / hook.NODE_MODULES / package
        sources = [p for p in base.iterdir() if p.is_file() and LICENCE_NAME.match(p.name)]
        sources += [base / folder / n for n in files if LICENCE_NAME.search(n)]
        for source in sources:
            expected[f"{bundle}/{source.name}"] = source
    assert copies == set(expected), "licenses/ differs from the packages' licence files"
    for name, source in expected.items():
        assert (LICENCES / name).read_bytes() == source.read_bytes(), name


def test_wheel_metadata_names_every_licence_it_carries(built: Built) -> None:
    """The wheel's License-Expression names the licence of each vendored package (from its
    package.json), and each licenses/ text is a License-File inside .dist-info/licenses."""
    with zipfile.ZipFile(built.wheel) as wheel:
        metadata_name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        dist_info = metadata_name.rsplit("/", 1)[0]
        metadata = email.parser.HeaderParser().parsestr(wheel.read(metadata_name).decode())
        named = set(metadata["License-Expression"].split(" AND "))
        for bundle in static_assets.BUNDLES:
            declared = json.loads(wheel.read(f"{WHEEL_VENDOR}/{bundle}/package.json"))
            assert declared["license"] in named, (bundle, declared["license"])
        assert {"CC-BY-4.0", "MIT"} <= named
        files = sorted(metadata.get_all("License-File") or [])
        assert files == sorted(str(p.relative_to(ROOT)) for p in LICENCES.glob("*/*"))
        for name in files:
            assert wheel.read(f"{dist_info}/licenses/{name}") == (ROOT / name).read_bytes()


def test_served_rewrites_still_match_their_bundle(installed: Installed) -> None:
    """Each rewrite (ReDoc's CDN logo) finds its text in the bundle the wheel carries, so
    an upgrade that moves it cannot silently bring the foreign request back."""
    script = ("import json; from ctgraph.web import static_assets as s; "
              "print(json.dumps({n: str(s.bundle_dir(n)) for n in s.BUNDLES}))")
    dirs = json.loads(_run([installed.python, "-c", script], cwd=installed.cwd))
    for (bundle, name), replacements in static_assets.REWRITES.items():
        data = (Path(dirs[bundle]) / name).read_bytes()
        for old, _new in replacements:
            assert old in data, (bundle, name, old)


def test_installed_package_finds_its_assets_in_itself(installed: Installed) -> None:
    script = ("import json, ctgraph; from ctgraph.web import static_assets as s; "
              "print(json.dumps({'package': ctgraph.__file__, "
              "'bundles': {n: str(s.bundle_dir(n)) for n in s.BUNDLES}}))")
    found = json.loads(_run([installed.python, "-c", script], cwd=installed.cwd))
    site = str(installed.venv)
    assert found["package"].startswith(site), found
    for name, folder in found["bundles"].items():
        assert folder.startswith(site) and folder.endswith(f"vendor/{name}"), found


# ---------------------------------------------------------------- the installed server


def test_installed_server_answers_every_page_and_asset(wheel_server: WheelServer) -> None:
    url = wheel_server.url
    query = httpx.get(f"{url}/query", headers={"Accept": "text/html"}, timeout=30)
    assert query.status_code == 200, query.text[:500]
    for path in re.findall(r'(?:src|href)="(/ui/[^"]+)"', query.text):
        assert httpx.get(url + path, timeout=30).status_code == 200, path
    for page in ("/docs", "/redoc"):
        r = httpx.get(url + page, timeout=30)
        assert r.status_code == 200, (page, r.text[:500])
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert not re.search(r'(?:src|href)="(?:https?:)?//', r.text), (page, r.text)
        for path in re.findall(r'(?:src|href|spec-url)="(/[^"]+)"', r.text):
            assert httpx.get(url + path, timeout=30).status_code == 200, (page, path)
    assert httpx.get(f"{url}/openapi.json", timeout=30).json()["info"]["title"] == "ctgraph"


@pytest.fixture
def watched(browser: Any, wheel_server: WheelServer, request: pytest.FixtureRequest
            ) -> Iterator[Watched]:
    """A new page recording everything; fails the test on any foreign request or error."""
    with watched_page(browser, wheel_server.url, f"wheel-{request.node.name}",
                      timeout_ms=30_000) as w:
        yield w


ORGANISATIONS = "SELECT ?org WHERE { ?org a <https://schema.org/Organization> } ORDER BY ?org"


@pytest.mark.browser
def test_wheel_query_editor_runs_a_query(watched: Watched, wheel_server: WheelServer) -> None:
    page = watched.page
    page.goto(f"{wheel_server.url}/query")
    page.wait_for_selector(".tabPanel.active .CodeMirror")
    text = page.evaluate(
        "() => document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.getValue()")
    assert "PREFIX ctg: <https://w3id.org/ctgraph/ontology#>" in text
    page.evaluate("q => document.querySelector('.tabPanel.active .CodeMirror')"
                  ".CodeMirror.setValue(q)", ORGANISATIONS)
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    page.locator(".tabPanel.active .yasr table tbody tr").first.wait_for()
    expected = httpx.post(
        f"{wheel_server.url}/sparql", timeout=60, data={"query": ORGANISATIONS},
        headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert expected
    first = expected[0]["org"]["value"].rsplit("/", 1)[1]
    assert first in page.locator(".tabPanel.active .yasr table").inner_text()
    assert any(u.startswith(f"{wheel_server.url}/ui/yasgui/yasgui.min.js")
               for u in watched.requests)


@pytest.mark.browser
def test_wheel_swagger_ui_tries_an_operation(watched: Watched,
                                             wheel_server: WheelServer) -> None:
    """Swagger UI renders every operation of the OpenAPI document and "Try it out" calls
    this server."""
    page = watched.page
    page.goto(f"{wheel_server.url}/docs")
    page.wait_for_selector(".opblock")
    spec = httpx.get(f"{wheel_server.url}/openapi.json", timeout=30).json()
    shown = page.evaluate("""() => [...new Set([...document.querySelectorAll(
        '.opblock-summary-path')].map(e => e.dataset.path))]""")
    assert sorted(shown) == sorted(spec["paths"])  # an operation with two tags shows twice
    block = page.locator(".opblock.opblock-get",
                         has=page.locator(".opblock-summary-path[data-path='/api/queries']"))
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert f"{wheel_server.url}/api/queries" in watched.requests
    assert any("/ui/vendor/swagger-ui/swagger-ui-bundle.js" in u for u in watched.requests)


@pytest.mark.browser
def test_wheel_redoc_renders_the_api(watched: Watched, wheel_server: WheelServer) -> None:
    page = watched.page
    page.goto(f"{wheel_server.url}/redoc")
    page.wait_for_selector("[data-section-id^='tag/']")
    page.locator("h2", has_text="The catalogue of named queries").first.wait_for()
    assert any("/ui/vendor/redoc/redoc.standalone.js" in u for u in watched.requests)


UI_TESTS = sorted(
    name for name, test in vars(browser_ui).items()
    if name.startswith("test_") and callable(test)
    and list(inspect.signature(test).parameters) == ["watched", "server"])


@pytest.mark.browser
@pytest.mark.parametrize("name", UI_TESTS)
def test_browser_suite_passes_on_the_wheel_server(name: str, browser: Any,
                                                  wheel_server: WheelServer) -> None:
    """Every page test of test_browser_ui.py, unchanged, against the installed wheel, with
    the same rules: no console error, no request to another origin."""
    with watched_page(browser, wheel_server.url, f"wheel-{name}") as w:
        getattr(browser_ui, name)(w, wheel_server)


# ---------------------------------------------------------------- a checkout without assets


def test_docs_without_assets_name_the_install_command_and_setting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A source checkout before `npm ci` (hidden here by an empty CTGRAPH_WEB_ASSETS): the
    pages that need a bundle answer 503 saying what to run or set, the rest still work."""
    monkeypatch.setenv(static_assets.SETTING, str(tmp_path / "web-assets"))
    with ThreadServer(load_bundled()) as srv:
        for path in ("/docs", "/redoc", "/query"):
            r = httpx.get(srv.url + path, headers={"Accept": "text/html"}, timeout=30)
            assert r.status_code == 503, path
            assert static_assets.INSTALL_COMMAND in r.text, path
            assert static_assets.SETTING in r.text, path
            assert "Traceback" not in r.text
        asset = httpx.get(f"{srv.url}/ui/vendor/swagger-ui/swagger-ui.css", timeout=30)
        assert asset.status_code == 404 and static_assets.SETTING in asset.text
        assert httpx.get(f"{srv.url}/openapi.json", timeout=30).status_code == 200


@pytest.mark.parametrize("path", [
    "/ui/vendor/redoc/..%2Fpackage.json", "/ui/vendor/swagger-ui/package.json",
    "/ui/vendor/swagger-ui/LICENSE", "/ui/vendor/unknown/x.js", "/ui/vendor/yasgui/.x.js",
])
def test_vendor_assets_never_leave_their_folders(wheel_server: WheelServer, path: str) -> None:
    r = httpx.get(wheel_server.url + path, timeout=30)
    assert r.status_code == 404, path
