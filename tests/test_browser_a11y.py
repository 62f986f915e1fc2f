"""Accessibility of the analyst pages, checked by axe-core (WCAG 2.1 A and AA rules) in a real
headless Chromium, plus the things a rule engine cannot see: a visible focus indicator.

axe-core comes from the npm registry with the other web assets (a dev dependency of
web-assets/package.json); it is injected into the page by the test, never served.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ctgraph.web import static_assets as webassets
from tests.ui_support import chromium_browser, require_yasgui, screenshot, skip_or_fail

pytestmark = pytest.mark.browser
# Memory back-end only, to keep the browser tests' run time down: the pages a browser gets are
# the same HTML, scripts and answers whatever the store (test_backends_same_answers.py compares
# them, and the HTTP suite runs on each back-end), so Chromium would check the same thing 3x.
MEMORY_ONLY = pytest.mark.parametrize("server", ["memory"], indirect=True)

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe_script() -> Path:
    path = webassets.web_assets_dir() / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        skip_or_fail(f"axe-core is not installed: run `{webassets.INSTALL_COMMAND}`")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser(bypass_csp=True) as context:
        yield context


def violations(page: Any, exclude: list[str] | None = None, include: str | None = None,
               skip_rules: tuple[str, ...] = ()) -> list[str]:
    """axe-core's WCAG A/AA violations on the page (or the `include` part), as lines."""
    page.add_script_tag(path=str(_axe_script()))
    context: dict[str, Any] = {"exclude": [[s] for s in exclude or []]}
    if include:
        context["include"] = [[include]]
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS},
               "rules": {rule: {"enabled": False} for rule in skip_rules}}
    result = page.evaluate("([context, options]) => axe.run(context, options)",
                           [context, options])
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + json.dumps([n["target"] for n in v["nodes"]][:5])
        for v in result["violations"]
    ]


def test_the_checker_finds_violations(browser) -> None:
    """Guard against a vacuous pass: a page with known faults is reported."""
    page = browser.new_page()
    try:
        page.set_content('<html><body><img src="data:,"><input type="text">'
                         '<p style="color:#ccc;background:#fff">faint</p></body></html>')
        found = " ".join(violations(page))
        for rule in ("image-alt", "label", "color-contrast"):
            assert rule in found
    finally:
        page.close()


@MEMORY_ONLY
@pytest.mark.parametrize("path", ["/search", "/search?q=UNRCCA", "/search?q=zzznothing",
                                  "/timeline"])
def test_pages_meet_wcag_aa(browser, server, path: str) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{server.url}{path}")
        assert violations(page) == []
    finally:
        page.close()


@MEMORY_ONLY
def test_query_editor_page_meets_wcag_aa(browser, server) -> None:
    """The editor page, YASGUI included (ui-query.js labels its inputs, ui.css darkens its
    faint colours). One rule is left out, for YASGUI's markup only: its tab list holds the
    "add tab" button, which axe's aria-required-children rejects; we cannot change that
    without patching the third-party widget."""
    require_yasgui()
    page = browser.new_page()
    try:
        page.goto(f"{server.url}/query")
        page.wait_for_selector(".CodeMirror")
        assert violations(page, exclude=["#yasgui"]) == []
        page.locator(".tabPanel.active .yasqe_queryButton").click()
        page.locator(".tabPanel.active .yasr table tbody tr").first.wait_for()
        assert violations(page, include="#yasgui",
                          skip_rules=("aria-required-children",)) == []
    finally:
        page.close()


@MEMORY_ONLY
def test_focus_is_visible(browser, server) -> None:
    """Keyboard focus on a timeline marker and on the search box draws a visible outline."""
    page = browser.new_page()
    try:
        page.goto(f"{server.url}/timeline")
        marker = page.locator('svg.timeline a.event[data-number="1"]')
        shape = marker.locator(".marker")
        before = shape.evaluate("e => getComputedStyle(e).strokeWidth")
        page.keyboard.press("Tab")  # keyboard modality, so :focus-visible applies
        marker.focus()
        after = shape.evaluate("e => getComputedStyle(e).strokeWidth")
        assert before != after, "a focused marker looks the same as an unfocused one"
        screenshot(page, "focus-timeline-marker")

        page.goto(f"{server.url}/search")
        page.keyboard.press("Tab")
        box = page.get_by_label("Name or acronym")
        box.focus()
        outline = box.evaluate("e => getComputedStyle(e).outlineStyle")
        assert outline not in ("none", ""), outline
    finally:
        page.close()
