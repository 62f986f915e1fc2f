"""`ctgraph serve`: load the graph, bind the socket, run uvicorn, say where it listens.

The store is loaded before the server starts, so a broken input file is reported as
``file: problem`` with exit status 2 instead of a start-up traceback. Binding the socket here
(rather than inside uvicorn) lets ``--port 0`` pick a free port and still print the real one.
"""

from __future__ import annotations

import logging
import socket
import sys

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


def run_server(settings: Settings) -> int:
    """Serve until interrupted; 0 on a clean stop, 2 when the data or the address is unusable."""
    from ctgraph.web.app import create_app, open_store

    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        store = open_store(settings)
    except (OSError, SyntaxError, ValueError) as e:
        print(f"ctgraph serve: cannot load the data: {_describe(e)}", file=sys.stderr)
        return 2
    try:
        sock = _bind(settings.host, settings.port)
    except OSError as e:
        print(f"ctgraph serve: cannot listen on {settings.host}:{settings.port}: {e.strerror}",
              file=sys.stderr)
        return 2
    if settings.port == 0:
        settings.port = sock.getsockname()[1]
    app = create_app(settings, store)
    config = uvicorn.Config(
        app, log_level=settings.log_level, access_log=False, lifespan="on",
        timeout_graceful_shutdown=5,
        h11_max_incomplete_event_size=max(65536, min(settings.max_request_bytes, 1 << 20)),
    )
    server = uvicorn.Server(config)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(
        f"ctgraph {store.quad_count()} quads; listening on http://{host}:{settings.port}/ "
        f"(SPARQL endpoint http://{host}:{settings.port}/sparql, "
        f"public base {settings.public_base_url})",
        flush=True,
    )
    server.run(sockets=[sock])
    return 0 if server.started else 1


def _describe(error: Exception) -> str:
    if isinstance(error, FileNotFoundError):
        return f"{error.filename}: no such file"
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror}"
    return str(error)
