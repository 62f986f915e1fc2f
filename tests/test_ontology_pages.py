"""The ontology page and the linked-data pages in the reader's language, over a real server.

/ontology counts a class's instances through its subclasses (an event is a meeting or a
workshop, never a bare ctg:Event) and says "1 instance"; labels of terms and resources that
have a Russian name are shown in Russian when the browser asks for it (Accept-Language), when
the reader picks it (?lang=ru, remembered in a cookie), and in English otherwise.
"""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import RunningServer

HTML = {"Accept": "text/html"}
RU = {**HTML, "Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"}
CTG = "https://w3id.org/ctgraph/ontology#"


def count(server: RunningServer, query: str) -> int:
    r = httpx.post(server.sparql, data={"query": query},
                   headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def term_block(page: str, name: str) -> str:
    """The <dt>…</dd> of one term on /ontology."""
    match = re.search(rf'<dt id="{name}">.*?</dd>', page, re.S)
    assert match, name
    return match.group(0)


def usage(page: str, name: str) -> str:
    return re.search(r'<p class="count">([^<]*)</p>', term_block(page, name)).group(1)


def test_ontology_page_counts_instances_through_subclasses(server: RunningServer) -> None:
    page = httpx.get(server.url + "/ontology", headers=HTML).text
    for cls in ("Event", "Organization", "Place", "Document", "Meeting"):
        expected = count(server, f"""
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
              ?s a ?c . ?c rdfs:subClassOf* <{CTG}{cls}> }}""")
        direct = count(server, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{CTG}{cls}> }}")
        assert expected > direct, cls  # the bug the issue saw: only direct instances counted
        assert usage(page, cls) == f"{expected} instances, counting its subclasses", cls


def test_ontology_page_pluralises(server: RunningServer) -> None:
    page = httpx.get(server.url + "/ontology", headers=HTML).text
    one = count(server, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{CTG}Compendium> }}")
    assert one == 1
    assert usage(page, "Compendium") == "1 instance"
    assert not re.search(r"\b1 instances|used 1 times", page)
    assert re.fullmatch(r"used \d+ times?", usage(page, "partner"))


def test_ontology_page_lists_only_ctg_terms_with_their_alignments(server: RunningServer) -> None:
    page = httpx.get(server.url + "/ontology", headers=HTML).text
    anchors = re.findall(r'<dt id="([^"]+)">', page)
    assert "Organization" in anchors and len(anchors) == len(set(anchors)) > 90
    city = term_block(page, "City")
    assert "Disjoint with" in city and 'href="/ontology#Country"' in city
    assert "Close to" not in page  # no skos:closeMatch any more
    assert "See also" in term_block(page, "SourceError")
    assert "schema:CorrectionComment" in term_block(page, "SourceError")
    assert "deprecated" in term_block(page, "heldIn")
    assert "schema:name" not in term_block(page, "fileName").split("<p class=\"note\">")[0]


def test_ontology_page_in_russian_by_accept_language(server: RunningServer) -> None:
    r = httpx.get(server.url + "/ontology", headers=RU)
    assert r.status_code == 200
    city = term_block(r.text, "City")
    assert '<span class="label" lang="ru">город</span>' in city
    assert '<span class="alt-label" lang="en">(city)</span>' in city
    assert 'lang="ru">Город, в котором проходят мероприятия.</p>' in city
    english = httpx.get(server.url + "/ontology", headers=HTML)
    assert '<span class="label">city</span>' in term_block(english.text, "City")
    for response in (r, english):
        assert "Accept-Language" in response.headers["vary"]
    assert r.headers["etag"] != english.headers["etag"]


def test_resource_page_in_russian_for_resources_with_russian_names(server: RunningServer) -> None:
    ru = httpx.get(server.url + "/city/almaty", headers=RU).text
    assert '<h1 lang="ru">Алматы</h1>' in ru
    assert '<p class="alt-label" lang="en">Almaty</p>' in ru
    assert '<a href="/ontology#City" lang="ru">город</a>' in ru  # the type's label too
    en = httpx.get(server.url + "/city/almaty", headers=HTML).text
    assert "<h1>Almaty</h1>" in en and '<p class="alt-label" lang="ru">Алматы</p>' in en
    # A resource with no Russian name keeps its English one, without a wrong lang attribute.
    phase = httpx.get(server.url + "/phase/1", headers=RU).text
    assert re.search(r"<h1>[^<]*Phase I[^<]*</h1>", phase)


def test_english_wins_when_the_browser_prefers_it(server: RunningServer) -> None:
    page = httpx.get(server.url + "/city/almaty",
                     headers={**HTML, "Accept-Language": "en-GB,en;q=0.9,ru;q=0.8"}).text
    assert "<h1>Almaty</h1>" in page
    page = httpx.get(server.url + "/city/almaty",
                     headers={**HTML, "Accept-Language": "de, ru;q=0.5"}).text
    assert '<h1 lang="ru">Алматы</h1>' in page  # German is not offered; Russian is next


def test_lang_switch_is_remembered_in_a_cookie(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url, headers=HTML) as client:
        first = client.get("/org/unrcca?lang=ru")
        assert first.cookies.get("ctgraph_lang") == "ru"
        assert '<h1 lang="ru">' in first.text
        assert 'aria-current="true">Русский</a>' in first.text
        # The next page follows the choice without the parameter, even against the header.
        later = client.get("/city/almaty", headers={"Accept-Language": "en"})
        assert '<h1 lang="ru">Алматы</h1>' in later.text
        back = client.get("/city/almaty?lang=en")
        assert "<h1>Almaty</h1>" in back.text and back.cookies.get("ctgraph_lang") == "en"


def test_language_switch_links_keep_the_page(server: RunningServer) -> None:
    page = httpx.get(server.url + "/ontology", headers=HTML).text
    assert '<a href="/ontology?lang=ru" lang="ru" hreflang="ru">Русский</a>' in page
    assert 'href="/ontology?lang=en" lang="en" hreflang="en" aria-current="true">English' in page


def test_landing_page_labels_follow_the_language(server: RunningServer) -> None:
    page = httpx.get(server.url + "/?lang=ru", headers=HTML).text
    assert 'href="/ontology#RegionalWorkshop" lang="ru">региональный практикум</a>' in page


def test_rdf_representations_do_not_vary_on_language(server: RunningServer) -> None:
    a = httpx.get(server.url + "/city/almaty", headers={"Accept": "text/turtle", **{
        "Accept-Language": "ru"}})
    b = httpx.get(server.url + "/city/almaty", headers={"Accept": "text/turtle"})
    assert a.text == b.text and a.headers["etag"] == b.headers["etag"]
    assert "set-cookie" not in a.headers


@pytest.mark.parametrize(("header", "expected"), [
    ("ru", "ru"), ("ru-RU", "ru"), ("en-US,ru;q=0.5", "en"), ("fr, ru;q=0.1", "ru"),
    ("ru;q=0, en", "en"), ("*", "en"), ("", None), ("de", None), ("ru;q=abc, en;q=0.2", "en"),
])
def test_accept_language_parsing(header: str, expected: str | None) -> None:
    from ctgraph.web.language import from_accept_language

    assert from_accept_language(header) == expected
