"""Headers of a public server, by kind of answer: pages keep their Content-Security-Policy,
every answer says nosniff and Referrer-Policy, Cache-Control fits what the answer is, and
no error body or header gives away a stack, a file path or software versions."""

from __future__ import annotations

import httpx
import pytest

from ctgraph import __version__

LEAKS = ("Traceback", 'File "', ".py", "uvicorn", "starlette", "fastapi", "pyoxigraph",
         "Python", __version__)


@pytest.fixture(scope="module")
def plain(serve_files):
    return serve_files(timeout=1, query_workers=1, cache_entries=0)


def _common(r: httpx.Response) -> None:
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert "server" not in r.headers
    assert "cache-control" in r.headers


def test_pages_keep_their_content_security_policy(plain):
    for path in ("/", "/query", "/search?q=Tajikistan"):
        r = httpx.get(f"{plain.url}{path}", follow_redirects=True)
        assert r.status_code == 200, path
        assert "text/html" in r.headers["content-type"]
        _common(r)
        assert "default-src" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-cache"


def test_cache_control_by_kind(plain):
    answer = httpx.get(plain.sparql, params={"query": "ASK { ?s ?p ?o }"})
    _common(answer)
    assert answer.headers["cache-control"].startswith("public, max-age=")
    posted = httpx.post(plain.sparql, data={"query": "ASK { ?s ?p ?o }"})
    _common(posted)
    assert posted.headers["cache-control"] == "no-store"
    for path in ("/healthz", "/metrics"):
        r = httpx.get(f"{plain.url}{path}")
        _common(r)
        assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("request_args", [
    ("GET", "/no/such/thing", {}),
    ("GET", "/sparql", {"params": {"query": "SELECT ?x WHERE { ?x"}}),
    ("POST", "/sparql", {"content": b"x", "headers": {"Content-Type": "text/x-nothing"}}),
    ("POST", "/sparql", {"data": {"update": "DROP ALL"}}),
    ("DELETE", "/sparql", {}),
    ("GET", "/sparql", {"params": {"query": "SELECT (COUNT(*) AS ?n) WHERE "
                                            "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}}),
], ids=["404", "400-syntax", "415", "403-update", "405", "503-timeout"])
def test_error_answers_are_not_cached_and_leak_nothing(plain, request_args):
    method, path, kwargs = request_args
    r = httpx.request(method, f"{plain.url}{path}", timeout=60, **kwargs)
    assert r.status_code >= 400
    _common(r)
    assert r.headers["cache-control"] == "no-store"
    for leak in LEAKS:
        assert leak not in r.text, (leak, r.text)


def test_malformed_http_is_refused_without_details(plain):
    import socket

    host, port = plain.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n")
        reply = s.recv(65536).decode("latin-1")
    assert reply.startswith("HTTP/1.1 400")
    for leak in LEAKS:
        assert leak not in reply, (leak, reply)
