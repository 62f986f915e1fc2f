"""The analyst pages in a real headless Chromium against a real `ctgraph serve`.

Every test records the page's console and every request it makes: a console error, an
uncaught exception or a request to another origin fails the test. Expected numbers come from
the SPARQL endpoint itself. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.ui_support import (
    Watched,
    require_yasgui,
    screenshot,
    watched_page,
)

# Memory back-end only, to keep the browser tests' run time down: the pages a browser gets are
# the same HTML, scripts and answers whatever the store (test_backends_same_answers.py compares
# them, and the HTTP suite runs on each back-end), so Chromium would check the same thing 3x.
pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("server", ["memory"], indirect=True)]

DATED_EVENTS = """PREFIX schema: <https://schema.org/>
SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a schema:Event ; schema:startDate ?d }"""


def sparql_select(server, query: str) -> list[dict[str, Any]]:
    r = httpx.post(server.sparql, data={"query": query},
                   headers={"Accept": "application/sparql-results+json"}, timeout=60)
    r.raise_for_status()
    return r.json()["results"]["bindings"]


def sparql_count(server, query: str) -> int:
    return int(sparql_select(server, query)[0]["n"]["value"])


@pytest.fixture
def watched(browser, server, request) -> Iterator[Watched]:
    with watched_page(browser, server.url, request.node.name) as w:
        yield w


def test_search_finds_an_organisation_by_acronym(watched: Watched, server) -> None:
    page = watched.page
    page.goto(f"{server.url}/search")
    box = page.get_by_label("Name or acronym")
    box.fill("UNRCCA")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=UNRCCA"))
    expected = sparql_select(server, """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?o ?label WHERE { ?o skos:altLabel "UNRCCA"@en ; rdfs:label ?label
                                 FILTER(LANG(?label) = "en") }""")
    assert len(expected) == 1
    first = page.locator(".search-result .result-link").first
    assert first.inner_text() == expected[0]["label"]["value"]
    assert first.get_attribute("href") == "/" + expected[0]["o"]["value"].split(
        "https://w3id.org/ctgraph/", 1)[1]
    assert "result" in page.get_by_role("status").inner_text()


def test_search_in_russian(watched: Watched, server) -> None:
    page = watched.page
    page.goto(f"{server.url}/search")
    page.get_by_label("Name or acronym").fill("ашхабад")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search\?q="))
    link = page.locator(".search-result .result-link").first
    assert link.get_attribute("href") == "/city/ashgabat"
    assert page.locator('.search-result [lang="ru"]').first.inner_text() == "Ашхабад"


ORGANISATIONS = """PREFIX schema: <https://schema.org/>
SELECT ?org WHERE { ?org a schema:Organization } ORDER BY ?org"""


def _type_query(page: Any, text: str) -> None:
    editor = page.locator(".tabPanel.active .CodeMirror").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    for line in text.splitlines():
        page.keyboard.type(line.strip())
        page.keyboard.press("Enter")


def _editor_text(page: Any) -> str:
    return page.evaluate(
        "() => document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.getValue()")


def test_query_typed_into_the_editor_runs(watched: Watched, server) -> None:
    require_yasgui()
    page = watched.page
    page.goto(f"{server.url}/query")
    page.wait_for_selector(".CodeMirror")
    prefilled = _editor_text(page)
    assert "PREFIX ctg: <https://w3id.org/ctgraph/ontology#>" in prefilled
    _type_query(page, ORGANISATIONS)
    typed = " ".join(_editor_text(page).split())
    # the editor may close brackets itself; the query must still be the one typed
    assert typed.startswith(" ".join(ORGANISATIONS.split())), typed
    page.keyboard.press("Control+Enter")
    rows = page.locator(".tabPanel.active .yasr table tbody tr")
    rows.first.wait_for(timeout=30_000)
    expected = sparql_select(server, ORGANISATIONS)
    assert len(expected) > 1
    page.wait_for_function(
        "n => document.querySelectorAll('.tabPanel.active .yasr table tbody tr').length >= n",
        arg=min(len(expected), 10))
    shown = rows.count()
    assert shown == len(expected) or shown in (10, 25, 50), shown  # a page of the table
    table_text = page.locator(".tabPanel.active .yasr table").inner_text()
    first_slug = expected[0]["org"]["value"].rsplit("/", 1)[1]
    assert first_slug in table_text
    # results can be downloaded (YASR's download button) as CSV
    with page.expect_download() as download:
        page.locator(".tabPanel.active .yasr_downloadIcon").click()
    with open(download.value.path(), encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == ["org"]
    assert [row[0] for row in table[1:]] == [b["org"]["value"] for b in expected]


def test_named_query_examples_open_and_run(watched: Watched, server) -> None:
    require_yasgui()
    page = watched.page
    page.goto(f"{server.url}/query")
    page.wait_for_selector(".CodeMirror")
    catalogue = httpx.get(f"{server.url}/api/queries").json()["queries"]
    named = next(q for q in catalogue if q["name"] == "events-by-phase")
    page.get_by_label("Example query").select_option(named["name"])
    assert named["title"].split()[0] in page.locator("#example-description").inner_text() or \
        page.locator("#example-description").inner_text()
    page.get_by_role("button", name="Open in a new tab").click()
    page.wait_for_function(
        "t => document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.getValue()"
        ".startsWith('# ' + t)", arg=named["title"])
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    page.locator(".tabPanel.active .yasr table tbody tr").first.wait_for(timeout=30_000)
    assert page.locator(".tabPanel.active .yasr table tbody tr").count() >= 1


def test_timeline_shows_every_dated_event(watched: Watched, server) -> None:
    page = watched.page
    page.goto(f"{server.url}/timeline")
    markers = page.locator("svg.timeline a.event")
    expected = sparql_count(server, DATED_EVENTS)
    assert markers.count() == expected > 0
    assert page.locator("#events-table tbody tr").count() == expected
    svg = page.locator("svg.timeline")
    assert svg.get_attribute("role") == "group"
    assert page.locator("#timeline-title").text_content().startswith(f"Timeline of {expected}")
    # undated Phase III activities are listed beside the axis
    phase3_undated = sparql_count(server, """PREFIX schema: <https://schema.org/>
        PREFIX ctg: <https://w3id.org/ctgraph/ontology#>
        SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i ctg:partOfPhase ?p . ?p ctg:ordinal 3
          FILTER NOT EXISTS { ?i schema:startDate ?d } }""")
    section = page.locator("aside section", has=page.get_by_role("heading", name="Phase III"))
    assert section.locator("li.undated").count() == phase3_undated > 0
    # the phase filter hides exactly that phase's events
    phase2 = sparql_count(server, """PREFIX schema: <https://schema.org/>
        PREFIX ctg: <https://w3id.org/ctgraph/ontology#>
        SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a schema:Event ; schema:startDate ?d ;
          ctg:partOfPhase/ctg:ordinal 2 }""")
    page.get_by_label("Phase II", exact=True).uncheck()
    visible = page.locator("svg.timeline a.event:visible")
    assert visible.count() == expected - phase2
    page.get_by_label("Phase II", exact=True).check()
    assert page.locator("svg.timeline a.event:visible").count() == expected


def test_timeline_is_keyboard_navigable(watched: Watched, server) -> None:
    page = watched.page
    page.goto(f"{server.url}/timeline")
    first = page.locator('svg.timeline a.event[data-number="1"]')
    label = first.get_attribute("aria-label")
    assert label and label.startswith("1. ")
    # Tab through the page until the first event marker has the focus
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('aria-label')") == label:
            break
    else:
        pytest.fail("the first event marker is not reachable with Tab")
    href = first.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}{href}")


def test_pages_fit_a_narrow_screen(browser, server) -> None:
    page = browser.new_page()
    page.set_viewport_size({"width": 375, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        for path, name in (("/timeline", "narrow-timeline"), ("/search?q=UN", "narrow-search")):
            page.goto(f"{server.url}{path}")
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth")
            screenshot(page, name)
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    finally:
        page.close()
    assert errors == []


def _number_forms(n: int) -> set[str]:
    return {str(n), f"{n:,}", f"{n:,}".replace(",", " "), f"{n:,}".replace(",", "\u202f"),
            f"{n:,}".replace(",", "\u00a0")}


def test_landing_page_shows_the_counts(watched: Watched, server) -> None:
    page = watched.page
    response = page.goto(f"{server.url}/")
    assert response is not None and response.status == 200
    text = page.locator("body").inner_text()
    triples = sparql_count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert any(form in text for form in _number_forms(triples)), (triples, text[:2000])
    # the landing page leads to the analyst pages
    for path in ("/query", "/search", "/timeline"):
        assert page.locator(f'a[href="{path}"]').count() >= 1, path


def test_resource_page_links_navigate(watched: Watched, server) -> None:
    page = watched.page
    page.goto(f"{server.url}/search?q=UNRCCA")
    page.locator(".search-result .result-link").first.click()
    page.wait_for_url(f"{server.url}/org/unrcca")
    heading = page.get_by_role("heading", level=1)
    assert "United Nations Regional Centre" in heading.inner_text()
    # follow a link from the organisation to another resource of the graph
    hrefs = page.eval_on_selector_all("main a[href]",
                                      "links => links.map(a => a.getAttribute('href'))")
    kinds = "org|country|city|region|project|phase|event|activity|doc|pillar"
    href = next((h for h in hrefs if re.fullmatch(rf"/({kinds})/[^/#?.]+", h)
                 and h != "/org/unrcca"), None)
    assert href, "the organisation's page links to other resources"
    page.locator(f'main a[href="{href}"]').first.click()
    page.wait_for_url(f"{server.url}{href}")
    assert page.get_by_role("heading", level=1).inner_text().strip()
