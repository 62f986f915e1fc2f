"""docs/model.md stays true: its diagram is the ontology's, its example queries run."""

from __future__ import annotations

import re

import pytest
from rdflib import OWL, RDF, Graph

from ctgraph.graph.store import load_bundled
from tools.ontology_diagram import MODEL_DOC, ROOT, render

DOC = MODEL_DOC.read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```sparql\n(.*?)```", DOC, flags=re.S)


def test_diagram_is_generated_from_the_current_ontology() -> None:
    ontology = Graph().parse(ROOT / "ontology" / "ctgraph.ttl")
    assert render(DOC, ontology) == DOC, "run: python tools/ontology_diagram.py"


def test_diagram_names_every_class_of_the_ontology() -> None:
    ontology = Graph().parse(ROOT / "ontology" / "ctgraph.ttl")
    classes = {str(c).split("#")[1] for c in ontology.subjects(RDF.type, OWL.Class)
               if str(c).startswith("https://w3id.org/ctgraph/ontology#")}  # not declared externals
    diagram = DOC.split("diagram:begin")[1].split("diagram:end")[0]
    assert {c for c in classes if c not in diagram} == set()


def test_there_are_example_queries() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("query", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_example_query_answers_on_the_bundled_graph(query: str) -> None:
    solutions = list(load_bundled().query(query))
    assert solutions, "an example in docs/model.md returns nothing"
