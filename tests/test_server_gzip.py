"""Answers are gzipped where they are made (in the query worker) when the client accepts it:
the same bytes once decoded, the same weak ETag, ``Vary: Accept-Encoding``, and never for a
client that refuses gzip or for a small body."""

from __future__ import annotations

import gzip

import httpx
import pytest

from ctgraph.sparql.media_types import GZIP_MIN_BYTES, accepts_gzip

BIG = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 200"
SMALL = "ASK { ?s ?p ?o }"


@pytest.mark.parametrize(("header", "expected"), [
    (None, False), ("", False), ("gzip", True), ("br, gzip;q=0.5", True), ("GZIP", True),
    ("gzip;q=0", False), ("*", True), ("*;q=0", False), ("*, gzip;q=0", False),
    ("identity", False), ("x-gzip", True), ("gzip;q=oops", False), ("deflate, br", False),
])
def test_accept_encoding_is_read_with_its_q_values(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def fetch(server, query: str, encoding: str, method: str = "GET") -> httpx.Response:
    headers = {"Accept": "application/sparql-results+json", "Accept-Encoding": encoding}
    if method == "GET":
        return httpx.get(server.sparql, params={"query": query}, headers=headers)
    return httpx.post(server.sparql, data={"query": query}, headers=headers)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_large_answer_is_gzipped_and_decodes_to_the_identity_bytes(server, method) -> None:
    plain = fetch(server, BIG, "identity", method)
    packed = fetch(server, BIG, "gzip", method)
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert len(plain.content) >= GZIP_MIN_BYTES
    assert packed.headers["content-encoding"] == "gzip"
    # httpx decodes transparently; the wire bytes are the gzip stream
    assert packed.content == plain.content
    assert int(packed.headers["content-length"]) < len(plain.content)
    for response in (plain, packed):
        assert "Accept-Encoding" in response.headers["vary"]
        assert "Accept" in response.headers["vary"].split(", ")
    if method == "GET":
        assert plain.headers["etag"] == packed.headers["etag"]


def test_the_gzip_stream_is_a_valid_member(server) -> None:
    with httpx.stream("GET", server.sparql, params={"query": BIG},
                      headers={"Accept": "application/sparql-results+json",
                               "Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
    plain = fetch(server, BIG, "identity")
    assert gzip.decompress(raw) == plain.content


def test_small_answers_and_refusing_clients_get_identity(server) -> None:
    small = fetch(server, SMALL, "gzip")
    assert small.status_code == 200 and "content-encoding" not in small.headers
    refused = fetch(server, BIG, "gzip;q=0, identity")
    assert refused.status_code == 200 and "content-encoding" not in refused.headers


def test_cached_answers_keep_their_encoding(server) -> None:
    # the second request of each pair is a cache hit: it must not serve the other coding
    for encoding in ("gzip", "identity", "gzip", "identity"):
        r = fetch(server, BIG + " # cache", encoding)
        assert (r.headers.get("content-encoding") == "gzip") == (encoding == "gzip")


def test_other_routes_honour_a_refused_gzip(server) -> None:
    url = f"{server.url}/download/ctgraph.nq"
    refused = httpx.get(url, headers={"Accept-Encoding": "gzip;q=0"})
    accepted = httpx.get(url, headers={"Accept-Encoding": "gzip"})
    assert refused.status_code == accepted.status_code == 200
    assert "content-encoding" not in refused.headers
    assert accepted.headers["content-encoding"] == "gzip"
    assert accepted.content == refused.content
