"""Every citation is checked against the source texts, and every sourced fact is cited.

The sources live in ../shared/seeds beside the project; where that folder is absent the
checks that need it skip with the reason.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF

from tests.bundled import BASE, CTG, OA, SEEDS, graph, union

needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"source texts not found at {SEEDS}: put them in "
    "../shared/seeds beside the project or set CTGRAPH_SEEDS_DIR to their folder"
)

SOURCE_IDS = ("000", "001")


def citations() -> list[dict]:
    prov = graph("provenance")
    found = []
    for c in prov.subjects(RDF.type, CTG.Citation):
        target = prov.value(c, OA.hasTarget)
        selectors = list(prov.objects(target, OA.hasSelector))
        position = next(s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in prov)
        quote = next(s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in prov)
        found.append({
            "iri": c,
            "body": prov.value(c, OA.hasBody),
            "properties": set(prov.objects(c, CTG.citedProperty)),
            "source": prov.value(target, OA.hasSource),
            "start": int(prov.value(position, OA.start)),
            "end": int(prov.value(position, OA.end)),
            "exact": str(prov.value(quote, OA.exact)),
        })
    return found


def source_text(source: rdflib.URIRef) -> str:
    name = graph("provenance").value(source, CTG.fileName)
    return (SEEDS / str(name)).read_bytes().decode("utf-8")


def test_there_are_citations_from_both_sources() -> None:
    sources = {str(c["source"]) for c in citations()}
    assert sources == {f"{BASE}source/{sid}" for sid in SOURCE_IDS}


@needs_seeds
@pytest.mark.parametrize("sid", SOURCE_IDS)
def test_source_text_metadata_matches_the_file(sid: str) -> None:
    prov = graph("provenance")
    source = rdflib.URIRef(f"{BASE}source/{sid}")
    path = SEEDS / str(prov.value(source, CTG.fileName))
    data = path.read_bytes()
    assert str(prov.value(source, CTG.sha256)) == hashlib.sha256(data).hexdigest()
    assert int(prov.value(source, CTG.characterCount)) == len(data.decode("utf-8"))


@needs_seeds
def test_every_citation_quotes_exactly_what_stands_at_its_offsets() -> None:
    wrong = []
    for c in citations():
        text = source_text(c["source"])
        if text[c["start"]:c["end"]] != c["exact"]:
            wrong.append((str(c["iri"]), c["start"], c["end"], text[c["start"]:c["end"]]))
    assert wrong == []


def test_every_sourced_statement_is_cited_from_its_own_source() -> None:
    covered = {(str(c["source"])[-3:], c["body"], p) for c in citations() for p in c["properties"]}
    missing = [
        (sid, str(s), str(p))
        for sid in SOURCE_IDS
        for s, p, _ in graph(f"source-{sid}")
        if (sid, s, p) not in covered
    ]
    assert missing == []


def test_every_citation_supports_a_statement_that_exists() -> None:
    data = union()
    unsupported = [
        (str(c["iri"]), str(p))
        for c in citations()
        for p in c["properties"]
        if (c["body"], p, None) not in data
    ]
    assert unsupported == []


def test_quotes_are_short_spans_not_sentences() -> None:
    """The graph cites; it does not copy. A quote is a name, a date or a place."""
    too_long = [c["exact"] for c in citations() if len(c["exact"].split()) > 20]
    assert too_long == []


@needs_seeds
def test_the_project_never_repeats_a_sentence_of_the_sources() -> None:
    """No tracked file repeats 24 consecutive words of a source text."""
    words = lambda t: re.findall(r"[a-z0-9]+", t.lower())  # noqa: E731
    grams = set()
    for path in SEEDS.glob("*.txt"):
        w = words(path.read_text(encoding="utf-8"))
        grams.update(" ".join(w[i:i + 24]) for i in range(len(w) - 23))
    root = Path(__file__).resolve().parents[1]
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=root,
                            capture_output=True, text=True, check=True).stdout.split()
    offenders = []
    for name in listed:
        path = root / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        w = words(path.read_text(encoding="utf-8", errors="ignore"))
        if any(" ".join(w[i:i + 24]) in grams for i in range(len(w) - 23)):
            offenders.append(name)
    assert offenders == []


@needs_seeds
def test_recorded_source_errors_quote_what_the_source_states() -> None:
    """Each recorded error's citation points at the erroneous span in its source."""
    prov = graph("provenance")
    by_iri = {c["iri"]: c for c in citations()}
    checked = 0
    for error in prov.subjects(RDF.type, CTG.SourceError):
        for cite in prov.objects(error, CTG.citation):
            c = by_iri[cite]
            assert c["source"] in set(prov.objects(error, CTG.inSource))
            assert c["body"] == prov.value(error, CTG.affects)
            checked += 1
    assert checked >= 11


@needs_seeds
def test_citations_file_is_what_the_generator_builds() -> None:
    """data/citations.trig is generated; a stale file would cite the wrong spans."""
    from rdflib.compare import isomorphic

    from tools.build_citations import build

    built = build(SEEDS).graph(rdflib.URIRef(f"{BASE}graph/provenance"))
    committed = rdflib.Graph()
    for triple in graph("provenance").triples((None, None, None)):
        if "/citation/" in str(triple[0]):
            committed.add(triple)
    assert isomorphic(built, committed)
