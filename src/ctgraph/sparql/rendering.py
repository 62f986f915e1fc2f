"""Render a pyoxigraph query answer in the formats the CLI and the query API offer.

The standard formats (SPARQL JSON/CSV/TSV results, Turtle, JSON-LD) are written by
`ctgraph.serialize`; this module adds the aligned text table for terminals and decides which
format fits which kind of answer (solutions and booleans, or triples).
"""

from __future__ import annotations

import pyoxigraph as ox

from ctgraph.graph.namespaces import PREFIXES
from ctgraph.sparql.media_types import BY_KEY
from ctgraph.sparql.serialization import serialize_results, serialize_triples

CLI_FORMATS = ("table", "json", "csv", "tsv", "turtle")
RESULT_FORMATS = frozenset({"table", "json", "csv", "tsv", "xml"})
"""Formats for SELECT solutions and ASK booleans."""
GRAPH_FORMATS = frozenset({"table", "turtle", "json", "jsonld", "ntriples", "rdfxml"})
"""Formats for CONSTRUCT/DESCRIBE triples; "table" and "turtle" are Turtle, "json" JSON-LD."""
MAX_CELL = 80

QueryAnswer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class FormatError(ValueError):
    """The answer's kind cannot be written in the asked format."""


def answer_kind(result: QueryAnswer) -> str:
    """"graph" for triples, "results" for solutions and booleans."""
    return "graph" if isinstance(result, ox.QueryTriples) else "results"


def render(result: QueryAnswer, fmt: str) -> bytes:
    """The answer as bytes in `fmt` (one of CLI_FORMATS, or a `ctgraph.sparql.media_types` key)."""
    if isinstance(result, ox.QueryTriples):
        if fmt not in GRAPH_FORMATS:
            raise FormatError(
                f"A CONSTRUCT/DESCRIBE answer is RDF: format {fmt!r} does not fit; "
                "use turtle or json (JSON-LD)"
            )
        key = {"table": "turtle", "json": "jsonld"}.get(fmt, fmt)
        return serialize_triples(result, BY_KEY[key])
    if fmt not in RESULT_FORMATS:
        raise FormatError(
            f"A SELECT/ASK answer is a table of solutions: format {fmt!r} does not fit; "
            "use table, json, csv or tsv"
        )
    if fmt == "table":
        return render_table(result).encode("utf-8")
    return serialize_results(result, BY_KEY[fmt])


def render_table(result: ox.QuerySolutions | ox.QueryBoolean) -> str:
    """An aligned text table with compact terms (prefixed names, plain literal values)."""
    if isinstance(result, ox.QueryBoolean):
        return ("yes" if bool(result) else "no") + "\n"
    header = [v.value for v in result.variables]
    rows = [[_cell(solution[name]) for name in header] for solution in result]
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(row) for row in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


_COMPACT = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
"""Longest namespace first, so ctg: wins over ctgr: for ontology terms."""


def compact_iri(iri: str) -> str:
    """`prefix:local` for IRIs under a published prefix, else ``<iri>``."""
    for prefix, namespace in _COMPACT:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        text = compact_iri(term.value)
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.Literal):
        text = term.value
        if term.language and term.language != "en":
            text += f"@{term.language}"
    else:
        text = str(term)
    text = " ".join(text.split())  # one line per row
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
