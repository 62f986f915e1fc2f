"""The query editor page and the assets it is served with, over real HTTP."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from ctgraph.catalog.named_queries import bundled_catalog
from ctgraph.graph.namespaces import PREFIXES
from ctgraph.graph.store import load_bundled
from ctgraph.web import static_assets as webassets
from tests.ui_support import ThreadServer, require_yasgui


def _config(html: str) -> dict:
    match = re.search(r'<script id="ui-config" type="application/json">(.*?)</script>', html,
                      re.S)
    assert match, "the page carries its editor configuration"
    return json.loads(match.group(1))


def test_query_page_configures_yasgui(server) -> None:
    require_yasgui()
    r = httpx.get(f"{server.url}/query", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "default-src 'self'" in r.headers["content-security-policy"]
    scripts = re.findall(r'<script src="([^"]+)"', r.text)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', r.text)
    assert scripts and styles
    for url in scripts + styles:  # every asset is local and answers
        assert url.startswith("/"), url
        asset = httpx.get(server.url + url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] in ("text/javascript", "text/css")
    config = _config(r.text)
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"] == PREFIXES
    for name, iri in PREFIXES.items():
        assert f"PREFIX {name}: <{iri}>" in config["defaultQuery"]
    catalog = bundled_catalog()
    assert sorted(e["name"] for e in config["examples"]) == sorted(catalog)
    for example in config["examples"]:
        assert "#+" not in example["query"]  # metadata header stripped
        assert example["title"] == catalog[example["name"]].title


def test_examples_run_on_the_endpoint(server) -> None:
    """Every example the editor offers is a query the endpoint answers."""
    require_yasgui()
    config = _config(httpx.get(f"{server.url}/query").text)
    for example in config["examples"]:
        r = httpx.post(server.sparql, data={"query": example["query"]},
                       headers={"Accept": "application/sparql-results+json, text/turtle"},
                       timeout=60)
        assert r.status_code == 200, (example["name"], r.text)


def test_yasgui_bundle_fetches_nothing_from_other_origins() -> None:
    """The CSS has no external url()/@import; the script's only network calls are the ones
    the page configures off (prefix.cc, LOV autocompletion) or to the endpoint."""
    require_yasgui()
    folder = webassets.yasgui_dir()
    assert folder is not None
    css = (folder / "yasgui.min.css").read_text(encoding="utf-8")
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    assert "@import" not in css


def test_missing_assets_explain_the_install_command(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CTGRAPH_WEB_ASSETS", str(tmp_path / "web-assets"))
    with ThreadServer(load_bundled()) as srv:
        r = httpx.get(f"{srv.url}/query", headers={"Accept": "text/html"})
        assert r.status_code == 503
        assert r.headers["content-type"].startswith("text/html")
        assert "npm ci --prefix web-assets" in r.text
        assert "Traceback" not in r.text
        js = httpx.get(f"{srv.url}/ui/yasgui/yasgui.min.js")
        assert js.status_code == 404
        assert "npm ci --prefix web-assets" in js.text
        # the rest of the UI does not depend on YASGUI
        assert httpx.get(f"{srv.url}/timeline").status_code == 200


@pytest.mark.parametrize("path", [
    "/ui/static/..%2F..%2Fui.py", "/ui/static/.hidden.css", "/ui/static/ui.py",
    "/ui/yasgui/..%2F..%2Fpackage.json", "/ui/yasgui/yasgui.esm.js%00.css",
    "/ui/static/nothing.css",
])
def test_assets_never_leave_their_folders(server, path: str) -> None:
    r = httpx.get(server.url + path)
    assert r.status_code == 404
    assert "Traceback" not in r.text


def test_static_assets_are_cacheable(server) -> None:
    r = httpx.get(f"{server.url}/ui/static/ui.css")
    assert r.status_code == 200
    assert "max-age" in r.headers["cache-control"]
    assert r.headers.get("etag")
    again = httpx.get(f"{server.url}/ui/static/ui.css",
                      headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    head = httpx.head(f"{server.url}/timeline")
    assert head.status_code == 200 and head.content == b""


def test_pages_work_on_an_empty_graph() -> None:
    """A server over data with no events, names or phases still answers every page."""
    import pyoxigraph as ox

    from ctgraph.graph.store import EmbeddedStore

    with ThreadServer(EmbeddedStore(ox.Store(), version="empty")) as srv:
        timeline = httpx.get(f"{srv.url}/timeline")
        assert timeline.status_code == 200
        assert "0 dated events" in timeline.text
        found = httpx.get(f"{srv.url}/api/search", params={"q": "UNRCCA"})
        assert found.status_code == 200 and found.json()["count"] == 0
        assert httpx.get(f"{srv.url}/search", params={"q": "UNRCCA"}).status_code == 200
        assert httpx.get(f"{srv.url}/query").status_code in (200, 503)
