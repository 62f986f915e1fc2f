"""The named-query REST API over HTTP, against a real `ctgraph serve` on 127.0.0.1.

Clients are real (httpx with real Accept headers; rdflib parses the Turtle), parameters
are checked for type, and injection attempts are refused or bound harmlessly: the data is
unchanged afterwards and no answer leaks anything the query would not return.
"""

from __future__ import annotations

import csv
import io

import httpx
import pytest
import rdflib

from ctgraph.catalog.named_queries import bundled_catalog

B = "https://w3id.org/ctgraph/"
SPARQL_JSON = "application/sparql-results+json"


def get(server, path: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(f"{server.url}{path}", params=params, headers=headers, timeout=30)


def bindings(response: httpx.Response) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in b.items()}
            for b in response.json()["results"]["bindings"]]


def test_catalogue_lists_every_query_with_typed_parameters(server) -> None:
    r = get(server, "/api/queries", "application/json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    entries = {q["name"]: q for q in r.json()["queries"]}
    assert set(entries) == set(bundled_catalog())
    city = entries["events-by-city"]
    assert city["title"] == "Events by city" and city["url"] == "/api/queries/events-by-city"
    assert city["parameters"] == [{
        "name": "city", "type": "iri", "description": city["parameters"][0]["description"],
        "required": True, "default": None, "base": B + "city/", "example": "almaty"}]
    assert entries["citations"]["exampleUrl"] == (
        "/api/queries/citations?resource=event%2Fexpert-meeting-3&property=schema%3Alocation")
    for entry in entries.values():  # every example runs
        assert httpx.get(server.url + entry["exampleUrl"]).status_code == 200, entry["name"]
    assert entries["documents"]["parameters"][0]["default"] == "Document"
    assert "Resolution" in entries["documents"]["parameters"][0]["enum"]
    assert entries["timeline"]["sparql"].lstrip().startswith("#+ title: Timeline")


def test_named_query_answers_sparql_json(server) -> None:
    r = get(server, "/api/queries/events-by-city", SPARQL_JSON, city="almaty")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(SPARQL_JSON)
    assert r.json()["head"]["vars"] == ["event", "name", "start", "end", "phase", "phaseName"]
    assert [b["event"] for b in bindings(r)] == [
        B + "event/expert-meeting-3", B + "event/phase-2-regional-workshop-1",
        B + "event/phase-2-regional-workshop-4"]
    assert "ETag" in r.headers and "Accept" in r.headers["Vary"]
    again = httpx.get(str(r.request.url), headers={"Accept": SPARQL_JSON,
                                                   "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_named_query_answers_csv_and_tsv_by_accept(server) -> None:
    r = get(server, "/api/queries/funders-and-implementers", "text/csv", phase="3")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert [(row["role"], row["organisation"]) for row in table] == [
        ("implementer", B + "org/uncct"), ("implementer", B + "org/unrcca")]
    tsv = get(server, "/api/queries/funders-and-implementers", "text/tab-separated-values",
              phase="3")
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    assert tsv.text.splitlines()[0] == "?phaseItem\t?phaseName\t?role\t?organisation\t?name"
    # format= wins over Accept (links from a browser)
    linked = get(server, "/api/queries/funders-and-implementers", "text/html", phase="3",
                 format="csv")
    assert linked.status_code == 200 and linked.text == r.text


def test_construct_query_answers_turtle_and_jsonld(server) -> None:
    r = get(server, "/api/queries/events-as-schema-org", "text/turtle", phase="1")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    schema = rdflib.Namespace("https://schema.org/")
    assert {str(e) for e in g.subjects(rdflib.RDF.type, schema.Event)} == {
        B + "event/" + e for e in ("consultative-process-2010-2011", "expert-meeting-1",
                                   "expert-meeting-2", "expert-meeting-3",
                                   "high-level-meeting-2011")}
    jsonld = get(server, "/api/queries/events-as-schema-org", "application/ld+json", phase="1")
    assert jsonld.status_code == 200
    assert len(rdflib.Graph().parse(data=jsonld.text, format="json-ld")) == len(g)
    refused = get(server, "/api/queries/events-as-schema-org", "text/csv", phase="1")
    assert refused.status_code == 406 and "text/turtle" in refused.text
    refused = get(server, "/api/queries/events-by-city", "text/turtle", city="almaty")
    assert refused.status_code == 406 and SPARQL_JSON in refused.text


@pytest.mark.parametrize(("path", "params", "needle"), [
    ("/api/queries/events-by-city", {}, "needs parameter 'city'"),
    ("/api/queries/events-by-phase", {"phase": "two"}, "'two' is not an integer"),
    ("/api/queries/events-by-phase", {"phase": "4"}, "at most 3"),
    ("/api/queries/events-by-date-range", {"from": "2011-02-30"}, "a date that exists"),
    ("/api/queries/events-by-date-range", {"from": "last year"}, "YYYY-MM-DD"),
    ("/api/queries/documents", {"year": "11"}, "four digits"),
    ("/api/queries/documents", {"kind": "Novel"}, "one of Document, Resolution"),
    ("/api/queries/events-by-pillar", {"pillar": "5"}, "one of 1, 2, 3, 4"),
    ("/api/queries/events-by-city", {"city": "almaty", "country": "x"},
     "has no parameter 'country'"),
    ("/api/queries/events-by-city", {"cty": "almaty"}, "did you mean city"),
])
def test_ill_typed_missing_or_unknown_parameters_are_422(server, path, params, needle) -> None:
    r = get(server, path, SPARQL_JSON, **params)
    assert r.status_code == 422, r.text
    assert needle in r.text
    assert "Traceback" not in r.text


def test_repeated_parameter_and_unknown_format_and_query(server) -> None:
    r = httpx.get(f"{server.url}/api/queries/events-by-city?city=almaty&city=bishkek")
    assert r.status_code == 422 and "more than once" in r.text
    r = get(server, "/api/queries/events-by-city", None, city="almaty", format="yaml")
    assert r.status_code == 400 and "choose one of: json, xml, csv, tsv" in r.text
    r = get(server, "/api/queries/events-by-cty", None)
    assert r.status_code == 404 and "did you mean events-by-city" in r.text


INJECTIONS = [
    '"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o',
    "almaty> } UNION { ?event ?p ?o } #",
    "almaty> ; DROP ALL",
    "' OR ''='",
    "almaty}",
    "<https://w3id.org/ctgraph/city/almaty>",
    "almaty\n} INSERT DATA { <a:b> <a:c> <a:d> }",
    "https://w3id.org/ctgraph/city/almaty> } ; CLEAR ALL ; SELECT * { <x:y",
    "https://x/\"} UNION {?s ?p ?o}",
]


def count_quads(server) -> int:
    r = httpx.post(server.sparql, data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g "
                                        "{ ?s ?p ?o } }"},
                   headers={"Accept": SPARQL_JSON})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_into_an_iri_parameter_is_refused(server, value: str) -> None:
    before = count_quads(server)
    r = get(server, "/api/queries/events-by-city", SPARQL_JSON, city=value)
    assert r.status_code == 422, r.text
    assert "'city' (iri)" in r.text
    assert count_quads(server) == before


@pytest.mark.parametrize("value", [*INJECTIONS, "\\", '"""', "?s ?p ?o", "}}}}"])
def test_injection_into_a_string_parameter_is_bound_as_one_literal(server, value: str) -> None:
    before = count_quads(server)
    r = get(server, "/api/queries/find-by-name", SPARQL_JSON, text=value)
    assert r.status_code == 200, r.text
    # nothing in the graph has such a name, so nothing leaks out
    assert bindings(r) == []
    assert count_quads(server) == before


def test_blank_string_parameter_counts_as_missing(server) -> None:
    for blank in ("", " ", "\t"):
        r = get(server, "/api/queries/find-by-name", SPARQL_JSON, text=blank)
        assert r.status_code == 422 and "needs parameter 'text'" in r.text


def test_string_parameter_with_quotes_still_matches_literally(server) -> None:
    # a name containing '&' and spaces: bound as one literal, it matches as text
    r = get(server, "/api/queries/find-by-name", SPARQL_JSON, text="anti-money laundering &")
    assert [b["resource"] for b in bindings(r)] == [B + "event/eurasian-forum-aml-cft"]
    r = get(server, "/api/queries/find-by-name", SPARQL_JSON, text='counties" for "countries')
    assert [b["resource"] for b in bindings(r)] == [B + "erratum/counties-typo"]


def test_openapi_documents_one_typed_operation_per_query(server) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    for name, named in bundled_catalog().items():
        op = spec["paths"][f"/api/queries/{name}"]["get"]
        assert op["summary"] == named.title
        assert op["operationId"].startswith("query")
        params = {p["name"]: p for p in op["parameters"]}
        assert set(params) == {*named.parameter_names, "format"}
        for p in named.parameters:
            assert params[p.name]["required"] == p.required
        assert {"200", "406", "422"} <= set(op["responses"])
    phase = {p["name"]: p for p in
             spec["paths"]["/api/queries/events-by-phase"]["get"]["parameters"]}["phase"]
    assert phase["schema"] == {"type": "integer", "minimum": 1, "maximum": 3, "examples": [1]}
    dates = spec["paths"]["/api/queries/events-by-date-range"]["get"]["parameters"]
    assert dates[0]["schema"]["format"] == "date"
    construct = spec["paths"]["/api/queries/events-as-schema-org"]["get"]["responses"]["200"]
    assert "text/turtle" in construct["content"]
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()
           if isinstance(op, dict) and "operationId" in op]
    named_ids = [i for i in ids if i.startswith("query")]
    assert len(named_ids) == len(set(named_ids)) == len(bundled_catalog())


@pytest.mark.parametrize("name", sorted(bundled_catalog()))
def test_rq_text_runs_as_is_on_the_sparql_endpoint(server, name: str) -> None:
    """The query editor offers the .rq text as an example: the header is only comments and
    unbound parameters mean "no restriction", so the plain text answers too."""
    named = bundled_catalog()[name]
    accept = "text/turtle" if named.form == "CONSTRUCT" else SPARQL_JSON
    r = httpx.post(server.sparql, content=named.sparql.encode("utf-8"),
                   headers={"Content-Type": "application/sparql-query", "Accept": accept},
                   timeout=30)
    assert r.status_code == 200, r.text
    if named.form == "CONSTRUCT":
        assert len(rdflib.Graph().parse(data=r.text, format="turtle")) > 0
    else:
        assert r.json()["results"]["bindings"]
