"""Name search: the folding rules, the ranking, and /search and /api/search over real HTTP.

Expected answers come from the bundled graph itself (SPARQL in this process), never from
hard-coded lists, except for the two cases the issue names: "UNRCCA" and "Ашхабад".
"""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from ctgraph.graph.namespaces import BASE
from ctgraph.graph.store import EmbeddedStore, load_bundled
from ctgraph.views.search import NameIndex, Resource, fold, resource_path, search

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return load_bundled()


def _one_iri(store: EmbeddedStore, sparql: str) -> str:
    rows = list(store.query(sparql))
    assert len(rows) == 1, rows
    return rows[0][0].value


def test_fold_ignores_case_accents_and_yo() -> None:
    assert fold("ÉCOLE  Normale") == fold("ecole normale") == "ecole normale"
    assert fold("Объединённых") == fold("ОБЪЕДИНЕННЫХ")
    assert fold("Ашхабад") == fold("ашхабад")
    assert fold("   ") == ""


def test_resource_path_maps_only_ctgraph_iris() -> None:
    assert resource_path(f"{BASE}org/unrcca") == "/org/unrcca"
    assert resource_path(f"{BASE}ontology#Workshop") == "/ontology#Workshop"
    assert resource_path("https://example.org/x") is None


def test_acronym_finds_the_organisation_first(store: EmbeddedStore) -> None:
    unrcca = _one_iri(store, f'SELECT ?o WHERE {{ ?o <{SKOS}altLabel> "UNRCCA"@en }}')
    hits = search(store, "UNRCCA")
    assert hits[0].iri == unrcca
    assert hits[0].path == "/org/unrcca"
    assert hits[0].matched == "UNRCCA"
    assert ("UNRCCA", "en") in hits[0].acronyms
    # lower case and a part of the acronym find it too
    assert unrcca in {h.iri for h in search(store, "unrcca")}
    assert unrcca in {h.iri for h in search(store, "rcca")}


def test_russian_name_finds_the_city(store: EmbeddedStore) -> None:
    ashgabat = _one_iri(store, f'SELECT ?c WHERE {{ ?c <{RDFS}label> "Ашхабад"@ru }}')
    for text in ("Ашхабад", "ашхабад", "АШХАБ"):
        hits = search(store, text)
        assert hits and hits[0].iri == ashgabat, text
    assert hits[0].label == _english_label(store, ashgabat)
    assert hits[0].label_ru == "Ашхабад"


def _english_label(store: EmbeddedStore, iri: str) -> str:
    rows = list(store.query(
        f'SELECT ?l WHERE {{ <{iri}> <{RDFS}label> ?l FILTER(LANG(?l) = "en") }}'))
    return rows[0][0].value


def test_every_matching_resource_is_found(store: EmbeddedStore) -> None:
    """The index answers what a plain case-insensitive SPARQL CONTAINS answers (for a text
    without accents, where folding and LCASE agree)."""
    text = "workshop"
    expected = {
        row[0].value for row in store.query(f"""
            SELECT DISTINCT ?r WHERE {{
              VALUES ?p {{ <{RDFS}label> <https://schema.org/name> <{SKOS}prefLabel>
                          <{SKOS}altLabel> <{SKOS}hiddenLabel> <https://schema.org/alternateName> }}
              ?r ?p ?name FILTER(isIRI(?r) && isLiteral(?name)
                                 && CONTAINS(LCASE(STR(?name)), "{text}"))
            }}""")
    }
    assert expected
    assert {h.iri for h in search(store, text, limit=1000)} == expected


def test_ranking_and_hidden_labels() -> None:
    def res(iri: str, *names: tuple[str, str, str]) -> Resource:
        return Resource(iri, list(names), {"thing"})

    index = NameIndex({
        "a": res("a", (f"{RDFS}label", "Regional workshop on borders", "en")),
        "b": res("b", (f"{RDFS}label", "Workshop", "en")),
        "c": res("c", (f"{RDFS}label", "Preworkshop meeting", "en")),
        "d": res("d", (f"{RDFS}label", "Almaty", "en"), (f"{SKOS}hiddenLabel", "Alma-Ata", "en")),
    })
    assert [h.iri for h in index.search("workshop")] == ["b", "a", "c"]
    hit = index.search("alma-ata")[0]
    assert hit.iri == "d"
    assert hit.matched == "Almaty"  # hidden labels are found, never displayed
    assert index.search("   ") == []
    assert len(index.search("o", limit=2)) == 2


def test_index_follows_the_store_version() -> None:
    def store_with(name: str) -> EmbeddedStore:
        oxs = ox.Store()
        oxs.add(ox.Quad(ox.NamedNode(f"{BASE}org/x"), ox.NamedNode(f"{RDFS}label"),
                        ox.Literal(name, language="en")))
        return EmbeddedStore(oxs, version=name)

    one = store_with("Alpha")
    assert [h.label for h in search(one, "alpha")] == ["Alpha"]
    one.oxigraph.add(ox.Quad(ox.NamedNode(f"{BASE}org/y"), ox.NamedNode(f"{RDFS}label"),
                             ox.Literal("Alphabet", language="en")))
    assert len(search(one, "alpha")) == 1  # same version: the cached index
    one.version = "changed"
    assert len(search(one, "alpha")) == 2


# ---------------------------------------------------------------- over HTTP


def test_api_search_json(server, store: EmbeddedStore) -> None:
    r = httpx.get(f"{server.url}/api/search", params={"q": "UNRCCA"},
                  headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["query"] == "UNRCCA"
    assert body["count"] == len(body["results"]) >= 1
    first = body["results"][0]
    assert first["iri"] == f"{BASE}org/unrcca"
    assert first["path"] == "/org/unrcca"
    assert first["matchedProperty"] in ("skos:altLabel", "schema:alternateName")
    assert {"text": "UNRCCA", "lang": "en"} in first["acronyms"]

    r = httpx.get(f"{server.url}/api/search", params={"q": "Ашхабад"})
    assert r.json()["results"][0]["path"] == "/city/ashgabat"


@pytest.mark.parametrize(("params", "needle"), [
    ({}, "Parameter q is required"),
    ({"q": "  "}, "Parameter q is required"),
    ({"q": "x" * 201}, "Parameter q is too long"),
    ({"q": "UN", "limit": "0"}, "limit"),
    ({"q": "UN", "limit": "many"}, "limit"),
])
def test_api_search_rejects_bad_input(server, params: dict[str, str], needle: str) -> None:
    r = httpx.get(f"{server.url}/api/search", params=params)
    assert r.status_code == 400
    assert needle in r.text
    assert "Traceback" not in r.text


def test_search_page(server) -> None:
    r = httpx.get(f"{server.url}/search", params={"q": "unrcca"},
                  headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert 'href="/org/unrcca"' in r.text
    assert 'value="unrcca"' in r.text

    empty = httpx.get(f"{server.url}/search")
    assert empty.status_code == 200
    assert 'name="q"' in empty.text and "search-results" not in empty.text

    nothing = httpx.get(f"{server.url}/search", params={"q": "zzzqqq-nothing"})
    assert nothing.status_code == 200
    assert "Nothing found" in nothing.text

    escaped = httpx.get(f"{server.url}/search", params={"q": "<script>alert(1)</script>"})
    assert escaped.status_code == 200
    assert "<script>alert(1)</script>" not in escaped.text
