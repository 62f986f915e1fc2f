"""What a SPARQL request *is*, read from its text without evaluating it.

The engine parses and runs a query in one step, so the decisions that must come first (is it an
update? which query form? does it call SERVICE, and where? does it name its own dataset with
FROM?) are taken here by a small lexer that skips strings, comments and IRIs, so a keyword
inside ``"…SERVICE…"`` or ``<http://x/SERVICE>`` is never mistaken for the real thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urljoin

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*+(?:'''|\\?\Z)
                 |\"\"\"(?:[^"\\]|\\.|"(?!""))*+(?:\"\"\"|\\?\Z)
                 |'(?:[^'\\\n]|\\.)*+(?:'|\\?$)|"(?:[^"\\\n]|\\.)*+(?:"|\\?$))
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<word>(?:[^\s{}()\[\]<>"',;.?$#=!&|*/+^\\-]|\\.)(?:[^\s{}()\[\]<>"',;=!&|*/+^#\\]|\\.)*)
    | (?P<punct>[^\s\w'"<\#?$]+|.)
    """,
    re.VERBOSE | re.DOTALL | re.MULTILINE,
)
"""Linear time: strings never backtrack (possessive repetition) and an unterminated one runs
to the end of its line (or of the text) instead of failing, so nothing is scanned twice."""

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


class Token(NamedTuple):
    kind: str
    text: str


@dataclass
class RequestText:
    """The facts read from a request's text."""

    form: str | None = None
    """SELECT, ASK, CONSTRUCT, DESCRIBE; an update keyword (INSERT, …); None if unknown."""
    services: list[str | None] = field(default_factory=list)
    """Each SERVICE endpoint as an absolute IRI, or None when it is a variable or unresolvable."""
    has_dataset_clause: bool = False
    """The text has FROM or FROM NAMED, so it names its own dataset."""

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_KEYWORDS


def tokens(text: str) -> Iterator[Token]:
    """Significant tokens (no whitespace or comments). Never fails: junk becomes punctuation."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind != "ws" and kind != "comment":
            yield Token(kind, match.group())


def analyse(text: str, prefixes: Mapping[str, str] | None = None) -> RequestText:
    """Read form, SERVICE endpoints and dataset clauses from query or update text.

    `prefixes` are pre-declared prefixes (the query's own PREFIX lines take precedence).
    """
    declared: dict[str, str] = dict(prefixes or {})
    base: str | None = None
    result = RequestText()
    toks = list(tokens(text))
    i = 0
    while i < len(toks):
        tok = toks[i]
        upper = tok.text.upper() if tok.kind == "word" else ""
        if upper == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = _resolve(toks[i + 1].text[1:-1], base)
            i += 2
            continue
        if upper == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            name = toks[i + 1].text
            if name.endswith(":"):
                declared[name[:-1]] = _resolve(toks[i + 2].text[1:-1], base) or ""
            i += 3
            continue
        if result.form is None and upper in QUERY_FORMS | UPDATE_KEYWORDS:
            result.form = upper
        elif upper == "FROM":
            result.has_dataset_clause = True
        elif upper:
            for start in _service_keywords(upper):
                target = _service_target(tok.text[start + len("SERVICE"):], toks, i + 1)
                result.services.append(_endpoint(target, declared, base))
        i += 1
    return result


def _service_keywords(upper_word: str) -> list[int]:
    """Where a SERVICE keyword may start inside a word token.

    pyoxigraph's parser is a PEG without keyword boundaries: ``SERVICE:ep``, ``SERVICEx:ep``
    and ``SERVICESILENT<…>`` all call a service, and ``1.SERVICE<…>`` splits after ``1.``.
    So every word that starts with SERVICE, or has it right after a dot, counts, even
    if that also rejects a prefix named ``service…:`` (the error message says why);
    ``schema:Service`` (after a colon) does not count.
    """
    found = []
    at = upper_word.find("SERVICE")
    while at != -1:
        if at == 0 or upper_word[at - 1] == ".":
            found.append(at)
        at = upper_word.find("SERVICE", at + 1)
    return found


def _service_target(rest: str, toks: list[Token], j: int) -> Token | None:
    """The endpoint token after SERVICE [SILENT], glued (``SERVICE:ep``) or separate."""
    if not rest:
        if j >= len(toks):
            return None
        if toks[j].kind != "word":
            return toks[j]
        rest, j = toks[j].text, j + 1
    if rest.upper().startswith("SILENT"):
        return _service_target(rest[len("SILENT"):], toks, j)
    return Token("word", rest)


def _endpoint(tok: Token | None, declared: Mapping[str, str], base: str | None) -> str | None:
    if tok is None:
        return None
    if tok.kind == "iri":  # relative endpoints are refused: resolution rules could differ
        iri = tok.text[1:-1]
        return iri if _ABSOLUTE.match(iri) else None
    if tok.kind == "word" and ":" in tok.text:
        prefix, _, local = tok.text.partition(":")
        if prefix in declared:
            return declared[prefix] + local
    return None


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _resolve(iri: str, base: str | None) -> str | None:
    if _ABSOLUTE.match(iri):
        return iri
    return urljoin(base, iri) if base else None


def error_position(message: str) -> tuple[int, int] | None:
    """(line, column) from an engine syntax error message such as ``error at 3:17: …``."""
    match = re.search(r"\bat (\d+):(\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else None


def parser_stop_position(text: str) -> tuple[int, int] | None:
    """(line, column) where rdflib's SPARQL parser stops on `text`, or None.

    pyoxigraph reports the furthest point it reached, often the end of the text; rdflib's
    parser stops at the start of the construct that fails, which is what a person needs.
    It backtracks, so it is only tried on texts of a size people type.
    """
    if len(text) > 20_000:
        return None
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(text)
    except ParseException as e:
        return e.lineno, e.col
    except Exception:
        return None
    return None


# ------------------------------------------------------------------ syntax errors people can act on


@dataclass(frozen=True)
class SyntaxProblem:
    """Where a query that does not parse goes wrong, said for a person: the offending token
    and what would have been right there."""

    line: int
    column: int
    near: str
    """The offending token ("" at the end of the text)."""
    expected: str

    def __str__(self) -> str:
        where = f" near {self.near!r}" if self.near else " (at the end of the query)"
        return f"line {self.line}, column {self.column}{where}: {self.expected}"


class _Tok(NamedTuple):
    kind: str
    text: str
    start: int


class _GiveUp(Exception):
    """The text uses something the checks below do not follow; the engine's report stands."""


_FORMS_TEXT = "a query form: SELECT, CONSTRUCT, DESCRIBE or ASK (after any PREFIX and BASE lines)"
_GROUP_KEYWORDS = frozenset({"OPTIONAL", "MINUS", "UNION"})
_TERM_WORDS = re.compile(r"^(a|true|false|[+-]?[0-9][0-9.eE+-]*|[^:\s]*:.*)$", re.IGNORECASE)


def _positioned(text: str) -> list[_Tok]:
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            found.append(_Tok(kind, match.group(), match.start()))
    return found


def _problem(text: str, tok: _Tok | None, expected: str) -> SyntaxProblem:
    offset = tok.start if tok is not None else len(text)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return SyntaxProblem(line, column, tok.text if tok is not None else "", expected)


def explain_syntax_error(text: str, prefixes: Mapping[str, str] | None = None
                         ) -> SyntaxProblem | None:
    """The offending token of a query the engine refused, and what was expected there, for
    the mistakes people make most: a misspelt query form (``SELEC``), an undeclared prefix,
    a triple pattern missing its object (``{ ?x ?y }``) or with one term too many. None when
    the text goes beyond what these checks follow; then the engine's own report is used."""
    toks = _positioned(text)
    declared = set(prefixes or ())
    i = 0
    while i < len(toks) and toks[i].text.upper() in ("PREFIX", "BASE"):
        if toks[i].text.upper() == "BASE":
            i += 2
            continue
        if i + 1 < len(toks) and toks[i + 1].text.endswith(":"):
            declared.add(toks[i + 1].text[:-1])
        i += 3
    if i >= len(toks):
        return _problem(text, None, f"expected {_FORMS_TEXT}")
    first = toks[i]
    if first.kind != "word" or first.text.upper() not in QUERY_FORMS | UPDATE_KEYWORDS:
        import difflib

        close = difflib.get_close_matches(first.text.upper(), sorted(QUERY_FORMS), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        return _problem(text, first, f"expected {_FORMS_TEXT}{hint}")
    for tok in toks[i:]:
        if tok.kind == "word" and ":" in tok.text and not tok.text.startswith("_:"):
            prefix = tok.text.split(":", 1)[0]
            if prefix not in declared and re.fullmatch(r"[A-Za-z][\w.-]*|", prefix):
                return _problem(text, tok, f"the prefix '{prefix}:' is not declared; add "
                                f"PREFIX {prefix}: <…> at the top of the query")
    try:
        return _check_patterns(text, toks, i)
    except _GiveUp:
        return None


def _check_patterns(text: str, toks: list[_Tok], i: int) -> SyntaxProblem | None:
    """Follow the triple patterns of the WHERE group, counting the terms of each triple."""
    while i < len(toks) and toks[i].text != "{":
        i += 1
    depth, terms, joined = 0, [], False

    def incomplete(at: _Tok | None) -> SyntaxProblem | None:
        if len(terms) == 1:
            return _problem(text, at, f"expected a predicate and an object after {terms[0]} "
                            "(a triple pattern has three terms)")
        if len(terms) == 2:
            return _problem(text, at, f"expected an object after {terms[0]} {terms[1]} "
                            "(a variable, an IRI, a literal or a blank node)")
        return None

    while i < len(toks):
        tok = toks[i]
        upper = tok.text.upper()
        if tok.text == "{":
            if (found := incomplete(tok)) is not None:
                return found
            depth, terms = depth + 1, []
        elif tok.text == "}":
            if (found := incomplete(tok)) is not None:
                return found
            depth, terms = depth - 1, []
            if depth == 0:
                return None
        elif tok.text == ".":
            if (found := incomplete(tok)) is not None:
                return found
            terms = []
        elif tok.text in (";", ","):
            if len(terms) < 3:
                return incomplete(tok)
            terms = terms[:1] if tok.text == ";" else terms[:2]
        elif tok.text in ("/", "|"):
            joined = True
        elif tok.text in ("^", "*", "+", "?", "!"):
            pass
        elif tok.kind == "word" and tok.text.startswith("@") and terms:
            pass  # a literal's language tag belongs to it
        elif tok.text == "^^" and terms:
            i += 2  # and so does its datatype
            continue
        elif tok.kind == "word" and upper in ("FILTER", "BIND"):
            if (found := incomplete(tok)) is not None:
                return found
            i = _skip_parentheses(toks, i + 1)
            terms = []
            continue
        elif tok.kind == "word" and upper in _GROUP_KEYWORDS:
            if (found := incomplete(tok)) is not None:
                return found
        elif tok.kind == "word" and upper in ("GRAPH", "SERVICE"):
            if (found := incomplete(tok)) is not None:
                return found
            i += 3 if i + 1 < len(toks) and toks[i + 1].text.upper() == "SILENT" else 2
            continue
        elif tok.kind in ("var", "iri", "string") or (
                tok.kind == "word" and _TERM_WORDS.match(tok.text)):
            text_of = tok.text
            ends_triple = tok.kind == "word" and text_of.endswith(".") and ":" in text_of
            if joined:
                joined = False
            else:
                if len(terms) == 3:
                    return _problem(text, tok, f"expected '.' or '}}' after the triple "
                                    f"{' '.join(terms)}, not a fourth term")
                terms.append(text_of.rstrip(".") if ends_triple else text_of)
            if ends_triple:
                if (found := incomplete(tok)) is not None:
                    return found
                terms = []
        else:
            raise _GiveUp
        i += 1
    return None


def _skip_parentheses(toks: list[_Tok], i: int) -> int:
    """The index after the balanced (…) starting at `i`."""
    if i >= len(toks) or toks[i].text != "(":
        raise _GiveUp
    depth = 0
    while i < len(toks):
        depth += toks[i].text.count("(") - toks[i].text.count(")") if toks[i].kind == "punct" else 0
        i += 1
        if depth == 0:
            return i
    raise _GiveUp
