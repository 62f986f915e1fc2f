"""The editor's examples show what their titles promise: optional parameters unbound (every
row the description speaks of, not the worked example's filter), a required one bound in a
VALUES line of its own, and a comment at the top naming each parameter."""

from __future__ import annotations

import re

import pytest

from ctgraph.catalog.named_queries import bundled_catalog
from ctgraph.graph.namespaces import PREFIXES
from ctgraph.web.routes.pages import example_queries
from tests.client_answers import reference_store


def _header(text: str) -> list[str]:
    lines = text.splitlines()
    return lines[: next(i for i, line in enumerate(lines) if not line.startswith("#"))]


def _rows(sparql: str) -> int:
    store = reference_store()
    store.prefixes = dict(PREFIXES)
    return len(list(store.query(sparql)))


@pytest.mark.parametrize("name", sorted(bundled_catalog()))
def test_example_shows_what_the_title_promises(name):
    named = bundled_catalog()[name]
    example = next(e for e in example_queries() if e["name"] == name)
    text = example["query"]
    header = _header(text)
    assert header[0] == f"# {named.title}"
    body = "\n".join(text.splitlines()[len(header):])
    for p in named.parameters:
        said = " ".join(line.lstrip("# ") for line in header)
        assert f"?{p.name} (" in said, f"the comment does not mention ?{p.name}"
        values = re.findall(rf"VALUES[^{{]*\?{p.name}\b[^\n]*", body)
        if p.required:
            assert len(values) == 1 and "# the example" in values[0]
        else:
            assert values == [], f"optional ?{p.name} is filtered: {values}"
    if not any(p.required for p in named.parameters):
        # the same rows as the named query with nothing bound: no hidden filter
        assert _rows(text) == _rows(named.bind({}) if not any(
            p.default for p in named.parameters) else named.sparql)


def test_data_quality_example_lists_every_issue():
    """The issue's case: "Data-quality warnings" showed only the no-funder rows."""
    text = next(e for e in example_queries() if e["name"] == "data-quality")["query"]
    issues = {row["issue"].value for row in reference_store().query(text)}
    assert len(issues) > 1 and "no-funder" in issues
    named = bundled_catalog()["source-errors"]
    errors = next(e for e in example_queries() if e["name"] == "source-errors")["query"]
    assert _rows(errors) == _rows(named.sparql) > _rows(named.bind(dict(named.example)))
