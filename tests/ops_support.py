"""Helpers for the operations tests (tests/test_ops_*.py): a `ctgraph serve` in its own
session (so a test can send Ctrl-C's SIGINT to its whole process group, as a terminal does),
its worker processes and their memory (also for test_streaming.py and
test_server_timeout.py), and slow queries that finish.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from tests.conftest import RunningServer, _cli_args

# On the bundled graph (6,206 triples in the default graph): ~0.7 s and ~3.3 s of one
# worker's CPU; both finish (COUNT, one row). Neither is sure to outlast a 1 s limit.
MEDIUM = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?t }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
# Runs for hours and says nothing until it ends, so it meets any time limit before its
# first byte: a clean 503.
BOMB = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def unique(query: str, tag: object) -> str:
    """The same query under another text, so no cache answers it."""
    return f"# {tag}\n{query}"


def launch(*paths: str, **options: object) -> RunningServer:
    """`ctgraph serve --port 0` as the leader of a new session; ready when it answers and its
    query workers run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTGRAPH_")}
    env["PYTHONUNBUFFERED"] = "1"
    fd, name = tempfile.mkstemp(prefix="ctgraph-ops-", suffix=".log")
    cmd = [sys.executable, "-m", "ctgraph.cli", "serve", "--host", "127.0.0.1", "--port", "0",
           *_cli_args(paths, options)]
    with os.fdopen(fd, "wb") as log_file:
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log_file, env=env,
                                   start_new_session=True)
    assert process.stdout is not None
    line = process.stdout.readline().decode("utf-8", "replace")
    if "listening on http://" not in line:
        process.wait(timeout=30)
        raise RuntimeError(f"ctgraph serve did not start: {line}\n{Path(name).read_text()}")
    url = line.split("listening on ", 1)[1].split("/ ", 1)[0].rstrip("/")
    server = RunningServer(url, process, Path(name), stdout=line)
    for _ in range(1200):
        try:
            health = httpx.get(f"{url}/healthz", timeout=5)
            # ready: answering, and its query workers run (their store is written first)
            if health.status_code == 200 and health.json().get("workers_ready", True):
                return server
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.05)
    server.stop()
    raise RuntimeError("ctgraph serve never became ready:\n" + server.log())


def log_with(server: RunningServer, text: str, within: float = 30.0) -> str:
    """The server's log once it contains `text` (lines are written as requests end, just
    after their answer has been sent)."""
    deadline = time.monotonic() + within
    while True:
        log = server.log()
        if text in log or time.monotonic() > deadline:
            return log
        time.sleep(0.02)


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (Linux /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def tree_pss(pid: int) -> int:
    """Proportional set size of `pid` and all its descendants, in bytes (Linux /proc)."""
    total = 0
    for member in {pid} | descendants(pid):
        try:
            text = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
    return total


def state(pid: int) -> str | None:
    """The process's state letter (R, S, Z…), None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def zygote_and_workers(pid: int) -> tuple[int, set[int]]:
    """The server's direct child (the zygote) and the zygote's children (the workers)."""
    for _ in range(1000):
        children = (Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
        if children:
            zygote = int(children[0])
            return zygote, descendants(zygote)
        time.sleep(0.01)
    raise AssertionError("no zygote")


def running_workers(pid: int, at_least: int = 1, within: float = 60.0) -> set[int]:
    """Wait until `at_least` worker processes are on the CPU (evaluating); return them."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        _zygote, workers = zygote_and_workers(pid)
        busy = {w for w in workers if state(w) == "R"}
        if len(busy) >= at_least:
            return busy
        threading.Event().wait(0.005)
    raise AssertionError(f"fewer than {at_least} workers started evaluating")


def wait_exit(server: RunningServer, within: float = 60.0) -> int:
    """The exit status once the process has ended (fails the test if it hangs)."""
    try:
        return server.process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)
        raise AssertionError("the server did not exit:\n" + server.log()) from None


class Background:
    """An HTTP request in a thread; `.response` (or `.error`) once `.join()` returns."""

    def __init__(self, method: str, url: str, local_address: str | None = None,
                 **kwargs: object):
        self.response: httpx.Response | None = None
        self.error: Exception | None = None
        transport = httpx.HTTPTransport(local_address=local_address)

        def go() -> None:
            try:
                with httpx.Client(transport=transport, timeout=300) as client:
                    self.response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
            except Exception as e:
                self.error = e

        self.thread = threading.Thread(target=go, daemon=True)
        self.thread.start()

    def join(self, timeout: float = 300) -> httpx.Response:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "request still running"
        if self.error is not None:
            raise self.error
        assert self.response is not None
        return self.response

    def done(self) -> bool:
        return not self.thread.is_alive()
