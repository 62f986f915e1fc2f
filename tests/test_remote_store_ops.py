"""Running over a remote store (issue 14): credentials, a data version that follows `ctgraph
load`, error bodies that keep the store's address and credentials to themselves, and
``--shapes-in-default-graph``.

Every Virtuoso here is a real one on 127.0.0.1 (tests/virtuoso.py), loaded with ``ctgraph
load`` through its Graph Store endpoint; the answers are compared with the in-memory
server's or with each other's, never with hard-coded ones. Nothing waits on a clock: a
replica that must notice a reload is asked until it does (within a generous deadline).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

from tests.conftest import RunningServer
from tests.helpers import run_ctgraph
from tests.test_backends_virtuoso import DEFAULT_SIZE, EVENTS
from tests.virtuoso import LOADER, READER, Virtuoso

VALUES = "SELECT ?o WHERE { <urn:s> <urn:p> ?o } ORDER BY ?o"
SHAPES_IN_DEFAULT = ("SELECT (COUNT(*) AS ?n) WHERE { ?shape a "
                     "<http://www.w3.org/ns/shacl#NodeShape> }")


def sparql_auth(virtuoso: Virtuoso) -> str:
    """Virtuoso's query endpoint behind HTTP digest authentication (realm SPARQL)."""
    return virtuoso.base + "/sparql-auth"


def load(virtuoso: Virtuoso, *data: Path) -> None:
    run = run_ctgraph("load", *map(str, data), "--store", virtuoso.sparql, "--graph-store",
                      virtuoso.graph_store, timeout=300)
    assert run.returncode == 0, run.stderr


def answer(url: str, query: str, **headers: str) -> httpx.Response:
    return httpx.get(url + "/sparql", params={"query": query}, timeout=60,
                     headers={"Accept": "application/sparql-results+json", **headers})


def values(response: httpx.Response) -> list[tuple[str, ...]]:
    assert response.status_code == 200, response.text
    doc = response.json()
    names = doc["head"]["vars"]
    return [tuple(b.get(n, {}).get("value", "") for n in names)
            for b in doc["results"]["bindings"]]


def serve_with_env(env_extra: dict[str, str], *args: str) -> tuple[RunningServer | None, str]:
    """`ctgraph serve --port 0 ARGS` with these CTGRAPH_* variables: the running server, or
    None and what it printed when it refused to start."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTGRAPH_")}
    env.update(env_extra, PYTHONUNBUFFERED="1")
    fd, name = tempfile.mkstemp(prefix="ctgraph-serve-", suffix=".log")
    with os.fdopen(fd, "wb") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "ctgraph.cli", "serve", "--host",
                                    "127.0.0.1", "--port", "0", *args],
                                   stdout=subprocess.PIPE, stderr=log_file, env=env)
    assert process.stdout is not None
    line = process.stdout.readline().decode("utf-8", "replace")
    if "listening on http://" not in line:
        process.wait(timeout=60)
        return None, Path(name).read_text(errors="replace") + line
    url = line.split("listening on ", 1)[1].split("/ ", 1)[0].rstrip("/")
    server = RunningServer(url, process, Path(name), stdout=line)
    deadline = time.monotonic() + 60
    while httpx.get(url + "/healthz", timeout=10).status_code != 200:
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.1)
    return server, ""


def assert_says_nothing_of_the_store(text: str, virtuoso: Virtuoso, *secrets: str) -> None:
    """An answer a web client sees: neither the store's address nor any credential."""
    for hidden in (virtuoso.base, f"127.0.0.1:{virtuoso.http_port}", str(virtuoso.http_port),
                   "sparql-auth", *secrets):
        assert hidden not in text, (hidden, text)
    assert "Traceback" not in text and len(text.strip().splitlines()) == 1, text


def test_serve_authenticates_to_a_store_that_asks(fresh_virtuoso: Virtuoso, serve_files,
                                                  memory_server) -> None:
    """/sparql-auth answers only with digest credentials: with them ctgraph answers as the
    memory server does; without them, or with wrong ones, it refuses to start with one line
    that names the refusal and never the password. `ctgraph load --auth` sends the same
    credentials to both endpoints (each asks for them)."""
    store = sparql_auth(fresh_virtuoso)
    run = run_ctgraph("load", "--store", store, "--graph-store", fresh_virtuoso.graph_store_auth,
                      "--auth", f"{LOADER[0]}:{LOADER[1]}", timeout=300)
    assert run.returncode == 0, run.stderr
    expected = values(answer(memory_server.url, EVENTS))

    served = serve_files(store=store, store_auth=f"{READER[0]}:{READER[1]}")
    assert values(answer(served.url, EVENTS)) == expected
    assert httpx.get(served.url + "/org/unrcca", timeout=60).status_code == 200
    served.stop()

    # the environment variable `ctgraph load --auth` reads works for serve too
    served, _ = serve_with_env({"CTGRAPH_STORE_AUTH": f"{LOADER[0]}:{LOADER[1]}"},
                               "--store", store)
    assert served is not None
    assert values(answer(served.url, EVENTS)) == expected
    served.stop()

    # `ctgraph query --store URL` too: the same rows as the bundled graph's in memory
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?e a schema:Event }"
    here = run_ctgraph("query", "--format", "csv", count)
    there = run_ctgraph("query", "--format", "csv", "--store", store, "--store-auth",
                        f"{READER[0]}:{READER[1]}", count)
    assert here.returncode == there.returncode == 0, there.stderr
    assert there.stdout == here.stdout
    refused = run_ctgraph("query", "--store", store, "--store-auth", f"{READER[0]}:wrong-secret",
                          count)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.strip() == (f"ctgraph query: {store}: the remote store refused the "
                                      "credentials (401 Unauthorized)")

    for env, args, says in [
        ({}, [], "the remote store asks for credentials (401 Unauthorized)"),
        ({}, ["--store-auth", f"{READER[0]}:wrong-secret"],
         "the remote store refused the credentials (401 Unauthorized)"),
        ({"CTGRAPH_STORE_AUTH": f"{LOADER[0]}:wrong-secret"}, [],
         "the remote store refused the credentials (401 Unauthorized)"),
        ({}, ["--store-auth", "no-colon-secret"], "--store-auth (hidden) is not accepted"),
    ]:
        refused, printed = serve_with_env(env, "--store", store, *args)
        assert refused is None, f"started without the right credentials: {args} {env}"
        lines = [line for line in printed.strip().splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("ctgraph serve:"), printed
        assert says in printed and "Traceback" not in printed, printed
        assert "wrong-secret" not in printed and "no-colon-secret" not in printed, printed


def test_credentials_refused_while_serving_give_502_then_it_recovers(
        fresh_virtuoso: Virtuoso, serve_files, memory_server) -> None:
    """The store stops accepting the credentials while ctgraph runs (a password changed):
    queries and pages answer 502 naming the refusal, nothing of the store's address or the
    credentials; with the password back, ctgraph answers again by itself."""
    load(fresh_virtuoso)
    served = serve_files(store=sparql_auth(fresh_virtuoso), store_auth=f"{READER[0]}:{READER[1]}")
    expected = values(answer(memory_server.url, EVENTS))
    assert values(answer(served.url, EVENTS)) == expected
    fresh_virtuoso.isql(f"DB.DBA.USER_PASSWORD_SET('{READER[0]}', 'changed-secret')")
    try:
        for path, params in [("/sparql", {"query": EVENTS + " LIMIT 2"}), ("/org/unrcca", {}),
                             ("/api/queries/timeline", {})]:
            r = httpx.get(served.url + path, params=params, timeout=60)
            assert r.status_code == 502, (path, r.status_code, r.text)
            assert "refused the credentials (401 Unauthorized)" in r.text, r.text
            assert_says_nothing_of_the_store(r.text, fresh_virtuoso, READER[1], "changed-secret")
    finally:
        fresh_virtuoso.isql(f"DB.DBA.USER_PASSWORD_SET('{READER[0]}', '{READER[1]}')")
    assert values(answer(served.url, EVENTS)) == expected
    log = served.log()
    assert "Traceback" not in log and READER[1] not in log and "changed-secret" not in log
    served.stop()


def test_error_bodies_keep_the_store_to_themselves(fresh_virtuoso: Virtuoso, serve_files
                                                   ) -> None:
    """500 (the store cannot evaluate a query), 502 (it refuses) and 503 (it is down): the
    message says what happened, never the store's URL, host, port or credentials (those are
    for the server log). The credentials here come in the URL itself."""
    load(fresh_virtuoso)
    secret = READER[1]
    store = f"http://{READER[0]}:{secret}@127.0.0.1:{fresh_virtuoso.http_port}/sparql-auth"
    served = serve_files(store=store)
    # a regular expression that does not compile: Virtuoso answers 500 with its message
    failing = 'SELECT (REPLACE("abc", "(", "x") AS ?x) WHERE {}'
    r = answer(served.url, failing)
    assert r.status_code == 500, (r.status_code, r.text)
    assert_says_nothing_of_the_store(r.text, fresh_virtuoso, secret)

    fresh_virtuoso.isql(f"DB.DBA.USER_PASSWORD_SET('{READER[0]}', 'changed-secret')")
    try:
        r = answer(served.url, EVENTS)
        assert r.status_code == 502, (r.status_code, r.text)
        assert_says_nothing_of_the_store(r.text, fresh_virtuoso, secret, "changed-secret")
    finally:
        fresh_virtuoso.isql(f"DB.DBA.USER_PASSWORD_SET('{READER[0]}', '{secret}')")

    fresh_virtuoso.stop()
    for path in ("/sparql?query=ASK%20%7B%7D", "/org/unrcca", "/api/queries/timeline"):
        r = httpx.get(served.url + path, timeout=60)
        assert r.status_code == 503, (path, r.status_code, r.text)
        assert "unreachable" in r.text, r.text
        assert_says_nothing_of_the_store(r.text, fresh_virtuoso, secret)
    log = served.log()
    assert secret not in log and "Traceback" not in log
    assert f"127.0.0.1:{fresh_virtuoso.http_port}/sparql-auth" in log  # the operator's view
    served.stop()


def loaded_at(virtuoso: Virtuoso) -> str:
    """The time the last `ctgraph load` recorded in its description, as an HTTP date."""
    from ctgraph.graph.remote_store import DATASET_GRAPH
    from ctgraph.web.http_caching import http_date

    query = (f"SELECT ?t WHERE {{ GRAPH <{DATASET_GRAPH}> {{ <{DATASET_GRAPH}> "
             "<http://purl.org/dc/terms/modified> ?t } }")
    r = httpx.get(virtuoso.sparql, params={"query": query}, timeout=60,
                  headers={"Accept": "application/sparql-results+json"})
    (stamp,) = [b["t"]["value"] for b in r.json()["results"]["bindings"]]
    return http_date(datetime.fromisoformat(stamp).timestamp())


def until_changed(servers: list[RunningServer], query: str, old: str, deadline: float = 60
                  ) -> list[httpx.Response]:
    """Ask every server until none answers with the ETag `old` any more."""
    stop_at = time.monotonic() + deadline
    while True:
        answers = [answer(s.url, query) for s in servers]
        if all(a.headers.get("etag") != old for a in answers):
            return answers
        assert time.monotonic() < stop_at, "a replica kept the old ETag after the reload"
        time.sleep(0.2)


def test_replicas_follow_a_reload(fresh_virtuoso: Virtuoso, serve_files, tmp_path: Path
                                  ) -> None:
    """Two replicas over one store; `ctgraph load` replaces the data: both stop answering
    with the old ETag (their caches included: --cache-entries stays on), answer the new
    data, and agree with each other on bodies, ETags and Last-Modified (the load's time),
    304 across them."""
    first = tmp_path / "first.trig"
    first.write_text("<urn:g:a> { <urn:s> <urn:p> 1, 2 }\n")
    second = tmp_path / "second.trig"
    second.write_text("<urn:g:a> { <urn:s> <urn:p> 3 } <urn:g:b> { <urn:s> <urn:p> 4 }\n")
    load(fresh_virtuoso, first)
    public = "https://ctgraph.example.org"
    replicas = [serve_files(store=fresh_virtuoso.sparql, base_url=public) for _ in range(2)]
    before = [answer(r.url, VALUES) for r in replicas]
    assert [values(a) for a in before] == [[("1",), ("2",)]] * 2
    old = before[0].headers["etag"]
    assert before[1].headers["etag"] == old

    assert [a.headers["last-modified"] for a in before] == [loaded_at(fresh_virtuoso)] * 2

    load(fresh_virtuoso, second)
    after = until_changed(replicas, VALUES, old)
    assert [values(a) for a in after] == [[("3",), ("4",)]] * 2
    assert after[0].headers["etag"] == after[1].headers["etag"]
    assert after[0].content == after[1].content
    # Last-Modified is the new load's, on both: If-Modified-Since works across them too
    assert [a.headers["last-modified"] for a in after] == [loaded_at(fresh_virtuoso)] * 2
    since = answer(replicas[1].url, VALUES,
                   **{"If-Modified-Since": after[0].headers["last-modified"]})
    assert since.status_code == 304
    again = answer(replicas[1].url, VALUES, **{"If-None-Match": after[0].headers["etag"]})
    assert again.status_code == 304
    stale = answer(replicas[0].url, VALUES, **{"If-None-Match": old})
    assert stale.status_code == 200 and values(stale) == [("3",), ("4",)]
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert [values(answer(r.url, graphs)) for r in replicas] == [[("urn:g:a",), ("urn:g:b",)]] * 2
    for replica in replicas:
        replica.stop()


def test_shapes_in_the_default_graph_over_a_remote_store(virtuoso, serve_files,
                                                         memory_server) -> None:
    """``--shapes-in-default-graph`` counts the shapes into the default graph over Virtuoso
    as it does in memory; without it they stay in their own graph on both."""
    with_shapes = serve_files(shapes_in_default_graph=True)
    remote_with = serve_files(store=virtuoso.sparql, shapes_in_default_graph=True)
    remote_without = serve_files(store=virtuoso.sparql)
    for query in (DEFAULT_SIZE, SHAPES_IN_DEFAULT):
        assert values(answer(remote_with.url, query)) == values(answer(with_shapes.url, query))
        assert values(answer(remote_without.url, query)) == \
            values(answer(memory_server.url, query))
    assert values(answer(remote_with.url, SHAPES_IN_DEFAULT)) != [("0",)]
    assert values(answer(remote_without.url, SHAPES_IN_DEFAULT)) == [("0",)]
    for server in (with_shapes, remote_with, remote_without):
        server.stop()
