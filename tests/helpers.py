"""Reusable test helpers: validating Turtle snippets against the bundled shapes, running the
`ctgraph` command, a loopback listener that counts who connects to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import rdflib

from ctgraph.validation.report import Result
from ctgraph.validation.shacl import validate_graph

ResultLike = Result


def validate_turtle(ttl: str) -> list[Result]:
    """Validate a Turtle snippet (with the bundled ontology mixed in, as `ctgraph validate`
    does) against the bundled shapes; the typed results, most severe first."""
    data = rdflib.Graph().parse(data=ttl, format="turtle")
    return validate_graph(data).results


def run_ctgraph(*args: str, cwd: Path | None = None, timeout: float = 120
                ) -> subprocess.CompletedProcess[str]:
    """Run the installed ``ctgraph`` command (the console script beside this interpreter,
    else ``python -m ctgraph.cli``) as a real subprocess; output captured as text."""
    script = Path(sys.executable).with_name("ctgraph")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "ctgraph.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTGRAPH_")}
    return subprocess.run([*command, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives; it sends each
    one `reply` (if any) and closes it. `stop()` ends it."""

    def __init__(self, reply: bytes = b"") -> None:
        self.reply = reply
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:  # including the accept timeout
                continue
            self.connections += 1
            with conn:
                if self.reply:
                    conn.sendall(self.reply)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()
