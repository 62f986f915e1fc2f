"""Shared fixtures: real `ctgraph serve` processes on 127.0.0.1.

``serve_files(*paths, options...)`` (session-scoped factory)
    Starts ``python -m ctgraph.cli serve --host 127.0.0.1 --port 0 [PATHS] [--option value…]``
    as a subprocess, waits until it answers, and returns a `RunningServer` with ``.url``
    (``http://127.0.0.1:PORT``), ``.sparql`` (the endpoint URL), ``.log()`` (its stderr so far)
    and ``.stop()``. Keyword options map to CLI flags: ``timeout=2`` → ``--timeout 2``,
    ``service_allow=[…]`` → repeated ``--service-allow``, ``no_union_default_graph=True`` →
    the flag. No paths: the bundled graph. Every server still running is stopped at the end
    of the session. The port is chosen by the OS (``--port 0``) and read from the line the
    server prints, so parallel runs never collide.

``server`` (session-scoped, parametrised over the store back-ends: ``BACKENDS``)
    A server over the bundled graph with default settings, shared by the whole session, once
    per back-end, so every test that uses it runs three times (``test_x[memory]``,
    ``test_x[disk]``, ``test_x[remote]``):

    * ``memory``: ``ctgraph serve``, the bundled files loaded in memory (``memory_server``);
    * ``disk``: ``ctgraph load --store PATH`` once per session into a temporary folder
      (``disk_store_path``), then ``ctgraph serve --store PATH`` (``disk_server``);
    * ``remote``: ``ctgraph serve --store URL`` (``remote_server``) in front of a real
      ``oxigraph serve`` process on a free loopback port (``oxigraph_endpoint``, the query
      URL), loaded with the N-Quads of exactly what the memory server holds and stopped at
      the end of the session even after a failure. The ``oxigraph`` command comes from
      ``pip install oxigraph`` (the test extra); without it the remote tests fail, loudly.

    * ``virtuoso``: ``ctgraph serve --store URL`` (``virtuoso_server``) in front of a real
      Virtuoso 7 (``virtuoso-t`` from Debian's ``virtuoso-opensource``, started by
      tests/virtuoso.py on loopback in a throwaway database folder, ``virtuoso``) that
      ``ctgraph load --store URL --graph-store URL`` filled with the bundled graph, so its
      default graph is the project's merge and never Virtuoso's own system graphs.

    Treat it as read-only: do not use it for tests that kill workers or need other options.
    A test that cannot hold on some back-end restricts itself explicitly, with a comment
    saying why: ``@pytest.mark.parametrize("server", ["memory"], indirect=True)``.

``memory_server`` / ``disk_server`` / ``remote_server`` / ``virtuoso_server`` (session-scoped)
    The same servers by name, for tests that compare back-ends with each other (the
    memory server's answers are the reference: ``test_backends_same_answers.py``).

``oxigraph_endpoint`` / ``disk_store_path`` / ``virtuoso`` (session-scoped)
    The remote back-end's query URL, the on-disk back-end's folder and the running Virtuoso
    (a `tests.virtuoso.Virtuoso`: ``.sparql``, ``.graph_store``, ``.graph_store_auth``), for
    tests of their own. Tests that stop or reload a store start their own.

``browser`` (module-scoped)
    A headless Debian Chromium context (`tests.ui_support.chromium_browser`), one a test
    module; test_browser_a11y.py overrides it with one that lets axe-core in.

The environment's CTGRAPH_* variables are removed for these processes so that a developer's
settings cannot change test results.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

BACKENDS = ("memory", "disk", "remote", "virtuoso")


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    stdout: str = ""
    _stopped: bool = field(default=False, repr=False)

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def _cli_args(paths: tuple[Path | str, ...], options: dict[str, object]) -> list[str]:
    args = [str(p) for p in paths]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            args.append(flag)
        elif isinstance(value, list | tuple):
            for item in value:
                args += [flag, str(item)]
        elif value is not None and value is not False:
            args += [flag, str(value)]
    return args


def start_server(*paths: Path | str, startup_timeout: float = 60.0, **options: object
                 ) -> RunningServer:
    """Start one `ctgraph serve` subprocess (see the module docstring) and wait until ready."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTGRAPH_")}
    env["PYTHONUNBUFFERED"] = "1"
    fd, name = tempfile.mkstemp(prefix="ctgraph-serve-", suffix=".log")
    log_path = Path(name)
    cmd = [sys.executable, "-m", "ctgraph.cli", "serve", "--host", "127.0.0.1", "--port", "0",
           *_cli_args(paths, options)]
    with os.fdopen(fd, "wb") as log_file:
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log_file, env=env)
    assert process.stdout is not None
    line = process.stdout.readline().decode("utf-8", "replace")
    if "listening on http://" not in line:
        process.wait(timeout=30)
        raise RuntimeError(
            f"ctgraph serve did not start (exit {process.returncode}): {line}\n"
            + log_path.read_text(errors="replace")
        )
    url = line.split("listening on ", 1)[1].split("/ ", 1)[0].rstrip("/")
    server = RunningServer(url, process, log_path, stdout=line)
    deadline = time.monotonic() + startup_timeout
    while True:
        try:
            if httpx.get(f"{url}/context.jsonld", timeout=5).status_code == 200 and (
                    _workers_ready(url)):
                return server
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError("ctgraph serve never became ready:\n" + server.log())
        time.sleep(0.05)


@pytest.fixture
def launched() -> Iterator[Callable[..., RunningServer]]:
    """`launch`, and every server it started stopped at teardown, even when the test failed
    before stopping it (its whole session: the server, its zygote and workers)."""
    servers: list[RunningServer] = []

    from tests.ops_support import launch  # it imports this module

    def start(*paths: str, **options: object) -> RunningServer:
        server = launch(*paths, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=30)


def _workers_ready(url: str) -> bool:
    """False only while /healthz says the query workers are still starting (their on-disk
    store is written after the server answers): tests that look at workers need them."""
    response = httpx.get(f"{url}/healthz", timeout=5)
    return response.status_code != 200 or response.json().get("workers_ready", True)


@pytest.fixture(scope="session")
def serve_files() -> Iterator[Callable[..., RunningServer]]:
    started: list[RunningServer] = []

    def factory(*paths: Path | str, **options: object) -> RunningServer:
        server = start_server(*paths, **options)
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    """The `oxigraph` command of this interpreter's environment (``pip install oxigraph``, in
    the test extra), else the one on PATH. Missing is a failure, never a skip: CI installs it."""
    beside = Path(sys.executable).with_name("oxigraph")
    binary = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if binary is None:
        pytest.fail("the oxigraph server is missing: pip install -e '.[test]' installs it",
                    pytrace=False)
    return binary


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def start_oxigraph(log_path: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """``oxigraph serve OPTIONS`` on a free loopback port, its output in `log_path`: the
    process and its base URL once it answers a query. One that does not within 30 s is
    stopped, and a RuntimeError carries its log."""
    port = free_port()
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [oxigraph_binary(), "serve", *options, "--bind", f"127.0.0.1:{port}"],
            stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(base + "/query", params={"query": "ASK {}"}, timeout=1)
            return process, base
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                _stop(process)
                raise RuntimeError("oxigraph serve did not start:\n"
                                   + log_path.read_text(errors="replace")) from None
            time.sleep(0.05)


@pytest.fixture(scope="session")
def oxigraph_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `oxigraph serve` on 127.0.0.1 holding exactly the quads the memory server holds:
    the bundled data and shapes as `app.open_store` loads them, and the union default graph
    materialised (set semantics) in its default graph. Stopped at the end of the session,
    whatever happened."""
    from ctgraph.graph.store import load_bundled, materialise_union

    process, base = start_oxigraph(tmp_path_factory.mktemp("oxigraph") / "serve.log")
    try:
        store = load_bundled(shapes=True).oxigraph
        materialise_union(store)  # a no-op when the store already holds the union
        r = httpx.post(base + "/store", content=ox.serialize(store, format=ox.RdfFormat.N_QUADS),
                       headers={"Content-Type": "application/n-quads"}, timeout=60)
        assert r.status_code in (200, 201, 204), r.text
        yield base + "/query"
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def disk_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled graph loaded by `ctgraph load` into an on-disk store; what the command
    wrote on stderr is kept beside it, in ``load.log``."""
    from tests.helpers import run_ctgraph

    path = tmp_path_factory.mktemp("stores") / "bundled"
    run = run_ctgraph("load", "--store", str(path), timeout=300)
    assert run.returncode == 0, run.stderr
    path.with_name("load.log").write_text(run.stderr, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def memory_server(serve_files: Callable[..., RunningServer]) -> RunningServer:
    """`ctgraph serve` on the bundled graph in memory: the reference the others answer like."""
    return serve_files()


@pytest.fixture(scope="session")
def disk_server(serve_files: Callable[..., RunningServer], disk_store_path: Path
                ) -> RunningServer:
    """`ctgraph serve --store PATH` on the store `ctgraph load` built."""
    return serve_files(store=str(disk_store_path))


@pytest.fixture(scope="session")
def remote_server(serve_files: Callable[..., RunningServer], oxigraph_endpoint: str
                  ) -> RunningServer:
    """`ctgraph serve --store URL` in front of the real Oxigraph server."""
    return serve_files(store=oxigraph_endpoint)


@pytest.fixture
def fresh_virtuoso(tmp_path: Path) -> Iterator[object]:
    """A Virtuoso of the test's own (tests/virtuoso.py), empty but for its system graphs, for
    tests that change the store; deleted afterwards."""
    from tests.virtuoso import start_virtuoso

    server = start_virtuoso(tmp_path / "virtuoso")
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A real Virtuoso on 127.0.0.1 loaded with the bundled graph by ``ctgraph load`` through
    its Graph Store endpoint; stopped and deleted at the end of the session, whatever
    happened."""
    from tests.helpers import run_ctgraph
    from tests.virtuoso import start_virtuoso

    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso") / "db")
    try:
        run = run_ctgraph("load", "--store", server.sparql, "--graph-store", server.graph_store,
                          timeout=300)
        assert run.returncode == 0, run.stderr
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session")
def virtuoso_server(serve_files: Callable[..., RunningServer], virtuoso) -> RunningServer:
    """`ctgraph serve --store URL` in front of the loaded Virtuoso."""
    return serve_files(store=virtuoso.sparql)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from tests.ui_support import chromium_browser

    with chromium_browser() as context:
        yield context


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> RunningServer:
    """The shared server of one back-end (see the module docstring); each back-end's server
    is started once per session, however often pytest switches between the parameters."""
    return request.getfixturevalue(f"{request.param}_server")
