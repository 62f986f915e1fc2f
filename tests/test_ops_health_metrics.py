"""/healthz and /metrics on real `ctgraph serve` processes."""

from __future__ import annotations

import subprocess
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import free_port, oxigraph_binary
from tests.ops_support import BOMB, Background, running_workers, unique


def _samples(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    r = httpx.get(f"{url}/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["cache-control"] == "no-store"
    found = {}
    for family in text_string_to_metric_families(r.text):
        assert family.name.startswith("ctgraph_"), family.name
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture(scope="module")
def ops_server(serve_files):
    return serve_files(cache_entries=16, query_workers=2, timeout=1)


def test_healthz_answers_small_json(ops_server):
    r = httpx.get(f"{ops_server.url}/healthz")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["status"] == "ok"
    assert body["workers"] == 2
    assert len(r.content) < 200
    assert httpx.head(f"{ops_server.url}/healthz").status_code == 200


def test_metrics_count_requests_cache_and_queries(ops_server):
    url = ops_server.url
    query = "SELECT ?s WHERE { ?s a ?metricsProbe } LIMIT 1"
    before = _samples(url)
    for _ in range(3):
        assert httpx.get(ops_server.sparql, params={"query": query}).status_code == 200
    assert httpx.get(ops_server.sparql, params={"query": "SELEC nothing"}).status_code == 400
    assert httpx.get(f"{url}/no/such/page/at/all").status_code == 404
    after = _samples(url)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("ctgraph_http_requests_total", route="/sparql", method="GET", status="200") == 3
    assert grew("ctgraph_http_requests_total", route="/sparql", method="GET", status="400") == 1
    assert grew("ctgraph_cache_misses_total") >= 1
    assert grew("ctgraph_cache_hits_total") == 2
    assert grew("ctgraph_query_duration_seconds_count", outcome="ok") == 1
    assert grew("ctgraph_query_duration_seconds_count", outcome="malformed") == 1
    # an unmatched path is counted under a bounded label, not its own
    assert not any(name == "ctgraph_http_requests_total" and ("route", "/no/such/page/at/all")
                   in labels for name, labels in after)
    assert _value(after, "ctgraph_query_workers_alive") == 2
    assert _value(after, "ctgraph_query_zygote_up") == 1
    assert _value(after, "ctgraph_queries_in_flight") == 0


def test_metrics_count_timeouts_restarts_and_queries_in_flight(ops_server):
    url = ops_server.url
    before = _samples(url)
    bomb = Background("POST", ops_server.sparql, data={"query": unique(BOMB, "metrics")})
    running_workers(ops_server.process.pid)
    during = _samples(url)
    assert _value(during, "ctgraph_queries_in_flight") == 1
    assert bomb.join().status_code == 503  # 1 s limit
    after = _samples(url)
    assert _value(after, "ctgraph_queries_in_flight") == 0
    assert (_value(after, "ctgraph_query_timeouts_total")
            - _value(before, "ctgraph_query_timeouts_total")) == 1
    assert (_value(after, "ctgraph_query_duration_seconds_count", outcome="timeout")
            - _value(before, "ctgraph_query_duration_seconds_count", outcome="timeout")) == 1
    assert (_value(after, "ctgraph_query_workers_restarted_total")
            - _value(before, "ctgraph_query_workers_restarted_total")) == 1


def test_no_metrics_turns_the_endpoint_off(serve_files):
    server = serve_files(no_metrics=True)
    r = httpx.get(f"{server.url}/metrics")
    assert r.status_code == 404
    assert "ctgraph_" not in r.text
    assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_two_apps_in_one_process_have_their_own_registries():
    """A per-app registry: two apps side by side (tests, embedding) never collide."""
    from ctgraph.settings import Settings
    from ctgraph.web.app import create_app

    first = create_app(Settings(query_workers=0))
    second = create_app(Settings(query_workers=0))
    assert first.state.metrics.registry is not second.state.metrics.registry
    first.state.metrics.requests.labels("/x", "GET", "200").inc()
    assert b'route="/x"' not in second.state.metrics.render()


def test_healthz_is_503_when_the_remote_store_stops_answering(serve_files, tmp_path):
    """A remote back-end whose Oxigraph server goes away: /healthz says so (and recovers
    never, since nothing restarts Oxigraph here; the server itself keeps running)."""
    port = free_port()
    with (tmp_path / "oxigraph.log").open("wb") as log:
        oxigraph = subprocess.Popen([oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}"],
                                    stdout=log, stderr=subprocess.STDOUT)
    try:
        endpoint = f"http://127.0.0.1:{port}/query"
        for _ in range(600):
            try:
                httpx.get(endpoint, params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        server = serve_files(store=endpoint)
        assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
    finally:
        oxigraph.terminate()
        oxigraph.wait(timeout=30)
    r = httpx.get(f"{server.url}/healthz", timeout=30)
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "unavailable"
    assert "store" in body["reason"]
    assert "Traceback" not in r.text


class _Gate:
    """An HTTP relay in front of a SPARQL endpoint that can be made to hang (a store that
    stops answering without refusing connections)."""

    def __init__(self, target: str):
        import http.server
        import threading

        self.open = threading.Event()
        self.open.set()
        gate = self

        class Relay(http.server.BaseHTTPRequestHandler):
            def _relay(self) -> None:
                gate.open.wait(120)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("accept", "content-type")}
                r = httpx.request(self.command, target + self.path.partition("?")[1]
                                  + self.path.partition("?")[2], content=body,
                                  headers=headers, timeout=60)
                self.send_response(r.status_code)
                for name in ("content-type",):
                    if name in r.headers:
                        self.send_header(name, r.headers[name])
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            do_GET = do_POST = _relay

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Relay)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/query"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.open.set()
        self.server.shutdown()


def test_healthz_is_503_while_the_store_takes_more_than_a_second(serve_files,
                                                                  oxigraph_endpoint):
    gate = _Gate(oxigraph_endpoint)
    try:
        server = serve_files(store=gate.url)
        assert httpx.get(f"{server.url}/healthz").status_code == 200
        gate.open.clear()  # the store now holds every request
        r = httpx.get(f"{server.url}/healthz", timeout=30)
        assert r.status_code == 503
        assert "within 1 s" in r.json()["reason"]
        again = httpx.get(f"{server.url}/healthz", timeout=30)  # shares the hung probe
        assert again.status_code == 503
        gate.open.set()
        for _ in range(200):
            if httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200:
                break
        assert httpx.get(f"{server.url}/healthz", timeout=30).json()["status"] == "ok"
    finally:
        gate.close()
