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
