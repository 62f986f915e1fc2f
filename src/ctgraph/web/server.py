"""`ctgraph serve`: load the graph, bind the socket, run uvicorn, say where it listens, stop
cleanly.

The store is loaded before the server starts, so a broken input file or an unusable on-disk
store (missing, not a store, locked by a `ctgraph load` still writing it, corrupt) is reported
on one line, ``ctgraph serve: …``, with exit status 2 instead of a start-up traceback.
Binding the socket here (rather than inside uvicorn) lets ``--port 0`` pick a free port and
still print the real one.

Stopping: SIGTERM or Ctrl-C (SIGINT) closes the listening socket, lets requests in flight
finish for up to ``--grace-period`` seconds (then cancels them), shuts the query workers down
and exits 0, without the traceback or click's "Aborted!" a KeyboardInterrupt would bring. A
second Ctrl-C stops at once. Exit status 1 when the server stopped itself because its query
workers could no longer be replaced (`ctgraph.web.middleware.query_guard.watch_zygote`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import signal
import socket
import sys
from collections.abc import Generator
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from ctgraph.settings import Settings

log = logging.getLogger("ctgraph.server")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it, small keep-alive answers wait ~40 ms
    # for the client's delayed ACK (Nagle's algorithm).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _not_in_forked_children(sock: socket.socket) -> None:
    """Close the listening socket in every process forked from this one (the query workers'
    zygote, forked at start-up, and through it every worker). A copy left open there keeps
    the port listening after the server has closed it to stop: new connections would then
    wait in the backlog, unanswered, instead of being refused."""
    fd = sock.fileno()
    identity = (os.fstat(fd).st_dev, os.fstat(fd).st_ino)
    closed = False

    def close_copy() -> None:
        # Once per line of descent: in the zygote's own children the number `fd` may name
        # another file by now (their channel socket), which must stay open.
        nonlocal closed
        if closed:
            return
        closed = True
        with contextlib.suppress(OSError):
            stat = os.fstat(fd)
            if (stat.st_dev, stat.st_ino) == identity:
                os.close(fd)

    os.register_at_fork(after_in_child=close_copy)


class _GracefulServer(uvicorn.Server):
    """uvicorn's server, except that a stop signal is handled, not re-raised on exit (uvicorn
    re-raises it, which turns Ctrl-C into KeyboardInterrupt, "Aborted!" and status 1)."""

    def __init__(self, config: uvicorn.Config, app: Any, grace: float):
        super().__init__(config)
        self.app = app
        self.grace = grace

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in signals}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        if self.force_exit:  # uvicorn skips the lifespan's end then; the workers still go
            await self.lifespan.shutdown()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:
            if sig == signal.SIGINT:
                self.force_exit = True
                log.warning("second interrupt: stopping now, cancelling what is in flight")
            return
        self.should_exit = True
        self.app.state.stopping = True
        executor = getattr(self.app.state, "executor", None)
        in_flight = getattr(executor, "in_flight", 0)
        log.info("%s: no longer accepting connections; up to %g s for %d queries in flight "
                 "(Ctrl-C again stops at once)", signal.Signals(sig).name, self.grace, in_flight)


def _logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        from ctgraph.web.middleware.access_log import JSONFormatter

        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # httpx logs each request to a remote store at INFO: one line per query, the store's URL
    # in each; kept for --log-level debug
    logging.getLogger("httpx").setLevel(
        logging.DEBUG if settings.log_level == "debug" else logging.WARNING)


def check_store_folder(path: Path) -> str | None:
    """Why the on-disk store at `path` cannot be served (one line), or None."""
    if not path.exists():
        return f"{path}: no such store folder (make one with `ctgraph load --store {path}`)"
    if not path.is_dir():
        return f"{path}: not a folder; an on-disk store is the folder `ctgraph load` writes"
    if not (path / "CURRENT").is_file():
        return (f"{path}: not a ctgraph store (no CURRENT file); "
                f"make one with `ctgraph load --store {path}`")
    lock = path / "LOCK"
    if lock.is_file():
        try:
            with lock.open("rb") as f:
                # The writer (ctgraph load, RocksDB) holds a POSIX write lock on LOCK; a
                # shared lock cannot be had while it does. Taken and dropped at once.
                fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
                fcntl.lockf(f, fcntl.LOCK_UN)
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EAGAIN):
                return (f"{path}: the store is locked by another process "
                        "(a `ctgraph load` still writing it?); serve it once that has finished")
            if e.errno != errno.EBADF:
                return f"{path}: cannot read the store's lock file: {e.strerror}"
    return None


def run_server(settings: Settings) -> int:
    """Serve until stopped; 0 on a clean stop, 2 when the data or the address is unusable,
    1 when the server had to stop itself."""
    from ctgraph.views.stats import graph_size
    from ctgraph.web.app import create_app, open_store
    from ctgraph.web.middleware.client_limits import parse_networks

    _logging(settings)
    try:
        parse_networks(settings.trusted_proxy)
    except ValueError as e:
        print(f"ctgraph serve: {e}", file=sys.stderr)
        return 2
    previous_term = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        try:
            store = _open(settings, open_store)
        except _Unusable as e:
            print(f"ctgraph serve: {e}", file=sys.stderr)
            return 2
        try:
            sock = _bind(settings.host, settings.port)
        except OSError as e:
            print(f"ctgraph serve: cannot listen on {settings.host}:{settings.port}: "
                  f"{e.strerror}", file=sys.stderr)
            return 2
    except KeyboardInterrupt:  # SIGINT/SIGTERM while loading: nothing served yet
        print("ctgraph serve: stopped before serving", file=sys.stderr)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous_term)
    if settings.port == 0:
        settings.port = sock.getsockname()[1]
    _not_in_forked_children(sock)
    app = create_app(settings, store)
    config = uvicorn.Config(
        app, log_level=settings.log_level, log_config=None, access_log=False, lifespan="on",
        timeout_graceful_shutdown=settings.grace_period,
        # uvicorn's 5 s equals httpx's own idle expiry: a client reusing a connection idle
        # for just under 5 s, while a busy event loop runs the server's close late, gets a
        # reset (bench/README.md, "Soak"). Outlast the clients and proxies instead.
        timeout_keep_alive=settings.keep_alive,
        # Client addresses come from the connection; Forwarded headers are read only from a
        # --trusted-proxy (client_limits), never from whoever sends them.
        proxy_headers=False, server_header=False,
        h11_max_incomplete_event_size=max(65536, min(settings.max_request_bytes, 1 << 20)),
    )
    server = _GracefulServer(config, app, settings.grace_period)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(
        f"ctgraph {graph_size(store).sentence()}; listening on http://{host}:{settings.port}/ "
        f"(SPARQL endpoint http://{host}:{settings.port}/sparql, "
        f"public base {settings.public_base_url})",
        flush=True,
    )
    try:
        server.run(sockets=[sock])
    finally:
        executor = getattr(app.state, "executor", None)
        if executor is not None:  # after a forced stop the lifespan did not close it
            executor.close()
    if not server.started:
        return 1
    status = int(getattr(app.state, "exit_status", 0))
    log.info("stopped%s", "" if status == 0 else f" (exit status {status})")
    return status


class _Unusable(Exception):
    """The data cannot be served; the message is the one line to print."""


def _open(settings: Settings, open_store: Any) -> Any:
    if settings.store and not settings.store.startswith(("http://", "https://")):
        problem = check_store_folder(Path(settings.store))
        if problem:
            raise _Unusable(problem)
    try:
        return open_store(settings)
    except (OSError, SyntaxError, ValueError) as e:
        if settings.store and settings.store.startswith(("http://", "https://")):
            from ctgraph.graph.remote_store import redacted

            raise _Unusable(f"cannot open the store {redacted(settings.store)}: {e}") from None
        raise _Unusable(f"cannot load the data: {_describe(e)}") from None
    except RuntimeError as e:  # RocksDB: "Corruption: …"
        where = f"{settings.store}: " if settings.store else ""
        raise _Unusable(f"cannot open the store: {where}{_one_line(str(e))}") from None
    except BaseException as e:
        if type(e).__name__ != "PanicException":  # pyo3: the engine gave up on the files
            raise
        raise _Unusable(f"cannot open the store: {_one_line(str(e)) or 'engine failure'}"
                        ) from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _describe(error: Exception) -> str:
    if isinstance(error, FileNotFoundError):
        return f"{error.filename}: no such file"
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror}"
    return str(error)
