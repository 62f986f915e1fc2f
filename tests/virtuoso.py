"""A real Virtuoso 7 (Debian's ``virtuoso-opensource``) on 127.0.0.1 for the tests.

``start_virtuoso(folder)`` writes an ini into a throwaway database folder, starts
``virtuoso-t +foreground +configfile INI`` with its SQL and HTTP ports bound to loopback on
free ports, grants what the Graph Store Protocol tests need, waits until ``/sparql`` answers
and returns a `Virtuoso` with the endpoint URLs, ``isql()``, ``stop()`` and ``restart()``.

What was worked out by hand (7.2.5 from Debian):

* a fresh database takes 4-5 s to create and open (``HTTP server online`` in its log); a
  restart on an existing folder about as long;
* the HTTP ``SPARQL`` user may read but not write until ``GRANT SPARQL_UPDATE TO "SPARQL"``,
  and a grant made after the HTTP server has served that user is not seen until the server
  restarts. The grants are therefore made through ``isql-vt`` as soon as the SQL port
  answers, before any HTTP request (``_wait_sql`` probes the SQL port only);
* ``/sparql-graph-crud`` writes as user ``SPARQL`` without authentication;
  ``/sparql-graph-crud-auth`` asks for HTTP digest authentication and writes as the SQL
  user who authenticated: `LOADER` has the ``SPARQL_UPDATE`` role, `READER` has
  ``SPARQL_SELECT`` only (its writes are refused with 403);
* the default ``ResultSetMaxRows`` (10,000) and ``MaxQueryExecutionTime`` would cut the
  answers the HTTP suite compares, so this ini lifts both (docs/deploy.md says the same for a
  deployment);
* a fresh database already holds Virtuoso's own system graphs (``virtrdf#`` and others,
  about 2,600 triples), which ctgraph must never show.

The ``dba`` password stays the package default (``dba``): the server only listens on
127.0.0.1 and its folder is deleted after the session.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

LOADER = ("ctloader", "loader-secret")
"""A SQL user with SPARQL_UPDATE: digest credentials that /sparql-graph-crud-auth accepts."""
READER = ("ctreader", "reader-secret")
"""A SQL user with SPARQL_SELECT only: authenticated, but its writes are refused (403)."""

SYSTEM_GRAPH = "http://www.openlinksw.com/schemas/virtrdf#"
"""One of the graphs every Virtuoso database holds from the start."""

INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 40
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 20000
MaxDirtyBuffers = 12000
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}/vsp
MaxClientConnections = 40
ServerThreads = 40
MaxKeepAlives = 40
KeepAliveTimeout = 30
Charset = UTF-8
EnabledGzipContent = 0

[Client]
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
MaxSortedTopRows = 100000
"""

GRANTS = [
    'GRANT SPARQL_UPDATE TO "SPARQL"',
    f"DB.DBA.USER_CREATE ('{LOADER[0]}', '{LOADER[1]}')",
    f'GRANT SPARQL_UPDATE TO "{LOADER[0]}"',
    f"DB.DBA.USER_CREATE ('{READER[0]}', '{READER[1]}')",
    f'GRANT SPARQL_SELECT TO "{READER[0]}"',
    "checkpoint",
]


def binaries() -> tuple[str, str]:
    """``virtuoso-t`` and ``isql-vt``; a missing one is an error that says how to install it
    (scripts/test.sh does), never a skip."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or isql is None:
        raise RuntimeError("Virtuoso is missing: apt-get install virtuoso-opensource "
                           "(scripts/test.sh installs it)")
    return server, isql


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Virtuoso:
    """One running Virtuoso; its URLs are fixed for its lifetime, across `restart`."""

    folder: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen[bytes] | None = None
    _log: Path = field(init=False)

    def __post_init__(self) -> None:
        self._log = self.folder / "console.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        """The SPARQL 1.1 Protocol endpoint (queries; updates once granted)."""
        return self.base + "/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint without authentication (writes as ``SPARQL``)."""
        return self.base + "/sparql-graph-crud"

    @property
    def graph_store_auth(self) -> str:
        """The Graph Store Protocol endpoint behind HTTP digest authentication."""
        return self.base + "/sparql-graph-crud-auth"

    def log(self) -> str:
        parts = [self._log, self.folder / "virtuoso.log"]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())

    def isql(self, *statements: str, timeout: float = 60) -> str:
        """Run SQL statements as ``dba`` through ``isql-vt``; a failing one raises."""
        _, isql = binaries()
        script = "".join(s.rstrip("; \n") + ";\n" for s in statements)
        run = subprocess.run([isql, f"127.0.0.1:{self.sql_port}", "dba", "dba",
                              "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ERRORS=STDOUT"],
                             input=script.encode(), capture_output=True, timeout=timeout)
        out = run.stdout.decode(errors="replace") + run.stderr.decode(errors="replace")
        if run.returncode != 0 or "*** Error" in out:
            raise RuntimeError(f"isql-vt failed ({run.returncode}): {out.strip()}")
        return out

    def start(self, *, timeout: float = 120) -> None:
        """Start the server on its folder (creating the database the first time)."""
        server, _ = binaries()
        fresh = not (self.folder / "virtuoso.db").exists()
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                [server, "+foreground", "+configfile", str(self.folder / "virtuoso.ini")],
                cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + timeout
            self._wait_sql(deadline)
            if fresh:
                self.isql(*GRANTS)
            self._wait_http(deadline)
        except BaseException:
            self.stop()
            raise

    def _alive(self, deadline: float) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited ({self.process.returncode}):\n{self.log()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"virtuoso-t did not become ready:\n{self.log()}")

    def _wait_sql(self, deadline: float) -> None:
        """Until the SQL port accepts a statement (no HTTP request is made: see the module
        docstring on grants)."""
        while True:
            self._alive(deadline)
            try:
                self.isql("select 1", timeout=10)
                return
            except (RuntimeError, subprocess.TimeoutExpired):
                time.sleep(0.25)

    def _wait_http(self, deadline: float) -> None:
        while True:
            self._alive(deadline)
            try:
                r = httpx.get(self.sparql, params={"query": "ASK {}"}, timeout=5)
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server (TERM, then KILL after 30 s); the database stays for `start`."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        """Stop it and delete its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_virtuoso(folder: Path) -> Virtuoso:
    """A fresh Virtuoso with its database in `folder` (created; must be empty or missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vsp").mkdir(exist_ok=True)
    virtuoso = Virtuoso(folder, _free_port(), _free_port())
    (folder / "virtuoso.ini").write_text(
        INI.format(db=folder, sql_port=virtuoso.sql_port, http_port=virtuoso.http_port),
        encoding="utf-8")
    virtuoso.start()
    return virtuoso
