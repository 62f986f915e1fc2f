"""The endpoint's own pages in a real Chromium: /sparql and VoID are pages of the site
(navigation, the way into the editor, the description readable), meet WCAG 2.1 AA, and
fetch nothing from another origin."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ctgraph.web import static_assets as webassets
from tests.test_browser_a11y import browser, violations  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser
MEMORY_ONLY = pytest.mark.parametrize("server", ["memory"], indirect=True)


@MEMORY_ONLY
@pytest.mark.parametrize("path", ["/sparql", "/.well-known/void"])
def test_description_pages_in_a_browser(browser: Any, server, path: str) -> None:  # noqa: F811
    page = browser.new_page()
    foreign: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server.url) or r.url.startswith(
        "data:") else foreign.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        response = page.goto(f"{server.url}{path}")
        assert response is not None and response.status == 200
        assert page.get_by_role("navigation", name="Main").is_visible()
        assert page.locator("h1").inner_text().startswith("ctgraph")
        assert page.locator("#graph-size").inner_text().startswith("The graph: ")
        assert page.locator("a[href='?format=turtle']").is_visible()
        assert violations(page) == []
        if path == "/sparql":
            page.get_by_role("link", name="Open the query editor").click()
            page.wait_for_url(f"{server.url}/query")
        assert foreign == [] and errors == []
    finally:
        page.close()


@MEMORY_ONLY
def test_the_quick_query_form_runs(browser: Any, server) -> None:  # noqa: F811
    page = browser.new_page()
    try:
        page.goto(f"{server.url}/sparql")
        page.get_by_label("Or run a query here").fill("ASK { ?s ?p ?o }")
        page.get_by_label("Answer as").select_option("json")
        with page.expect_response(lambda r: "/sparql?" in r.url) as answer:
            page.get_by_role("button", name="Run").click()
        assert answer.value.status == 200
        assert answer.value.headers["content-type"].startswith("application/sparql-results+json")
        assert answer.value.json()["boolean"] is True
    finally:
        page.close()


@MEMORY_ONLY
def test_select_everything_in_the_editor_skips_shapes(browser: Any, server) -> None:  # noqa: F811
    """The issue's case: the first rows an analyst saw for SELECT * were SHACL shapes."""
    if webassets.yasgui_dir() is None:
        pytest.fail(f"YASGUI is not installed: run `{webassets.INSTALL_COMMAND}`")
    page = browser.new_page()
    try:
        page.goto(f"{server.url}/query")
        page.wait_for_selector(".CodeMirror")
        page.evaluate("q => document.querySelector('.tabPanel.active .CodeMirror')"
                      ".CodeMirror.setValue(q)", "SELECT * WHERE { ?s ?p ?o } LIMIT 50")
        page.locator(".tabPanel.active .yasqe_queryButton").click()
        rows = page.locator(".tabPanel.active .yasr table tbody tr")
        rows.first.wait_for(timeout=30_000)
        table = page.locator(".tabPanel.active .yasr table").inner_text()
        assert "shacl" not in table.lower() and "/shapes#" not in table
        assert not re.search(r"\b(sh|ctgsh):", table)  # compacted shape terms
    finally:
        page.close()
