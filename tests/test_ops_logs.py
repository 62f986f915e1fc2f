"""--log-format json: one JSON object a line for each request; text stays the default."""

from __future__ import annotations

import hashlib
import json

import httpx

from tests.ops_support import BOMB, log_with, unique

FIELDS = {"time", "method", "path", "status", "duration_ms", "bytes", "client", "query_hash",
          "cache_hit", "timed_out"}


def _lines(server) -> list[dict]:
    text = log_with(server, '"/healthz"')
    objects = []
    for line in text.splitlines():
        if line.strip():
            objects.append(json.loads(line))  # every line on stderr is one JSON object
    return objects


def test_json_log_has_one_object_per_request(serve_files):
    server = serve_files(log_format="json", cache_entries=16, timeout=1, query_workers=1)
    query = "SELECT ?s WHERE { ?s a ?jsonLogged } LIMIT 2"
    first = httpx.get(server.sparql, params={"query": query})
    second = httpx.get(server.sparql, params={"query": query})
    assert first.status_code == second.status_code == 200
    stopped = httpx.post(server.sparql, data={"query": unique(BOMB, "json-log")}, timeout=60)
    assert stopped.status_code == 503
    assert httpx.get(f"{server.url}/nothing-here").status_code == 404
    assert httpx.get(f"{server.url}/healthz").status_code == 200

    requests = [o for o in _lines(server) if "method" in o]
    for entry in requests:
        assert set(entry) >= FIELDS, entry
        assert entry["time"].endswith("Z")
        assert entry["client"] == "127.0.0.1"
        assert isinstance(entry["duration_ms"], float | int)
    digest = hashlib.sha256(query.encode()).hexdigest()[:16]
    asked = [e for e in requests if e["query_hash"] == digest]
    assert [e["cache_hit"] for e in asked] == [False, True]
    assert all(e["status"] == 200 and e["bytes"] > 0 and not e["timed_out"] for e in asked)
    assert asked[0]["bytes"] == len(first.content)
    timed_out = [e for e in requests if e["timed_out"]]
    assert len(timed_out) == 1
    assert timed_out[0]["status"] == 503
    assert timed_out[0]["method"] == "POST" and timed_out[0]["path"] == "/sparql"
    assert timed_out[0]["query_hash"] == hashlib.sha256(
        unique(BOMB, "json-log").encode()).hexdigest()[:16]
    missing = [e for e in requests if e["path"] == "/nothing-here"]
    assert missing[0]["status"] == 404
    assert missing[0]["query_hash"] is None and missing[0]["cache_hit"] is None
    # the server's other messages are JSON too (level, logger, message)
    others = [o for o in _lines(server) if "method" not in o]
    assert any(o["logger"] == "ctgraph.web" and "loaded" in o["message"] for o in others)
    assert query not in server.log()  # the query's text is not written, its hash is


def test_text_log_is_the_default(serve_files):
    server = serve_files()
    httpx.get(f"{server.url}/healthz")
    log = log_with(server, "GET /healthz 200 ")
    lines = [line for line in log.splitlines() if "ctgraph.access" in line]
    assert any(line.endswith("ms") and "GET /healthz 200 " in line for line in lines)
    assert not any(line.lstrip().startswith("{") for line in log.splitlines())
