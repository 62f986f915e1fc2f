"""Helpers for the UI tests: an in-process uvicorn server on a free loopback port (for tests
that must change the process's environment, e.g. hide the YASGUI install), and a headless
Debian Chromium driven by Playwright.

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
from pathlib import Path

import httpx
import pytest
import uvicorn

from ctgraph.graph.store import GraphStore
from ctgraph.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_chromium() -> None:
    """Skip (developer machine) or fail (CI) when Debian's Chromium is not installed."""
    if CHROMIUM.is_file():
        return
    message = (f"{CHROMIUM} is missing: install it with "
               "`apt-get update && apt-get install -y chromium`")
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


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
