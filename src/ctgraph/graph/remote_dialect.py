"""Rewrites of a query's text, each meaning exactly what the original means in SPARQL 1.1, so
that a remote store whose own evaluation departs from the standard answers as the embedded
store does.

`guard_temporal_comparisons`: SPARQL orders two dates, two dateTimes, two gYearMonths… only
when both are of the same datatype; ``"2016-07"^^xsd:gYearMonth > "2015-01-01"^^xsd:date`` is a
type error, so ``FILTER(!BOUND(?end) || ?end > "2015-01-01"^^xsd:date)`` drops a row whose
end is a gYearMonth. Virtuoso 7 compares every date and time type with every other one (the
row is kept), while it does treat a failed cast as SPARQL treats an error (``!``, ``||``,
``&&``, ``IF`` and ``COALESCE`` behave as the standard says). So a comparison of a variable
with a temporal literal, ``?v OP "…"^^T``, is sent as
``IF(DATATYPE(?v) = T, ?v OP "…"^^T, xsd:integer("incomparable"))``: the same value where the
comparison is defined, an error everywhere else (another datatype, an IRI, an unbound ``?v``),
on any store. Virtuoso's own comparison of other datatypes (a string with a number: an error
there too) needs no guard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from ctgraph.sparql.analysis import _TOKEN

XSD = "http://www.w3.org/2001/XMLSchema#"
TEMPORAL = frozenset(XSD + name for name in (
    "date", "dateTime", "time", "gYear", "gYearMonth", "gMonth", "gMonthDay", "gDay"))
"""The datatypes whose values SPARQL (and the embedded store) orders only among themselves."""
ORDERINGS = frozenset({"<", ">", "<=", ">="})
TYPE_ERROR = f'<{XSD}integer>("incomparable")'
"""An expression that is an error in SPARQL and that Virtuoso evaluates as one (a cast that
fails; an unbound variable would do too, but ``SELECT *`` on Virtuoso would then project it)."""


def _ends_operand(text: str) -> bool:
    """A token before an operand that leaves the operand alone (no operator binding tighter
    than a comparison)."""
    return text.endswith(("(", "||", "&&", ","))


def _starts_after_operand(kind: str, text: str) -> bool:
    """A token after an operand that leaves it alone."""
    return (kind == "punct" and text.startswith((")", "||", "&&", ","))) or (
        kind == "word" and text.upper() == "AS")


class _Tok(NamedTuple):
    kind: str
    text: str
    start: int
    end: int


def _significant(sparql: str) -> list[_Tok]:
    """The tokens that are not whitespace or comments; ``<=`` as one (the lexer splits it)."""
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(sparql):
        kind = m.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        if (toks and m.group() == "=" and toks[-1].text == "<" and toks[-1].end == m.start()):
            toks[-1] = _Tok("punct", "<=", toks[-1].start, m.end())
            continue
        toks.append(_Tok(kind, m.group(), m.start(), m.end()))
    return toks


def guard_temporal_comparisons(sparql: str, prefixes: Mapping[str, str] | None = None) -> str:
    """`sparql` with each ``?v OP "…"^^T`` and ``"…"^^T OP ?v`` (OP one of < > <= >=, T a
    date or time datatype, written as an IRI or with a prefix the query declares or that is
    pre-declared) guarded as the module docstring says; everything else unchanged."""
    matches = _significant(sparql)
    declared = dict(prefixes or {})
    for i, m in enumerate(matches[:-2]):
        if (m.kind == "word" and m.text.upper() == "PREFIX"
                and matches[i + 1].text.endswith(":") and matches[i + 2].kind == "iri"):
            declared[matches[i + 1].text[:-1]] = matches[i + 2].text[1:-1]

    def datatype(j: int) -> str | None:
        """The temporal datatype of the literal starting at match j (string ^^ type)."""
        if not (j + 2 < len(matches) and matches[j].kind == "string"
                and matches[j + 1].text == "^^"):
            return None
        kind, text = matches[j + 2].kind, matches[j + 2].text
        if kind == "iri":
            iri = text[1:-1]
        elif kind == "word" and ":" in text:
            prefix, local = text.split(":", 1)
            iri = declared.get(prefix, "\0") + local
        else:
            return None
        return iri if iri in TEMPORAL else None

    def operand(j: int) -> bool:
        """Match j is a variable (a whole operand of the comparison)."""
        return matches[j].kind == "var"

    edits: list[tuple[int, int, str]] = []
    i = 1
    while i + 5 < len(matches):
        before, after = matches[i - 1], matches[i + 5]
        dt = None
        if (before.kind == "punct" and _ends_operand(before.text)
                and _starts_after_operand(after.kind, after.text)):
            if operand(i) and matches[i + 1].text in ORDERINGS:
                dt, var = datatype(i + 2), matches[i].text
            elif operand(i + 4) and matches[i + 3].text in ORDERINGS:
                dt, var = datatype(i), matches[i + 4].text
        if dt is None:
            i += 1
            continue
        start, end = matches[i].start, matches[i + 4].end
        guarded = f"IF(DATATYPE({var}) = <{dt}>, {sparql[start:end]}, {TYPE_ERROR})"
        edits.append((start, end, guarded))
        i += 5
    for start, end, text in reversed(edits):
        sparql = sparql[:start] + text + sparql[end:]
    return sparql
