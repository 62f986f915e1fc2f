"""Per-client limits on real servers: concurrency (429 + Retry-After), the client as its
address or as a trusted proxy reports it, and the query-time budget per minute.

Loopback has a whole /8: a client bound to 127.0.0.2 is another address than 127.0.0.1.
"""

from __future__ import annotations

import httpx
import pytest

from tests.ops_support import BOMB, MEDIUM, Background, running_workers, unique


def _other_client() -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=300)


@pytest.fixture(scope="module")
def limited(serve_files):
    # Held queries are bombs stopped at the 4 s limit: in flight long enough for the probes
    # (which take milliseconds), and they give the workers back soon after.
    return serve_files(client_concurrency=2, query_workers=2, cache_entries=0, timeout=4,
                       trusted_proxy=["127.0.0.3", "10.0.0.0/8"])


def _hold_two(server, tag: str) -> list[Background]:
    held = [Background("POST", server.sparql, data={"query": unique(BOMB, f"{tag}{i}")})
            for i in range(2)]
    running_workers(server.process.pid, at_least=2)
    return held


def test_a_client_over_its_concurrency_gets_429_others_do_not(limited):
    held = _hold_two(limited, "concurrency")
    r = httpx.post(limited.sparql, data={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 429, r.text
    assert r.headers["retry-after"] == "1"
    assert r.headers["cache-control"] == "no-store"
    assert "2 queries at a time" in r.text
    # a cheap answer that needs no query (the service description) is not limited
    assert httpx.get(limited.sparql, headers={"Accept": "text/turtle"}).status_code == 200
    with _other_client() as other:
        assert other.post(limited.sparql, data={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        # X-Forwarded-For from an untrusted peer is ignored: still 127.0.0.1, still over
    spoofed = httpx.post(limited.sparql, data={"query": "ASK { ?s ?p ?o }"},
                         headers={"X-Forwarded-For": "203.0.113.9"})
    assert spoofed.status_code == 429
    for request in held:
        assert request.join().status_code == 503  # the time limit, not the client limit
    assert httpx.post(limited.sparql, data={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_a_trusted_proxy_names_the_client(limited):
    # Two queries of one client behind the proxy (127.0.0.3), through a second trusted hop.
    held = [Background("POST", limited.sparql, local_address="127.0.0.3",
                       data={"query": unique(BOMB, f"proxy{i}")},
                       headers={"X-Forwarded-For": "198.51.100.7, 10.1.2.3"})
            for i in range(2)]
    running_workers(limited.process.pid, at_least=2)
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.3"),
                      timeout=300) as proxy:
        same = proxy.post(limited.sparql, data={"query": "ASK {}"},
                          headers={"Forwarded": 'for="198.51.100.7:5555", for=10.1.2.3'})
        assert same.status_code == 429
        another = proxy.post(limited.sparql, data={"query": "ASK {}"},
                             headers={"X-Forwarded-For": "198.51.100.8"})
        assert another.status_code == 200
        # the proxy itself, without a header, is its own client
        assert proxy.post(limited.sparql, data={"query": "ASK {}"}).status_code == 200
    for request in held:
        assert request.join().status_code == 503


def test_the_default_does_not_throttle_eight_clients_from_one_address(serve_files):
    """Eight bombs at once from 127.0.0.1, each in flight until its 2 s limit: all eight are
    evaluated or wait for a worker (503 at the limit), none is refused."""
    server = serve_files(query_workers=2, cache_entries=0, timeout=2)
    clients = [Background("POST", server.sparql, data={"query": unique(BOMB, f"eight{i}")})
               for i in range(8)]
    statuses = [c.join().status_code for c in clients]
    assert statuses == [503] * 8
    assert " 429 " not in server.log()


def test_query_time_budget_per_minute(serve_files):
    server = serve_files(client_query_seconds=0.5, query_workers=1, cache_entries=0,
                         timeout=120)
    assert httpx.post(server.sparql, data={"query": unique(MEDIUM, "budget")},
                      timeout=300).status_code == 200  # spends more than the 0.5 s
    r = httpx.post(server.sparql, data={"query": "ASK {}"})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    assert "0.5 s of query time per minute" in r.text
    with _other_client() as other:
        assert other.post(server.sparql, data={"query": "ASK {}"}).status_code == 200


def test_limits_read_from_the_environment(monkeypatch):
    from ctgraph.settings import Settings

    monkeypatch.setenv("CTGRAPH_CLIENT_CONCURRENCY", "3")
    monkeypatch.setenv("CTGRAPH_CLIENT_QUERY_SECONDS", "45")
    monkeypatch.setenv("CTGRAPH_TRUSTED_PROXY", '["10.0.0.0/8", "::1"]')
    settings = Settings()
    assert settings.client_concurrency == 3
    assert settings.client_query_seconds == 45
    assert settings.trusted_proxy == ["10.0.0.0/8", "::1"]
    assert Settings(client_concurrency=5).client_concurrency == 5  # the option wins


def test_a_bad_trusted_proxy_is_refused_at_start_up():
    from tests.helpers import run_ctgraph

    run = run_ctgraph("serve", "--port", "0", "--trusted-proxy", "proxy.example", timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "ctgraph serve: --trusted-proxy 'proxy.example' is not an IP address or network")
