"""Helpers for the UI tests: an in-process uvicorn server on a free loopback port (for tests
that must change the process's environment, e.g. hide the YASGUI install), a headless
Debian Chromium driven by Playwright, and a watched page that fails its test on a console
error or a request to another origin (test_browser_ui.py and test_package_wheel.py).

The browser is /usr/bin/chromium, never a downloaded one. Without it the browser tests are
skipped on a developer machine but FAIL in CI (``CI=true``), so a broken CI image cannot pass
silently.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
import uvicorn

from ctgraph.graph.store import GraphStore
from ctgraph.settings import Settings
from ctgraph.web import static_assets as webassets

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(message: str) -> NoReturn:
    """Skip the test on a developer machine, fail it in CI: for what CI must install."""
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def require_chromium() -> None:
    """Skip (developer machine) or fail (CI) when Debian's Chromium is not installed."""
    if not CHROMIUM.is_file():
        skip_or_fail(f"{CHROMIUM} is missing: install it with "
                     "`apt-get update && apt-get install -y chromium`")


def require_yasgui() -> None:
    """Skip (developer machine) or fail (CI) when YASGUI is not installed."""
    if webassets.yasgui_dir() is None:
        skip_or_fail(f"YASGUI is not installed: run `{webassets.INSTALL_COMMAND}`")


@contextlib.contextmanager
def chromium_browser(*, bypass_csp: bool = False) -> Iterator[object]:
    """A fresh persistent Chromium context (new user-data-dir) with a 1280x900 viewport;
    `bypass_csp` lets a test inject its own script (the accessibility checker)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="ctgraph-chromium-") as profile, \
            sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=bypass_csp,
        )
        try:
            yield context
        finally:
            context.close()


def screenshot(page: object, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


@dataclass
class Watched:
    """A page with everything it logs and requests."""

    page: Any
    origin: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests
                if not (u.startswith(self.origin + "/") or u.startswith(("data:", "blob:")))]


@contextlib.contextmanager
def watched_page(browser: Any, origin: str, screenshot_name: str, *,
                 timeout_ms: float = 15_000) -> Iterator[Watched]:
    """A new page of `browser` recording its console errors, uncaught exceptions and
    requests. When the block ends the page is screenshotted and closed; if the block
    finished without an exception, the test fails on any console error, any request to
    another origin than `origin`, or no request at all."""
    page = browser.new_page()
    page.set_default_timeout(timeout_ms)
    w = Watched(page, origin)
    page.on("console", lambda m: m.type == "error" and w.console_errors.append(
        f"{m.text} ({m.location.get('url', '')})"))
    page.on("pageerror", lambda e: w.console_errors.append(f"uncaught: {e}"))
    page.on("request", lambda r: w.requests.append(r.url))
    try:
        yield w
    finally:
        try:
            screenshot(page, screenshot_name)
        finally:
            page.close()
    assert w.console_errors == [], "console errors"
    assert w.foreign_requests() == [], "requests to another origin"
    assert w.requests, "the page made no request"


class ThreadServer:
    """`ctgraph.web.app.create_app` under a real uvicorn server in a thread on 127.0.0.1."""

    def __init__(self, store: GraphStore):
        from ctgraph.web.app import create_app

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        settings = Settings(host="127.0.0.1", port=port, query_workers=0)
        config = uvicorn.Config(create_app(settings, store), log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("in-process uvicorn server did not start")
            time.sleep(0.02)
        httpx.get(f"{self.url}/sparql", timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()
